//! Numbers an operator can sign (docs/reports.md), on both backends: every CNY figure at the
//! orders' own rates (a rate posted after a sale changes none of its figures), missing rates
//! flagged per report row, hosts grouped by id, one rounding rule, peak viewers that stop at
//! the end, an export that neutralises formulas and streams a page at a time, and sums that
//! refuse to overflow.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, spawn_app, spawn_app_with, Backend, TestApp};

backend_tests!(
    a_day_of_selling_adds_up_everywhere,
    a_rate_posted_after_the_sale_changes_nothing,
    half_a_fen_rounds_away_from_zero_and_empty_totals_have_two_digits,
    missing_rates_are_flagged_in_every_report_row,
    hosts_named_alike_are_two_report_rows,
    peak_viewers_stop_counting_at_the_end,
    the_export_neutralises_formulas,
    a_total_that_would_overflow_refuses_the_order,
    days_are_cut_at_the_offset_the_zone_had_then,
    the_export_streams_a_page_at_a_time,
);

const WITHIN: Duration = Duration::from_secs(10);

async fn end(app: &TestApp, host: &str, session_id: i64) -> Value {
    app.post(
        &format!("/api/v1/sessions/{session_id}/end"),
        host,
        &json!({}),
    )
    .await
    .expect(200)
    .body
}

async fn report(app: &TestApp, token: &str, group_by: &str, tz: &str) -> Value {
    app.get(
        &format!("/api/v1/reports/sales?group_by={group_by}&tz={tz}"),
        token,
    )
    .await
    .expect(200)
    .body
}

async fn export(app: &TestApp, token: &str) -> String {
    let resp = app
        .client
        .get(format!("{}/api/v1/orders/export", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.expect("csv")
}

/// A sale's summary, report rows and CNY stay as they were when a new rate is posted for
/// today, after the sale.
async fn a_rate_posted_after_the_sale_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    // 2 × 6299.00 KZT at 0.0142 = 178.8916 CNY → 178.89.
    app.order(
        &buyer,
        live.session_id,
        "k1",
        &silkstream_e2e::order_body(live.variant_id, 2, "KZT"),
    )
    .await
    .expect(201);
    let summary = end(&app, &live.host, live.session_id).await["summary"].clone();
    assert_eq!(summary["gmv_cny"], "178.89", "{summary}");
    let before = report(&app, &live.operator, "session", "UTC").await;
    assert_eq!(before["rows"][0]["gmv_cny"], "178.89", "{before}");

    let today = summary_day(&app, &live.operator).await;
    app.post(
        "/api/v1/rates",
        &app.admin,
        &json!({"currency": "KZT", "rate": "0.0150", "valid_from": today}),
    )
    .await
    .expect(201);
    let after = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &live.host)
        .await
        .expect(200)
        .body;
    assert_eq!(after["summary"]["gmv_cny"], "178.89", "{after}");
    for group in ["session", "host", "market", "day"] {
        let r = report(&app, &live.operator, group, "UTC").await;
        assert_eq!(r["rows"][0]["gmv_cny"], "178.89", "{group}: {r}");
    }
}

/// Today's date in UTC, as the day report has it.
async fn summary_day(app: &TestApp, operator: &str) -> String {
    let r = report(app, operator, "day", "UTC").await;
    r["rows"][0]["key"].as_str().expect("a day").to_owned()
}

/// 75.00 KZT at 0.0142 is 1.065 CNY: one rule (half away from zero) gives 1.07 everywhere; an
/// empty total is "0.00".
async fn half_a_fen_rounds_away_from_zero_and_empty_totals_have_two_digits(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": 7500});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 10}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let empty = app
        .open_session(&host, "nothing sold", product_id, true)
        .await;
    let summary = end(&app, &host, empty).await["summary"].clone();
    assert_eq!(summary["gmv_cny"], "0.00", "{summary}");

    let session = app
        .open_session(&host, "half a fen", product_id, true)
        .await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.order(
        &buyer,
        session,
        "k1",
        &silkstream_e2e::order_body(variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let summary = end(&app, &host, session).await["summary"].clone();
    assert_eq!(summary["gmv_cny"], "1.07", "{summary}");
    let r = report(&app, &operator, "market", "UTC").await;
    assert_eq!(r["rows"][0]["gmv_cny"], "1.07", "{r}");
}

/// An order in a currency without a rate is named in its report row's `missing_rates`.
async fn missing_rates_are_flagged_in_every_report_row(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    // KZT has a rate (seed_basics); USD has none.
    app.put(
        "/api/v1/markets/KZ",
        &app.admin,
        &json!({"name": "Kazakhstan", "currencies": ["KZT", "USD"], "locales": ["kk", "ru"],
                "warehouses": ["KHG-1"]}),
    )
    .await
    .expect(200);
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": 629900, "USD": 1250});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 10}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let session = app.open_session(&host, "dollars", product_id, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.order(
        &buyer,
        session,
        "k1",
        &silkstream_e2e::order_body(variant_id, 1, "USD"),
    )
    .await
    .expect(201);
    app.order(
        &buyer,
        session,
        "k2",
        &silkstream_e2e::order_body(variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    for group in ["session", "host", "market", "day"] {
        let r = report(&app, &operator, group, "Asia/Almaty").await;
        let row = &r["rows"][0];
        assert_eq!(row["missing_rates"], json!(["USD"]), "{group}: {r}");
        // 6299.00 KZT at 0.0142 = 89.4458 → 89.45; the dollars are left out, and said to be.
        assert_eq!(row["gmv_cny"], "89.45", "{group}: {r}");
    }
}

/// Two hosts with the same name are two rows of the host report, keyed by id, named beside.
async fn hosts_named_alike_are_two_report_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let other = app.token("host").await;
    let second = app
        .open_session(&other, "same name", live.product_id, true)
        .await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    for (i, session) in [live.session_id, second].into_iter().enumerate() {
        app.order(
            &buyer,
            session,
            &format!("k{i}"),
            &silkstream_e2e::order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201);
    }
    let r = report(&app, &live.operator, "host", "UTC").await;
    let rows = r["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{r}");
    for row in rows {
        assert_eq!(row["orders"], 1, "{r}");
        assert_eq!(row["name"], "test host", "{r}");
        assert!(
            row["key"]
                .as_str()
                .is_some_and(|k| k.parse::<i64>().is_ok()),
            "{r}"
        );
    }
    assert_ne!(rows[0]["key"], rows[1]["key"], "{r}");
}

/// A buyer who opens an ended session's feed does not raise its peak viewers.
async fn peak_viewers_stop_counting_at_the_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    end(&app, &live.host, live.session_id).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let path = format!("/api/v1/sessions/{}/feed", live.session_id);
    let mut feed = app.ws_connect(&path, Some(&buyer)).await;
    // Two ticks: the ticker has finished the round of the first one (which would store the peak).
    feed.next_of_type("tick", WITHIN).await;
    feed.next_of_type("tick", WITHIN).await;
    let session = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &live.host)
        .await
        .expect(200)
        .body;
    assert_eq!(session["summary"]["peak_viewers"], 0, "{session}");
}

