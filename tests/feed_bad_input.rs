//! Bad input on every feed route, on both backends: each case gets a clear 4xx in the error
//! envelope and changes nothing (every table's rows, stock and sale units, states compared
//! before and after). The cases are listed in docs/live-sale.md with the status each gets.

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, order_body, sample_product, spawn_app, Backend};

backend_tests!(bad_feed_input_is_refused_and_changes_nothing);

/// One refused request.
struct Case {
    what: &'static str,
    method: Method,
    path: String,
    /// Which token: "host", "buyer", "operator", "none".
    who: &'static str,
    /// Raw body and content type (None: no body).
    body: Option<(Vec<u8>, &'static str)>,
    /// The Idempotency-Key header, if any.
    key: Option<&'static str>,
    status: u16,
    code: &'static str,
}

fn case(
    what: &'static str,
    method: Method,
    path: String,
    who: &'static str,
    body: Option<Value>,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        what,
        method,
        path,
        who,
        body: body.map(|b| (serde_json::to_vec(&b).expect("json"), "application/json")),
        key: None,
        status,
        code,
    }
}

fn order_case(
    what: &'static str,
    path: String,
    key: Option<&'static str>,
    body: Value,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        key,
        ..case(what, Method::POST, path, "buyer", Some(body), status, code)
    }
}

fn with(mut v: Value, edit: impl FnOnce(&mut Value)) -> Value {
    edit(&mut v);
    v
}

