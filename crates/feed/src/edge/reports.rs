//! Operator reports: sales grouped by session, host, market or day (in any IANA time zone, at the
//! offsets it had then),
//! and the orders export for fulfilment and customs (CSV, RFC 4180, UTF-8, header row). Money
//! in reports is per currency in minor units plus a CNY total; in the CSV it is a decimal string
//! in major units.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use silkstream_catalog::codes::CurrencyCode;
// The export's writer and its formula neutraliser, shared with the claims evidence export.
use silkstream_catalog::csv::{text, Page};
use silkstream_catalog::db::rfc3339;
use silkstream_catalog::store::cny_text;

use crate::domain::error::{Error, Result};
use crate::domain::model::{ReportRow, SalesReport};
use crate::store::FeedStore;

/// The IANA time zone `tz` (`Asia/Almaty`, `UTC`…) from the tz database compiled into the
/// binary, with every offset it has had (Almaty and Qostanay moved from UTC+6 to UTC+5 on
/// 2024-03-01), else 422 `invalid` naming `tz`.
pub fn zone(tz: &str) -> Result<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(tz).map_err(|_| {
        Error::invalid(
            "tz",
            format!("unknown time zone '{tz}': give an IANA zone name such as Asia/Almaty or UTC"),
        )
    })
}

/// `YYYY-MM-DD` of a stored time (ms since the epoch) in `tz`, at the offset in force then.
fn day(ms: i64, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => tz.to_datetime(t).date().to_string(),
        // Out of jiff's range (years past ±9999): not a time an order is stored with.
        Err(_) => rfc3339(ms).get(..10).unwrap_or_default().to_owned(),
    }
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
    let zone = zone(tz)?;
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
            _ => ((0, day(o.bucket_ms, &zone)), None),
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
/// error status), then one chunk per page, each written by the `csv` crate's writer, so an
/// export of any size holds one page in memory (docs/reports.md, its measurement).
/// A later page that cannot be read ends the stream with an error: the chunked body ends
/// without its last chunk, so the client sees a broken download, never a short file.
pub async fn export_csv(
    store: FeedStore,
) -> Result<impl futures_util::Stream<Item = Result<axum::body::Bytes>> + Send + 'static> {
    let page = crate::store::reports::EXPORT_PAGE;
    let rows = store.export_rows(0, page).await?;
    let next = (rows.len() as i64 == page)
        .then(|| rows.last().map(|r| r.order.id))
        .flatten();
    let mut first = Page::new();
    first.row(EXPORT_COLUMNS)?;
    let first = csv_page(first, rows)?;
    let first = futures_util::stream::once(async move { Ok(first) });
    let pages = futures_util::stream::try_unfold(next, move |after| {
        let store = store.clone();
        async move {
            let Some(after) = after else {
                return Ok(None);
            };
            let rows = store
                .export_rows(after, crate::store::reports::EXPORT_PAGE)
                .await?;
            let Some(last) = rows.last().map(|r| r.order.id) else {
                return Ok(None);
            };
            let full = rows.len() as i64 == crate::store::reports::EXPORT_PAGE;
            let chunk = csv_page(Page::new(), rows)?;
            Ok(Some((chunk, full.then_some(last))))
        }
    });
    Ok(futures_util::StreamExt::chain(first, pages))
}

