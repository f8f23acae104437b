//! The data tests build on: request bodies ([`sample_product`], [`ship_to`], [`order_body`]) and
//! setups made through the public API ([`TestApp::seed_basics`], [`TestApp::live_session`] and its
//! [`LiveSetup`], [`TestApp::buyer`], [`TestApp::flash_sale`]).

use reqwest::Method;
use serde_json::{json, Value};

use crate::app::TestApp;

/// A complete product body with two variants (KZT and CNY prices), for tests to adjust.
pub fn sample_product() -> Value {
    json!({
        "merchant": "Brest Meat Export LLC",
        "category": "food.meat",
        "hs_code": "020230",
        "origin_country": "BY",
        "weight_g": 1050,
        "customs_mode": "1210",
        "source_locale": "ru",
        "title": "Говядина замороженная, грудинка 1 кг",
        "description": "Говядина из Брестской области, шоковая заморозка.",
        "attributes": {"storage": "Хранить при −18 °C", "net_weight_g": 1000, "shelf_life_days": 365},
        "variants": [
            {"sku": "BEEF-BRISKET-1KG", "options": {"cut": "brisket"}, "barcode": "4006381333931",
             "prices": {"CNY": 8900, "KZT": 629900}},
            {"sku": "BEEF-STRIP-1KG", "options": {"cut": "striploin"},
             "prices": {"CNY": 12900}}
        ]
    })
}

/// A shipping address in Almaty, for order bodies.
pub fn ship_to() -> Value {
    json!({"name": "Aigerim Bekova", "phone": "+7 701 555 0101", "country": "KZ",
           "city": "Almaty", "address": "Abay Ave 10, apt 5", "postal_code": "050000"})
}

/// An order body for `variant_id`.
pub fn order_body(variant_id: i64, quantity: i64, currency: &str) -> Value {
    json!({"variant_id": variant_id, "quantity": quantity, "currency": currency,
           "ship_to": ship_to()})
}

/// A PRC resident ID number: `seventeen` digits and the GB 11643-1999 check character
/// (ISO 7064 MOD 11-2).
pub fn cn_id_number(seventeen: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = seventeen
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).expect("a digit") * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{seventeen}{check}")
}

/// The orderer (订购人) an order into China carries: a real name and a valid resident ID
/// number (11010519491231002X).
pub fn cn_identity() -> Value {
    json!({"name": "王小明", "id_number": "11010519491231002X"})
}

/// What [`TestApp::live_session`] set up.
#[derive(Debug, Clone)]
pub struct LiveSetup {
    pub host: String,
    pub operator: String,
    pub session_id: i64,
    pub product_id: i64,
    /// The brisket variant (KZT and CNY prices), stocked in KHG-1.
    pub variant_id: i64,
}

impl TestApp {
    /// A warehouse in Khorgos, the KZ market it serves, and a KZT rate.
    pub async fn seed_basics(&self) {
        self.post(
            "/api/v1/warehouses",
            &self.admin,
            &json!({"code": "KHG-1", "name": "Khorgos border warehouse", "country": "CN", "kind": "border"}),
        )
        .await
        .expect(201);
        self.put(
            "/api/v1/markets/KZ",
            &self.admin,
            &json!({"name": "Kazakhstan", "currencies": ["KZT"], "locales": ["kk", "ru"], "warehouses": ["KHG-1"]}),
        )
        .await
        .expect(200);
        self.post(
            "/api/v1/rates",
            &self.admin,
            &json!({"currency": "KZT", "rate": "0.0142", "valid_from": "2026-01-01"}),
        )
        .await
        .expect(201);
    }

    /// Creates a product (admin) and returns its JSON; its merchant is given every credential
    /// kind the qualification gate knows, for every market ([`TestApp::qualify_merchant`]), so
    /// that the gate lets it through. [`TestApp::create_unqualified_product`] does not.
    pub async fn create_product(&self, body: &Value) -> Value {
        let product = self.create_unqualified_product(body).await;
        self.qualify_merchant(product["merchant_id"].as_i64().expect("merchant_id"))
            .await;
        product
    }

    /// Creates a product (admin) without touching its merchant's credentials.
    pub async fn create_unqualified_product(&self, body: &Value) -> Value {
        self.post("/api/v1/products", &self.admin, body)
            .await
            .expect(201)
            .body
    }

