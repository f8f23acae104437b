//! Operator reports: sales grouped by session, host, market or day (in a trade hub's time zone),
//! and the orders export for fulfilment and customs (CSV, RFC 4180, UTF-8, header row). Money
//! in reports is per currency in minor units plus a CNY total; in the CSV it is a decimal string
//! in major units.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use silkstream_catalog::codes::CurrencyCode;
// The export's cells, shared with the claims evidence export.
use silkstream_catalog::csv::{field, text};
use silkstream_catalog::db::rfc3339;
use silkstream_catalog::store::cny_text;

use crate::error::{Error, Result};
use crate::model::{ReportRow, SalesReport};
use crate::store::FeedStore;

/// The zones of the hubs and their markets, with their UTC offsets in minutes. None of them
/// observes daylight saving time (Kazakhstan has been on UTC+5 throughout since March 2024), so
/// a fixed table is exact and needs no tz database.
pub const ZONES: &[(&str, i64)] = &[
    ("UTC", 0),
    ("Asia/Shanghai", 480),
    ("Asia/Urumqi", 360),
    ("Asia/Almaty", 300),
    ("Asia/Qostanay", 300),
    ("Asia/Bishkek", 360),
    ("Asia/Tashkent", 300),
    ("Europe/Moscow", 180),
    ("Asia/Ulaanbaatar", 480),
    ("Asia/Ho_Chi_Minh", 420),
    ("Asia/Bangkok", 420),
    ("Asia/Jakarta", 420),
    ("Asia/Kuala_Lumpur", 480),
    ("Asia/Manila", 480),
    ("Asia/Phnom_Penh", 420),
    ("Asia/Vientiane", 420),
    ("Asia/Yangon", 390),
];

/// The offset of a supported zone, else 422 naming the supported ones.
pub fn zone_offset(tz: &str) -> Result<i64> {
    ZONES
        .iter()
        .find(|(name, _)| *name == tz)
        .map(|(_, offset)| *offset)
        .ok_or_else(|| {
            let names: Vec<&str> = ZONES.iter().map(|(n, _)| *n).collect();
            Error::invalid(
                "tz",
                format!("unknown time zone '{tz}'; supported: {}", names.join(", ")),
            )
        })
}

/// `YYYY-MM-DD` of a stored time in a zone `offset` minutes east of UTC.
fn day(ms: i64, offset_min: i64) -> String {
    let shifted = ms + offset_min * 60_000;
    let rendered = rfc3339(shifted);
    rendered.get(..10).unwrap_or_default().to_owned()
}

/// Minor units as a decimal string in major units (`1500000` KZT → `15000.00`).
pub fn major(amount_minor: i64, currency: &str) -> String {
    let exponent = CurrencyCode::parse("currency", currency).map_or(2, |c| c.exponent());
    Decimal::new(amount_minor, exponent).to_string()
}

/// Sales grouped by session, host (by id, the name beside), market or day in `tz`: orders,
/// units, GMV per currency (summed in 128 bits), GMV in CNY as the sum of the orders' stored
/// values, and the currencies of orders without a rate (docs/reports.md).
pub async fn sales(store: &FeedStore, group_by: &str, tz: Option<&str>) -> Result<SalesReport> {
    if !["session", "host", "market", "day"].contains(&group_by) {
        return Err(Error::invalid(
            "group_by",
            "must be session, host, market or day",
        ));
    }
    let tz = tz.unwrap_or("UTC");
    let offset = zone_offset(tz)?;
    let as_of = silkstream_catalog::db::now_ms();
    let rows = store.sold_sums().await?;
    #[derive(Default)]
    struct Acc {
        name: Option<String>,
        orders: i64,
        units: i64,
        gmv: BTreeMap<String, i128>,
        cny_fen: i128,
        missing: Vec<String>,
    }
    // Keyed for order: session and host ids sort as numbers, markets and days as text.
    let mut groups: BTreeMap<(i64, String), Acc> = BTreeMap::new();
    for o in rows {
        let (key, name) = match group_by {
            "session" => ((o.session_id, o.session_id.to_string()), None),
            "host" => ((o.host_id, o.host_id.to_string()), Some(o.host)),
            "market" => ((0, o.market), None),
            _ => ((0, day(o.bucket_ms, offset)), None),
        };
        let acc = groups.entry(key).or_default();
        acc.name = name;
        acc.orders += o.orders;
        acc.units += o.units;
        *acc.gmv.entry(o.currency.clone()).or_default() += i128::from(o.total_minor);
        acc.cny_fen += i128::from(o.cny_fen);
        if o.rated < o.orders && !acc.missing.contains(&o.currency) {
            acc.missing.push(o.currency);
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for ((_, key), mut acc) in groups {
        acc.missing.sort();
        out.push(ReportRow {
            key,
            name: acc.name,
            orders: acc.orders,
            units: acc.units,
            gmv: crate::store::money_list(crate::store::narrow(acc.gmv)?),
            gmv_cny: cny_text(acc.cny_fen),
            missing_rates: acc.missing,
        });
    }
    Ok(SalesReport {
        group_by: group_by.to_owned(),
        tz: tz.to_owned(),
        rows: out,
        refunds_due: crate::store::money_list(store.refunds_due().await?),
        as_of: rfc3339(as_of),
    })
}

/// The columns of the export, in order: the first sixteen as they always were, then the rest
/// (docs/reports.md describes each).
pub const EXPORT_COLUMNS: &[&str] = &[
    "order_id",
    "created_at",
    "session_id",
    "host",
    "buyer_country",
    "buyer_city",
    "sku",
    "hs_code",
    "quantity",
    "unit_price",
    "total",
    "currency",
    "customs_mode",
    "warehouse",
    "status",
    "tracking_number",
    "host_id",
    "buyer_id",
    "buyer_name",
    "ship_to_name",
    "ship_to_phone",
    "ship_to_country",
    "ship_to_city",
    "ship_to_address",
    "ship_to_postal_code",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "cancel_reason",
    "carrier",
    "rate_cny",
    "value_cny",
    "payment_status",
    "refund_due",
    "refund_decided_by",
    "orderer_name",
    "orderer_id",
    "customs_reason",
    "mutual_trade_lot",
];

/// Every order as CSV with CRLF line ends, a page of orders at a time: the header line and the
/// first page (read before the answer starts, so that a database that does not answer is an
/// error status), then one chunk per page, so an export of any size holds one page in memory.
/// A later page that cannot be read ends the stream with an error: the chunked body ends
/// without its last chunk, so the client sees a broken download, never a short file.
pub async fn export_csv(
    store: FeedStore,
) -> Result<impl futures_util::Stream<Item = Result<axum::body::Bytes>> + Send + 'static> {
    let page = crate::store::reports::EXPORT_PAGE;
    let rows = store.export_rows(0, page).await?;
    let next = (rows.len() as i64 == page)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let first = format!("{}\r\n{}", EXPORT_COLUMNS.join(","), csv_lines(rows));
    let first = futures_util::stream::once(async move { Ok(axum::body::Bytes::from(first)) });
    let pages = futures_util::stream::try_unfold(next, move |after| {
        let store = store.clone();
        async move {
            let Some(after) = after else {
                return Ok(None);
            };
            let rows = store
                .export_rows(after, crate::store::reports::EXPORT_PAGE)
                .await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                return Ok(None);
            };
            let full = rows.len() as i64 == crate::store::reports::EXPORT_PAGE;
            let chunk = axum::body::Bytes::from(csv_lines(rows));
            Ok(Some((chunk, full.then_some(last))))
        }
    });
    Ok(futures_util::StreamExt::chain(first, pages))
}

