//! The demo catalog: goods the border trade hubs really move, priced in the 15 market
//! currencies, with a rate table, warehouses in Pingxiang, Khorgos and Erenhot plus Almaty, and
//! the 14 markets. Loaded through the same checked store calls as the API, into an empty catalog
//! only; its tokens (one per role, the buyer's with a buyer profile) are made with it, once.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkstream_catalog::auth::Role;
use silkstream_catalog::images::{ImageStore, DEFAULT_CACHE_BYTES, DEFAULT_MAX_BYTES, MAX_ALT};
use silkstream_catalog::model::{
    Attributes, MarketBody, NewProduct, NewRate, NewVariant, NewWarehouse, TranslationBody,
};
use silkstream_catalog::{CatalogStore, Db};
use silkstream_feed::domain::model::NewBuyer;

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
    /// Merchants' customs registrations (docs/customs.md): fictional codes of the right shape.
    #[serde(default)]
    customs: Vec<DemoCustoms>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCustoms {
    merchant: String,
    customs_code: String,
    customs_name: String,
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
    /// Pictures drawn and uploaded (one per variant).
    pub pictures: usize,
    /// Mutual-trade lots recorded.
    pub lots: usize,
}

/// Loads the demo catalog when the catalog is empty; does nothing otherwise.
/// Pictures go where a server on `db` keeps them when no folder is set ([`default_pictures`]);
/// [`load_with_pictures`] takes the server's own store.
pub async fn load(db: &Db) -> anyhow::Result<DemoReport> {
    load_with_pictures(db, default_pictures(db)?).await
}

/// The pictures' store of a server on `db` with the default settings.
fn default_pictures(db: &Db) -> anyhow::Result<ImageStore> {
    ImageStore::for_db(db, None, DEFAULT_CACHE_BYTES, DEFAULT_MAX_BYTES)
        .map_err(|e| anyhow::anyhow!("cannot open the pictures' folder: {e}"))
}

/// [`load`], the pictures kept in `images`.
pub async fn load_with_pictures(db: &Db, images: ImageStore) -> anyhow::Result<DemoReport> {
    let store = CatalogStore::new(db.clone(), crate::embedded_l10n()?).with_images(images);
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
        // A picture of the product, then one of each further variant; each one's alt text is
        // the title, in the source locale and in each translation's.
        let mut pictures = Vec::new();
        for (i, variant) in product.variants.iter().enumerate() {
            let bytes = crate::demo_pictures::draw(&variant.sku);
            let picture = store.images().process(bytes).await?;
            let alt: String = product.title.chars().take(MAX_ALT).collect();
            let shows = (i > 0).then_some(variant.id);
            let image = store
                .add_image(product.id, shows, &alt, &picture, None)
                .await?;
            pictures.push(image.id);
            report.pictures += 1;
        }
        for (locale, mut t) in p.translations {
            let alt: String = t.title.chars().take(MAX_ALT).collect();
            t.image_alts = pictures
                .iter()
                .map(|id| (id.to_string(), alt.clone()))
                .collect();
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
    for c in demo.customs {
        let merchant = merchants
            .iter()
            .find(|m| m.name == c.merchant)
            .ok_or_else(|| {
                anyhow::anyhow!("demo customs code of unknown merchant {}", c.merchant)
            })?;
        store
            .update_merchant(
                merchant.id,
                silkstream_catalog::merchants::MerchantPatch {
                    customs_code: Some(c.customs_code),
                    customs_name: Some(c.customs_name),
                    ..Default::default()
                },
            )
            .await?;
    }
    // The mutual-trade ledger (docs/customs.md): a few lots of today (China's date), the first
    // the raw cashmere the Mongolian scarf is made from.
    let scarf = store
        .list_merchants()
        .await?
        .into_iter()
        .find(|m| m.name == "Ulaanbaatar Cashmere House LLC")
        .map(|m| m.id);
    let scarf_product = match scarf {
        Some(merchant_id) => store.first_product_of_merchant(merchant_id).await?,
        None => None,
    };
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(8))
        .date()
        .to_string();
    // The residents' ID numbers are hashed with the database's identity key: a deployment that
    // sets `identity_secret` after loading the demo would not recognise them again.
    let feed = silkstream_feed::store::FeedStore::new(
        db.clone(),
        store.clone(),
        std::time::Duration::from_secs(900),
    );
    report.lots =
        silkstream_feed::edge::mutual_trade::load_demo(&feed, &today, scarf_product).await?;
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

/// A page the binary serves, as `serve --demo` points to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPage {
    /// What a person does there.
    pub what: &'static str,
    /// The page's URL on the listen address; the buyer's page names a session by
    /// `<session-id>`, which the studio console shows for each session.
    pub url: String,
    /// How to get in.
    pub how: &'static str,
}