/// Cells a spreadsheet would read as formulas are prefixed with a quote and quoted (OWASP).
async fn the_export_neutralises_formulas(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let payloads = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "@SUM(A1:A2)",
        "+1+1",
        "-2+3",
    ];
    for (i, tracking) in payloads.iter().enumerate() {
        let id = app
            .order(
                &buyer,
                live.session_id,
                &format!("k{i}"),
                &silkstream_e2e::order_body(live.variant_id, 1, "KZT"),
            )
            .await
            .expect(201)
            .body["order"]["id"]
            .as_i64()
            .expect("order id");
        app.pay_through_sandbox(id, &buyer).await;
        app.post(
            &format!("/api/v1/orders/{id}/ship"),
            &live.operator,
            &json!({"carrier": *tracking, "tracking_number": *tracking}),
        )
        .await
        .expect(200);
    }
    let csv = export(&app, &live.operator).await;
    for tracking in payloads {
        let neutral = format!("\"'{}\"", tracking.replace('"', "\"\""));
        assert!(
            csv.contains(&neutral),
            "{tracking} not neutralised in:\n{csv}"
        );
        for line in csv.split("\r\n") {
            for cell in line.split(',') {
                assert!(
                    !cell.starts_with(['=', '@', '+']),
                    "a live formula cell {cell:?} in:\n{csv}"
                );
            }
        }
    }
}

/// Orders at the largest price and quantity: the one that would take the session's GMV past
/// what a total can hold is refused with a clear code, and every figure stays exact.
async fn a_total_that_would_overflow_refuses_the_order(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.orders_per_buyer_per_minute = 100_000).await;
    app.seed_basics().await;
    let max: i64 = 10_000_000_000_000;
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": max});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 1_000_000}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let session = app
        .open_session(&host, "the largest", product_id, true)
        .await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    // Each order is 10^16 minor units; i64 holds 922 of them.
    let per_order = max * 1000;
    let fits = i64::MAX / per_order;
    let mut confirmed = 0_i64;
    let mut refused = None;
    for i in 0..=fits {
        let reply = app
            .order(
                &buyer,
                session,
                &format!("k{i}"),
                &silkstream_e2e::order_body(variant_id, 1000, "KZT"),
            )
            .await;
        match reply.status.as_u16() {
            201 => confirmed += 1,
            _ => {
                refused = Some(reply);
                break;
            }
        }
    }
    assert_eq!(confirmed, fits);
    let refused = refused.expect("the order past the limit is refused");
    assert!(
        [409, 422].contains(&refused.status.as_u16()),
        "{}",
        refused.text
    );
    assert_eq!(refused.code(), "total_overflow", "{}", refused.text);
    // The same on the flash-sale path (the desk's batch): refused, its units still in the sale.
    let sale = app
        .post(
            &format!("/api/v1/sessions/{session}/flash-sales"),
            &host,
            &json!({"variant_id": variant_id, "quantity": 1000, "per_buyer_limit": 1000,
                    "prices": {"KZT": max}, "countdown_s": 0, "duration_s": 600}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("sale id");
    let flash = app
        .order(
            &buyer,
            session,
            "flash",
            &silkstream_e2e::order_body(variant_id, 1000, "KZT"),
        )
        .await
        .expect(409);
    assert_eq!(flash.code(), "total_overflow", "{}", flash.text);
    let remaining = app
        .get(&format!("/api/v1/flash-sales/{sale}"), &host)
        .await
        .expect(200)
        .body["remaining"]
        .clone();
    assert_eq!(remaining, 1000);
    let summary = end(&app, &host, session).await["summary"].clone();
    assert_eq!(
        summary["gmv"],
        json!([{"currency": "KZT", "amount_minor": per_order * fits}]),
        "{summary}"
    );
    let r = report(&app, &operator, "session", "UTC").await;
    assert_eq!(
        r["rows"][0]["gmv"][0]["amount_minor"],
        per_order * fits,
        "{r}"
    );
    let stock = app
        .scalar(&format!(
            "SELECT available FROM stock WHERE variant_id = {variant_id}"
        ))
        .await;
    // The sale's 1000 units went back to stock when the session ended.
    assert_eq!(stock, 1_000_000 - 1000 * fits);
}

// ---- the day ------------------------------------------------------------------------------

/// 2026-11-30T00:00:00Z in ms: the day's orders are placed at chosen times around it.
const NOV_30: i64 = 1_795_996_800_000;
const HOUR: i64 = 3_600_000;

/// When an order is dated, and the day it falls on in UTC, Almaty (UTC+5) and Ho Chi Minh City
/// (UTC+7), worked out by hand.
#[derive(Clone, Copy)]
struct Slot {
    at: i64,
    utc: &'static str,
    almaty: &'static str,
    saigon: &'static str,
}

const SLOTS: [Slot; 4] = [
    // 16:30Z: 21:30 in Almaty, 23:30 in Saigon, all on the 30th.
    Slot {
        at: NOV_30 + 16 * HOUR + HOUR / 2,
        utc: "2026-11-30",
        almaty: "2026-11-30",
        saigon: "2026-11-30",
    },
    // 18:30Z: 23:30 in Almaty (the 30th), 01:30 in Saigon (the 1st).
    Slot {
        at: NOV_30 + 18 * HOUR + HOUR / 2,
        utc: "2026-11-30",
        almaty: "2026-11-30",
        saigon: "2026-12-01",
    },
    // 19:30Z: just past midnight in Almaty (the 1st).
    Slot {
        at: NOV_30 + 19 * HOUR + HOUR / 2,
        utc: "2026-11-30",
        almaty: "2026-12-01",
        saigon: "2026-12-01",
    },
    // 01:00Z on the 1st.
    Slot {
        at: NOV_30 + 25 * HOUR,
        utc: "2026-12-01",
        almaty: "2026-12-01",
        saigon: "2026-12-01",
    },
];

/// A market of the day: its currency (with its ISO exponent), regular and sale prices, and
/// the rate it starts the day with (`None`: no rate yet).
struct Market {
    country: &'static str,
    currency: &'static str,
    exponent: u32,
    city: &'static str,
    locale: &'static str,
    regular: i64,
    sale: i64,
    rate: Option<&'static str>,
}

const MARKETS: [Market; 4] = [
    Market {
        country: "KZ",
        currency: "KZT",
        exponent: 2,
        city: "Almaty",
        locale: "ru",
        regular: 629_900,
        sale: 450_000,
        rate: Some("0.0142"),
    },
    Market {
        country: "VN",
        currency: "VND",
        exponent: 0,
        city: "Hanoi",
        locale: "vi",
        regular: 329_900,
        sale: 299_000,
        rate: Some("0.000272"),
    },
    Market {
        country: "RU",
        currency: "RUB",
        exponent: 2,
        city: "Moscow",
        locale: "ru",
        regular: 129_950,
        sale: 99_950,
        rate: Some("0.0785"),
    },
    Market {
        country: "UZ",
        currency: "UZS",
        exponent: 2,
        city: "Tashkent",
        locale: "uz",
        regular: 15_000_000,
        sale: 12_000_000,
        rate: None,
    },
];

/// What the test did to one order, and so what every figure must say of it.
#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    session: usize,
    host_id: i64,
    market: &'static str,
    currency: &'static str,
    exponent: u32,
    quantity: i64,
    total: i64,
    rate: Option<String>,
    slot: usize,
    status: &'static str,
    reason: Option<&'static str>,
    tracking: Option<String>,
}

