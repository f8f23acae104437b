//! The claims filter on both backends (docs/cross-border.md, "The claims filter"): blocked and
//! warned terms in every place text reaches buyers (product create, patch and translations,
//! session titles, showcase and pin), per locale; ordinary words not caught; every hit in the
//! evidence log; a blocked write changes nothing but the log; the log read, filtered, paged and
//! exported as CSV with formula cells neutralised.

use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, sample_product, spawn_app, Backend, Reply, TestApp};

backend_tests!(
    products_and_translations_per_locale,
    session_titles_showcase_and_pin,
    evidence_is_read_filtered_paged_and_exported,
    every_demo_product_is_shown_without_a_claim,
    a_warned_write_and_its_evidence_are_one_transaction,
    lookalikes_are_blocked_and_say_where
);

/// Per locale: a title with a blocked term, one with a warned term (and that term), and an
/// ordinary title holding an exception.
const CASES: [(&str, &str, &str, &str, &str, &str); 7] = [
    (
        "zh-CN",
        "最佳新疆红枣",
        "最佳",
        "最受欢迎的新疆红枣",
        "最",
        "最近到货的新疆红枣，每人最多3件",
    ),
    (
        "ru",
        "Лучший мёд Алтая",
        "лучший",
        "Самый вкусный мёд Алтая",
        "самый",
        "Аптечка первой помощи",
    ),
    (
        "kk",
        "Ең жақсы бал",
        "ең жақсы",
        "Ең дәмді бал",
        "ең",
        "Бал: ең аз тапсырыс 2 дана",
    ),
    (
        "vi",
        "Mật ong tốt nhất",
        "tốt nhất",
        "Mật ong số 1",
        "số 1",
        "Mật ong, giao hàng sớm nhất",
    ),
    (
        "th",
        "น้ำผึ้งดีที่สุด",
        "ดีที่สุด",
        "น้ำผึ้งหวานที่สุด",
        "ที่สุด",
        "ในที่สุดน้ำผึ้งก็มาถึง",
    ),
    (
        "id",
        "Madu terbaik",
        "terbaik",
        "Madu paling manis",
        "paling",
        "Madu, dikirim paling lambat 2 hari",
    ),
    (
        "en",
        "The best honey",
        "best",
        "Number one honey",
        "number one",
        "Honey, best before 2027",
    ),
];

/// A product body without variants (so that many can be made), in `locale`, titled `title`.
fn product(locale: &str, title: &str) -> Value {
    let mut p = sample_product();
    p["source_locale"] = json!(locale);
    p["title"] = json!(title);
    p["description"] = json!("Honey from the Altai foothills.");
    p["attributes"] = json!({"net_weight_g": 500});
    p["variants"] = json!([]);
    p
}

async fn evidence_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM claims_evidence").await
}

/// The evidence rows as the operators' route shows them, oldest first.
async fn evidence(app: &TestApp, query: &str) -> Vec<Value> {
    let operator = app.token("operator").await;
    let mut items = app
        .get(
            &format!("/api/v1/claims/evidence?limit=500{query}"),
            &operator,
        )
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .expect("items")
        .clone();
    items.reverse();
    items
}