/// Every feed route gets its malformed, out-of-range and state-violating inputs refused.
async fn bad_feed_input_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    let sale_id = app.flash_sale(&live, 5, 2).await;
    let (buyer, _) = app.buyer("Aliya", "ru").await;
    // A confirmed (unpaid) order, and an ended session.
    let order_id = app
        .order(
            &buyer,
            live.session_id,
            "existing",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("order id");
    let ended = app
        .post(
            "/api/v1/sessions",
            &live.host,
            &json!({"title": "Over", "language": "ru", "markets": ["KZ"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("id");
    app.post(
        &format!("/api/v1/sessions/{ended}/end"),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);

    // A product that is not in the session's showcase.
    let other_product = app
        .create_product(&with(sample_product(), |p| {
            p["variants"] = json!([{"sku": "BEEF-SHANK-1KG", "options": {"cut": "shank"}}]);
        }))
        .await["id"]
        .as_i64()
        .expect("product id");
    let sid = live.session_id;
    let vid = live.variant_id;
    let post = Method::POST;
    let get = Method::GET;
    let buyer_body =
        json!({"display_name": "Saule", "country": "KZ", "city": "Almaty", "locale": "ru"});
    let session_body = json!({"title": "Night", "language": "ru", "markets": ["KZ"]});
    let sale_body = json!({"variant_id": vid, "quantity": 3, "per_buyer_limit": 1,
        "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 60});
    let sales = format!("/api/v1/sessions/{sid}/flash-sales");
    let orders = format!("/api/v1/sessions/{sid}/orders");
    let good_order = order_body(vid, 1, "KZT");

    let mut cases = vec![
        // POST /api/v1/buyers
        Case {
            what: "buyer: malformed JSON",
            body: Some((b"{\"display_name\": ".to_vec(), "application/json")),
            ..case("", post.clone(), "/api/v1/buyers".into(), "none", None, 400, "malformed_json")
        },
        Case {
            what: "buyer: not JSON content type",
            body: Some((serde_json::to_vec(&buyer_body).expect("json"), "text/plain")),
            ..case("", post.clone(), "/api/v1/buyers".into(), "none", None, 415, "unsupported_media_type")
        },
        case("buyer: unknown country", post.clone(), "/api/v1/buyers".into(), "none",
            Some(with(buyer_body.clone(), |b| b["country"] = json!("QQ"))), 422, "invalid"),
        case("buyer: unsupported locale", post.clone(), "/api/v1/buyers".into(), "none",
            Some(with(buyer_body.clone(), |b| b["locale"] = json!("xx"))), 422, "invalid"),
        case("buyer: empty name", post.clone(), "/api/v1/buyers".into(), "none",
            Some(with(buyer_body.clone(), |b| b["display_name"] = json!("  "))), 422, "invalid"),
        case("buyer: unknown field", post.clone(), "/api/v1/buyers".into(), "none",
            Some(with(buyer_body.clone(), |b| b["role"] = json!("admin"))), 422, "invalid"),
        case("buyer: missing city", post.clone(), "/api/v1/buyers".into(), "none",
            Some(json!({"display_name": "Saule", "country": "KZ", "locale": "ru"})), 422, "invalid"),
        // POST /api/v1/sessions
        case("session: no markets", post.clone(), "/api/v1/sessions".into(), "host",
            Some(with(session_body.clone(), |b| b["markets"] = json!([]))), 422, "invalid"),
        case("session: market not configured", post.clone(), "/api/v1/sessions".into(), "host",
            Some(with(session_body.clone(), |b| b["markets"] = json!(["TH"]))), 422, "invalid"),
        case("session: market twice", post.clone(), "/api/v1/sessions".into(), "host",
            Some(with(session_body.clone(), |b| b["markets"] = json!(["KZ", "KZ"]))), 422, "invalid"),
        case("session: unsupported language", post.clone(), "/api/v1/sessions".into(), "host",
            Some(with(session_body.clone(), |b| b["language"] = json!("klingon"))), 422, "invalid"),
        case("session: bad scheduled_at", post.clone(), "/api/v1/sessions".into(), "host",
            Some(with(session_body.clone(), |b| b["scheduled_at"] = json!("tomorrow"))), 422, "invalid"),
        case("session: title of the wrong type", post.clone(), "/api/v1/sessions".into(), "host",
            Some(with(session_body.clone(), |b| b["title"] = json!(7))), 422, "invalid"),
        // GET /api/v1/sessions/{id}
        case("session: id not a number", get.clone(), "/api/v1/sessions/abc".into(), "host", None, 404, "not_found"),
        case("session: unknown id", get.clone(), "/api/v1/sessions/999999".into(), "host", None, 404, "not_found"),
        // showcase, pin, unpin, start, end
        case("showcase: unknown product", post.clone(), format!("/api/v1/sessions/{sid}/showcase"), "host",
            Some(json!({"product_id": 999999})), 422, "invalid"),
        case("showcase: missing product_id", post.clone(), format!("/api/v1/sessions/{sid}/showcase"), "host",
            Some(json!({})), 422, "invalid"),
        case("showcase: ended session", post.clone(), format!("/api/v1/sessions/{ended}/showcase"), "host",
            Some(json!({"product_id": live.product_id})), 409, "conflict"),
        case("pin: ended session", post.clone(), format!("/api/v1/sessions/{ended}/pin"), "host",
            Some(json!({"product_id": live.product_id})), 409, "conflict"),
        case("pin: product not in the showcase", post.clone(), format!("/api/v1/sessions/{sid}/pin"), "host",
            Some(json!({"product_id": other_product})), 422, "invalid"),
        case("pin: unknown product", post.clone(), format!("/api/v1/sessions/{sid}/pin"), "host",
            Some(json!({"product_id": 999999})), 422, "invalid"),
        case("unpin: nothing pinned", post.clone(), format!("/api/v1/sessions/{sid}/unpin"), "host",
            Some(json!({})), 409, "conflict"),
        case("start: already live", post.clone(), format!("/api/v1/sessions/{sid}/start"), "host",
            Some(json!({})), 409, "conflict"),
        case("start: ended", post.clone(), format!("/api/v1/sessions/{ended}/start"), "host",
            Some(json!({})), 409, "conflict"),
        case("end: ended already", post.clone(), format!("/api/v1/sessions/{ended}/end"), "host",
            Some(json!({})), 409, "conflict"),
        case("end: unknown session", post.clone(), "/api/v1/sessions/999999/end".into(), "operator",
            Some(json!({})), 404, "not_found"),
        // events
        case("events: negative since", get.clone(), format!("/api/v1/sessions/{sid}/events?since=-1"), "host",
            None, 422, "invalid"),
        case("events: since not a number", get.clone(), format!("/api/v1/sessions/{sid}/events?since=abc"), "host",
            None, 422, "invalid"),
        case("events: limit 0", get.clone(), format!("/api/v1/sessions/{sid}/events?limit=0"), "host",
            None, 422, "invalid"),
        // POST flash-sales
        case("sale: quantity 0", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["quantity"] = json!(0))), 422, "invalid"),
        case("sale: more than the stock", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| { b["quantity"] = json!(16); b["variant_id"] = json!(vid + 1) })),
            409, "insufficient_stock"),
        case("sale: second sale of a running variant", post.clone(), sales.clone(), "host",
            Some(sale_body.clone()), 409, "conflict"),
        case("sale: per-buyer limit 0", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["per_buyer_limit"] = json!(0))), 422, "invalid"),
        case("sale: no prices", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["prices"] = json!({}))), 422, "invalid"),
        case("sale: unknown currency", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["prices"] = json!({"XYZ": 100}))), 422, "invalid"),
        case("sale: IDR price with a fraction", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["prices"] = json!({"IDR": 1500050}))), 422, "invalid"),
        case("sale: negative price", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["prices"] = json!({"KZT": -5}))), 422, "invalid"),
        case("sale: unknown variant", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["variant_id"] = json!(999999))), 422, "invalid"),
        case("sale: negative countdown", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["countdown_s"] = json!(-1))), 422, "invalid"),
        case("sale: zero duration", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["duration_s"] = json!(0))), 422, "invalid"),
        case("sale: unknown warehouse", post.clone(), sales.clone(), "host",
            Some(with(sale_body.clone(), |b| b["warehouse"] = json!("NOWHERE-9"))), 422, "invalid"),
        case("sale: ended session", post.clone(), format!("/api/v1/sessions/{ended}/flash-sales"), "host",
            Some(sale_body.clone()), 409, "conflict"),
        // flash-sales/{id}
        case("sale: unknown id", get.clone(), "/api/v1/flash-sales/999999".into(), "buyer", None, 404, "not_found"),
        case("pause: unknown sale", post.clone(), "/api/v1/flash-sales/999999/pause".into(), "host",
            Some(json!({})), 404, "not_found"),
        case("resume: not paused", post.clone(), format!("/api/v1/flash-sales/{sale_id}/resume"), "host",
            Some(json!({})), 409, "conflict"),
        case("restock: quantity 0", post.clone(), format!("/api/v1/flash-sales/{sale_id}/restock"), "host",
            Some(json!({"quantity": 0})), 422, "invalid"),
        case("restock: more than the stock", post.clone(), format!("/api/v1/flash-sales/{sale_id}/restock"), "host",
            Some(json!({"quantity": 1000})), 409, "insufficient_stock"),
        case("restock: quantity as text", post.clone(), format!("/api/v1/flash-sales/{sale_id}/restock"), "host",
            Some(json!({"quantity": "5"})), 422, "invalid"),
        // POST orders
        order_case("order: no Idempotency-Key", orders.clone(), None, good_order.clone(), 422, "invalid"),
        order_case("order: Idempotency-Key too long", orders.clone(),
            Some("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"),
            good_order.clone(), 422, "invalid"),
        order_case("order: quantity 0", orders.clone(), Some("q0"),
            order_body(vid, 0, "KZT"), 422, "invalid"),
        order_case("order: absurd quantity", orders.clone(), Some("q1"),
            order_body(vid, 1_000_001, "KZT"), 422, "invalid"),
        order_case("order: unknown currency", orders.clone(), Some("q2"),
            order_body(vid, 1, "KZX"), 422, "invalid"),
        order_case("order: currency the sale has no price in", orders.clone(), Some("q3"),
            order_body(vid, 1, "RUB"), 422, "invalid"),
        order_case("order: unknown variant", orders.clone(), Some("q4"),
            order_body(999999, 1, "KZT"), 422, "invalid"),
        order_case("order: ship_to without a phone", orders.clone(), Some("q5"),
            with(good_order.clone(), |b| { b["ship_to"].as_object_mut().expect("ship_to").remove("phone"); }),
            422, "invalid"),
        order_case("order: phone with letters", orders.clone(), Some("q6"),
            with(good_order.clone(), |b| b["ship_to"]["phone"] = json!("call me")), 422, "invalid"),
        order_case("order: ship_to country unknown", orders.clone(), Some("q7"),
            with(good_order.clone(), |b| b["ship_to"]["country"] = json!("XX")), 422, "invalid"),
        order_case("order: empty address", orders.clone(), Some("q8"),
            with(good_order.clone(), |b| b["ship_to"]["address"] = json!("")), 422, "invalid"),
        order_case("order: the key reused with other content", orders.clone(), Some("existing"),
            order_body(vid, 2, "KZT"), 422, "idempotency_mismatch"),
        order_case("order: unknown session", "/api/v1/sessions/999999/orders".into(), Some("q9"),
            good_order.clone(), 404, "not_found"),
        order_case("order: ended session", format!("/api/v1/sessions/{ended}/orders"), Some("q10"),
            good_order.clone(), 409, "not_live"),
        order_case("order: over the per-buyer limit in one order", orders.clone(), Some("q11"),
            order_body(vid, 2, "KZT"), 409, "limit_reached"),
        order_case("order: more than is left", orders.clone(), Some("q12"),
            order_body(vid, 5, "KZT"), 409, "sold_out"),
        // orders
        case("orders: session_id not a number", get.clone(), "/api/v1/orders?session_id=x".into(), "buyer",
            None, 422, "invalid"),
        case("orders: unknown parameter", get.clone(), "/api/v1/orders?all=1".into(), "buyer",
            None, 422, "invalid"),
        case("order: unknown id", get.clone(), "/api/v1/orders/999999".into(), "buyer", None, 404, "not_found"),
        case("pay: unknown order", post.clone(), "/api/v1/orders/999999/pay".into(), "buyer",
            Some(json!({})), 404, "not_found"),
        case("ship: not paid yet", post.clone(), format!("/api/v1/orders/{order_id}/ship"), "operator",
            Some(json!({"carrier": "Kazpost", "tracking_number": "RR1KZ"})), 409, "conflict"),
        case("ship: empty carrier", post.clone(), format!("/api/v1/orders/{order_id}/ship"), "operator",
            Some(json!({"carrier": "", "tracking_number": "RR1KZ"})), 422, "invalid"),
        case("ship: no tracking number", post.clone(), format!("/api/v1/orders/{order_id}/ship"), "operator",
            Some(json!({"carrier": "Kazpost"})), 422, "invalid"),
        case("deliver: not shipped", post.clone(), format!("/api/v1/orders/{order_id}/deliver"), "operator",
            Some(json!({})), 409, "conflict"),
        case("cancel: unknown order", post.clone(), "/api/v1/orders/999999/cancel".into(), "buyer",
            Some(json!({})), 404, "not_found"),
        // reports
        case("report: unknown grouping", get.clone(), "/api/v1/reports/sales?group_by=week".into(), "operator",
            None, 422, "invalid"),
        case("report: unknown time zone", get.clone(),
            "/api/v1/reports/sales?group_by=day&tz=Mars/Olympus".into(), "operator", None, 422, "invalid"),
        case("report: no grouping", get.clone(), "/api/v1/reports/sales".into(), "operator",
            None, 422, "invalid"),
    ];
    // The second variant has only 15 units in KHG-1 (set below) for "more than the stock".
    let product = app
        .get(&format!("/api/v1/products/{}", live.product_id), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(product["variants"][1]["id"].as_i64(), Some(vid + 1));
    app.put(
        &format!("/api/v1/variants/{}/stock/KHG-1", vid + 1),
        &app.admin,
        &json!({"available": 15}),
    )
    .await
    .expect(200);
    // "More than is left" (5 of the 4 left) is asked by a buyer with nothing bought yet.
    let (second, _) = app.buyer("Botagoz", "ru").await;

    let before = app.feed_fingerprint().await;
    for c in cases.drain(..) {
        let token = match c.who {
            "host" => Some(live.host.clone()),
            "operator" => Some(live.operator.clone()),
            "buyer" if c.what == "order: more than is left" => Some(second.clone()),
            "buyer" => Some(buyer.clone()),
            _ => None,
        };
        let mut req = app
            .client
            .request(c.method.clone(), format!("{}{}", app.base, c.path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = c.key {
            req = req.header("idempotency-key", k);
        }
        if let Some((body, ct)) = c.body {
            req = req.header("content-type", ct).body(body);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, c.status, "{}: {text}", c.what);
        assert_eq!(body["error"]["code"], c.code, "{}: {text}", c.what);
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{}: a message",
            c.what
        );
        assert_eq!(
            app.feed_fingerprint().await,
            before,
            "{} changed something",
            c.what
        );
    }
}
