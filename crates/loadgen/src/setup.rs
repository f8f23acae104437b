//! What the scenarios set up through the public API, as an admin and a host would: the market
//! basics (a Khorgos warehouse serving Kazakhstan, a KZT rate), a product with one variant in
//! stock whose merchant holds every credential the qualification gate asks for, a verified host
//! with a live session, guest buyers. Nothing here touches the database directly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use hyper::Method;
use serde_json::{json, Value};

use crate::http::{Api, Conn, Target};

/// The warehouse the bench's products ship from.
pub const WAREHOUSE: &str = "BENCH-KHG";
/// Buyers live in Almaty and pay in tenge.
pub const CURRENCY: &str = "KZT";

/// A short tag unique to this run (a product's SKU, a session's title).
pub fn run_tag() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("{ms:X}")
}

/// The warehouse, Kazakhstan served from it (its other warehouses kept), and a KZT rate.
pub async fn basics(api: &Api, admin: &str) -> anyhow::Result<()> {
    let reply = api
        .post(
            "/api/v1/warehouses",
            admin,
            &json!({"code": WAREHOUSE, "name": "Bench border warehouse", "country": "CN",
                    "kind": "border"}),
        )
        .await?;
    if reply.status.as_u16() != 409 {
        reply.expect(201)?;
    }
    let market = api.get("/api/v1/markets/KZ", admin).await?;
    let mut warehouses = vec![WAREHOUSE.to_owned()];
    let mut locales = vec!["kk".to_owned(), "ru".to_owned()];
    if market.status.as_u16() == 200 {
        for w in market.body["warehouses"].as_array().into_iter().flatten() {
            if let Some(w) = w.as_str().filter(|w| !warehouses.iter().any(|x| x == w)) {
                warehouses.push(w.to_owned());
            }
        }
        for l in market.body["locales"].as_array().into_iter().flatten() {
            if let Some(l) = l.as_str().filter(|l| !locales.iter().any(|x| x == l)) {
                locales.push(l.to_owned());
            }
        }
    }
    api.put(
        "/api/v1/markets/KZ",
        admin,
        &json!({"name": "Kazakhstan", "currencies": [CURRENCY], "locales": locales,
                "warehouses": warehouses}),
    )
    .await?
    .expect(200)?;
    api.post(
        "/api/v1/rates",
        admin,
        &json!({"currency": CURRENCY, "rate": "0.0142", "valid_from": "2026-01-01"}),
    )
    .await?
    .expect(201)?;
    Ok(())
}

/// A product made for this run: its id and its variant's id, with `stock` units in the
/// warehouse, a Kazakh translation, and its merchant qualified for every market.
pub async fn product(api: &Api, admin: &str, tag: &str, stock: i64) -> anyhow::Result<(i64, i64)> {
    let product = api
        .post(
            "/api/v1/products",
            admin,
            &json!({
                "merchant": "Erenhot Cashmere Co.", "category": "textiles.cashmere",
                "hs_code": "610910", "origin_country": "MN", "weight_g": 250,
                "customs_mode": "9610", "source_locale": "en",
                "title": format!("Cashmere scarf {tag}"),
                "description": "Pure Mongolian cashmere, 180 x 30 cm.",
                "attributes": {"material": "100% cashmere", "size": "180 x 30 cm"},
                "variants": [{"sku": format!("BENCH-{tag}"), "options": {"colour": "grey"},
                              "prices": {"CNY": 39900, "KZT": 2799000}}]
            }),
        )
        .await?
        .expect(201)?;
    let product_id = product["id"].as_i64().context("product id")?;
    let variant_id = product["variants"][0]["id"]
        .as_i64()
        .context("variant id")?;
    let merchant_id = product["merchant_id"].as_i64().context("merchant id")?;
    qualify_merchant(api, admin, merchant_id).await?;
    api.put(
        &format!("/api/v1/variants/{variant_id}/stock/{WAREHOUSE}"),
        admin,
        &json!({"available": stock}),
    )
    .await?
    .expect(200)?;
    api.put(
        &format!("/api/v1/products/{product_id}/translations/kk"),
        admin,
        &json!({"title": "Кашемир шарф", "description": "Таза моңғол кашемирі, 180 x 30 см."}),
    )
    .await?
    .expect(200)?;
    Ok((product_id, variant_id))
}