/// The export's lines of `rows`.
fn csv_lines(rows: Vec<crate::store::reports::ExportRow>) -> String {
    let mut out = String::new();
    let time = |t: Option<i64>| t.map(rfc3339).unwrap_or_default();
    for r in rows {
        let ship_to: Option<crate::model::ShipTo> = serde_json::from_str(&r.ship_to).ok();
        // Recipient text is made single-line like every other people-written cell.
        let to = |f: fn(&crate::model::ShipTo) -> &str| {
            text(&silkstream_catalog::text::clean_line(
                ship_to.as_ref().map(f).unwrap_or_default(),
            ))
        };
        let fields = [
            field(&r.id.to_string()),
            field(&rfc3339(r.created_at)),
            field(&r.session_id.to_string()),
            text(&r.host),
            text(&r.market),
            text(&r.buyer_city),
            text(&r.sku),
            text(&r.hs_code),
            field(&r.quantity.to_string()),
            field(&major(r.unit_price_minor, &r.currency)),
            field(&major(r.total_minor, &r.currency)),
            text(&r.currency),
            text(&r.customs_mode.unwrap_or_default()),
            text(&r.warehouse),
            text(&r.status),
            text(&r.tracking_number.unwrap_or_default()),
            field(&r.host_id.to_string()),
            field(&r.buyer_id.to_string()),
            text(&r.buyer_name),
            to(|s| &s.name),
            to(|s| &s.phone),
            to(|s| &s.country),
            to(|s| &s.city),
            to(|s| &s.address),
            to(|s| &s.postal_code),
            field(&time(r.paid_at)),
            field(&time(r.shipped_at)),
            field(&time(r.delivered_at)),
            field(&time(r.cancelled_at)),
            text(&r.cancel_reason.unwrap_or_default()),
            text(&r.carrier.unwrap_or_default()),
            field(&r.rate_cny.unwrap_or_default()),
            field(
                &r.value_cny_fen
                    .map(|fen| cny_text(i128::from(fen)))
                    .unwrap_or_default(),
            ),
            text(&r.payment_status.unwrap_or_default()),
            field(
                &r.refund_minor
                    .map(|m| major(m, &r.currency))
                    .unwrap_or_default(),
            ),
            text(&r.refund_decided_by.unwrap_or_default()),
            text(&r.orderer_name.unwrap_or_default()),
            text(&r.orderer_id_masked.unwrap_or_default()),
            text(&r.customs_reason.unwrap_or_default()),
            field(
                &r.mutual_trade_lot
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            ),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Major units follow the currency's exponent.
    #[test]
    fn major_units() {
        assert_eq!(major(1_500_000, "KZT"), "15000.00");
        assert_eq!(major(329_900, "VND"), "329900");
        assert_eq!(major(5, "CNY"), "0.05");
    }

    /// A day is cut in the zone: 20:00 UTC is the next day in Almaty (UTC+5).
    #[test]
    fn days_in_a_zone() {
        let ms = 1_795_795_200_000; // 2026-11-27T16:00:00Z
        assert_eq!(day(ms, 0), "2026-11-27");
        assert_eq!(day(ms + 4 * 3_600_000, 300), "2026-11-28");
        assert!(zone_offset("Mars/Olympus").is_err());
    }
}
