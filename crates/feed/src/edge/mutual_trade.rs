//! The mutual-trade ledger of Erenhot's border-resident trade zone (docs/customs.md, "The
//! mutual-trade ledger"): border residents (their PRC resident ID number checked per
//! GB 11643-1999 and kept only as the deployment's keyed hash, like orderers'), the lots each
//! brings in (goods, HS code, quantity, value in CNY, the processing firm that took them), the
//! duty-free allowance per person per day in force on the lot's day (`data/mutual-trade-
//! allowance.json`, each entry with its source), and the products made from a lot. Routes for
//! operators and admins under `/api/v1/mutual-trade`; SQL in `store/mutual_trade.rs`; errors
//! are [`crate::domain::error::Error`].

use std::sync::LazyLock;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use silkstream_catalog::auth::{Authorized, Principal};
use silkstream_catalog::db::rfc3339;
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiJson, ApiPath, ApiQuery};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::error::{Error, Result};
use crate::edge::customs::CustomsOfficers;
use crate::edge::Feed;
use crate::store::mutual_trade::{NewLot, Recorded};

/// One entry of the allowance table: in force from `valid_from` until the next entry's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Allowance {
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    /// CNY per border resident per day.
    pub per_person_per_day_cny: i64,
    /// The act that set it.
    pub source: String,
}

#[derive(Deserialize)]
struct AllowanceFile {
    allowances: Vec<Allowance>,
}

/// The allowance table, oldest first (a file the binary carries: a change is a release).
pub static ALLOWANCES: LazyLock<Vec<Allowance>> = LazyLock::new(|| {
    let file: AllowanceFile =
        serde_json::from_str(include_str!("../../../../data/mutual-trade-allowance.json"))
            .unwrap_or(AllowanceFile {
                allowances: Vec::new(),
            });
    let mut a = file.allowances;
    a.sort_by(|x, y| x.valid_from.cmp(&y.valid_from));
    a
});

/// The allowance in force on `day` (`YYYY-MM-DD`), if any entry began by then.
pub fn allowance_on(day: &str) -> Option<&'static Allowance> {
    ALLOWANCES
        .iter()
        .rev()
        .find(|a| a.valid_from.as_str() <= day)
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_residents, add_resident))
        .routes(routes!(list_lots, record_lot))
        .routes(routes!(link_product))
        .routes(routes!(allowances))
}

fn date(field: &str, value: &str) -> Result<String> {
    time::Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(|d| d.to_string())
    .map_err(|_| Error::invalid(field, "must be a date, YYYY-MM-DD"))
}

/// A border resident to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResident {
    /// PRC resident ID number (18 characters, GB 11643-1999); stored only as a keyed hash.
    pub id_number: String,
    pub name: String,
    /// The border-resident certificate's number.
    pub certificate_number: String,
    /// Its last valid day, `YYYY-MM-DD`.
    pub certificate_expires: String,
}

/// A border resident.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resident {
    pub id: i64,
    /// The ID number masked (`1101**********002X`).
    pub id_masked: String,
    pub name: String,
    pub certificate_number: String,
    pub certificate_expires: String,
    pub created_at: String,
}

fn resident_view(r: crate::store::mutual_trade::ResidentRow) -> Resident {
    Resident {
        id: r.id,
        id_masked: r.id_masked,
        name: r.name,
        certificate_number: r.certificate_number,
        certificate_expires: r.certificate_expires,
        created_at: rfc3339(r.created_at),
    }
}

/// Records a border resident (operator, admin); 409 `resident_exists` for a known ID number.
#[utoipa::path(post, path = "/api/v1/mutual-trade/residents", tag = "customs",
    request_body = NewResident,
    responses((status = 201, body = Resident), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_resident(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiJson(body): ApiJson<NewResident>,
) -> Result<(StatusCode, ApiJson<Resident>)> {
    let checked = crate::domain::identity::Checked {
        name: silkstream_catalog::text::name("name", &body.name, 100)?,
        id_number: crate::domain::identity::check_id_number("id_number", &body.id_number)?,
    };
    let certificate =
        silkstream_catalog::text::line("certificate_number", &body.certificate_number, 60)?;
    let expires = date("certificate_expires", &body.certificate_expires)?;
    let key = feed.store.identity_key().await?;
    let stored = crate::domain::identity::orderer(&key, &checked)?;
    let id = feed
        .store
        .add_resident(
            &stored.id_hash,
            &stored.id_masked,
            &stored.name,
            &certificate,
            &expires,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(resident_view(feed.store.resident(id).await?)),
    ))
}

/// Border residents (operator, admin).
#[utoipa::path(get, path = "/api/v1/mutual-trade/residents", tag = "customs",
    responses((status = 200, body = Vec<Resident>)), security(("bearer" = [])))]
async fn list_residents(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
) -> Result<ApiJson<Vec<Resident>>> {
    Ok(ApiJson(
        feed.store
            .residents()
            .await?
            .into_iter()
            .map(resident_view)
            .collect(),
    ))
}

