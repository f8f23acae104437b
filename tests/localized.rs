//! The localized catalog on both backends: a demo product read in Kazakh with tenge, in
//! Vietnamese with dong, and in Tatar (which falls back to Russian), with the text, attribute
//! lines, formatted price and fallback information; negotiation through `?locale=` and
//! `Accept-Language`; default currencies per locale; outdated translations flagged.

use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, spawn_app, Backend, TestApp};

backend_tests!(
    demo_product_in_kazakh_with_tenge,
    demo_product_in_vietnamese_with_dong,
    tatar_falls_back_to_russian,
    negotiation_and_default_currency,
    outdated_translation_is_flagged_in_the_view,
);

/// The demo's Belarusian beef (source language Russian; translated into kk, vi, en, zh-CN).
async fn demo_beef(app: &TestApp) -> i64 {
    silkstream_server::demo::load(&app.db)
        .await
        .expect("demo loads");
    let list = app
        .get("/api/v1/products?q=BY-BEEF&per_page=100", &app.admin)
        .await
        .expect(200);
    // `q` matches a variant's SKU too (the studio's product picker): the beef, and only it.
    assert_eq!(list.body["total"], 1, "the SKU finds its product");
    let all = app
        .get("/api/v1/products?category=food.meat", &app.admin)
        .await
        .expect(200)
        .body;
    all["items"][0]["id"].as_i64().expect("beef id")
}

fn line<'a>(product: &'a Value, attribute: &str) -> &'a Value {
    product["localized"]["attributes"]
        .as_array()
        .expect("attribute lines")
        .iter()
        .find(|l| l["attribute"] == attribute)
        .unwrap_or_else(|| panic!("a {attribute} line in {product}"))
}

/// kk + KZT: Kazakh title and description, Kazakh attribute lines (storage value translated),
/// the set tenge price formatted the Kazakh way, nothing fell back.
async fn demo_product_in_kazakh_with_tenge(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = demo_beef(&app).await;
    let reply = app
        .get(
            &format!("/api/v1/products/{id}?locale=kk&currency=KZT"),
            &app.admin,
        )
        .await
        .expect(200);
    let p = reply.body;
    let l = &p["localized"];
    assert_eq!(l["locale"], "kk");
    assert_eq!(l["currency"], "KZT");
    assert_eq!(
        l["title"]["text"],
        "Беларусьтің мұздатылған сиыр еті: төс еті және жон еті, 1 кг"
    );
    assert_eq!(l["title"]["locale"], "kk");
    assert_eq!(l["title"]["fallback"], false);
    assert_eq!(l["title"]["outdated"], false);
    assert_eq!(line(&p, "net_weight")["text"], "Таза салмағы: 1 кг");
    assert_eq!(
        line(&p, "storage")["text"],
        "Сақтау шарттары: −18 °C-тан аспайтын температурада сақтаңыз"
    );
    assert_eq!(line(&p, "storage")["value_locale"], "kk");
    assert_eq!(line(&p, "storage")["fallback"], false);
    assert_eq!(
        line(&p, "shelf_life")["text"],
        "Жарамдылық мерзімі: 365 күн"
    );
    assert!(line(&p, "origin")["text"]
        .as_str()
        .expect("text")
        .starts_with("Шығарылған елі: "));
    let price = &p["variants"][0]["price"];
    assert_eq!(price["amount_minor"], 629900);
    assert_eq!(price["converted"], false);
    assert_eq!(price["formatted"], "6\u{a0}299,00\u{a0}₸");
}

/// vi + VND: Vietnamese text, dong shown without decimals.
async fn demo_product_in_vietnamese_with_dong(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = demo_beef(&app).await;
    let p = app
        .get(
            &format!("/api/v1/products/{id}?locale=vi&currency=VND"),
            &app.admin,
        )
        .await
        .expect(200)
        .body;
    let l = &p["localized"];
    assert_eq!(
        l["title"]["text"],
        "Thịt bò đông lạnh Belarus: ức bò và thăn ngoại, 1 kg"
    );
    assert_eq!(l["title"]["fallback"], false);
    assert_eq!(line(&p, "net_weight")["locale"], "vi");
    let price = &p["variants"][0]["price"];
    assert_eq!(price["amount_minor"], 329900);
    assert_eq!(price["formatted"], "329.900\u{a0}₫");
}

