//! The catalog store called directly on both backends: the same queries, the same answers.

use silkstream_catalog::model::{NewRate, NewWarehouse, ProductPatch, TranslationBody};
use silkstream_catalog::{CatalogStore, Error};
use silkstream_e2e::{backend_tests, sample_product, Backend, TestDb};

backend_tests!(
    creates_and_reads_products,
    unique_skus_conflict,
    stock_upserts_and_refuses_negatives,
    translation_digest_follows_source,
    rate_table_converts_with_todays_rates,
);

async fn store(backend: &Backend) -> (CatalogStore, TestDb) {
    let db = TestDb::new(backend).await;
    let conn = silkstream_server::connect(&db.settings())
        .await
        .expect("connect");
    let l10n = silkstream_server::embedded_l10n().expect("locale files load");
    (CatalogStore::new(conn, l10n), db)
}

fn new_product() -> silkstream_catalog::model::NewProduct {
    serde_json::from_value(sample_product()).expect("sample product parses")
}

/// A created product reads back equal, with ids assigned to it and its variants.
async fn creates_and_reads_products(backend: Backend) {
    let (store, _db) = store(&backend).await;
    assert!(store.is_empty().await.expect("empty"));
    let created = store.create_product(new_product()).await.expect("create");
    let read = store.get_product(created.id, None).await.expect("read");
    assert_eq!(read.title, created.title);
    assert_eq!(read.variants.len(), 2);
    assert_eq!(read.variants[0].prices.len(), 2);
    assert!(!store.is_empty().await.expect("not empty"));
    assert!(matches!(
        store.get_product(created.id + 1000, None).await,
        Err(Error::NotFound(_))
    ));
}

/// A second variant with an existing SKU is a conflict and writes nothing.
async fn unique_skus_conflict(backend: Backend) {
    let (store, _db) = store(&backend).await;
    store.create_product(new_product()).await.expect("create");
    let err = store
        .create_product(new_product())
        .await
        .expect_err("same SKUs");
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    let page = store
        .list_products(&Default::default(), None)
        .await
        .expect("list");
    assert_eq!(
        page.total, 1,
        "the failed create rolled back its product row"
    );
}

/// Setting stock twice replaces the level; a negative level is refused.
async fn stock_upserts_and_refuses_negatives(backend: Backend) {
    let (store, _db) = store(&backend).await;
    store
        .create_warehouse(NewWarehouse {
            code: "PXG-1".into(),
            name: "Pingxiang".into(),
            country: "CN".into(),
            kind: silkstream_catalog::codes::WarehouseKind::Border,
        })
        .await
        .expect("warehouse");
    let p = store.create_product(new_product()).await.expect("create");
    let vid = p.variants[0].id;
    store.set_stock(vid, "PXG-1", 10).await.expect("set");
    let v = store.set_stock(vid, "PXG-1", 7).await.expect("replace");
    assert_eq!(v.stock[0].available, 7);
    assert!(matches!(
        store.set_stock(vid, "PXG-1", -1).await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        store.set_stock(vid, "NOPE", 1).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        store.get_variant(vid, None).await.expect("read").stock[0].available,
        7
    );
}

/// A translation's stored digest matches the source until the source text changes.
async fn translation_digest_follows_source(backend: Backend) {
    let (store, _db) = store(&backend).await;
    let p = store.create_product(new_product()).await.expect("create");
    let t = store
        .put_translation(
            p.id,
            "en",
            TranslationBody {
                title: "Frozen beef".into(),
                description: "Beef.".into(),
                attributes: Default::default(),
                image_alts: Default::default(),
            },
        )
        .await
        .expect("translate");
    assert!(!t.outdated);
    store
        .update_product(
            p.id,
            ProductPatch {
                description: Some("Новое описание".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert!(
        store
            .get_translation(p.id, "en")
            .await
            .expect("read")
            .outdated
    );
}

/// The rate table in force today converts through CNY.
async fn rate_table_converts_with_todays_rates(backend: Backend) {
    let (store, _db) = store(&backend).await;
    store
        .put_rate(NewRate {
            currency: "USD".into(),
            rate: "7.10".into(),
            valid_from: Some("2026-01-01".into()),
        })
        .await
        .expect("rate");
    let table = store
        .rate_table(silkstream_catalog::store::today())
        .await
        .expect("table");
    let usd = silkstream_catalog::codes::CurrencyCode::parse("c", "USD").expect("USD");
    let cny = silkstream_catalog::codes::CurrencyCode::parse("c", "CNY").expect("CNY");
    // 71.00 CNY = 10.00 USD.
    assert_eq!(table.convert(7100, cny, usd), Some(1000));
    assert_eq!(table.convert(1000, usd, cny), Some(7100));
}