impl Entry {
    fn counts(&self) -> bool {
        self.status != "cancelled"
    }

    /// The order's value in fen at its own rate, half away from zero, from the rate's text.
    fn fen(&self) -> Option<i64> {
        let rate = self.rate.as_deref()?;
        let (whole, frac) = rate.split_once('.').unwrap_or((rate, ""));
        let num: i128 = format!("{whole}{frac}").parse().expect("rate digits");
        let den: i128 = 10_i128.pow(frac.len() as u32 + self.exponent);
        let scaled = i128::from(self.total) * num * 100;
        Some(i64::try_from((2 * scaled + den) / (2 * den)).expect("fits"))
    }
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn major(amount: i64, exponent: u32) -> String {
    if exponent == 0 {
        return amount.to_string();
    }
    let unit = 10_i64.pow(exponent);
    format!(
        "{}.{:0width$}",
        amount / unit,
        amount % unit,
        width = exponent as usize
    )
}

/// What one group of orders must add up to.
#[derive(Debug, Default, PartialEq)]
struct Figures {
    orders: i64,
    units: i64,
    gmv: BTreeMap<String, i64>,
    fen: i64,
    missing: Vec<String>,
}

fn figures<'a>(entries: impl Iterator<Item = &'a Entry>) -> Figures {
    let mut f = Figures::default();
    for e in entries.filter(|e| e.counts()) {
        f.orders += 1;
        f.units += e.quantity;
        *f.gmv.entry(e.currency.to_owned()).or_default() += e.total;
        match e.fen() {
            Some(fen) => f.fen += fen,
            None if !f.missing.contains(&e.currency.to_owned()) => {
                f.missing.push(e.currency.to_owned())
            }
            None => {}
        }
    }
    f.missing.sort();
    f
}

fn assert_figures(what: &str, got: &Value, want: &Figures) {
    assert_eq!(got["orders"], want.orders, "{what}: {got}");
    assert_eq!(got["units"], want.units, "{what}: {got}");
    let gmv: Vec<Value> = want
        .gmv
        .iter()
        .map(|(c, a)| json!({"currency": c, "amount_minor": a}))
        .collect();
    assert_eq!(got["gmv"], json!(gmv), "{what}: {got}");
    assert_eq!(got["gmv_cny"], yuan(want.fen), "{what}: {got}");
    assert_eq!(got["missing_rates"], json!(want.missing), "{what}: {got}");
}

/// RFC 4180 rows of a CSV text (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(cell.is_empty() && row.is_empty(), "the file ends with CRLF");
    rows
}

/// What follows an order in the day.
#[derive(Clone, Copy, PartialEq)]
enum Then {
    Pay,
    Ship,
    Deliver,
    CancelByBuyer,
    CancelByOperator,
    Expire,
}

/// One order of the day: session, buyer, quantity, slot, what follows.
type Plan = (usize, usize, i64, usize, Then);

