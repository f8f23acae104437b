//! The demo catalog: goods the border trade hubs really move, priced in the 15 market
//! currencies, with a rate table, warehouses in Pingxiang, Khorgos and Erenhot plus Almaty, and
//! the 14 markets. Loaded through the same checked store calls as the API, into an empty catalog
//! only; its tokens (one per role, the buyer's with a buyer profile) are made with it, once.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkstream_catalog::auth::Role;
use silkstream_catalog::model::{
    Attributes, MarketBody, NewProduct, NewRate, NewVariant, NewWarehouse, TranslationBody,
};
use silkstream_catalog::{CatalogStore, Db};
use silkstream_feed::model::NewBuyer;

use crate::tokens::{NewToken, TokenStore};

const DEMO_JSON: &str = include_str!("../demo/catalog.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCatalog {
    rates: Vec<NewRate>,
    warehouses: Vec<NewWarehouse>,
    markets: Vec<DemoMarket>,
    products: Vec<DemoProduct>,
    /// The merchants' credentials (docs/cross-border.md): every merchant the tours sell from
    /// holds what the gate asks, but for one, whose cosmetics lack a registration.
    #[serde(default)]
    credentials: Vec<DemoCredential>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCredential {
    merchant: String,
    kind: String,
    number: String,
    issuer: String,
    valid_from: String,
    valid_until: String,
    markets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoMarket {
    country: String,
    name: String,
    currencies: Vec<String>,
    locales: Vec<String>,
    warehouses: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoProduct {
    merchant: String,
    category: String,
    hs_code: String,
    origin_country: String,
    weight_g: i64,
    customs_mode: Option<silkstream_catalog::codes::CustomsMode>,
    source_locale: String,
    title: String,
    description: String,
    attributes: Attributes,
    translations: BTreeMap<String, TranslationBody>,
    variants: Vec<DemoVariant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoVariant {
    sku: String,
    options: BTreeMap<String, String>,
    barcode: Option<String>,
    prices: BTreeMap<String, i64>,
    stock: BTreeMap<String, i64>,
}

/// What loading the demo did.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub loaded: bool,
    pub products: usize,
    pub variants: usize,
    pub markets: usize,
    pub warehouses: usize,
    pub rates: usize,
}

/// Loads the demo catalog when the catalog is empty; does nothing otherwise.
pub async fn load(db: &Db) -> anyhow::Result<DemoReport> {
    let store = CatalogStore::new(db.clone(), crate::embedded_l10n()?);
    if !store.is_empty().await? {
        return Ok(DemoReport::default());
    }
    let demo: DemoCatalog = serde_json::from_str(DEMO_JSON)?;
    let mut report = DemoReport {
        loaded: true,
        ..DemoReport::default()
    };
    for rate in demo.rates {
        store.put_rate(rate).await?;
        report.rates += 1;
    }
    for w in demo.warehouses {
        store.create_warehouse(w).await?;
        report.warehouses += 1;
    }
    for m in demo.markets {
        store
            .put_market(
                &m.country,
                MarketBody {
                    name: m.name,
                    currencies: m.currencies,
                    locales: m.locales,
                    warehouses: m.warehouses,
                },
            )
            .await?;
        report.markets += 1;
    }
    for p in demo.products {
        let stock: Vec<(String, BTreeMap<String, i64>)> = p
            .variants
            .iter()
            .map(|v| (v.sku.clone(), v.stock.clone()))
            .collect();
        let product = store
            .create_product(NewProduct {
                merchant: p.merchant,
                insurer_url: None,
                category: p.category,
                hs_code: p.hs_code,
                origin_country: p.origin_country,
                weight_g: p.weight_g,
                customs_mode: p.customs_mode,
                source_locale: p.source_locale,
                title: p.title,
                description: p.description,
                attributes: p.attributes,
                variants: p
                    .variants
                    .into_iter()
                    .map(|v| NewVariant {
                        sku: v.sku,
                        options: v.options,
                        barcode: v.barcode,
                        prices: v.prices,
                    })
                    .collect(),
            })
            .await?;
        for (locale, t) in p.translations {
            store.put_translation(product.id, &locale, t).await?;
        }
        for (sku, levels) in stock {
            let variant = product
                .variants
                .iter()
                .find(|v| v.sku == sku)
                .ok_or_else(|| anyhow::anyhow!("demo variant {sku} was not created"))?;
            for (warehouse, available) in levels {
                store.set_stock(variant.id, &warehouse, available).await?;
            }
            report.variants += 1;
        }
        report.products += 1;
    }
    let merchants = store.list_merchants().await?;
    for c in demo.credentials {
        let merchant = merchants
            .iter()
            .find(|m| m.name == c.merchant)
            .ok_or_else(|| anyhow::anyhow!("demo credential of unknown merchant {}", c.merchant))?;
        store
            .add_credential(
                merchant.id,
                silkstream_catalog::merchants::NewCredential {
                    kind: c.kind,
                    number: c.number,
                    issuer: c.issuer,
                    valid_from: c.valid_from,
                    valid_until: c.valid_until,
                    markets: c.markets,
                },
            )
            .await?;
    }
    Ok(report)
}

/// The demo buyer: a viewer in Almaty who reads Russian, so that the README's live sale (a
/// session for Kazakhstan in Russian) takes their orders.
pub fn buyer_profile() -> NewBuyer {
    NewBuyer {
        display_name: "Aizhan".into(),
        country: "KZ".into(),
        city: "Almaty".into(),
        locale: "ru".into(),
    }
}

/// One token per role, valid 30 days, for trying the demo; the buyer's has the
/// [`buyer_profile`], so it can order.
pub async fn tokens(db: &Db) -> anyhow::Result<Vec<NewToken>> {
    let store = TokenStore::new(db.clone());
    let mut out = Vec::new();
    for role in Role::ALL {
        let name = format!("demo {role}");
        let token = if role == Role::Buyer {
            crate::tokens::create_buyer(db, &name, Some(30), &buyer_profile(), "demo")
                .await?
                .0
        } else {
            store.create(&name, role, Some(30)).await?
        };
        if role == Role::Host {
            // The demo host is an adult whose real name an operator verified, so the tours can
            // go live (docs/cross-border.md).
            silkstream_feed::store::gate::put_verified_profile(
                db,
                token.info.id,
                "Aruzhan Demo",
                "1994-03-08",
                "demo",
            )
            .await?;
        }
        out.push(token);
    }
    Ok(out)
}
