//! The closed category tree (docs/cross-border.md#the-category-tree), on both backends: the
//! tree is listed in the negotiated locale, paged like the other lists; a product created or
//! changed with a category outside the tree (or a retired one) is refused with 422 naming
//! `category`; admins create, rename, retire and delete categories, and one in use cannot be
//! deleted (409 `category_in_use`); the migration maps the categories of existing products to
//! the tree; the gate's rules file names only codes of the tree.

use serde_json::{json, Value};

use silkstream_e2e::{
    backend_tests, reqwest, sample_product, spawn_app, Backend, Reply, TestApp, TestDb,
};

backend_tests!(
    the_tree_is_listed_in_the_asked_locale,
    a_product_outside_the_tree_is_refused,
    admins_create_rename_retire_and_delete_categories,
    a_category_in_use_cannot_be_deleted,
    the_migration_maps_existing_categories_to_the_tree,
    the_rules_file_names_only_categories_of_the_tree,
);

const LOCALES: [&str; 16] = [
    "zh-CN", "en", "ru", "kk", "ky", "uz", "tt", "mn", "vi", "th", "id", "ms", "fil", "km", "lo",
    "my",
];

/// GET `path` as the admin with an optional `Accept-Language`: status, `Content-Language`, body.
async fn get_in(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, String, Value) {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&app.admin);
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let resp = req.send().await.expect("request reaches the server");
    let status = resp.status().as_u16();
    let language = resp
        .headers()
        .get("content-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, language, resp.json().await.unwrap_or(Value::Null))
}

/// The item of `code` in a page of the list.
fn item<'a>(page: &'a Value, code: &str) -> &'a Value {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("{code} is listed: {page}"))
}

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_owned())
        .collect()
}

/// A name in every locale: `{locale: "<en> (<locale>)"}`.
fn names(en: &str) -> Value {
    let mut names = serde_json::Map::new();
    for l in LOCALES {
        names.insert(l.to_owned(), json!(format!("{en} ({l})")));
    }
    Value::Object(names)
}

/// The list in Kazakh (`?locale=kk`) and in Chinese (`Accept-Language`), any role: each
/// category named in that locale, the page envelope of the other lists, parents before their
/// children; one category read alone has its name in all 16 locales.
async fn the_tree_is_listed_in_the_asked_locale(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, language, kk) = get_in(&app, "/api/v1/categories?locale=kk", None).await;
    assert_eq!((status, language.as_str()), (200, "kk"), "{kk}");
    assert_eq!(item(&kk, "food.meat")["name"], "Ет");
    assert_eq!(item(&kk, "food.meat")["locale"], "kk");
    assert_eq!(item(&kk, "food.meat")["parent"], "food");
    assert_eq!(item(&kk, "food.meat")["depth"], 1);
    assert_eq!(item(&kk, "beauty.skincare")["name"], "Тері күтімі");
    assert_eq!(item(&kk, "beauty")["parent"], Value::Null);
    assert_eq!((&kk["page"], &kk["per_page"]), (&json!(1), &json!(100)));
    let total = kk["total"].as_i64().expect("total");
    assert_eq!(total as usize, codes(&kk).len(), "one page holds the tree");
    assert!(total >= 30, "a tree for the border hubs: {total}");
    let order = codes(&kk);
    for (i, code) in order.iter().enumerate() {
        if let Some((parent, _)) = code.rsplit_once('.') {
            let at = order
                .iter()
                .position(|c| c == parent)
                .expect("parent listed");
            assert!(at < i, "{parent} comes before {code}");
        }
    }

    let (status, language, zh) = get_in(
        &app,
        "/api/v1/categories",
        Some("zh-Hans-CN;q=0.9, fr;q=0.8"),
    )
    .await;
    assert_eq!((status, language.as_str()), (200, "zh-CN"));
    assert_eq!(item(&zh, "food.meat")["name"], "肉类");
    assert_eq!(item(&zh, "beauty.skincare")["name"], "护肤品");
    assert_eq!(codes(&zh), order, "the same tree in every locale");

    // Paged like the other lists.
    let buyer = app.buyer("Aruzhan", "kk").await.0;
    let page2 = app
        .get("/api/v1/categories?per_page=5&page=2", &buyer)
        .await
        .expect(200)
        .body;
    assert_eq!(codes(&page2), order[5..10].to_vec());
    assert_eq!(page2["total"], total);
    app.get("/api/v1/categories?per_page=0", &buyer)
        .await
        .expect(422);
    app.get("/api/v1/categories?locale=xx", &buyer)
        .await
        .expect(422);

    // Every category has its name in every locale.
    for code in &order {
        let one = app
            .get(&format!("/api/v1/categories/{code}"), &buyer)
            .await
            .expect(200)
            .body;
        for l in LOCALES {
            assert!(
                one["names"][l].as_str().is_some_and(|n| !n.is_empty()),
                "{code} is named in {l}: {one}"
            );
        }
    }
    let missing = app.get("/api/v1/categories/cosmetics", &buyer).await;
    assert_eq!(missing.expect(404).code(), "not_found");
}