/// The day's cast, for placing its orders.
struct Day<'a> {
    app: &'a TestApp,
    operator: &'a str,
    sessions: &'a [(i64, String)],
    buyers: &'a [Vec<String>],
    host_ids: &'a [i64],
    variant_id: i64,
}

impl Day<'_> {
    // Places one order and does what follows it; its ledger entry.
    async fn step(
        &self,
        rates: &[Option<String>],
        key: &mut i64,
        (s, b, quantity, slot, then): Plan,
        price: i64,
    ) -> Entry {
        let (app, operator, sessions, buyers, host_ids) = (
            self.app,
            self.operator,
            self.sessions,
            self.buyers,
            self.host_ids,
        );
        let m = &MARKETS[s];
        *key += 1;
        let mut body = silkstream_e2e::order_body(0, quantity, m.currency);
        body["variant_id"] = json!(self.variant_id);
        body["ship_to"]["country"] = json!(m.country);
        body["ship_to"]["city"] = json!(m.city);
        let buyer = &buyers[s][b];
        let placed = app
            .order(buyer, sessions[s].0, &format!("day-{key}"), &body)
            .await
            .expect(201)
            .body;
        let id = placed["order"]["id"].as_i64().expect("order id");
        assert_eq!(placed["order"]["unit_price_minor"], price, "{placed}");
        let mut entry = Entry {
            id,
            session: s,
            host_id: host_ids[s],
            market: m.country,
            currency: m.currency,
            exponent: m.exponent,
            quantity,
            total: price * quantity,
            rate: rates[s].clone(),
            slot,
            status: "confirmed",
            reason: None,
            tracking: None,
        };
        let path = |verb: &str| format!("/api/v1/orders/{id}/{verb}");
        if matches!(then, Then::Pay | Then::Ship | Then::Deliver) {
            app.pay_through_sandbox(id, buyer).await;
            entry.status = "paid";
        }
        if matches!(then, Then::Ship | Then::Deliver) {
            let tracking = format!("RR{id:09}KZ");
            app.post(
                &path("ship"),
                operator,
                &json!({"carrier": "Kazpost", "tracking_number": tracking}),
            )
            .await
            .expect(200);
            entry.status = "shipped";
            entry.tracking = Some(tracking);
        }
        if then == Then::Deliver {
            app.post(&path("deliver"), operator, &json!({}))
                .await
                .expect(200);
            entry.status = "delivered";
        }
        if then == Then::CancelByBuyer {
            app.post(&path("cancel"), buyer, &json!({}))
                .await
                .expect(200);
            (entry.status, entry.reason) = ("cancelled", Some("buyer"));
        }
        if then == Then::CancelByOperator {
            app.post(&path("cancel"), operator, &json!({}))
                .await
                .expect(200);
            (entry.status, entry.reason) = ("cancelled", Some("operator"));
        }
        if then == Then::Expire {
            (entry.status, entry.reason) = ("cancelled", Some("payment_expired"));
        }
        entry
    }
}

/// Everything the operators and hosts read about the day, for comparing before and after a
/// rate is posted (read times left out).
async fn everything(app: &TestApp, operator: &str, sessions: &[(i64, String)]) -> Value {
    let mut out = Vec::new();
    for (id, host) in sessions {
        let mut s = app
            .get(&format!("/api/v1/sessions/{id}"), host)
            .await
            .expect(200)
            .body;
        let summary = s["summary"].as_object_mut().expect("a summary");
        summary.remove("as_of");
        out.push(Value::Object(summary.clone()));
    }
    for (group, tz) in [
        ("session", "UTC"),
        ("host", "UTC"),
        ("market", "UTC"),
        ("day", "UTC"),
        ("day", "Asia/Almaty"),
        ("day", "Asia/Ho_Chi_Minh"),
    ] {
        out.push(report(app, operator, group, tz).await["rows"].clone());
    }
    out.push(Value::String(export(app, operator).await));
    Value::Array(out)
}