/// `rows` written after what `page` holds, as one chunk.
fn csv_page(
    mut page: Page,
    rows: Vec<crate::store::reports::ExportRow>,
) -> Result<axum::body::Bytes> {
    let time = |t: Option<i64>| t.map(rfc3339).unwrap_or_default();
    for r in rows {
        let ship_to: Option<crate::domain::model::ShipTo> =
            serde_json::from_str(&r.order.ship_to).ok();
        // Recipient text is made single-line like every other people-written cell.
        let to = |f: fn(&crate::domain::model::ShipTo) -> &str| {
            text(&silkstream_catalog::text::clean_line(
                ship_to.as_ref().map(f).unwrap_or_default(),
            ))
            .into_owned()
        };
        let t = |v: &str| text(v).into_owned();
        let cells: [String; 40] = [
            r.order.id.to_string(),
            rfc3339(r.order.created_at),
            r.order.session_id.to_string(),
            t(&r.host),
            t(&r.order.market),
            t(&r.order.buyer_city),
            t(&r.order.sku),
            t(&r.hs_code),
            r.order.quantity.to_string(),
            major(r.order.unit_price_minor, &r.order.currency),
            major(r.order.total_minor, &r.order.currency),
            t(&r.order.currency),
            t(&r.order.customs_mode.unwrap_or_default()),
            t(&r.order.warehouse),
            t(&r.order.status),
            t(&r.order.tracking_number.unwrap_or_default()),
            r.order.host_token_id.to_string(),
            r.order.buyer_token_id.to_string(),
            t(&r.buyer_name),
            to(|s| &s.name),
            to(|s| &s.phone),
            to(|s| &s.country),
            to(|s| &s.city),
            to(|s| &s.address),
            to(|s| &s.postal_code),
            time(r.order.paid_at),
            time(r.order.shipped_at),
            time(r.order.delivered_at),
            time(r.order.cancelled_at),
            t(&r.order.cancel_reason.unwrap_or_default()),
            t(&r.order.carrier.unwrap_or_default()),
            r.order.rate_cny.unwrap_or_default(),
            r.order
                .value_cny_fen
                .map(|fen| cny_text(i128::from(fen)))
                .unwrap_or_default(),
            t(&r.payment_status.unwrap_or_default()),
            r.refund_minor
                .map(|m| major(m, &r.order.currency))
                .unwrap_or_default(),
            t(&r.refund_decided_by.unwrap_or_default()),
            t(&r.order.orderer_name.unwrap_or_default()),
            t(&r.order.orderer_id_masked.unwrap_or_default()),
            t(&r.order.customs_reason.unwrap_or_default()),
            r.mutual_trade_lot
                .map(|l| l.to_string())
                .unwrap_or_default(),
        ];
        page.row(&cells)?;
    }
    Ok(page.into_bytes()?)
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

    /// A day is cut in the zone at the offset in force then: Almaty was UTC+6 until its
    /// midnight of 2024-03-01 (18:00 UTC on 2024-02-29), when its clocks went back to 23:00 on
    /// 2024-02-29 at UTC+5; so 18:30 UTC is the next day on 2024-02-28, and the same day on
    /// 2024-02-29 (23:30, the repeated hour) and on 2024-03-02; Kathmandu is UTC+5:45.
    #[test]
    fn days_in_a_zone() {
        let ms = |s: &str| {
            s.parse::<jiff::Timestamp>()
                .expect("a timestamp")
                .as_millisecond()
        };
        let almaty = zone("Asia/Almaty").expect("a zone");
        assert_eq!(day(ms("2024-02-28T18:30:00Z"), &almaty), "2024-02-29");
        assert_eq!(day(ms("2024-02-29T17:59:00Z"), &almaty), "2024-02-29");
        assert_eq!(day(ms("2024-02-29T18:30:00Z"), &almaty), "2024-02-29");
        assert_eq!(day(ms("2024-03-02T18:30:00Z"), &almaty), "2024-03-02");
        let utc = zone("UTC").expect("UTC");
        assert_eq!(day(ms("2024-02-29T18:30:00Z"), &utc), "2024-02-29");
        let kathmandu = zone("Asia/Kathmandu").expect("a zone");
        assert_eq!(day(ms("2026-11-27T18:15:00Z"), &kathmandu), "2026-11-28");
        assert_eq!(day(ms("2026-11-27T18:00:00Z"), &kathmandu), "2026-11-27");
    }

    /// Any zone of the tz database is accepted, historical and far from the hubs; a name that
    /// is none is a 422 naming `tz`.
    #[test]
    fn any_iana_zone_and_nothing_else() {
        for tz in [
            "America/Argentina/Buenos_Aires",
            "Pacific/Chatham",
            "Europe/Kyiv",
            "Asia/Qostanay",
            "Etc/GMT-14",
        ] {
            assert!(zone(tz).is_ok(), "{tz}");
        }
        for tz in ["Mars/Olympus", "", "../etc/passwd", "Asia/Almaty\u{0}"] {
            let e = zone(tz).expect_err(tz);
            assert!(e.to_string().contains("unknown time zone"), "{tz}: {e}");
        }
    }
}