/// tt without a currency: no Tatar translation, so the text is the Russian source (fallback
/// says so), and the price is in roubles, Tatar's first market currency.
async fn tatar_falls_back_to_russian(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = demo_beef(&app).await;
    let reply = app
        .get(&format!("/api/v1/products/{id}?locale=tt"), &app.admin)
        .await
        .expect(200);
    let p = reply.body;
    let l = &p["localized"];
    assert_eq!(l["locale"], "tt");
    assert_eq!(l["currency"], "RUB");
    assert_eq!(
        l["title"]["text"],
        "Говядина замороженная из Беларуси: грудинка и тонкий край, 1 кг"
    );
    assert_eq!(l["title"]["locale"], "ru");
    assert_eq!(l["title"]["fallback"], true);
    assert_eq!(l["description"]["locale"], "ru");
    // The storage value is Russian; its line's template is Tatar.
    let storage = line(&p, "storage");
    assert_eq!(storage["value_locale"], "ru");
    assert_eq!(storage["fallback"], true);
    assert_eq!(line(&p, "net_weight")["locale"], "tt");
    let price = &p["variants"][0]["price"];
    assert_eq!(price["currency"], "RUB");
    assert_eq!(price["amount_minor"], 99900);
    assert!(
        price["formatted"]
            .as_str()
            .expect("formatted")
            .contains("999,00"),
        "{price}"
    );
}

/// `?locale=` wins over Accept-Language; Accept-Language is honoured with q-values and aliases;
/// without either the view is English in USD; an unsupported `?locale=` is a 422; the response
/// carries Content-Language.
async fn negotiation_and_default_currency(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = demo_beef(&app).await;
    let path = format!("/api/v1/products/{id}");
    let get = |path: String, accept: Option<&'static str>| {
        let app = &app;
        async move {
            let mut req = app
                .client
                .get(format!("{}{}", app.base, path))
                .bearer_auth(&app.admin);
            if let Some(a) = accept {
                req = req.header("accept-language", a);
            }
            let resp = req.send().await.expect("request");
            let lang = resp
                .headers()
                .get("content-language")
                .map(|v| v.to_str().expect("ascii").to_owned());
            let body: Value = resp.json().await.expect("json");
            (lang, body)
        }
    };
    let (lang, p) = get(path.clone(), Some("vi-VN;q=0.5, kk-KZ;q=0.9, en;q=0.1")).await;
    assert_eq!(lang.as_deref(), Some("kk"));
    assert_eq!(p["localized"]["currency"], "KZT", "kk's default currency");
    let (lang, p) = get(format!("{path}?locale=vi"), Some("kk")).await;
    assert_eq!(lang.as_deref(), Some("vi"));
    assert_eq!(p["localized"]["currency"], "VND");
    let (_, p) = get(path.clone(), Some("zh-Hans-CN")).await;
    assert_eq!(p["localized"]["locale"], "zh-CN");
    assert_eq!(p["localized"]["currency"], "CNY");
    let (_, p) = get(path.clone(), None).await;
    assert_eq!(p["localized"]["locale"], "en");
    assert_eq!(p["localized"]["currency"], "USD");
    assert_eq!(p["localized"]["title"]["locale"], "en");
    let (_, p) = get(path.clone(), Some("xx, fr;q=0.8")).await;
    assert_eq!(p["localized"]["locale"], "en", "nothing supported: English");
    let r = app
        .get(&format!("{path}?locale=xx"), &app.admin)
        .await
        .expect(422);
    assert_eq!(r.code(), "invalid");
    // The list is localized the same way.
    let list = app
        .get("/api/v1/products?locale=kk&category=food.meat", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(list["items"][0]["localized"]["title"]["locale"], "kk");
    assert_eq!(list["items"][0]["variants"][0]["price"]["currency"], "KZT");
}

/// A translation made before the source changed is still shown, flagged outdated.
async fn outdated_translation_is_flagged_in_the_view(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = demo_beef(&app).await;
    app.patch(
        &format!("/api/v1/products/{id}"),
        &app.admin,
        &json!({"description": "Новое описание говядины."}),
    )
    .await
    .expect(200);
    let p = app
        .get(&format!("/api/v1/products/{id}?locale=kk"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(p["localized"]["description"]["locale"], "kk");
    assert_eq!(p["localized"]["description"]["outdated"], true);
    assert_eq!(line(&p, "storage")["outdated"], true);
    let p = app
        .get(&format!("/api/v1/products/{id}?locale=ru"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(
        p["localized"]["description"]["text"],
        "Новое описание говядины."
    );
    assert_eq!(p["localized"]["description"]["outdated"], false);
}