/// The day, replayed: 3 hosts (two named alike), 4 sessions in KZT, VND, RUB and UZS,
/// regular and flash orders, paid, cancelled by buyer and operator, expired (one after its
/// session ended), shipped and delivered; a pause, a restock, a rate change during the day, a
/// currency without a rate until midday, orders on both sides of Almaty's and Saigon's
/// midnight. Every summary, report grouping, export row and the feeds' final totals agree
/// with the test's own ledger, in each currency and in CNY at the orders' own rates, and none
/// of them moves when new rates are posted afterwards.
async fn a_day_of_selling_adds_up_everywhere(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.buyer_signups_per_minute = 1_000;
        s.payment_window_s = 4;
        s.sweep_interval_ms = 50;
    })
    .await;
    let admin = app.admin.clone();
    app.post(
        "/api/v1/warehouses",
        &admin,
        &json!({"code": "KHG-1", "name": "Khorgos border warehouse", "country": "CN",
                "kind": "border"}),
    )
    .await
    .expect(201);
    for m in &MARKETS {
        app.put(
            &format!("/api/v1/markets/{}", m.country),
            &admin,
            &json!({"name": m.country, "currencies": [m.currency], "locales": [m.locale],
                    "warehouses": ["KHG-1"]}),
        )
        .await
        .expect(200);
        if let Some(rate) = m.rate {
            app.post(
                "/api/v1/rates",
                &admin,
                &json!({"currency": m.currency, "rate": rate, "valid_from": "2026-01-01"}),
            )
            .await
            .expect(201);
        }
    }
    let mut body = silkstream_e2e::sample_product();
    let prices: serde_json::Map<String, Value> = MARKETS
        .iter()
        .map(|m| (m.currency.to_owned(), json!(m.regular)))
        .chain([("CNY".to_owned(), json!(8900))])
        .collect();
    body["variants"][0]["prices"] = Value::Object(prices);
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &admin,
        &json!({"available": 1000}),
    )
    .await
    .expect(200);
    let operator = app.token("operator").await;
    // Three hosts, two of them named alike.
    let mut hosts = Vec::new();
    for name in ["Aru Live", "Bek Studio", "Aru Live"] {
        let token = app.named_token(name, "host").await;
        hosts.push((token, name));
    }
    // Sessions: KZT and UZS by the first host, VND by the second, RUB by the third.
    let session_host = [0, 1, 2, 0];
    let mut sessions: Vec<(i64, String)> = Vec::new();
    let mut host_ids = Vec::new();
    for (i, m) in MARKETS.iter().enumerate() {
        let host = &hosts[session_host[i]].0;
        let id = app
            .post(
                "/api/v1/sessions",
                host,
                &json!({"title": format!("{} evening", m.country), "language": "ru",
                        "markets": [m.country]}),
            )
            .await
            .expect(201)
            .body["id"]
            .as_i64()
            .expect("session id");
        app.post(
            &format!("/api/v1/sessions/{id}/showcase"),
            host,
            &json!({"product_id": product_id}),
        )
        .await
        .expect(200);
        let started = app
            .post(&format!("/api/v1/sessions/{id}/start"), host, &json!({}))
            .await
            .expect(200)
            .body;
        host_ids.push(started["host"]["id"].as_i64().expect("host id"));
        sessions.push((id, host.clone()));
    }
    // Two buyers per market.
    let mut buyers: Vec<Vec<String>> = Vec::new();
    for m in &MARKETS {
        let mut two = Vec::new();
        for name in ["Dana", "Timur"] {
            let reply = app
                .request(
                    silkstream_e2e::reqwest::Method::POST,
                    "/api/v1/buyers",
                    None,
                    Some(&json!({"display_name": name, "country": m.country,
                                 "city": m.city, "locale": m.locale})),
                )
                .await;
            let reply = reply.expect(201);
            two.push(reply.body["token"].as_str().expect("token").to_owned());
        }
        buyers.push(two);
    }
    // Rates in force as each order is placed (what the ledger values it at).
    let mut rates: Vec<Option<String>> =
        MARKETS.iter().map(|m| m.rate.map(str::to_owned)).collect();
    let today = summary_day_now();
    let day = Day {
        app: &app,
        operator: &operator,
        sessions: &sessions,
        buyers: &buyers,
        host_ids: &host_ids,
        variant_id,
    };
    let mut ledger: Vec<Entry> = Vec::new();
    let mut key = 0;
    // Each step: (session, buyer, quantity, slot, what happens after).
    let place = |s: usize, b: usize, q: i64, slot: usize, then: Then| (s, b, q, slot, then);
    let regular = [
        place(0, 0, 2, 0, Then::Deliver),
        place(0, 1, 1, 1, Then::Pay),
        place(1, 0, 3, 1, Then::Ship),
        place(1, 1, 1, 2, Then::CancelByBuyer),
        place(2, 0, 1, 2, Then::Pay),
        place(3, 0, 2, 3, Then::Pay),
        place(3, 1, 1, 0, Then::CancelByOperator),
    ];
    let flash = [
        place(0, 0, 3, 2, Then::Pay),
        place(0, 1, 2, 3, Then::Ship),
        place(1, 0, 2, 0, Then::Deliver),
        place(2, 1, 4, 1, Then::Pay),
        place(2, 0, 1, 3, Then::CancelByOperator),
        place(3, 1, 2, 2, Then::Pay),
    ];
    // Morning: regular orders at the variant's prices; the KZT rate changes and UZS gets one
    // after the first half.
    for (n, p) in regular.iter().enumerate() {
        if n == 6 {
            for (s, currency, rate) in [(0, "KZT", "0.0150"), (3, "UZS", "0.00057")] {
                let posted = app
                    .post(
                        "/api/v1/rates",
                        &admin,
                        &json!({"currency": currency, "rate": rate, "valid_from": today}),
                    )
                    .await
                    .expect(201)
                    .body;
                // The rate as the table holds it ("0.015"): what orders carry from now on.
                rates[s] = Some(posted["rate"].as_str().expect("rate").to_owned());
            }
        }
        let e = day.step(&rates, &mut key, *p, MARKETS[p.0].regular).await;
        ledger.push(e);
    }
    // Evening: a flash sale in each session; the RUB one is paused (an order is refused and
    // counts nowhere), resumed and restocked.
    let mut sales = Vec::new();
    for (s, m) in MARKETS.iter().enumerate() {
        let sale = app
            .post(
                &format!("/api/v1/sessions/{}/flash-sales", sessions[s].0),
                &sessions[s].1,
                &json!({"variant_id": variant_id, "quantity": 5, "per_buyer_limit": 5,
                        "prices": {m.currency: m.sale}, "countdown_s": 0, "duration_s": 600}),
            )
            .await
            .expect(201)
            .body["id"]
            .as_i64()
            .expect("sale id");
        sales.push(sale);
    }
    let rub_sale = sales[2];
    app.post(
        &format!("/api/v1/flash-sales/{rub_sale}/pause"),
        &sessions[2].1,
        &json!({}),
    )
    .await
    .expect(200);
    let mut paused = silkstream_e2e::order_body(variant_id, 1, "RUB");
    paused["ship_to"]["country"] = json!("RU");
    let refused = app
        .order(&buyers[2][0], sessions[2].0, "paused", &paused)
        .await
        .expect(409);
    assert_eq!(refused.code(), "sale_paused");
    app.post(
        &format!("/api/v1/flash-sales/{rub_sale}/resume"),
        &sessions[2].1,
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/flash-sales/{rub_sale}/restock"),
        &sessions[2].1,
        &json!({"quantity": 3}),
    )
    .await
    .expect(200);
    for p in &flash {
        let e = day.step(&rates, &mut key, *p, MARKETS[p.0].sale).await;
        ledger.push(e);
    }
    // The host of the UZS session watches its feed; one UZS order is left unpaid, the session
    // ends, and the order expires after the end: the summary changes and the feed is told.
    let uz_feed_path = format!("/api/v1/sessions/{}/feed", sessions[3].0);
    let mut uz_feed = app.ws_connect(&uz_feed_path, Some(&sessions[3].1)).await;
    let late = day
        .step(
            &rates,
            &mut key,
            (3, 0, 1, 3, Then::Expire),
            MARKETS[3].sale,
        )
        .await;
    let late_id = late.id;
    ledger.push(late);
    for (id, host) in &sessions {
        end(&app, host, *id).await;
    }
    let changed = uz_feed.next_of_type("summary_changed", WITHIN).await;
    assert_eq!(changed["order_id"], late_id, "{changed}");
    assert_eq!(changed["reason"], "payment_expired", "{changed}");
    let uz = figures(ledger.iter().filter(|e| e.session == 3));
    assert_eq!(changed["totals"]["gmv_cny"], yuan(uz.fen), "{changed}");
    assert_eq!(changed["totals"]["orders"], uz.orders, "{changed}");

    // Date the orders at their slots, behind the server's back.
    for e in &ledger {
        let at = SLOTS[e.slot].at + e.id * 1000;
        let n = app
            .execute(&format!(
                "UPDATE orders SET created_at = {at} WHERE id = {}",
                e.id
            ))
            .await;
        assert_eq!(n, 1);
    }

    // Each summary.
    for (s, (id, host)) in sessions.iter().enumerate() {
        let session = app
            .get(&format!("/api/v1/sessions/{id}"), host)
            .await
            .expect(200)
            .body;
        let summary = &session["summary"];
        assert_figures(
            &format!("summary of {}", MARKETS[s].currency),
            summary,
            &figures(ledger.iter().filter(|e| e.session == s)),
        );
        assert_eq!(summary["unpaid_orders"], 0, "{summary}");
        assert!(summary["as_of"].is_string(), "{summary}");
    }
    // Every report grouping.
    let check_rows = |what: &str, r: &Value, want: BTreeMap<String, (Figures, Option<&str>)>| {
        let rows = r["rows"].as_array().expect("rows");
        let keys: Vec<&str> = rows
            .iter()
            .map(|row| row["key"].as_str().unwrap_or(""))
            .collect();
        let mut want_keys: Vec<&str> = want.keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        want_keys.sort_unstable();
        assert_eq!(sorted, want_keys, "{what}: {r}");
        for row in rows {
            let key = row["key"].as_str().expect("key");
            let (figures, name) = &want[key];
            assert_figures(&format!("{what} {key}"), row, figures);
            assert_eq!(row["name"], json!(name), "{what} {key}: {row}");
        }
    };
    let group = |key: &dyn Fn(&Entry) -> String| {
        let mut keys: Vec<String> = ledger.iter().filter(|e| e.counts()).map(key).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|k| {
                let f = figures(ledger.iter().filter(|e| key(e) == k));
                (k, f)
            })
            .collect::<Vec<_>>()
    };
    let by_session = group(&|e: &Entry| sessions[e.session].0.to_string());
    check_rows(
        "session",
        &report(&app, &operator, "session", "UTC").await,
        by_session
            .into_iter()
            .map(|(k, f)| (k, (f, None)))
            .collect(),
    );
    let by_host = group(&|e: &Entry| e.host_id.to_string());
    assert_eq!(by_host.len(), 3, "three hosts, two named alike");
    let host_name = |id: &str| {
        let s = host_ids
            .iter()
            .position(|h| h.to_string() == id)
            .expect("a host");
        hosts[session_host[s]].1
    };
    check_rows(
        "host",
        &report(&app, &operator, "host", "UTC").await,
        by_host
            .into_iter()
            .map(|(k, f)| {
                let name = host_name(&k);
                (k, (f, Some(name)))
            })
            .collect(),
    );
    let by_market = group(&|e: &Entry| e.market.to_owned());
    check_rows(
        "market",
        &report(&app, &operator, "market", "Asia/Shanghai").await,
        by_market.into_iter().map(|(k, f)| (k, (f, None))).collect(),
    );
    for (tz, day) in [
        ("UTC", (|s: &Slot| s.utc) as fn(&Slot) -> &'static str),
        ("Asia/Almaty", |s: &Slot| s.almaty),
        ("Asia/Ho_Chi_Minh", |s: &Slot| s.saigon),
    ] {
        let by_day = group(&|e: &Entry| day(&SLOTS[e.slot]).to_owned());
        assert_eq!(by_day.len(), 2, "{tz}: the orders span two days");
        check_rows(
            &format!("day in {tz}"),
            &report(&app, &operator, "day", tz).await,
            by_day.into_iter().map(|(k, f)| (k, (f, None))).collect(),
        );
    }
    // Almaty's midnight splits orders that UTC keeps on one day.
    assert!(ledger.iter().any(|e| e.slot == 1) && ledger.iter().any(|e| e.slot == 2));

    // The export: every order, its columns in their documented order.
    let csv = export(&app, &operator).await;
    let rows = parse_csv(&csv);
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    assert_eq!(rows.len(), ledger.len() + 1, "{csv}");
    for e in &ledger {
        let row = rows
            .iter()
            .find(|r| r[0] == e.id.to_string())
            .unwrap_or_else(|| panic!("order {} not exported", e.id));
        assert_eq!(row.len(), header.len());
        let cell = |name: &str| row[col(name)].as_str();
        assert_eq!(cell("session_id"), sessions[e.session].0.to_string());
        assert_eq!(cell("host_id"), e.host_id.to_string());
        assert_eq!(cell("buyer_country"), e.market);
        assert_eq!(cell("ship_to_country"), e.market);
        assert_eq!(cell("ship_to_city"), MARKETS[e.session].city);
        assert_eq!(cell("ship_to_name"), "Aigerim Bekova");
        assert_eq!(cell("currency"), e.currency);
        assert_eq!(cell("quantity"), e.quantity.to_string());
        assert_eq!(cell("total"), major(e.total, e.exponent));
        assert_eq!(cell("status"), e.status, "order {}", e.id);
        assert_eq!(
            cell("cancel_reason"),
            e.reason.unwrap_or(""),
            "order {}",
            e.id
        );
        assert_eq!(cell("cancelled_at").is_empty(), e.reason.is_none());
        assert_eq!(
            cell("paid_at").is_empty(),
            !matches!(e.status, "paid" | "shipped" | "delivered")
        );
        assert_eq!(cell("tracking_number"), e.tracking.as_deref().unwrap_or(""));
        assert_eq!(cell("shipped_at").is_empty(), e.tracking.is_none());
        assert_eq!(
            cell("rate_cny"),
            e.rate.as_deref().unwrap_or(""),
            "order {}",
            e.id
        );
        assert_eq!(
            cell("value_cny"),
            e.fen().map(yuan).unwrap_or_default(),
            "order {}",
            e.id
        );
    }

    // The feeds' final totals: each session's host feed, read from the start.
    for (s, (id, host)) in sessions.iter().enumerate() {
        let last = app
            .get(&format!("/api/v1/sessions/{id}"), host)
            .await
            .expect(200)
            .body["last_seq"]
            .as_i64()
            .expect("last seq");
        let mut feed = app
            .ws_connect(&format!("/api/v1/sessions/{id}/feed?since=0"), Some(host))
            .await;
        let events = feed.events_through_seq(last, WITHIN).await;
        let totals = events
            .iter()
            .rev()
            .find_map(|e| e.get("totals"))
            .expect("an event with totals");
        let want = figures(ledger.iter().filter(|e| e.session == s));
        assert_eq!(totals["orders"], want.orders, "{totals}");
        assert_eq!(totals["units"], want.units, "{totals}");
        assert_eq!(totals["gmv"], json!(want.gmv), "{totals}");
        assert_eq!(totals["gmv_cny"], yuan(want.fen), "{totals}");
        // The first UZS orders came before its rate: named, as in the summary.
        if !want.missing.is_empty() {
            assert_eq!(totals["gmv_cny_missing"], json!(want.missing), "{totals}");
        }
    }

    // New rates for every currency, posted after the day: no figure moves.
    let before = everything(&app, &operator, &sessions).await;
    for m in &MARKETS {
        app.post(
            "/api/v1/rates",
            &admin,
            &json!({"currency": m.currency, "rate": "0.5", "valid_from": today}),
        )
        .await
        .expect(201);
    }
    let after = everything(&app, &operator, &sessions).await;
    assert_eq!(before, after);
}