/// The terms a 422 `claims_blocked` names, as (term, field, locale).
#[track_caller]
fn blocked_terms(reply: &Reply) -> Vec<(String, String, String)> {
    assert_eq!(reply.status.as_u16(), 422, "{}", reply.text);
    assert_eq!(reply.code(), "claims_blocked", "{}", reply.text);
    reply.body["error"]["terms"]
        .as_array()
        .expect("error.terms")
        .iter()
        .map(|t| {
            (
                t["term"].as_str().unwrap_or_default().to_owned(),
                t["field"].as_str().unwrap_or_default().to_owned(),
                t["locale"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The terms of an answer's `warnings`.
fn warned_terms(body: &Value) -> Vec<String> {
    body["warnings"]
        .as_array()
        .expect("warnings beside the answer")
        .iter()
        .map(|w| w["term"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// In each locale: a blocked title is refused naming the term, the field and the locale, and
/// writes one evidence row and nothing else; a warned title is taken with `warnings` beside
/// the product's own fields and its evidence row; an ordinary title holding an exception is
/// taken without warnings and without evidence. Descriptions, attribute values, patches and
/// translations are screened the same way.
async fn products_and_translations_per_locale(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    for (locale, blocked, blocked_term, warned, warned_term, ordinary) in CASES {
        let before = app.feed_fingerprint().await;
        let evidence_before = evidence_count(&app).await;
        let reply = app
            .post("/api/v1/products", &app.admin, &product(locale, blocked))
            .await;
        assert_eq!(
            blocked_terms(&reply),
            [(
                blocked_term.to_owned(),
                "title".to_owned(),
                locale.to_owned()
            )],
            "{locale}"
        );
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(blocked_term),
            "{}",
            reply.text
        );
        assert_eq!(
            app.feed_fingerprint().await,
            before,
            "{locale}: a refused write wrote"
        );
        assert_eq!(evidence_count(&app).await, evidence_before + 1, "{locale}");
        let row = evidence(&app, "&outcome=blocked").await.pop().expect("row");
        assert_eq!(row["term"], blocked_term);
        assert_eq!(row["field"], "title");
        assert_eq!(row["locale"], locale);
        assert_eq!(row["severity"], "block");
        assert_eq!(row["operation"], "product.create");
        assert_eq!(row["subject_id"], Value::Null);
        assert_eq!(row["text"], blocked);
        assert_eq!(row["actor_role"], "admin");

        let made = app
            .post("/api/v1/products", &app.admin, &product(locale, warned))
            .await
            .expect(201)
            .body;
        assert_eq!(warned_terms(&made), [warned_term], "{locale}");
        assert_eq!(made["title"], warned, "the product's own fields stay");
        assert!(made["id"].as_i64().is_some());
        let row = evidence(&app, "&outcome=warned").await.pop().expect("row");
        assert_eq!(row["term"], warned_term);
        assert_eq!(row["subject_id"], made["id"]);
        assert_eq!(row["severity"], "warn");

        let quiet = evidence_count(&app).await;
        let made = app
            .post("/api/v1/products", &app.admin, &product(locale, ordinary))
            .await
            .expect(201)
            .body;
        assert_eq!(
            warned_terms(&made),
            Vec::<String>::new(),
            "{locale}: {ordinary}"
        );
        assert_eq!(evidence_count(&app).await, quiet, "{locale}: {ordinary}");
    }

    // Descriptions and attribute values are screened too, each hit named by its field.
    let mut body = product("zh-CN", "新疆红枣");
    body["description"] = json!("国家级果园出品");
    body["attributes"] = json!({"flavour": "最高级的甜", "net_weight_g": 500});
    let reply = app.post("/api/v1/products", &app.admin, &body).await;
    assert_eq!(
        blocked_terms(&reply),
        [
            (
                "国家级".to_owned(),
                "description".to_owned(),
                "zh-CN".to_owned()
            ),
            (
                "最高级".to_owned(),
                "attributes.flavour".to_owned(),
                "zh-CN".to_owned()
            ),
        ]
    );

    // A patch: a blocked title changes nothing; a warned one is taken with its warnings.
    let id = app.create_product(&product("ru", "Мёд алтайский")).await["id"]
        .as_i64()
        .expect("id");
    let path = format!("/api/v1/products/{id}");
    let product_before = app.get(&path, &app.admin).await.expect(200).body;
    let reply = app
        .patch(
            &path,
            &app.admin,
            &json!({"title": "Лучший мёд", "weight_g": 900}),
        )
        .await;
    assert_eq!(
        blocked_terms(&reply),
        [("лучший".to_owned(), "title".to_owned(), "ru".to_owned())]
    );
    assert_eq!(
        app.get(&path, &app.admin).await.expect(200).body,
        product_before
    );
    let row = evidence(&app, "&operation=product.update")
        .await
        .pop()
        .expect("row");
    assert_eq!(row["subject_id"], id);
    assert_eq!(row["outcome"], "blocked");
    let patched = app
        .patch(
            &path,
            &app.admin,
            &json!({"attributes": {"material": "Самый густой мёд"}}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&patched), ["самый"]);
    assert_eq!(patched["attributes"]["material"], "Самый густой мёд");

    // A translation: a blocked one is not stored; a warned one is, with its warnings.
    let before = app.table_counts().await;
    let reply = app
        .put(
            &format!("/api/v1/products/{id}/translations/zh-CN"),
            &app.admin,
            &json!({"title": "阿尔泰蜂蜜", "description": "最佳蜂蜜"}),
        )
        .await;
    assert_eq!(
        blocked_terms(&reply),
        [(
            "最佳".to_owned(),
            "description".to_owned(),
            "zh-CN".to_owned()
        )]
    );
    assert_eq!(app.table_counts().await, before);
    let translated = app
        .put(
            &format!("/api/v1/products/{id}/translations/kk"),
            &app.admin,
            &json!({"title": "Ең дәмді бал", "description": "Алтай балы"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&translated), ["ең"]);
    assert_eq!(translated["locale"], "kk");
    let row = evidence(&app, "&operation=translation.put&outcome=warned")
        .await
        .pop()
        .expect("row");
    assert_eq!(row["locale"], "kk");
    assert_eq!(row["subject_id"], id);
}

/// A session title with a blocked term is refused and makes no session; a warned one is taken
/// with its warnings. A product whose stored text holds a blocked term (written before the
/// filter or its lists changed) cannot be put in a showcase or pinned: 422, nothing changes,
/// no event; one with a warned term is, with the warnings. Another host is refused with 403
/// before the filter runs (no evidence).
async fn session_titles_showcase_and_pin(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;

    let before = app.feed_fingerprint().await;
    let reply = app
        .post(
            "/api/v1/sessions",
            &live.host,
            &json!({"title": "最佳红枣专场", "language": "zh-CN", "markets": ["KZ"]}),
        )
        .await;
    assert_eq!(
        blocked_terms(&reply),
        [("最佳".to_owned(), "title".to_owned(), "zh-CN".to_owned())]
    );
    assert_eq!(app.feed_fingerprint().await, before);
    let row = evidence(&app, "&operation=session.create")
        .await
        .pop()
        .expect("row");
    assert_eq!(row["actor_role"], "host");
    assert_eq!(row["subject_kind"], "session");

    let session = app
        .post(
            "/api/v1/sessions",
            &live.host,
            &json!({"title": "Самые свежие продукты", "language": "ru", "markets": ["KZ"]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(warned_terms(&session), ["самые"]);
    assert_eq!(session["title"], "Самые свежие продукты");
    assert_eq!(session["state"], "scheduled");

    // Text older code let in: the showcase product's title now holds a blocked term.
    app.execute(&format!(
        "UPDATE products SET title = 'Лучшая говядина' WHERE id = {}",
        live.product_id
    ))
    .await;
    let before = app.feed_fingerprint().await;
    let evidence_before = evidence_count(&app).await;
    let pin = format!("/api/v1/sessions/{}/pin", live.session_id);
    let reply = app
        .post(&pin, &live.host, &json!({"product_id": live.product_id}))
        .await;
    assert_eq!(
        blocked_terms(&reply),
        [(
            "лучшая".to_owned(),
            format!("product.{}.title", live.product_id),
            "ru".to_owned()
        )]
    );
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "a refused pin pinned or logged"
    );
    assert_eq!(evidence_count(&app).await, evidence_before + 1);
    let row = evidence(&app, "&operation=session.pin")
        .await
        .pop()
        .expect("row");
    assert_eq!(row["subject_id"], live.session_id);
    assert_eq!(row["outcome"], "blocked");

    // Another host may not pin in this session: 403 before the filter, and no evidence.
    let other = app.token("host").await;
    app.post(&pin, &other, &json!({"product_id": live.product_id}))
        .await
        .expect(403);
    assert_eq!(evidence_count(&app).await, evidence_before + 1);

    // A translation older code let in blocks the showcase too.
    let second = app.create_product(&product("ru", "Мёд гречишный")).await["id"]
        .as_i64()
        .expect("id");
    app.execute(&format!(
        "INSERT INTO translations (product_id, locale, title, description, attributes, \
         source_digest, updated_at) VALUES ({second}, 'th', 'น้ำผึ้งดีที่สุด', 'น้ำผึ้ง', '{{}}', 'x', 0)"
    ))
    .await;
    let showcase = format!("/api/v1/sessions/{}/showcase", live.session_id);
    let before = app.feed_fingerprint().await;
    let reply = app
        .post(&showcase, &live.operator, &json!({"product_id": second}))
        .await;
    assert_eq!(
        blocked_terms(&reply),
        [(
            "ดีที่สุด".to_owned(),
            format!("product.{second}.title"),
            "th".to_owned()
        )]
    );
    assert_eq!(app.feed_fingerprint().await, before);

    // A warned product goes into the showcase and is pinned, each time with its warnings.
    let third = app
        .create_product(&product("zh-CN", "销量第一的红枣"))
        .await["id"]
        .as_i64()
        .expect("id");
    let added = app
        .post(&showcase, &live.host, &json!({"product_id": third}))
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&added), ["第一"]);
    assert!(added["showcase"]
        .as_array()
        .expect("showcase")
        .contains(&json!(third)));
    let pinned = app
        .post(&pin, &live.host, &json!({"product_id": third}))
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&pinned), ["第一"]);
    assert_eq!(pinned["pinned_product_id"], third);
    let rows = evidence(
        &app,
        &format!("&subject_kind=session&subject_id={}", live.session_id),
    )
    .await;
    let ops: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap_or_default(),
                r["outcome"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("session.pin", "blocked"),
            ("session.showcase", "blocked"),
            ("session.showcase", "warned"),
            ("session.pin", "warned"),
        ]
    );
}

/// Operators and admins read the log (others get 403), filter it, page through it with
/// `before`, and export it as CSV whose text cells cannot run as formulas; a bad filter is a
/// 422 naming it.
async fn evidence_is_read_filtered_paged_and_exported(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    for title in ["最佳红枣", "第一红枣", "=HYPERLINK(\"http://x\",\"最佳\")"] {
        app.post("/api/v1/products", &app.admin, &product("zh-CN", title))
            .await;
    }
    let operator = app.token("operator").await;
    let host = app.token("host").await;
    for token in [&host, &app.token("buyer").await] {
        app.get("/api/v1/claims/evidence", token).await.expect(403);
        app.get("/api/v1/claims/evidence/export", token)
            .await
            .expect(403);
    }
    app.get("/api/v1/claims/evidence", &app.admin)
        .await
        .expect(200);

    let all = app
        .get("/api/v1/claims/evidence", &operator)
        .await
        .expect(200)
        .body;
    let terms: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["term"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(terms, ["最佳", "第一", "最佳"], "newest first");
    assert_eq!(all["next_before"], Value::Null);

    let blocked = app
        .get("/api/v1/claims/evidence?severity=block", &operator)
        .await
        .expect(200)
        .body;
    assert_eq!(blocked["items"].as_array().map(Vec::len), Some(2));

    let first = app
        .get("/api/v1/claims/evidence?limit=2", &operator)
        .await
        .expect(200)
        .body;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let next = first["next_before"].as_i64().expect("a next page");
    let second = app
        .get(
            &format!("/api/v1/claims/evidence?limit=2&before={next}"),
            &operator,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["items"][0]["term"], "最佳");
    assert_eq!(second["next_before"], Value::Null);

    for bad in [
        "severity=fatal",
        "limit=0",
        "limit=501",
        "from=yesterday",
        "nope=1",
    ] {
        let reply = app
            .get(&format!("/api/v1/claims/evidence?{bad}"), &operator)
            .await
            .expect(422);
        assert_eq!(reply.code(), "invalid", "{bad}");
    }
    let today = app
        .get(
            "/api/v1/claims/evidence?from=2000-01-01&until=2000-01-02",
            &operator,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(today["items"].as_array().map(Vec::len), Some(0));

    let csv = app
        .get("/api/v1/claims/evidence/export", &operator)
        .await
        .expect(200)
        .text;
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,at,actor_token_id,actor_name,actor_role,operation,subject_kind,subject_id,\
         field,locale,term,list,severity,outcome,text"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].contains(",最佳,zh,block,blocked,最佳红枣"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",第一,zh,warn,warned,第一红枣"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].ends_with(",\"'=HYPERLINK(\"\"http://x\"\",\"\"最佳\"\")\""),
        "a formula cell was not neutralised: {}",
        lines[3]
    );
    let filtered = app
        .get("/api/v1/claims/evidence/export?severity=warn", &operator)
        .await
        .expect(200)
        .text;
    assert_eq!(filtered.split("\r\n").filter(|l| !l.is_empty()).count(), 2);

    // The term lists are readable by anyone with a token, each list with its source.
    let files = app
        .get("/api/v1/claims/terms", &host)
        .await
        .expect(200)
        .body;
    let languages: Vec<&str> = files
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["language"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(languages, ["zh", "en", "ru", "kk", "vi", "th", "id"]);
    assert_eq!(
        files[0]["lists"][0]["terms"],
        json!(["国家级", "最高级", "最佳"])
    );
}

/// The demo catalog makes no claim: every text of every demo product, in its source language
/// and every translation (what a showcase or a pin screens), passes the filter without a hit,
/// so the README's tours can show and pin any of them.
async fn every_demo_product_is_shown_without_a_claim(backend: Backend) {
    let app = spawn_app(backend).await;
    let report = silkstream_server::demo::load(&app.db)
        .await
        .expect("demo catalog");
    assert!(report.loaded);
    let l10n = silkstream_server::embedded_l10n().expect("locale files load");
    let store = silkstream_catalog::CatalogStore::new(app.db.clone(), l10n);
    let filter = silkstream_catalog::claims::filter().expect("the term lists load");
    let products = app
        .get("/api/v1/products?per_page=100", &app.admin)
        .await
        .expect(200)
        .body;
    let ids: Vec<i64> = products["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert!(ids.len() >= 10, "{products}");
    let mut screened = 0;
    for id in ids {
        let texts = store.product_claim_texts(id).await.expect("texts");
        screened += texts.len();
        let hits: Vec<_> = filter
            .screen(&texts)
            .into_iter()
            .map(|f| (f.hit.field, f.hit.locale, f.hit.term))
            .collect();
        assert_eq!(hits, [], "product {id}");
    }
    assert!(screened > 50, "only {screened} texts screened");
}

/// Makes every insert into the evidence log fail (behind the server's back): a trigger that
/// raises on PostgreSQL, `RAISE(ABORT, …)` on SQLite.
async fn break_evidence_log(app: &TestApp, backend: &Backend) {
    match backend {
        Backend::Sqlite => {
            app.execute(
                "CREATE TRIGGER evidence_fails BEFORE INSERT ON claims_evidence \
                 BEGIN SELECT RAISE(ABORT, 'injected evidence failure'); END",
            )
            .await;
        }
        Backend::Postgres { .. } => {
            app.execute(
                "CREATE FUNCTION evidence_fails() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'injected evidence failure'; END $$",
            )
            .await;
            app.execute(
                "CREATE TRIGGER evidence_fails BEFORE INSERT ON claims_evidence \
                 FOR EACH ROW EXECUTE FUNCTION evidence_fails()",
            )
            .await;
        }
    }
}

/// Drops the trigger of [`break_evidence_log`].
async fn mend_evidence_log(app: &TestApp, backend: &Backend) {
    match backend {
        Backend::Sqlite => app.execute("DROP TRIGGER evidence_fails").await,
        Backend::Postgres { .. } => {
            app.execute("DROP TRIGGER evidence_fails ON claims_evidence")
                .await
        }
    };
}

/// A warned write and its evidence rows are one transaction: when the evidence insert fails
/// (a trigger injects the fault), a warned product create, patch, translation PUT, session
/// create, showcase add and pin change nothing. The answer is then an error; a 500 is
/// acceptable here ONLY because the fault is injected into the database behind the server's
/// back (no request can cause it). Once the trigger is gone the same writes are taken, with
/// their warnings and their evidence rows.
async fn a_warned_write_and_its_evidence_are_one_transaction(backend: Backend) {
    let app = spawn_app(backend.clone()).await;
    let live = app.live_session(10, true).await;
    // Made before the fault: a product to translate and patch, and a warned product in the
    // showcase to pin, and another to add to the showcase.
    let plain = app.create_product(&product("ru", "Мёд алтайский")).await["id"]
        .as_i64()
        .expect("id");
    let showcase = format!("/api/v1/sessions/{}/showcase", live.session_id);
    let pin = format!("/api/v1/sessions/{}/pin", live.session_id);
    let warned_product = app
        .create_product(&product("zh-CN", "销量第一的红枣"))
        .await["id"]
        .as_i64()
        .expect("id");
    app.post(
        &showcase,
        &live.host,
        &json!({"product_id": warned_product}),
    )
    .await
    .expect(200);
    let to_add = app
        .create_product(&product("ru", "Самый вкусный мёд"))
        .await["id"]
        .as_i64()
        .expect("id");
    let plain_path = format!("/api/v1/products/{plain}");
    let translation = format!("/api/v1/products/{plain}/translations/kk");
    let new_session =
        json!({"title": "Самые свежие продукты", "language": "ru", "markets": ["KZ"]});

    break_evidence_log(&app, &backend).await;
    let mut wrote: Vec<String> = Vec::new();
    let mut check = |what: &str, reply: &Reply, same: bool| {
        if reply.status.is_success() || !same {
            wrote.push(format!(
                "{what}: answered {} and {} ({})",
                reply.status,
                if same {
                    "changed nothing"
                } else {
                    "the write stayed"
                },
                reply.text
            ));
        }
    };

    let product_before = app.get(&plain_path, &app.admin).await.expect(200).body;
    let evidence_before = evidence_count(&app).await;

    let before = app.feed_fingerprint().await;
    let reply = app
        .post(
            "/api/v1/products",
            &app.admin,
            &product("ru", "Самый вкусный мёд Алтая"),
        )
        .await;
    check(
        "product create",
        &reply,
        app.feed_fingerprint().await == before,
    );
    let reply = app
        .patch(
            &plain_path,
            &app.admin,
            &json!({"title": "Самый густой мёд"}),
        )
        .await;
    let unchanged = app.get(&plain_path, &app.admin).await.expect(200).body == product_before;
    check("product patch", &reply, unchanged);
    let before = app.feed_fingerprint().await;
    let reply = app
        .put(
            &translation,
            &app.admin,
            &json!({"title": "Ең дәмді бал", "description": "Алтай балы"}),
        )
        .await;
    check(
        "translation put",
        &reply,
        app.feed_fingerprint().await == before,
    );
    let before = app.feed_fingerprint().await;
    let reply = app.post("/api/v1/sessions", &live.host, &new_session).await;
    check(
        "session create",
        &reply,
        app.feed_fingerprint().await == before,
    );
    let before = app.feed_fingerprint().await;
    let reply = app
        .post(&showcase, &live.host, &json!({"product_id": to_add}))
        .await;
    check(
        "showcase add",
        &reply,
        app.feed_fingerprint().await == before,
    );
    let before = app.feed_fingerprint().await;
    let reply = app
        .post(&pin, &live.host, &json!({"product_id": warned_product}))
        .await;
    check("pin", &reply, app.feed_fingerprint().await == before);
    assert!(
        wrote.is_empty(),
        "a warned write stayed without its evidence:\n{}",
        wrote.join("\n")
    );
    assert_eq!(evidence_count(&app).await, evidence_before);

    // The fault gone, the same writes are taken, each with its warnings and evidence rows.
    mend_evidence_log(&app, &backend).await;
    let last = |op: &'static str| {
        let app = &app;
        async move {
            evidence(app, &format!("&operation={op}&outcome=warned"))
                .await
                .pop()
                .unwrap_or_else(|| panic!("no warned {op} row"))
        }
    };
    let made = app
        .post(
            "/api/v1/products",
            &app.admin,
            &product("ru", "Самый вкусный мёд Алтая"),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(warned_terms(&made), ["самый"]);
    let row = last("product.create").await;
    assert_eq!(row["subject_id"], made["id"]);
    assert_eq!(row["term"], "самый");
    assert_eq!(row["text"], "Самый вкусный мёд Алтая");

    let patched = app
        .patch(
            &plain_path,
            &app.admin,
            &json!({"title": "Самый густой мёд"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&patched), ["самый"]);
    assert_eq!(patched["title"], "Самый густой мёд");
    assert_eq!(last("product.update").await["subject_id"], plain);

    let translated = app
        .put(
            &translation,
            &app.admin,
            &json!({"title": "Ең дәмді бал", "description": "Алтай балы"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&translated), ["ең"]);
    let row = last("translation.put").await;
    assert_eq!(
        (row["subject_id"].clone(), row["locale"].clone()),
        (json!(plain), json!("kk"))
    );

    let session = app
        .post("/api/v1/sessions", &live.host, &new_session)
        .await
        .expect(201)
        .body;
    assert_eq!(warned_terms(&session), ["самые"]);
    let row = last("session.create").await;
    assert_eq!(row["subject_id"], session["id"]);
    assert_eq!(row["subject_kind"], "session");

    let added = app
        .post(&showcase, &live.host, &json!({"product_id": to_add}))
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&added), ["самый"]);
    assert_eq!(
        last("session.showcase").await["subject_id"],
        live.session_id
    );

    let pinned = app
        .post(&pin, &live.host, &json!({"product_id": warned_product}))
        .await
        .expect(200)
        .body;
    assert_eq!(warned_terms(&pinned), ["第一"]);
    assert_eq!(pinned["pinned_product_id"], warned_product);
    let row = last("session.pin").await;
    assert_eq!(row["subject_id"], live.session_id);
    assert_eq!(row["term"], "第一");
    assert_eq!(evidence_count(&app).await, evidence_before + 6);
}

/// Finding 4 over HTTP: a term hidden by a variation selector, in traditional forms, in
/// look-alike letters, spelt out with separators or with a Vietnamese mark left out is
/// refused; the refusal names the term as its list spells it and what was written where
/// (`found`, `at` in characters), and the evidence keeps the text as sent. Ordinary text in
/// the same languages is taken without warnings.
async fn lookalikes_are_blocked_and_say_where(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    for (locale, title, term, found, at) in [
        ("zh-CN", "新疆最\u{FE00}佳红枣", "最佳", "最\u{FE00}佳", 2),
        ("zh-CN", "國家級紅棗", "国家级", "國家級", 0),
        ("zh-CN", "新疆极\u{3164}品红枣", "极品", "极\u{3164}品", 2),
        ("en", "The b.e.s.t honey", "best", "b.e.s.t", 4),
        ("en", "The b\u{0435}st honey", "best", "b\u{0435}st", 4),
        ("ru", "Л-У-Ч-Ш-И-Й мёд", "лучший", "Л-У-Ч-Ш-И-Й", 0),
        ("id", "Madu terbaiknya", "terbaik", "terbaiknya", 5),
        ("vi", "Mật ong tốt nhat", "tốt nhất", "tốt nhat", 8),
    ] {
        let evidence_before = evidence_count(&app).await;
        let reply = app
            .post("/api/v1/products", &app.admin, &product(locale, title))
            .await;
        assert_eq!(
            blocked_terms(&reply),
            [(term.to_owned(), "title".to_owned(), locale.to_owned())],
            "{title}"
        );
        let hit = &reply.body["error"]["terms"][0];
        assert_eq!(hit["found"], found, "{}", reply.text);
        assert_eq!(hit["at"], at, "{}", reply.text);
        assert_eq!(evidence_count(&app).await, evidence_before + 1);
        let row = evidence(&app, "&outcome=blocked").await.pop().expect("row");
        assert_eq!(row["term"], term);
        assert_eq!(row["text"], title);
    }
    for (locale, title) in [
        ("zh-CN", "最近到貨的新疆紅棗，每人最多3件"),
        ("en", "Modern farm honey, best before 2027"),
        ("id", "Madu hutan asli, harganya murah"),
        ("vi", "Mật ong, vị nhạt, giao hàng sớm nhất"),
    ] {
        let made = app
            .post("/api/v1/products", &app.admin, &product(locale, title))
            .await
            .expect(201)
            .body;
        assert_eq!(warned_terms(&made), Vec::<String>::new(), "{title}");
    }
}