/// A product created with a category outside the tree (the free text of before) is refused:
/// 422 `invalid` naming `category`, nothing written; so is a change to one. A tree code works.
async fn a_product_outside_the_tree_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    for category in ["cosmetics.skincare", "beauty.skincare.night", "food.meats"] {
        let mut body = sample_product();
        body["category"] = json!(category);
        let reply = app.post("/api/v1/products", &app.admin, &body).await;
        let reply = reply.expect(422);
        assert_eq!(reply.code(), "invalid", "{}", reply.text);
        let message = reply.body["error"]["message"].as_str().expect("message");
        assert!(
            message.starts_with("category:") && message.contains(category),
            "{message}"
        );
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM products").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM merchants").await, 0);

    let product = app.create_unqualified_product(&sample_product()).await;
    let id = product["id"].as_i64().expect("id");
    let reply = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &app.admin,
            &json!({"category": "cosmetics"}),
        )
        .await
        .expect(422);
    assert!(reply.text.contains("category:"), "{}", reply.text);
    let moved = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &app.admin,
            &json!({"category": "food.frozen"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(moved["category"], "food.frozen");
}

/// Admins add a category (named in all 16 locales, under an existing parent), rename it in a
/// locale and retire it: a retired category (or one below it) takes no new product, the
/// products it has keep it and can still be changed, and it leaves the list unless
/// `?retired=true`. Other roles may only read.
async fn admins_create_rename_retire_and_delete_categories(backend: Backend) {
    let app = spawn_app(backend).await;
    let host = app.token("host").await;
    let new = json!({"code": "food.honey", "names": names("Honey")});
    let refused = app
        .post("/api/v1/categories", &host, &new)
        .await
        .expect(403);
    assert_eq!(refused.code(), "forbidden");

    let created = app
        .post("/api/v1/categories", &app.admin, &new)
        .await
        .expect(201)
        .body;
    assert_eq!(
        (&created["code"], &created["parent"], &created["depth"]),
        (&json!("food.honey"), &json!("food"), &json!(1))
    );
    assert_eq!(created["names"]["kk"], "Honey (kk)");
    let taken = app.post("/api/v1/categories", &app.admin, &new).await;
    assert_eq!(taken.expect(409).code(), "conflict");

    let mut partial = names("Jam");
    partial.as_object_mut().expect("names").remove("lo");
    let reply = app
        .post(
            "/api/v1/categories",
            &app.admin,
            &json!({"code": "food.jam", "names": partial}),
        )
        .await
        .expect(422);
    assert!(reply.text.contains("names.lo"), "{}", reply.text);
    for (code, field) in [
        ("toys.lego", "code"),
        ("Food.Jam", "code"),
        ("food..jam", "code"),
    ] {
        let reply = app
            .post(
                "/api/v1/categories",
                &app.admin,
                &json!({"code": code, "names": names("X")}),
            )
            .await
            .expect(422);
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(&format!("{field}:"))),
            "{code}: {}",
            reply.text
        );
    }

    let renamed = app
        .patch(
            "/api/v1/categories/food.honey",
            &app.admin,
            &json!({"names": {"kk": "Бал", "ru": "Мёд"}}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        (
            &renamed["names"]["kk"],
            &renamed["names"]["ru"],
            &renamed["names"]["en"]
        ),
        (&json!("Бал"), &json!("Мёд"), &json!("Honey (en)"))
    );
    let (_, _, kk) = get_in(&app, "/api/v1/categories?locale=kk", None).await;
    assert_eq!(item(&kk, "food.honey")["name"], "Бал");
    app.patch(
        "/api/v1/categories/food.honey",
        &host,
        &json!({"retired": true}),
    )
    .await
    .expect(403);

    let mut honey = sample_product();
    honey["category"] = json!("food.honey");
    honey["hs_code"] = json!("040900");
    honey["variants"] = json!([]);
    let kept = app.create_unqualified_product(&honey).await;
    let retired = app
        .patch(
            "/api/v1/categories/food.honey",
            &app.admin,
            &json!({"retired": true}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(retired["retired"], true);
    let reply = app.post("/api/v1/products", &app.admin, &honey).await;
    let reply = reply.expect(422);
    assert!(
        reply.text.contains("category:") && reply.text.contains("retired"),
        "{}",
        reply.text
    );
    // What it has keeps it, and can still be changed.
    let changed = app
        .patch(
            &format!("/api/v1/products/{}", kept["id"]),
            &app.admin,
            &json!({"title": "Мёд гречишный, 500 г"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["category"], "food.honey");
    let listed = app
        .get("/api/v1/categories", &app.admin)
        .await
        .expect(200)
        .body;
    assert!(!codes(&listed).contains(&"food.honey".to_owned()));
    let with_retired = app
        .get("/api/v1/categories?retired=true", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(item(&with_retired, "food.honey")["retired"], true);

    // Retiring a parent closes everything below it; bringing it back opens it again.
    app.patch(
        "/api/v1/categories/beauty",
        &app.admin,
        &json!({"retired": true}),
    )
    .await
    .expect(200);
    let mut cream = sample_product();
    cream["category"] = json!("beauty.skincare");
    let reply = app.post("/api/v1/products", &app.admin, &cream).await;
    assert!(
        reply.expect(422).text.contains("under 'beauty'"),
        "a child of a retired category is closed"
    );
    let listed = app
        .get("/api/v1/categories", &app.admin)
        .await
        .expect(200)
        .body;
    assert!(!codes(&listed).iter().any(|c| c.starts_with("beauty")));
    app.patch(
        "/api/v1/categories/beauty",
        &app.admin,
        &json!({"retired": false}),
    )
    .await
    .expect(200);
    app.post("/api/v1/products", &app.admin, &cream)
        .await
        .expect(201);

    // A category nothing uses is deleted.
    app.post(
        "/api/v1/categories",
        &app.admin,
        &json!({"code": "food.jam", "names": names("Jam")}),
    )
    .await
    .expect(201);
    delete(&app, "food.jam", &app.admin).await.expect(204);
    app.get("/api/v1/categories/food.jam", &app.admin)
        .await
        .expect(404);
}

async fn delete(app: &TestApp, code: &str, token: &str) -> Reply {
    app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/categories/{code}"),
        Some(token),
        None,
    )
    .await
}

/// A category a product uses (an archived one too) cannot be deleted: 409 `category_in_use`,
/// it stays; nor can one with categories below it. Once nothing uses it, it goes (204), and
/// only an admin may delete.
async fn a_category_in_use_cannot_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let operator = app.token("operator").await;
    assert_eq!(
        delete(&app, "food.frozen", &operator)
            .await
            .expect(403)
            .code(),
        "forbidden"
    );
    let mut body = sample_product();
    body["category"] = json!("food.frozen");
    let product = app.create_unqualified_product(&body).await;
    let id = product["id"].as_i64().expect("id");
    app.post(
        &format!("/api/v1/products/{id}/archive"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    let reply = delete(&app, "food.frozen", &app.admin).await.expect(409);
    assert_eq!(reply.code(), "category_in_use", "{}", reply.text);
    assert!(reply.text.contains("holds 1 product"), "{}", reply.text);
    app.get("/api/v1/categories/food.frozen", &app.admin)
        .await
        .expect(200);

    let reply = delete(&app, "food", &app.admin).await.expect(409);
    assert_eq!(reply.code(), "category_in_use", "{}", reply.text);
    app.get("/api/v1/categories/food", &app.admin)
        .await
        .expect(200);

    app.patch(
        &format!("/api/v1/products/{id}"),
        &app.admin,
        &json!({"category": "food.meat"}),
    )
    .await
    .expect(200);
    delete(&app, "food.frozen", &app.admin).await.expect(204);
    assert_eq!(
        delete(&app, "food.frozen", &app.admin)
            .await
            .expect(404)
            .code(),
        "not_found"
    );
}

/// A database with products from before the tree: the migration moves the usual other words
/// to the tree (`cosmetics.skincare` → `beauty.skincare`) and a category below a code of the
/// tree to the deepest such code (`food.meat.beef` → `food.meat`); one with no place in the
/// tree (`toys.lego`) stays on its product, which can still be changed, but no new write may
/// set it.
async fn the_migration_maps_existing_categories_to_the_tree(backend: Backend) {
    let db = TestDb::new(&backend).await;
    sqlx::any::install_default_drivers();
    let url = match backend {
        Backend::Sqlite => format!("{}?mode=rwc", db.url),
        _ => db.url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
    let mut before = if matches!(backend, Backend::Sqlite) {
        sqlx::migrate!("../migrations/sqlite")
    } else {
        sqlx::migrate!("../migrations/postgres")
    };
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 20261206000010)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before
        .run(&pool)
        .await
        .expect("the migrations before the tree");
    let old = [
        ("cosmetics.skincare", "330499", "beauty.skincare"),
        ("food.meat.beef", "020230", "food.meat"),
        ("toys.lego", "950300", "toys.lego"),
        ("apparel.outerwear", "620140", "apparel.outerwear"),
        ("clothing.kids", "611120", "apparel"),
    ];
    sqlx::query(
        "INSERT INTO merchants (id, name, country, created_at, updated_at) \
         VALUES (1, 'Old Merchant LLC', 'CN', 1, 1)",
    )
    .execute(&pool)
    .await
    .expect("an old merchant");
    for (category, hs, _) in old {
        sqlx::query(
            "INSERT INTO products (merchant, merchant_id, category, hs_code, origin_country, \
             weight_g, source_locale, title, description, attributes, search_text, \
             source_digest, created_at, updated_at) VALUES ('Old Merchant LLC', 1, $1, $2, \
             'CN', 1000, 'en', 't', 'd', '{}', 't', 'x', 1, 1)",
        )
        .bind(category)
        .bind(hs)
        .execute(&pool)
        .await
        .expect("an old product");
    }
    pool.close().await;
    let app = silkstream_e2e::spawn_app_on(db).await;
    for (id, (_, _, now)) in (1..).zip(old) {
        let p = app
            .get(&format!("/api/v1/products/{id}"), &app.admin)
            .await
            .expect(200)
            .body;
        assert_eq!(p["category"], now, "{p}");
    }
    // The one left outside keeps its category through a change of something else…
    let p = app
        .patch(
            "/api/v1/products/3",
            &app.admin,
            &json!({"title": "Bricks"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(p["category"], "toys.lego");
    // …but no write may set it anew.
    let mut body = sample_product();
    body["category"] = json!("toys.lego");
    app.post("/api/v1/products", &app.admin, &body)
        .await
        .expect(422);
    app.patch(
        "/api/v1/products/4",
        &app.admin,
        &json!({"category": "toys.lego"}),
    )
    .await
    .expect(422);
}

/// Every category the gate's rules file names (a rule's prefix, what an HS prefix counts as, a
/// category never sold live) is a code of the tree.
async fn the_rules_file_names_only_categories_of_the_tree(backend: Backend) {
    let app = spawn_app(backend).await;
    let rules = app
        .get("/api/v1/regulated-categories", &app.admin)
        .await
        .expect(200)
        .body;
    let tree = codes(
        &app.get("/api/v1/categories?per_page=500", &app.admin)
            .await
            .expect(200)
            .body,
    );
    let named = rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| &r["prefix"])
        .chain(
            rules["hs_prefixes"]
                .as_array()
                .expect("hs_prefixes")
                .iter()
                .map(|h| &h["category"]),
        )
        .chain(
            rules["not_sellable"]
                .as_array()
                .expect("not_sellable")
                .iter()
                .map(|n| &n["prefix"]),
        );
    for code in named {
        let code = code.as_str().expect("a code");
        assert!(tree.iter().any(|c| c == code), "{code} is in the tree");
    }
}