/// A lot to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLotBody {
    pub resident_id: i64,
    /// The day it crossed, `YYYY-MM-DD`.
    pub day: String,
    /// What the goods are (1 to 200 characters).
    pub goods: String,
    /// HS code, 6 to 10 digits.
    pub hs_code: String,
    pub quantity: i64,
    /// The quantity's unit, e.g. `kg` (1 to 20 characters).
    pub unit: String,
    /// Value in CNY fen (1 to the day's allowance).
    pub value_cny_fen: i64,
    /// ISO 3166-1 alpha-2 (e.g. MN, RU, BY).
    pub origin_country: String,
    /// The firm that took the lot for local processing.
    pub processing_firm: String,
}

/// A mutual-trade lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct Lot {
    pub id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    pub day: String,
    pub goods: String,
    pub hs_code: String,
    pub quantity: i64,
    pub unit: String,
    pub value_cny_fen: i64,
    pub origin_country: String,
    pub processing_firm: String,
    /// Products made from it.
    pub product_ids: Vec<i64>,
    pub created_at: String,
}

/// Records a lot (operator, admin): refused with 409 `over_daily_allowance` when the
/// resident's lots of that day would pass the allowance in force (CNY 8,000 since
/// 2008-11-01), 409 `certificate_expired` after the resident's certificate's last day.
#[utoipa::path(post, path = "/api/v1/mutual-trade/lots", tag = "customs",
    request_body = NewLotBody,
    responses((status = 201, body = Lot), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn record_lot(
    State(feed): State<Feed>,
    Authorized(who, _): Authorized<CustomsOfficers>,
    ApiJson(body): ApiJson<NewLotBody>,
) -> Result<(StatusCode, ApiJson<Lot>)> {
    use silkstream_catalog::text::line;
    let day = date("day", &body.day)?;
    let goods = line("goods", &body.goods, 200)?;
    if !(6..=10).contains(&body.hs_code.len()) || !body.hs_code.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Error::invalid("hs_code", "must be 6 to 10 digits"));
    }
    if !(1..=1_000_000_000).contains(&body.quantity) {
        return Err(Error::invalid("quantity", "must be 1 to 1,000,000,000"));
    }
    let unit = line("unit", &body.unit, 20)?;
    let origin =
        silkstream_catalog::codes::CountryCode::parse("origin_country", &body.origin_country)?;
    let firm = line("processing_firm", &body.processing_firm, 200)?;
    let allowance = allowance_on(&day)
        .ok_or_else(|| Error::invalid("day", "no mutual-trade allowance was in force that day"))?;
    let allowance_fen = allowance.per_person_per_day_cny * 100;
    if !(1..=allowance_fen).contains(&body.value_cny_fen) {
        return Err(Error::invalid(
            "value_cny_fen",
            format!("must be 1 to the day's allowance ({allowance_fen} fen)"),
        ));
    }
    if body.resident_id < 1 {
        return Err(Error::not_found(format!(
            "border resident {}",
            body.resident_id
        )));
    }
    let resident = feed.store.resident(body.resident_id).await?;
    if resident.certificate_expires < day {
        return Err(Error::conflict(
            "certificate_expired",
            format!(
                "the resident's certificate expired on {}",
                resident.certificate_expires
            ),
        ));
    }
    let by = decider(&who);
    let lot = NewLot {
        resident_id: body.resident_id,
        day: &day,
        goods: &goods,
        hs_code: &body.hs_code,
        quantity: body.quantity,
        unit: &unit,
        value_fen: body.value_cny_fen,
        origin_country: origin.as_str(),
        processing_firm: &firm,
        recorded_by: &by,
    };
    match feed.store.record_lot(&lot, allowance_fen).await? {
        Recorded::OverAllowance { already_fen } => Err(Error::conflict(
            "over_daily_allowance",
            format!(
                "{}'s lots of {day} would come to CNY {}.{:02}, over the allowance of CNY {} a \
                 day ({} fen recorded already)",
                resident.name,
                (already_fen + body.value_cny_fen) / 100,
                (already_fen + body.value_cny_fen) % 100,
                allowance.per_person_per_day_cny,
                already_fen
            ),
        )),
        Recorded::Lot(id) => {
            let row = feed
                .store
                .lots(Some(&day))
                .await?
                .into_iter()
                .find(|l| l.id == id)
                .ok_or_else(|| Error::internal("a new lot is missing"))?;
            Ok((StatusCode::CREATED, ApiJson(lot_view(row, &[]))))
        }
    }
}

fn decider(who: &Principal) -> String {
    format!("{} #{} {}", who.role.as_str(), who.token_id, who.name)
}

fn lot_view(l: crate::store::mutual_trade::LotRow, links: &[(i64, i64)]) -> Lot {
    Lot {
        product_ids: links
            .iter()
            .filter(|(lot, _)| *lot == l.id)
            .map(|(_, p)| *p)
            .collect(),
        id: l.id,
        resident_id: l.resident_id,
        resident_name: l.resident_name,
        day: l.day,
        goods: l.goods,
        hs_code: l.hs_code,
        quantity: l.quantity,
        unit: l.unit,
        value_cny_fen: l.value_fen,
        origin_country: l.origin_country,
        processing_firm: l.processing_firm,
        created_at: rfc3339(l.created_at),
    }
}