    /// Gives merchant `merchant_id` a credential of every kind a rule requires that it does not
    /// hold valid yet, each covering every market a rule names, valid 2020-01-01 to 2099-12-31.
    pub async fn qualify_merchant(&self, merchant_id: i64) {
        let rules = self
            .get("/api/v1/regulated-categories", &self.admin)
            .await
            .expect(200)
            .body;
        let merchant = self
            .get(&format!("/api/v1/merchants/{merchant_id}"), &self.admin)
            .await
            .expect(200)
            .body;
        let mut kinds: Vec<String> = Vec::new();
        let mut markets: Vec<String> = Vec::new();
        for r in rules["rules"].as_array().expect("rules") {
            let kind = r["kind"].as_str().expect("kind").to_owned();
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
            for m in r["markets"].as_array().expect("markets") {
                let m = m.as_str().expect("market").to_owned();
                if !markets.contains(&m) {
                    markets.push(m);
                }
            }
        }
        let held: Vec<&str> = merchant["credentials"]
            .as_array()
            .expect("credentials")
            .iter()
            .filter(|c| c["status"] == "valid")
            .filter_map(|c| c["kind"].as_str())
            .collect();
        for kind in kinds.iter().filter(|k| !held.contains(&k.as_str())) {
            self.post(
                &format!("/api/v1/merchants/{merchant_id}/credentials"),
                &self.admin,
                &json!({"kind": kind, "number": format!("TEST-{kind}"), "issuer": "test support",
                        "valid_from": "2020-01-01", "valid_until": "2099-12-31",
                        "markets": markets}),
            )
            .await
            .expect(201);
        }
    }

    /// A guest buyer (through `POST /api/v1/buyers`): their token and id.
    pub async fn buyer(&self, name: &str, locale: &str) -> (String, i64) {
        let reply = self
            .request(
                Method::POST,
                "/api/v1/buyers",
                None,
                Some(
                    &json!({"display_name": name, "country": "KZ", "city": "Almaty",
                             "locale": locale}),
                ),
            )
            .await
            .expect(201);
        (
            reply.body["token"].as_str().expect("token").to_owned(),
            reply.body["buyer"]["id"].as_i64().expect("buyer id"),
        )
    }

    /// The basics, the sample product with `stock` units of its first variant in KHG-1, and a
    /// host's session for KZ with the product in the showcase; started when `live`.
    pub async fn live_session(&self, stock: i64, live: bool) -> LiveSetup {
        self.seed_basics().await;
        let product = self.create_product(&sample_product()).await;
        let product_id = product["id"].as_i64().expect("product id");
        let variant_id = product["variants"][0]["id"].as_i64().expect("variant id");
        self.put(
            &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
            &self.admin,
            &json!({"available": stock}),
        )
        .await
        .expect(200);
        let host = self.token("host").await;
        let operator = self.token("operator").await;
        let session_id = self
            .open_session(&host, "Khorgos beef night", product_id, live)
            .await;
        LiveSetup {
            host,
            operator,
            session_id,
            product_id,
            variant_id,
        }
    }

    /// A session of `host` for KZ titled `title`, with `product_id` in its showcase, started
    /// when `live`; its id.
    pub async fn open_session(&self, host: &str, title: &str, product_id: i64, live: bool) -> i64 {
        let session_id = self
            .post(
                "/api/v1/sessions",
                host,
                &json!({"title": title, "language": "ru", "markets": ["KZ"]}),
            )
            .await
            .expect(201)
            .body["id"]
            .as_i64()
            .expect("session id");
        self.post(
            &format!("/api/v1/sessions/{session_id}/showcase"),
            host,
            &json!({"product_id": product_id}),
        )
        .await
        .expect(200);
        if live {
            self.post(
                &format!("/api/v1/sessions/{session_id}/start"),
                host,
                &json!({}),
            )
            .await
            .expect(200);
        }
        session_id
    }

    /// The sample product's second variant (the striploin, priced in CNY only), with
    /// `available` units in KHG-1; its id.
    pub async fn stock_second_variant(&self, live: &LiveSetup, available: i64) -> i64 {
        let product = self
            .get(
                &format!("/api/v1/products/{}", live.product_id),
                &self.admin,
            )
            .await
            .expect(200)
            .body;
        let strip = product["variants"][1]["id"]
            .as_i64()
            .expect("second variant");
        self.put(
            &format!("/api/v1/variants/{strip}/stock/KHG-1"),
            &self.admin,
            &json!({"available": available}),
        )
        .await
        .expect(200);
        strip
    }

    /// A flash sale of `quantity` units in the session, open now, priced in KZT; its id.
    pub async fn flash_sale(&self, live: &LiveSetup, quantity: i64, limit: i64) -> i64 {
        self.post(
            &format!("/api/v1/sessions/{}/flash-sales", live.session_id),
            &live.host,
            &json!({"variant_id": live.variant_id, "quantity": quantity,
                    "per_buyer_limit": limit, "prices": {"KZT": 450000},
                    "countdown_s": 0, "duration_s": 600}),
        )
        .await
        .expect(201)
        .body["id"]
            .as_i64()
            .expect("sale id")
    }
}