/// Today's UTC date (the day a rate posted now takes effect).
fn summary_day_now() -> String {
    silkstream_catalog::db::rfc3339(silkstream_catalog::db::now_ms())[..10].to_owned()
}

/// A report by day is cut at the offset the zone had then: Almaty moved from UTC+6 to UTC+5 at
/// its midnight of 2024-03-01 (18:00 UTC on 2024-02-29; its clocks went back to 23:00 on
/// 2024-02-29), so an order of 2024-02-28 18:30 UTC is on 2024-02-29 there (00:30 at UTC+6,
/// where today's offset would put it on 2024-02-28), one of 2024-02-29 18:30 UTC on 2024-02-29
/// (23:30, the repeated hour) and one of 2024-03-02 18:30 UTC on 2024-03-02. Any IANA zone is
/// accepted; a name that is none is 422 `invalid` naming `tz`.
async fn days_are_cut_at_the_offset_the_zone_had_then(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": 629900});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 10}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let session = app.open_session(&host, "leap day", product_id, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    // 2024-02-28T18:30:00Z, 2024-02-29T18:30:00Z and 2024-03-02T18:30:00Z.
    for (key, at) in [
        ("k1", 1_709_145_000_000_i64),
        ("k2", 1_709_231_400_000),
        ("k3", 1_709_404_200_000),
    ] {
        let order = app
            .order(
                &buyer,
                session,
                key,
                &silkstream_e2e::order_body(variant_id, 1, "KZT"),
            )
            .await
            .expect(201)
            .body;
        let id = order["order"]["id"].as_i64().expect("order id");
        let n = app
            .execute(&format!(
                "UPDATE orders SET created_at = {at} WHERE id = {id}"
            ))
            .await;
        assert_eq!(n, 1);
    }
    let days = |r: &Value| -> Vec<(String, i64)> {
        r["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                (
                    row["key"].as_str().expect("key").to_owned(),
                    row["orders"].as_i64().expect("orders"),
                )
            })
            .collect()
    };
    let almaty = report(&app, &operator, "day", "Asia/Almaty").await;
    assert_eq!(
        days(&almaty),
        [("2024-02-29".to_owned(), 2), ("2024-03-02".to_owned(), 1)],
        "{almaty}"
    );
    assert_eq!(almaty["tz"], "Asia/Almaty");
    let utc = report(&app, &operator, "day", "UTC").await;
    assert_eq!(
        days(&utc),
        [
            ("2024-02-28".to_owned(), 1),
            ("2024-02-29".to_owned(), 1),
            ("2024-03-02".to_owned(), 1)
        ],
        "{utc}"
    );
    // Zones far from the hubs: Kathmandu (UTC+5:45) and Buenos Aires (UTC-3).
    let kathmandu = report(&app, &operator, "day", "Asia/Kathmandu").await;
    assert_eq!(
        days(&kathmandu),
        [
            ("2024-02-29".to_owned(), 1),
            ("2024-03-01".to_owned(), 1),
            ("2024-03-03".to_owned(), 1)
        ],
        "{kathmandu}"
    );
    let buenos_aires = report(&app, &operator, "day", "America/Argentina/Buenos_Aires").await;
    assert_eq!(
        days(&buenos_aires),
        [
            ("2024-02-28".to_owned(), 1),
            ("2024-02-29".to_owned(), 1),
            ("2024-03-02".to_owned(), 1)
        ],
        "{buenos_aires}"
    );
    for bad in ["Mars/Olympus", "Asia%2FAlmatyy", "%2E%2E%2Fetc%2Fpasswd"] {
        let r = app
            .get(
                &format!("/api/v1/reports/sales?group_by=day&tz={bad}"),
                &operator,
            )
            .await
            .expect(422)
            .body;
        assert_eq!(r["error"]["code"], "invalid", "{bad}: {r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("tz"),
            "{bad}: {r}"
        );
    }
}