/// `?day=` of the lots list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LotsQuery {
    /// Only this day's lots, `YYYY-MM-DD`.
    pub day: Option<String>,
}

/// Lots, newest first (the latest 500), each with the products made from it (operator, admin).
#[utoipa::path(get, path = "/api/v1/mutual-trade/lots", tag = "customs", params(LotsQuery),
    responses((status = 200, body = Vec<Lot>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_lots(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiQuery(q): ApiQuery<LotsQuery>,
) -> Result<ApiJson<Vec<Lot>>> {
    let day = q.day.as_deref().map(|d| date("day", d)).transpose()?;
    let links = feed.store.lot_products().await?;
    Ok(ApiJson(
        feed.store
            .lots(day.as_deref())
            .await?
            .into_iter()
            .map(|l| lot_view(l, &links))
            .collect(),
    ))
}

/// Records that a product is made from a lot: its provenance (operator, admin).
#[utoipa::path(put, path = "/api/v1/mutual-trade/lots/{id}/products/{product_id}", tag = "customs",
    params(("id" = i64, Path, description = "lot id"),
        ("product_id" = i64, Path, description = "product id")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn link_product(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiPath((id, product_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode> {
    feed.store.catalog().get_product(product_id, None).await?;
    feed.store.link_lot_product(id, product_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The duty-free allowance per border resident per day, each entry with the day it began and
/// its source (anyone signed in as operator or admin).
#[utoipa::path(get, path = "/api/v1/mutual-trade/allowance", tag = "customs",
    responses((status = 200, body = Vec<Allowance>)), security(("bearer" = [])))]
async fn allowances(_: Authorized<CustomsOfficers>) -> ApiJson<Vec<Allowance>> {
    ApiJson(ALLOWANCES.clone())
}

/// The demo ledger (`serve --demo`): two Erenhot border residents and three lots of `day`,
/// the first taken by a cashmere processor that made `product_id` from it. Fictional people
/// with valid-looking ID numbers (GB 11643 check characters, Erenhot's area code 152501);
/// recorded through the same store calls as the routes, within the allowance.
pub async fn load_demo(
    store: &crate::store::FeedStore,
    day: &str,
    product_id: Option<i64>,
) -> Result<usize> {
    let key = store.identity_key().await?;
    let mut residents = Vec::new();
    for (number, name, certificate) in [
        ("152501198001010011", "Батбаяр", "EH-BM-2026-0117"),
        ("152501198502020023", "Сарангэрэл", "EH-BM-2026-0342"),
    ] {
        let stored = crate::domain::identity::orderer(
            &key,
            &crate::domain::identity::Checked {
                name: name.into(),
                id_number: number.into(),
            },
        )?;
        residents.push(
            store
                .add_resident(
                    &stored.id_hash,
                    &stored.id_masked,
                    name,
                    certificate,
                    "2028-12-31",
                )
                .await?,
        );
    }
    let allowance_fen = allowance_on(day)
        .map(|a| a.per_person_per_day_cny * 100)
        .ok_or_else(|| Error::internal("no mutual-trade allowance in force"))?;
    let lots = [
        (
            residents[0],
            "Raw goat cashmere, dehaired",
            "510211",
            9,
            "kg",
            520_000,
            "MN",
            "Erenhot Gobi Cashmere Processing Co.",
        ),
        (
            residents[0],
            "Sea buckthorn berries, frozen",
            "081190",
            40,
            "kg",
            180_000,
            "MN",
            "Erenhot Grassland Foods Co.",
        ),
        (
            residents[1],
            "Buckwheat groats",
            "100810",
            300,
            "kg",
            450_000,
            "RU",
            "Erenhot Grassland Foods Co.",
        ),
    ];
    let mut recorded = 0;
    for (i, (resident_id, goods, hs_code, quantity, unit, value_fen, origin, firm)) in
        lots.into_iter().enumerate()
    {
        let lot = NewLot {
            resident_id,
            day,
            goods,
            hs_code,
            quantity,
            unit,
            value_fen,
            origin_country: origin,
            processing_firm: firm,
            recorded_by: "demo",
        };
        if let Recorded::Lot(id) = store.record_lot(&lot, allowance_fen).await? {
            recorded += 1;
            if let (0, Some(product_id)) = (i, product_id) {
                store.link_lot_product(id, product_id).await?;
            }
        }
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CNY 8,000 a day since 2008-11-01, with its source; nothing before.
    #[test]
    fn the_allowance_is_dated_and_sourced() {
        let a = allowance_on("2026-12-07").expect("in force");
        assert_eq!(a.per_person_per_day_cny, 8000);
        assert!(a.source.contains("财关税〔2008〕90号"));
        assert!(allowance_on("2008-10-31").is_none());
    }
}