/// Gives the merchant every credential kind a regulated-category rule asks for, for every market
/// a rule names, so that the gate lets its products into any room.
async fn qualify_merchant(api: &Api, admin: &str, merchant_id: i64) -> anyhow::Result<()> {
    let rules = api
        .get("/api/v1/regulated-categories", admin)
        .await?
        .expect(200)?;
    let merchant = api
        .get(&format!("/api/v1/merchants/{merchant_id}"), admin)
        .await?
        .expect(200)?;
    let mut kinds: Vec<String> = Vec::new();
    let mut markets: Vec<String> = Vec::new();
    for rule in rules["rules"].as_array().into_iter().flatten() {
        if let Some(k) = rule["kind"]
            .as_str()
            .filter(|k| !kinds.iter().any(|x| x == k))
        {
            kinds.push(k.to_owned());
        }
        for m in rule["markets"].as_array().into_iter().flatten() {
            if let Some(m) = m.as_str().filter(|m| !markets.iter().any(|x| x == m)) {
                markets.push(m.to_owned());
            }
        }
    }
    let held: Vec<&str> = merchant["credentials"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] == "valid")
        .filter_map(|c| c["kind"].as_str())
        .collect();
    for kind in kinds.iter().filter(|k| !held.contains(&k.as_str())) {
        api.post(
            &format!("/api/v1/merchants/{merchant_id}/credentials"),
            admin,
            &json!({"kind": kind, "number": format!("BENCH-{kind}"), "issuer": "bench",
                    "valid_from": "2020-01-01", "valid_until": "2099-12-31",
                    "markets": markets}),
        )
        .await?
        .expect(201)?;
    }
    Ok(())
}

/// A new host token, with a profile an admin verified (so that they may go live).
pub async fn host(api: &Api, admin: &str, tag: &str) -> anyhow::Result<String> {
    let created = api
        .post(
            "/api/v1/tokens",
            admin,
            &json!({"name": format!("bench host {tag}"), "role": "host"}),
        )
        .await?
        .expect(201)
        .context("creating a host token (is --admin-token an admin's?)")?;
    let token = created["token"].as_str().context("token")?.to_owned();
    let id = created["id"].as_i64().context("token id")?;
    api.put(
        "/api/v1/hosts/me/profile",
        &token,
        &json!({"legal_name": "Bench Host", "birth_date": "1990-05-17"}),
    )
    .await?
    .expect(200)?;
    api.post(&format!("/api/v1/hosts/{id}/verify"), admin, &json!({}))
        .await?
        .expect(200)?;
    Ok(token)
}

/// A live session of `host` for Kazakhstan with the product in its showcase; its id.
pub async fn live_session(
    api: &Api,
    host: &str,
    tag: &str,
    product_id: i64,
) -> anyhow::Result<i64> {
    let session = api
        .post(
            "/api/v1/sessions",
            host,
            &json!({"title": format!("Bench night {tag}"), "language": "ru", "markets": ["KZ"]}),
        )
        .await?
        .expect(201)?;
    let id = session["id"].as_i64().context("session id")?;
    api.post(
        &format!("/api/v1/sessions/{id}/showcase"),
        host,
        &json!({"product_id": product_id}),
    )
    .await?
    .expect(200)?;
    api.post(&format!("/api/v1/sessions/{id}/start"), host, &json!({}))
        .await?
        .expect(200)?;
    Ok(id)
}

/// A guest buyer's sign-up body: a buyer from Almaty reading Russian or Kazakh.
fn signup_body(n: usize) -> Bytes {
    let locale = ["ru", "kk"][n & 1];
    Bytes::from(
        json!({"display_name": format!("Buyer {n}"), "country": "KZ", "city": "Almaty",
               "locale": locale})
        .to_string(),
    )
}

/// Signs up `count` guest buyers through `POST /api/v1/buyers`, `parallel` at a time, and
/// returns their tokens. `progress` is called with the number done so far.
pub async fn guest_buyers(
    target: &Target,
    first: usize,
    count: usize,
    parallel: usize,
    progress: impl Fn(usize) + Send + Sync + 'static,
) -> anyhow::Result<Vec<String>> {
    let next = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(progress);
    let mut tasks = Vec::new();
    for _ in 0..parallel.clamp(1, count.max(1)) {
        let next = next.clone();
        let progress = progress.clone();
        let mut conn = Conn::new(target);
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(mine);
                }
                let (status, body) = conn
                    .send(
                        Method::POST,
                        "/api/v1/buyers",
                        None,
                        &[],
                        Some(signup_body(first + i)),
                    )
                    .await?;
                if status.as_u16() != 201 {
                    anyhow::bail!(
                        "signing up guest buyer {}: {status} {} (the bench raises \
                         SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE and \
                         SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL; does this server?)",
                        first + i,
                        String::from_utf8_lossy(&body)
                    );
                }
                let v: Value = serde_json::from_slice(&body)?;
                mine.push(v["token"].as_str().context("buyer token")?.to_owned());
                progress(i + 1);
            }
        }));
    }
    let mut tokens = Vec::with_capacity(count);
    for task in tasks {
        tokens.extend(task.await??);
    }
    Ok(tokens)
}