/// Copies the orders' rows into the table itself behind the server's back (each copy with an
/// idempotency key of its own) until it holds `n` orders: thousands of orders in a few
/// statements, where placing them through the API would take minutes.
async fn copy_orders_until(app: &TestApp, backend: &Backend, n: i64) {
    let columns_sql = match backend {
        Backend::Sqlite => {
            "SELECT group_concat(name, ',') FROM pragma_table_info('orders') WHERE name <> 'id'"
        }
        Backend::Postgres { .. } => {
            "SELECT string_agg(CAST(column_name AS TEXT), ',') FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'orders' \
             AND column_name <> 'id'"
        }
    };
    let (columns,): (String,) = sqlx::query_as(columns_sql)
        .fetch_one(app.db.reader())
        .await
        .expect("the orders' columns");
    for round in 0.. {
        let have = app.scalar("SELECT COUNT(*) FROM orders").await;
        if have >= n {
            break;
        }
        let copied = columns.replace(
            "idempotency_key",
            &format!("idempotency_key || '-{round}-' || CAST(id AS TEXT)"),
        );
        app.execute(&format!(
            "INSERT INTO orders ({columns}) SELECT {copied} FROM orders ORDER BY id LIMIT {}",
            n - have
        ))
        .await;
    }
}

/// `GET path` on a socket of its own: the answer's head, and its body's chunks exactly as the
/// server framed them (HTTP/1.1 chunked transfer coding, RFC 9112 §7.1). A client's frames are
/// cut wherever its socket reads happen to end, so only the wire's chunk sizes say what the
/// server wrote at a time.
async fn wire_chunks(app: &TestApp, path: &str, token: &str) -> (String, Vec<Vec<u8>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect");
    socket
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                 Connection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("send the request");
    let mut raw = Vec::new();
    socket.read_to_end(&mut raw).await.expect("read the answer");
    let find = |from: usize, what: &[u8]| {
        raw[from..]
            .windows(what.len())
            .position(|w| w == what)
            .map(|i| from + i)
    };
    let head_end = find(0, b"\r\n\r\n").expect("the answer's head ends");
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut at = head_end + 4;
    let mut chunks = Vec::new();
    loop {
        let line_end = find(at, b"\r\n").expect("a chunk size line");
        let size_text = String::from_utf8_lossy(&raw[at..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or_else(|_| panic!("a chunk size, not {size_text:?}; head:\n{head}"));
        at = line_end + 2;
        if size == 0 {
            break;
        }
        chunks.push(raw[at..at + size].to_vec());
        at += size;
        assert_eq!(&raw[at..at + 2], b"\r\n", "a chunk ends with CRLF");
        at += 2;
    }
    (head, chunks)
}

/// The orders export streams (docs/reports.md, "Streaming"): with more orders than one page of
/// it (`EXPORT_PAGE`), the body goes out chunked, no `Content-Length`, one chunk per page as it
/// is read: the header line and the first page's rows, then a page's rows per chunk, the last
/// holding the rest, each chunk ending at the end of a row. Put together, the chunks are the
/// header and every order, in id order, each once.
async fn the_export_streams_a_page_at_a_time(backend: Backend) {
    let page = usize::try_from(silkstream_feed::store::reports::EXPORT_PAGE).expect("a page");
    let app = spawn_app(backend.clone()).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.order(
        &buyer,
        live.session_id,
        "k",
        &silkstream_e2e::order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    // Two full pages and a short one.
    let orders = 2 * page + 7;
    copy_orders_until(&app, &backend, orders as i64).await;
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM orders ORDER BY id")
        .fetch_all(app.db.reader())
        .await
        .expect("the orders' ids");
    assert_eq!(ids.len(), orders);

    let (head, chunks) = wire_chunks(&app, "/api/v1/orders/export", &live.operator).await;
    let head_lower = head.to_ascii_lowercase();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head_lower.contains("\r\ntransfer-encoding: chunked"),
        "{head}"
    );
    assert!(!head_lower.contains("\r\ncontent-length:"), "{head}");
    let lines: Vec<usize> = chunks
        .iter()
        .map(|c| c.iter().filter(|b| **b == b'\n').count())
        .collect();
    assert_eq!(
        lines,
        [1 + page, page, 7],
        "rows per chunk: the header and a page, a page, the rest"
    );
    for (i, chunk) in chunks.iter().enumerate() {
        assert!(chunk.ends_with(b"\r\n"), "chunk {i} ends at a row's end");
    }

    let text = String::from_utf8(chunks.concat()).expect("UTF-8");
    let rows = parse_csv(&text);
    assert_eq!(rows[0][0], "order_id", "the header first: {:?}", rows[0]);
    let exported: Vec<i64> = rows[1..]
        .iter()
        .map(|r| r[0].parse().expect("an order id"))
        .collect();
    let want: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    assert_eq!(exported, want, "every order once, in id order");
    assert!(
        rows[1..].iter().all(|r| r.len() == rows[0].len()),
        "every row has every column"
    );
}