/// The three pages and the API's own page, on `base` (`http://` and the real listen address).
pub fn pages(base: &str) -> Vec<DemoPage> {
    vec![
        DemoPage {
            what: "studio console",
            url: format!("{base}/console/host"),
            how: "sign in with the host token; create, start and sell a session",
        },
        DemoPage {
            what: "buyer's live page",
            url: format!("{base}/live/<session-id>"),
            how: "join as a guest, no token needed; the console links each session's page",
        },
        DemoPage {
            what: "operations",
            url: format!("{base}/console/ops"),
            how: "sign in with the operator token; every live room",
        },
        DemoPage {
            what: "API reference",
            url: format!("{base}/docs"),
            how: "every operation of /openapi.json",
        },
    ]
}

/// Loads the demo catalog into an empty catalog, makes its tokens, and returns what
/// `serve --demo` prints: the tokens (shown only then), a few requests to try and the pages to
/// open, all on `base`. On a catalog that is not empty nothing is made, and the text says where
/// the tokens are. Scripts parse these lines (`scripts/fuzz-openapi.sh`, the browser test): the
/// token lines are `  <role> ss_…` and each page line ends with its URL.
pub async fn announce(db: &Db, base: &str) -> anyhow::Result<String> {
    Ok(announce_loaded(db, base, default_pictures(db)?).await?.0)
}

/// [`announce`], and whether the demo was loaded (the catalog was empty: a fresh demo
/// database, where `serve --demo` switches the payment sandbox on).
pub async fn announce_loaded(
    db: &Db,
    base: &str,
    images: ImageStore,
) -> anyhow::Result<(String, bool)> {
    use std::fmt::Write;
    let mut out = String::new();
    let report = load_with_pictures(db, images).await?;
    if !report.loaded {
        writeln!(
            out,
            "the catalog is not empty: demo data not loaded, no new demo tokens made"
        )?;
        writeln!(
            out,
            "  the demo tokens were printed when the demo was loaded; `silkstream token list` \
             lists them, `silkstream token create --role admin --name NAME` makes a new one"
        )?;
        write_pages(&mut out, base)?;
        return Ok((out, false));
    }
    writeln!(
        out,
        "demo catalog loaded: {} products, {} variants, {} pictures, {} markets, {} warehouses, {} rates",
        report.products, report.variants, report.pictures, report.markets, report.warehouses, report.rates
    )?;
    writeln!(out, "demo tokens (valid 30 days; shown only now):")?;
    let tokens = tokens(db).await?;
    for t in &tokens {
        writeln!(out, "  {:<9} {}", t.info.role.as_str(), t.token)?;
    }
    let buyer = buyer_profile();
    writeln!(
        out,
        "the demo buyer is {} from {}, {}, reading {}: it can order in the README's live sale",
        buyer.display_name, buyer.city, buyer.country, buyer.locale
    )?;
    let admin = tokens
        .iter()
        .find(|t| t.info.role == Role::Admin)
        .map(|t| t.token.clone())
        .unwrap_or_default();
    writeln!(out, "try:")?;
    writeln!(
        out,
        "  curl -s {base}/api/v1/products -H 'Authorization: Bearer {admin}'"
    )?;
    writeln!(
        out,
        "  curl -s '{base}/api/v1/products/1?currency=KZT' -H 'Authorization: Bearer {admin}'"
    )?;
    writeln!(out, "  curl -s '{base}/api/v1/products?market=VN&currency=VND' -H 'Authorization: Bearer {admin}'")?;
    writeln!(
        out,
        "  curl -s {base}/api/v1/markets -H 'Authorization: Bearer {admin}'"
    )?;
    writeln!(out, "  curl -s {base}/openapi.json")?;
    write_pages(&mut out, base)?;
    Ok((out, true))
}

/// The pages' lines: `  <what>  <url>  (<how>)`, one a page, after a heading.
fn write_pages(out: &mut String, base: &str) -> std::fmt::Result {
    use std::fmt::Write;
    writeln!(out, "open in a browser:")?;
    for page in pages(base) {
        writeln!(out, "  {:<18} {}  ({})", page.what, page.url, page.how)?;
    }
    Ok(())
}
