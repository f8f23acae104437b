//! The catalog store: every read and write of the catalog's tables, on SQLite and PostgreSQL
//! through the same `$1` query text. Inputs arrive checked (see `validate`); the store
//! enforces what only the database can know (ids exist, codes are unique). Every write runs on
//! the one write path (`CatalogStore::write`, `crate::write`): it records what it changed
//! (a product, or everything), and its commit raises `catalog_version`, drops that from this
//! instance's caches and tells the commit hook. Errors are the catalog's [`Error`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use silkstream_l10n::L10n;
use tracing::instrument;

use crate::cache::{Changed, ProductCache, Rendered};
use crate::codes::{CurrencyCode, CustomsMode, WarehouseKind};
use crate::db::{now_ms, placeholders, rfc3339, Db};
use crate::error::{Error, Result};
use crate::localize::{self, SourceText, TranslationText, View};
use crate::model::*;
use crate::validate::{self, CheckedProduct, CheckedVariant};

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Runs a dynamically built query with its arguments and reads every row.
pub(crate) async fn fetch_all_args<T>(
    pool: &sqlx::AnyPool,
    sql: &str,
    args: &[Arg],
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut q = sqlx::query_as::<_, T>(sql);
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q.fetch_all(pool).await
}

/// Inserts a checked variant and its prices in the transaction; returns the variant's id (a
/// taken SKU is a 409 naming the field).
async fn insert_variant(
    tx: &mut crate::db::Conn,
    product_id: i64,
    v: &CheckedVariant,
    now: i64,
) -> Result<i64> {
    let options = serde_json::to_string(&v.options).map_err(Error::internal)?;
    let (vid,): (i64,) = sqlx::query_as(
        "INSERT INTO variants (product_id, sku, options, barcode, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(product_id)
    .bind(&v.sku)
    .bind(&options)
    .bind(&v.barcode)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| variant_violation(e, &v.sku, product_id))?;
    for (currency, amount) in &v.prices {
        sqlx::query(
            "INSERT INTO prices (variant_id, currency, amount_minor, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(vid)
        .bind(currency.code())
        .bind(*amount)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(vid)
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProductRow {
    id: i64,
    merchant: String,
    merchant_id: i64,
    insurer_url: Option<String>,
    category: String,
    hs_code: String,
    origin_country: String,
    weight_g: i64,
    customs_mode: Option<String>,
    pub(crate) source_locale: String,
    title: String,
    description: String,
    attributes: String,
    source_digest: String,
    archived_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

const PRODUCT_COLUMNS: &str =
    "id, merchant, merchant_id, insurer_url, category, hs_code, origin_country, weight_g, \
     customs_mode, source_locale, title, description, attributes, source_digest, archived_at, \
     created_at, updated_at";

impl ProductRow {
    fn checked(&self) -> CheckedProduct {
        CheckedProduct {
            merchant: self.merchant.clone(),
            category: self.category.clone(),
            hs_code: self.hs_code.clone(),
            origin_country: self.origin_country.clone(),
            weight_g: self.weight_g,
            customs_mode: self
                .customs_mode
                .as_deref()
                .and_then(CustomsMode::parse_stored),
            source_locale: silkstream_l10n::normalize_locale(&self.source_locale).unwrap_or("en"),
            title: self.title.clone(),
            description: self.description.clone(),
            attributes: serde_json::from_str(&self.attributes).unwrap_or_default(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    id: i64,
    product_id: i64,
    sku: String,
    options: String,
    barcode: Option<String>,
    archived_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct PriceRow {
    variant_id: i64,
    currency: String,
    amount_minor: i64,
}

#[derive(sqlx::FromRow)]
struct StockRow {
    variant_id: i64,
    code: String,
    available: i64,
}

#[derive(sqlx::FromRow)]
struct TranslationRow {
    product_id: i64,
    locale: String,
    title: String,
    description: String,
    attributes: String,
    source_digest: String,
    updated_at: i64,
    image_alts: String,
}

#[derive(sqlx::FromRow)]
struct WarehouseRow {
    id: i64,
    code: String,
    name: String,
    country: String,
    kind: String,
}

impl From<WarehouseRow> for Warehouse {
    fn from(r: WarehouseRow) -> Self {
        Warehouse {
            id: r.id,
            code: r.code,
            name: r.name,
            country: r.country,
            kind: WarehouseKind::parse_stored(&r.kind),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MarketRow {
    country: String,
    name: String,
    currencies: String,
    locales: String,
}

#[derive(sqlx::FromRow)]
struct RateRow {
    currency: String,
    rate: String,
    valid_from: String,
}

/// Rates in force on one day: CNY per one major unit of each currency.
#[derive(Debug, Clone, Default)]
pub struct RateTable {
    rates: HashMap<String, (Decimal, String)>,
}

impl RateTable {
    /// CNY per one major unit; CNY itself is 1.
    pub fn cny_per_unit(&self, currency: &str) -> Option<Decimal> {
        if currency == "CNY" {
            return Some(Decimal::ONE);
        }
        self.rates.get(currency).map(|(r, _)| *r)
    }

    /// The sum of amounts (minor units per currency) in CNY, as a decimal string with two
    /// places, and the currencies left out for want of a rate (or of an ISO 4217 code).
    pub fn total_in_cny<'a>(
        &self,
        amounts: impl IntoIterator<Item = (&'a str, i64)>,
    ) -> (String, Vec<String>) {
        let mut total = Decimal::ZERO;
        let mut missing = Vec::new();
        for (currency, amount_minor) in amounts {
            let code = CurrencyCode::parse("currency", currency).ok();
            match (code, self.cny_per_unit(currency)) {
                (Some(code), Some(rate)) => {
                    total += Decimal::from(amount_minor)
                        / Decimal::from(10_i64.pow(code.exponent()))
                        * rate;
                }
                _ => missing.push(currency.to_owned()),
            }
        }
        (cny_text(i128::from(money_fen(total))), missing)
    }

    /// The rate of `currency` as the rate table holds it (its exact decimal text), and the
    /// value of `amount_minor` at that rate in CNY fen, rounded by [`money_fen`]'s rule.
    /// `Ok(None)` when no rate is in force (or the code is not ISO 4217); `Err(())` when the
    /// value does not fit in 64 bits.
    #[allow(clippy::result_unit_err)]
    pub fn value_in_cny(
        &self,
        currency: &str,
        amount_minor: i64,
    ) -> std::result::Result<Option<(String, i64)>, ()> {
        let (Ok(code), Some(rate)) = (
            CurrencyCode::parse("currency", currency),
            self.cny_per_unit(currency),
        ) else {
            return Ok(None);
        };
        let major = Decimal::new(amount_minor, code.exponent());
        let cny = major.checked_mul(rate).ok_or(())?;
        let fen = cny
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or(())?
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .ok_or(())?;
        Ok(Some((rate.normalize().to_string(), fen)))
    }

    /// Converts an amount in minor units from one currency to another through CNY. Rounds half
    /// away from zero to the minor unit, or to whole units where the target is shown without
    /// decimals. `None` when a rate is missing or the result would be zero or absurd.
    pub fn convert(&self, amount_minor: i64, from: CurrencyCode, to: CurrencyCode) -> Option<i64> {
        let from_rate = self.cny_per_unit(from.code())?;
        let to_rate = self.cny_per_unit(to.code())?;
        let major = Decimal::from(amount_minor) / Decimal::from(10_i64.pow(from.exponent()));
        let target_major = major.checked_mul(from_rate)?.checked_div(to_rate)?;
        let shown_digits = to.shown_digits();
        let rounded = target_major
            .round_dp_with_strategy(shown_digits, RoundingStrategy::MidpointAwayFromZero);
        let minor = rounded.checked_mul(Decimal::from(10_i64.pow(to.exponent())))?;
        let minor = minor.to_i64()?;
        (minor > 0 && minor <= crate::codes::MAX_AMOUNT_MINOR).then_some(minor)
    }
}

/// The one rounding rule for money: half away from zero, here to whole fen (1.065 CNY →
/// 107 fen; -1.065 → -107).
pub fn money_fen(cny: Decimal) -> i64 {
    (cny * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// CNY fen as a decimal string in yuan, always with two digits (`0` → `"0.00"`).
pub fn cny_text(fen: i128) -> String {
    Decimal::try_from_i128_with_scale(fen, 2)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| {
            let sign = if fen < 0 { "-" } else { "" };
            let abs = fen.unsigned_abs();
            format!("{sign}{}.{:02}", abs / 100, abs % 100)
        })
}

/// The rate table in force on `day`, read inside a transaction (the order paths read the rate
/// with the order, in the order's own transaction).
pub async fn rate_table_in(tx: &mut crate::db::Conn, day: time::Date) -> Result<RateTable> {
    let day = validate::format_date(day);
    let rows: Vec<RateRow> = sqlx::query_as(
        "SELECT r.currency, r.rate, r.valid_from FROM rates r \
         WHERE r.valid_from = (SELECT MAX(valid_from) FROM rates x \
         WHERE x.currency = r.currency AND x.valid_from <= $1) \
         ORDER BY r.currency",
    )
    .bind(&day)
    .fetch_all(&mut *tx)
    .await?;
    let mut table = RateTable::default();
    for r in rows {
        if let Ok(d) = validate::rate("rate", &r.rate) {
            table.rates.insert(r.currency, (d, r.valid_from));
        }
    }
    Ok(table)
}

/// The UTC date of a time in ms since the epoch (the day whose rate an order is valued at).
pub fn utc_date(ms: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.date())
        .unwrap_or_else(|_| today())
}

/// Store of the catalog's aggregates.
#[derive(Clone, Debug)]
pub struct CatalogStore {
    pub(crate) db: Db,
    /// Renders the localized view of products (attribute lines, formatted prices).
    l10n: Arc<L10n>,
    /// The landed-cost rules and rates quotes read, kept in memory (`landed_store`).
    pub(crate) landed: Arc<crate::landed_store::LandedCache>,
    /// Rendered localized products of this instance (`cache`).
    cache: Arc<ProductCache>,
    /// Buyers' countries by token id (`landed_store::buyer_country`): a buyer profile never
    /// changes once written, and goes with its token.
    pub(crate) buyer_countries: Arc<crate::landed_store::BuyerCountries>,
    /// The buyers' earlier orders and countries, from the store that owns them (the feed's),
    /// set once at start (`landed_store::BuyerHistory`).
    pub(crate) buyer_history: Arc<std::sync::OnceLock<Arc<dyn crate::landed_store::BuyerHistory>>>,
    /// The commit hook: every committed catalog write's version (`write`), for the instances
    /// that did not make it.
    pub(crate) commits: Arc<crate::write::Commits>,
    /// The pictures' files and their cache (`images`).
    pub(crate) images: Arc<crate::images::ImageStore>,
}

impl CatalogStore {
    pub fn new(db: Db, l10n: Arc<L10n>) -> Self {
        Self {
            db,
            l10n,
            landed: Arc::default(),
            cache: Arc::default(),
            buyer_countries: Arc::default(),
            buyer_history: Arc::default(),
            commits: Arc::default(),
            images: Arc::default(),
        }
    }

    /// The same store with its pictures kept in `images` (the server's choice of folder or
    /// database, limits and cache); before the store is cloned.
    pub fn with_images(mut self, images: crate::images::ImageStore) -> Self {
        self.images = Arc::new(images);
        self
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The read cache of rendered products: the feed's tailer tells it what stock moved.
    pub fn cache(&self) -> &ProductCache {
        &self.cache
    }

    /// The catalog's version (`cache::run_version_watch` reads it on its clock).
    pub async fn catalog_version(&self) -> Result<i64> {
        let (v,): (i64,) = sqlx::query_as("SELECT version FROM catalog_version WHERE id = 1")
            .fetch_one(self.db.reader())
            .await?;
        Ok(v)
    }

    /// A product rendered for `view`, from the cache when it holds it (docs/feed.md, "The
    /// catalog's read cache"): the same answer as [`CatalogStore::get_product`] with the view.
    #[instrument(skip_all, fields(id))]
    pub async fn get_product_rendered(&self, id: i64, view: &View) -> Result<Arc<Rendered>> {
        if let Some(hit) = self.cache.get(id, view) {
            return Ok(hit);
        }
        let ticket = self.cache.ticket();
        let day = today();
        let product = self.get_product(id, Some(view)).await?;
        self.cache
            .put(ticket, view, product, day)
            .map_err(Error::internal)
    }

    // ---- products -------------------------------------------------------------------------

    #[instrument(skip_all)]
    pub async fn create_product(&self, product: NewProduct) -> Result<Product> {
        self.create_product_screened(product, None).await
    }

    /// Creates a product; `claims`' warned hits go into the evidence log in the same
    /// transaction (see `claims::Pending`).
    #[instrument(skip_all)]
    pub async fn create_product_screened(
        &self,
        product: NewProduct,
        claims: Option<&crate::claims::Pending<'_>>,
    ) -> Result<Product> {
        let (p, variants) = validate::product(&product)?;
        let now = now_ms();
        let digest = p.source_digest();
        let attributes = serde_json::to_string(&p.attributes).map_err(Error::internal)?;
        let search = p.title.to_lowercase();
        let insurer_url =
            crate::merchants::insurer_url(&p.category, product.insurer_url.as_deref())?;
        let id: i64 = {
            let mut w = self.write().await?;
            crate::categories::check_usable_in(w.tx(), &p.category).await?;
            let merchant_id =
                crate::merchants::ensure_merchant(w.tx(), &p.merchant, &p.origin_country, now)
                    .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO products (merchant, category, hs_code, origin_country, weight_g, \
                 customs_mode, source_locale, title, description, attributes, search_text, \
                 source_digest, created_at, updated_at, merchant_id, insurer_url) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15) \
                 RETURNING id",
            )
            .bind(&p.merchant)
            .bind(&p.category)
            .bind(&p.hs_code)
            .bind(&p.origin_country)
            .bind(p.weight_g)
            .bind(p.customs_mode.map(|m| m.as_str()))
            .bind(p.source_locale)
            .bind(&p.title)
            .bind(&p.description)
            .bind(&attributes)
            .bind(&search)
            .bind(&digest)
            .bind(now)
            .bind(merchant_id)
            .bind(&insurer_url)
            .fetch_one(w.tx())
            .await?;
            for v in &variants {
                insert_variant(w.tx(), id, v, now).await?;
            }
            crate::claims::write_pending(claims, w.tx(), id).await?;
            w.changed(Changed::Product(id));
            w.commit().await?;
            id
        };
        self.get_product(id, None).await
    }

    pub(crate) async fn product_row(&self, id: i64) -> Result<ProductRow> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1");
        let row: Option<ProductRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.db.reader())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("product {id}")))
    }

    /// The product's row read in a write's transaction and locked there (PostgreSQL `FOR
    /// UPDATE`; SQLite's one writer is alone): a write that rewrites the row, or its search
    /// text, from what it read must read it here, or two writes of one product lose each
    /// other's change (both read, each writes back the field the other changed as it was).
    async fn product_row_locked(tx: &mut crate::db::Conn, id: i64) -> Result<ProductRow> {
        let lock = crate::db::for_update(tx);
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1{lock}");
        let row: Option<ProductRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        row.ok_or_else(|| Error::not_found(format!("product {id}")))
    }

    /// A product with its variants, prices, stock and translation status; with a view, its
    /// localized text and each variant's price in the view's currency (set, else converted,
    /// else null with the reason).
    #[instrument(skip_all, fields(id))]
    pub async fn get_product(&self, id: i64, view: Option<&View>) -> Result<Product> {
        let row = self.product_row(id).await?;
        let mut products = self.assemble(vec![row], view).await?;
        products
            .pop()
            .ok_or_else(|| Error::not_found(format!("product {id}")))
    }

    #[instrument(skip_all)]
    pub async fn list_products(
        &self,
        q: &ProductQuery,
        view: Option<&View>,
    ) -> Result<Page<Product>> {
        let (page, per_page) = validate::page(q.page, q.per_page, 20, 100)?;
        let mut conditions: Vec<String> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        if !q.archived.unwrap_or(false) {
            conditions.push("p.archived_at IS NULL".into());
        }
        if let Some(category) = &q.category {
            let category = crate::codes::slug("category", category, validate::MAX_CATEGORY)?;
            args.push(Arg::Text(category.clone()));
            args.push(Arg::Text(format!("{}.%", like_escape(&category))));
            conditions.push(format!(
                "(p.category = ${} OR p.category LIKE ${} ESCAPE '\\')",
                args.len() - 1,
                args.len()
            ));
        }
        if let Some(text) = &q.q {
            let text = crate::codes::text("q", text, validate::MAX_TITLE)?;
            args.push(Arg::Text(format!(
                "%{}%",
                like_escape(&text.to_lowercase())
            )));
            // The title in any of its languages, or a variant's SKU (the studio's product picker).
            conditions.push(format!(
                "(p.search_text LIKE ${n} ESCAPE '\\' OR EXISTS (SELECT 1 FROM variants v \
                 WHERE v.product_id = p.id AND LOWER(v.sku) LIKE ${n} ESCAPE '\\'))",
                n = args.len()
            ));
        }
        if let Some(market) = &q.market {
            let market = crate::codes::CountryCode::parse("market", market)?;
            args.push(Arg::Text(market.as_str().to_owned()));
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM variants v JOIN stock s ON s.variant_id = v.id \
                 JOIN market_warehouses mw ON mw.warehouse_id = s.warehouse_id \
                 WHERE v.product_id = p.id AND v.archived_at IS NULL AND s.available > 0 \
                 AND mw.country = ${})",
                args.len()
            ));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM products p {filter}");
        #[derive(sqlx::FromRow)]
        struct Count {
            n: i64,
        }
        let total = fetch_all_args::<Count>(self.db.reader(), &count_sql, &args)
            .await?
            .first()
            .map_or(0, |c| c.n);
        let mut page_args = args.clone();
        page_args.push(Arg::Int(per_page));
        page_args.push(Arg::Int((page - 1) * per_page));
        let sql = format!(
            "SELECT {cols} FROM products p {filter} ORDER BY p.id LIMIT ${} OFFSET ${}",
            page_args.len() - 1,
            page_args.len(),
            cols = PRODUCT_COLUMNS
                .split(", ")
                .map(|c| format!("p.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let rows = fetch_all_args::<ProductRow>(self.db.reader(), &sql, &page_args).await?;
        let items = self.assemble(rows, view).await?;
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }

    /// Loads the variants, prices, stock and translations of `rows` in four queries.
    async fn assemble(&self, rows: Vec<ProductRow>, view: Option<&View>) -> Result<Vec<Product>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let product_ids: Vec<Arg> = rows.iter().map(|r| Arg::Int(r.id)).collect();
        let sql = format!(
            "SELECT id, product_id, sku, options, barcode, archived_at FROM variants \
             WHERE product_id IN ({}) ORDER BY id",
            placeholders(1, product_ids.len())
        );
        let variant_rows =
            fetch_all_args::<VariantRow>(self.db.reader(), &sql, &product_ids).await?;
        let sql = format!(
            "SELECT product_id, locale, title, description, attributes, source_digest, updated_at, \
             image_alts FROM translations WHERE product_id IN ({}) ORDER BY locale",
            placeholders(1, product_ids.len())
        );
        let translation_rows =
            fetch_all_args::<TranslationRow>(self.db.reader(), &sql, &product_ids).await?;

        // The pictures, their alt texts per locale from the translations just read.
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let alts: Vec<crate::images::TranslationAlts<'_>> = translation_rows
            .iter()
            .map(|t| (t.product_id, t.locale.as_str(), t.image_alts.as_str()))
            .collect();
        let mut images_by_product = self.images_of(&ids, Some(&alts)).await?;
        drop(alts);
        let variant_ids: Vec<Arg> = variant_rows.iter().map(|v| Arg::Int(v.id)).collect();
        let (price_rows, stock_rows) = if variant_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let sql = format!(
                "SELECT variant_id, currency, amount_minor FROM prices WHERE variant_id IN ({}) \
                 ORDER BY currency",
                placeholders(1, variant_ids.len())
            );
            let prices = fetch_all_args::<PriceRow>(self.db.reader(), &sql, &variant_ids).await?;
            let sql = format!(
                "SELECT s.variant_id, w.code, s.available FROM stock s \
                 JOIN warehouses w ON w.id = s.warehouse_id WHERE s.variant_id IN ({}) \
                 ORDER BY w.code",
                placeholders(1, variant_ids.len())
            );
            let stock = fetch_all_args::<StockRow>(self.db.reader(), &sql, &variant_ids).await?;
            (prices, stock)
        };
        let mut prices_by_variant: HashMap<i64, Vec<Money>> = HashMap::new();
        for p in price_rows {
            prices_by_variant
                .entry(p.variant_id)
                .or_default()
                .push(Money {
                    currency: p.currency,
                    amount_minor: p.amount_minor,
                });
        }
        // The rate table is read only when some variant has no price set in the view's currency.
        let needs_rates = view.is_some_and(|v| {
            variant_rows.iter().any(|row| {
                !prices_by_variant
                    .get(&row.id)
                    .is_some_and(|ps| ps.iter().any(|p| p.currency == v.currency.code()))
            })
        });
        let rates = if needs_rates {
            self.rate_table(today()).await?
        } else {
            RateTable::default()
        };
        let mut stock_by_variant: HashMap<i64, Vec<StockLevel>> = HashMap::new();
        for s in stock_rows {
            stock_by_variant
                .entry(s.variant_id)
                .or_default()
                .push(StockLevel {
                    warehouse: s.code,
                    available: s.available,
                });
        }
        let mut variants_by_product: HashMap<i64, Vec<Variant>> = HashMap::new();
        for v in variant_rows {
            let prices = prices_by_variant.remove(&v.id).unwrap_or_default();
            let (price, price_unavailable) = match view {
                Some(v) => match quote(&prices, v, &rates) {
                    Ok(q) => (Some(Some(q)), None),
                    Err(why) => (Some(None), Some(why)),
                },
                None => (None, None),
            };
            variants_by_product
                .entry(v.product_id)
                .or_default()
                .push(Variant {
                    id: v.id,
                    product_id: v.product_id,
                    sku: v.sku,
                    options: serde_json::from_str(&v.options).unwrap_or_default(),
                    barcode: v.barcode,
                    archived: v.archived_at.is_some(),
                    prices,
                    stock: stock_by_variant.remove(&v.id).unwrap_or_default(),
                    price,
                    price_unavailable,
                });
        }
        let digests: HashMap<i64, String> = rows
            .iter()
            .map(|r| (r.id, r.source_digest.clone()))
            .collect();
        let mut translations_by_product: HashMap<i64, Vec<TranslationStatus>> = HashMap::new();
        let mut texts_by_product: HashMap<i64, HashMap<String, TranslationText>> = HashMap::new();
        for t in translation_rows {
            let outdated = digests.get(&t.product_id) != Some(&t.source_digest);
            translations_by_product
                .entry(t.product_id)
                .or_default()
                .push(TranslationStatus {
                    locale: t.locale.clone(),
                    outdated,
                });
            if view.is_some() {
                texts_by_product.entry(t.product_id).or_default().insert(
                    t.locale,
                    TranslationText {
                        title: t.title,
                        description: t.description,
                        attributes: serde_json::from_str(&t.attributes).unwrap_or_default(),
                        outdated,
                    },
                );
            }
        }
        let image_lists = rows
            .iter()
            .map(|r| {
                crate::images::ImageList::new(&images_by_product.remove(&r.id).unwrap_or_default())
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .zip(image_lists)
            .map(|(r, images)| {
                let checked = r.checked();
                let localized = view.map(|v| {
                    localize::product(
                        &self.l10n,
                        v,
                        &SourceText {
                            locale: checked.source_locale,
                            title: &checked.title,
                            description: &checked.description,
                            attributes: &checked.attributes,
                            origin_country: &checked.origin_country,
                        },
                        &texts_by_product.remove(&r.id).unwrap_or_default(),
                    )
                });
                Product {
                    id: r.id,
                    merchant: checked.merchant,
                    merchant_id: r.merchant_id,
                    insurer_url: r.insurer_url.clone(),
                    category: checked.category,
                    hs_code: checked.hs_code,
                    origin_country: checked.origin_country,
                    weight_g: checked.weight_g,
                    customs_mode: checked.customs_mode,
                    source_locale: checked.source_locale.to_owned(),
                    title: checked.title,
                    description: checked.description,
                    attributes: checked.attributes,
                    archived: r.archived_at.is_some(),
                    created_at: rfc3339(r.created_at),
                    updated_at: rfc3339(r.updated_at),
                    variants: variants_by_product.remove(&r.id).unwrap_or_default(),
                    translations: translations_by_product.remove(&r.id).unwrap_or_default(),
                    images,
                    localized,
                }
            })
            .collect())
    }

    #[instrument(skip_all, fields(id))]
    pub async fn update_product(&self, id: i64, patch: ProductPatch) -> Result<Product> {
        self.update_product_screened(id, patch, None).await
    }

    /// Changes a product; `claims`' warned hits go into the evidence log in the same
    /// transaction (see `claims::Pending`).
    #[instrument(skip_all, fields(id))]
    pub async fn update_product_screened(
        &self,
        id: i64,
        patch: ProductPatch,
        claims: Option<&crate::claims::Pending<'_>>,
    ) -> Result<Product> {
        let mut w = self.write().await?;
        let current = Self::product_row_locked(w.tx(), id).await?;
        let p = validate::patched_product(current.checked(), &patch)?;
        let attributes = serde_json::to_string(&p.attributes).map_err(Error::internal)?;
        let insurer_url = crate::merchants::insurer_url(
            &p.category,
            match &patch.insurer_url {
                Some(url) => url.as_deref(),
                None => current.insurer_url.as_deref(),
            },
        )?;
        let now = now_ms();
        // Only a category this write sets is checked: a product keeps the one it has, even one
        // retired since, or one from before the tree that its migration could not map.
        if p.category != current.category {
            crate::categories::check_usable_in(w.tx(), &p.category).await?;
        }
        let search = Self::search_text(w.tx(), id, &p.title).await?;
        let merchant_id =
            crate::merchants::ensure_merchant(w.tx(), &p.merchant, &p.origin_country, now).await?;
        sqlx::query(
            "UPDATE products SET merchant = $1, category = $2, hs_code = $3, \
             origin_country = $4, weight_g = $5, customs_mode = $6, source_locale = $7, \
             title = $8, description = $9, attributes = $10, search_text = $11, \
             source_digest = $12, updated_at = $13, merchant_id = $15, insurer_url = $16 \
             WHERE id = $14",
        )
        .bind(&p.merchant)
        .bind(&p.category)
        .bind(&p.hs_code)
        .bind(&p.origin_country)
        .bind(p.weight_g)
        .bind(p.customs_mode.map(|m| m.as_str()))
        .bind(p.source_locale)
        .bind(&p.title)
        .bind(&p.description)
        .bind(&attributes)
        .bind(&search)
        .bind(p.source_digest())
        .bind(now)
        .bind(id)
        .bind(merchant_id)
        .bind(&insurer_url)
        .execute(w.tx())
        .await?;
        crate::claims::write_pending(claims, w.tx(), id).await?;
        w.changed(Changed::Product(id));
        w.commit().await?;
        self.get_product(id, None).await
    }

    /// The lowercase text the title filter searches: the source title and every translated one,
    /// read in the write's transaction.
    async fn search_text(tx: &mut crate::db::Conn, id: i64, source_title: &str) -> Result<String> {
        let titles: Vec<(String,)> =
            sqlx::query_as("SELECT title FROM translations WHERE product_id = $1 ORDER BY locale")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let mut text = source_title.to_lowercase();
        for (t,) in titles {
            text.push('\n');
            text.push_str(&t.to_lowercase());
        }
        Ok(text)
    }

    /// Writes the product's search text again after a translation changed, in the same
    /// transaction.
    async fn update_search_text(
        tx: &mut crate::db::Conn,
        id: i64,
        source_title: &str,
    ) -> Result<()> {
        let search = Self::search_text(&mut *tx, id, source_title).await?;
        sqlx::query("UPDATE products SET search_text = $1 WHERE id = $2")
            .bind(&search)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    #[instrument(skip_all, fields(id, archived))]
    pub async fn set_product_archived(&self, id: i64, archived: bool) -> Result<Product> {
        let now = now_ms();
        let mut w = self.write().await?;
        let done =
            sqlx::query("UPDATE products SET archived_at = $1, updated_at = $2 WHERE id = $3")
                .bind(archived.then_some(now))
                .bind(now)
                .bind(id)
                .execute(w.tx())
                .await?
                .rows_affected();
        if done == 0 {
            return Err(Error::not_found(format!("product {id}")));
        }
        w.changed(Changed::Product(id));
        w.commit().await?;
        self.get_product(id, None).await
    }

    // ---- variants -------------------------------------------------------------------------

    #[instrument(skip_all, fields(product_id))]
    pub async fn create_variant(&self, product_id: i64, variant: NewVariant) -> Result<Variant> {
        let v: CheckedVariant = validate::variant("", &variant)?;
        // No read of the product first: a product that does not exist is the insert's
        // foreign-key violation, answered as its 404 (`variant_violation`).
        let now = now_ms();
        let id: i64 = {
            let mut w = self.write().await?;
            let vid = insert_variant(w.tx(), product_id, &v, now).await?;
            sqlx::query("UPDATE products SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(product_id)
                .execute(w.tx())
                .await?;
            w.changed(Changed::Product(product_id));
            w.commit().await?;
            vid
        };
        self.get_variant(id, None).await
    }

    #[instrument(skip_all, fields(id))]
    pub async fn get_variant(&self, id: i64, view: Option<&View>) -> Result<Variant> {
        let product_id: Option<(i64,)> =
            sqlx::query_as("SELECT product_id FROM variants WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.reader())
                .await?;
        let (product_id,) = product_id.ok_or_else(|| Error::not_found(format!("variant {id}")))?;
        let product = self.get_product(product_id, view).await?;
        product
            .variants
            .into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| Error::not_found(format!("variant {id}")))
    }

    #[instrument(skip_all, fields(id))]
    pub async fn update_variant(&self, id: i64, patch: VariantPatch) -> Result<Variant> {
        let checked = validate::variant_patch(&patch)?;
        let current = self.get_variant(id, None).await?;
        let sku = checked.sku.unwrap_or(current.sku);
        let options = serde_json::to_string(&checked.options.unwrap_or(current.options))
            .map_err(Error::internal)?;
        let barcode = checked.barcode.unwrap_or(current.barcode);
        let mut w = self.write().await?;
        sqlx::query(
            "UPDATE variants SET sku = $1, options = $2, barcode = $3, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(&sku)
        .bind(&options)
        .bind(&barcode)
        .bind(now_ms())
        .bind(id)
        .execute(w.tx())
        .await
        .map_err(|e| variant_violation(e, &sku, current.product_id))?;
        w.changed(Changed::Product(current.product_id));
        w.commit().await?;
        self.get_variant(id, None).await
    }

    #[instrument(skip_all, fields(id, archived))]
    pub async fn set_variant_archived(&self, id: i64, archived: bool) -> Result<Variant> {
        let now = now_ms();
        let mut w = self.write().await?;
        let done =
            sqlx::query("UPDATE variants SET archived_at = $1, updated_at = $2 WHERE id = $3")
                .bind(archived.then_some(now))
                .bind(now)
                .bind(id)
                .execute(w.tx())
                .await?
                .rows_affected();
        if done == 0 {
            return Err(Error::not_found(format!("variant {id}")));
        }
        w.changed_variant(id).await?;
        w.commit().await?;
        self.get_variant(id, None).await
    }

    // ---- prices ---------------------------------------------------------------------------

    #[instrument(skip_all, fields(variant_id))]
    pub async fn set_price(
        &self,
        variant_id: i64,
        currency: &str,
        amount_minor: i64,
    ) -> Result<Variant> {
        let currency = CurrencyCode::parse("currency", currency)?;
        let amount = currency.check_price("amount_minor", amount_minor)?;
        let variant = self.get_variant(variant_id, None).await?;
        let now = now_ms();
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO prices (variant_id, currency, amount_minor, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (variant_id, currency) DO UPDATE \
             SET amount_minor = excluded.amount_minor, updated_at = excluded.updated_at",
        )
        .bind(variant_id)
        .bind(currency.code())
        .bind(amount)
        .bind(now)
        .execute(w.tx())
        .await?;
        w.changed(Changed::Product(variant.product_id));
        w.commit().await?;
        self.get_variant(variant_id, None).await
    }

    #[instrument(skip_all, fields(variant_id))]
    pub async fn delete_price(&self, variant_id: i64, currency: &str) -> Result<Variant> {
        let currency = CurrencyCode::parse("currency", currency)?;
        let mut w = self.write().await?;
        let done = sqlx::query("DELETE FROM prices WHERE variant_id = $1 AND currency = $2")
            .bind(variant_id)
            .bind(currency.code())
            .execute(w.tx())
            .await?
            .rows_affected();
        if done == 0 {
            return Err(Error::not_found(format!(
                "{currency} price of variant {variant_id}"
            )));
        }
        w.changed_variant(variant_id).await?;
        w.commit().await?;
        self.get_variant(variant_id, None).await
    }

    // ---- rates ----------------------------------------------------------------------------

    #[instrument(skip_all)]
    pub async fn put_rate(&self, rate: NewRate) -> Result<Rate> {
        let currency = CurrencyCode::parse("currency", &rate.currency)?;
        if currency.code() == "CNY" {
            return Err(Error::invalid(
                "currency",
                "rates are quoted in CNY; CNY itself is always 1",
            ));
        }
        let value = validate::rate("rate", &rate.rate)?;
        let valid_from = match &rate.valid_from {
            Some(d) => validate::date("valid_from", d)?,
            None => today(),
        };
        let valid_from = validate::format_date(valid_from);
        let value = value.to_string();
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO rates (currency, valid_from, rate, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (currency, valid_from) DO UPDATE SET rate = excluded.rate",
        )
        .bind(currency.code())
        .bind(&valid_from)
        .bind(&value)
        .bind(now_ms())
        .execute(w.tx())
        .await?;
        w.landed_changed();
        w.changed(Changed::All);
        w.commit().await?;
        Ok(Rate {
            currency: currency.code().to_owned(),
            rate: value,
            valid_from,
        })
    }

    /// The rate of each currency in force on `day`: its latest entry dated on or before it.
    pub async fn rates_on(&self, day: time::Date) -> Result<Vec<Rate>> {
        let day = validate::format_date(day);
        let rows: Vec<RateRow> = sqlx::query_as(
            "SELECT r.currency, r.rate, r.valid_from FROM rates r \
             WHERE r.valid_from = (SELECT MAX(valid_from) FROM rates x \
             WHERE x.currency = r.currency AND x.valid_from <= $1) \
             ORDER BY r.currency",
        )
        .bind(&day)
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Rate {
                currency: r.currency,
                rate: r.rate,
                valid_from: r.valid_from,
            })
            .collect())
    }

    /// Every rate entry of one currency, newest first.
    pub async fn rate_history(&self, currency: &str) -> Result<Vec<Rate>> {
        let currency = CurrencyCode::parse("currency", currency)?;
        let rows: Vec<RateRow> = sqlx::query_as(
            "SELECT currency, rate, valid_from FROM rates WHERE currency = $1 \
             ORDER BY valid_from DESC",
        )
        .bind(currency.code())
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Rate {
                currency: r.currency,
                rate: r.rate,
                valid_from: r.valid_from,
            })
            .collect())
    }

    pub async fn rate_table(&self, day: time::Date) -> Result<RateTable> {
        let mut table = RateTable::default();
        for r in self.rates_on(day).await? {
            if let Ok(d) = validate::rate("rate", &r.rate) {
                table.rates.insert(r.currency, (d, r.valid_from));
            }
        }
        Ok(table)
    }

    // ---- warehouses and stock -------------------------------------------------------------

    #[instrument(skip_all)]
    pub async fn create_warehouse(&self, w: NewWarehouse) -> Result<Warehouse> {
        let code = crate::codes::upper_code("code", &w.code, 32)?;
        let name = crate::codes::text("name", &w.name, validate::MAX_NAME)?;
        let country = crate::codes::CountryCode::parse("country", &w.country)?;
        let kind = w.kind;
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO warehouses (code, name, country, kind, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&code)
        .bind(&name)
        .bind(country.as_str())
        .bind(kind.as_str())
        .bind(now_ms())
        .execute(w.tx())
        .await
        .map_err(|e| {
            if crate::error::violates(&e, crate::error::Constraint::Unique, "warehouses", "code") {
                Error::conflict("conflict", format!("code: warehouse {code} already exists"))
            } else {
                e.into()
            }
        })?;
        // Like a market's (see `put_market`): nothing rendered shows it today.
        w.changed(Changed::All);
        w.commit().await?;
        self.get_warehouse(&code).await
    }

    pub async fn get_warehouse(&self, code: &str) -> Result<Warehouse> {
        let row: Option<WarehouseRow> =
            sqlx::query_as("SELECT id, code, name, country, kind FROM warehouses WHERE code = $1")
                .bind(code)
                .fetch_optional(self.db.reader())
                .await?;
        row.map(Warehouse::from)
            .ok_or_else(|| Error::not_found(format!("warehouse {code}")))
    }

    pub async fn list_warehouses(&self) -> Result<Vec<Warehouse>> {
        let rows: Vec<WarehouseRow> =
            sqlx::query_as("SELECT id, code, name, country, kind FROM warehouses ORDER BY code")
                .fetch_all(self.db.reader())
                .await?;
        Ok(rows.into_iter().map(Warehouse::from).collect())
    }

    pub async fn update_warehouse(&self, code: &str, patch: WarehousePatch) -> Result<Warehouse> {
        let current = self.get_warehouse(code).await?;
        let name = match &patch.name {
            Some(n) => crate::codes::text("name", n, validate::MAX_NAME)?,
            None => current.name,
        };
        let kind = patch.kind.unwrap_or(current.kind);
        let mut w = self.write().await?;
        sqlx::query("UPDATE warehouses SET name = $1, kind = $2 WHERE code = $3")
            .bind(&name)
            .bind(kind.as_str())
            .bind(code)
            .execute(w.tx())
            .await?;
        // Like a market's (see `put_market`): nothing rendered shows it today.
        w.changed(Changed::All);
        w.commit().await?;
        self.get_warehouse(code).await
    }

    #[instrument(skip_all, fields(variant_id))]
    pub async fn set_stock(
        &self,
        variant_id: i64,
        warehouse: &str,
        available: i64,
    ) -> Result<Variant> {
        let available = crate::codes::quantity("available", available, crate::codes::MAX_STOCK)?;
        let warehouse = self.get_warehouse(warehouse).await?;
        let variant = self.get_variant(variant_id, None).await?;
        let mut w = self.write().await?;
        if !crate::stock::set(w.tx(), variant_id, warehouse.id, available, now_ms())
            .await?
            .moved()
        {
            return Err(Error::internal(
                "the stock row was neither inserted nor updated",
            ));
        }
        w.changed(Changed::Product(variant.product_id));
        w.commit().await?;
        self.get_variant(variant_id, None).await
    }

    // ---- markets --------------------------------------------------------------------------

    #[instrument(skip_all, fields(country))]
    pub async fn put_market(&self, country: &str, body: MarketBody) -> Result<Market> {
        let country = crate::codes::CountryCode::parse("country", country)?;
        let name = crate::codes::text("name", &body.name, validate::MAX_NAME)?;
        if body.currencies.is_empty() || body.currencies.len() > 8 {
            return Err(Error::invalid("currencies", "give 1 to 8 currencies"));
        }
        let mut currencies = Vec::new();
        for (i, c) in body.currencies.iter().enumerate() {
            let c = CurrencyCode::parse(&format!("currencies[{i}]"), c)?
                .code()
                .to_owned();
            if currencies.contains(&c) {
                return Err(Error::invalid(format!("currencies[{i}]"), "appears twice"));
            }
            currencies.push(c);
        }
        if body.locales.is_empty() || body.locales.len() > 8 {
            return Err(Error::invalid("locales", "give 1 to 8 locales"));
        }
        let mut locales: Vec<String> = Vec::new();
        for (i, l) in body.locales.iter().enumerate() {
            let l = crate::codes::parse_locale(&format!("locales[{i}]"), l)?.to_owned();
            if locales.contains(&l) {
                return Err(Error::invalid(format!("locales[{i}]"), "appears twice"));
            }
            locales.push(l);
        }
        if body.warehouses.len() > 32 {
            return Err(Error::invalid("warehouses", "at most 32 warehouses"));
        }
        let mut warehouse_ids = Vec::new();
        for (i, code) in body.warehouses.iter().enumerate() {
            let w = self.get_warehouse(code).await.map_err(|_| {
                Error::invalid(
                    format!("warehouses[{i}]"),
                    format!("unknown warehouse '{code}'"),
                )
            })?;
            if !warehouse_ids.contains(&w.id) {
                warehouse_ids.push(w.id);
            }
        }
        let now = now_ms();
        let currencies_json = serde_json::to_string(&currencies).map_err(Error::internal)?;
        let locales_json = serde_json::to_string(&locales).map_err(Error::internal)?;
        {
            let mut w = self.write().await?;
            sqlx::query(
                "INSERT INTO markets (country, name, currencies, locales, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (country) DO UPDATE \
                 SET name = excluded.name, currencies = excluded.currencies, \
                 locales = excluded.locales, updated_at = excluded.updated_at",
            )
            .bind(country.as_str())
            .bind(&name)
            .bind(&currencies_json)
            .bind(&locales_json)
            .bind(now)
            .execute(w.tx())
            .await?;
            sqlx::query("DELETE FROM market_warehouses WHERE country = $1")
                .bind(country.as_str())
                .execute(w.tx())
                .await?;
            for id in &warehouse_ids {
                sqlx::query(
                    "INSERT INTO market_warehouses (country, warehouse_id) VALUES ($1, $2)",
                )
                .bind(country.as_str())
                .bind(*id)
                .execute(w.tx())
                .await?;
            }
            // No rendered product shows a market (nor a warehouse's name or kind) today: these
            // rare changes of where stock ships from drop everything all the same, as every
            // other instance does when the version moves, so that a rendering that comes to
            // show them (stock per market) is not kept past one.
            w.changed(Changed::All);
            w.commit().await?;
        };
        self.get_market(country.as_str()).await
    }

    pub async fn get_market(&self, country: &str) -> Result<Market> {
        self.markets(Some(country))
            .await?
            .pop()
            .ok_or_else(|| Error::not_found(format!("market {country}")))
    }

    pub async fn list_markets(&self) -> Result<Vec<Market>> {
        self.markets(None).await
    }

    async fn markets(&self, only: Option<&str>) -> Result<Vec<Market>> {
        let (rows, links): (Vec<MarketRow>, Vec<(String, String)>) = {
            let rows =
                match only {
                    Some(c) => sqlx::query_as(
                        "SELECT country, name, currencies, locales FROM markets WHERE country = $1",
                    )
                    .bind(c)
                    .fetch_all(self.db.reader())
                    .await?,
                    None => {
                        sqlx::query_as(
                            "SELECT country, name, currencies, locales FROM markets ORDER BY id",
                        )
                        .fetch_all(self.db.reader())
                        .await?
                    }
                };
            let links = sqlx::query_as(
                "SELECT mw.country, w.code FROM market_warehouses mw \
                 JOIN warehouses w ON w.id = mw.warehouse_id ORDER BY w.code",
            )
            .fetch_all(self.db.reader())
            .await?;
            (rows, links)
        };
        let mut by_country: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (country, code) in links {
            by_country.entry(country).or_default().push(code);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let currencies: Vec<String> =
                    serde_json::from_str(&r.currencies).unwrap_or_default();
                Market {
                    default_currency: currencies.first().cloned().unwrap_or_default(),
                    warehouses: by_country.remove(&r.country).unwrap_or_default(),
                    postal_code_required: crate::codes::postal_code_required(&r.country),
                    country: r.country,
                    name: r.name,
                    currencies,
                    locales: serde_json::from_str(&r.locales).unwrap_or_default(),
                }
            })
            .collect())
    }

    // ---- translations ---------------------------------------------------------------------

    #[instrument(skip_all, fields(product_id, locale))]
    pub async fn put_translation(
        &self,
        product_id: i64,
        locale: &str,
        body: TranslationBody,
    ) -> Result<Translation> {
        self.put_translation_screened(product_id, locale, body, None)
            .await
    }

    /// Creates or replaces a translation; `claims`' warned hits go into the evidence log in
    /// the same transaction (see `claims::Pending`).
    #[instrument(skip_all, fields(product_id, locale))]
    pub async fn put_translation_screened(
        &self,
        product_id: i64,
        locale: &str,
        body: TranslationBody,
        claims: Option<&crate::claims::Pending<'_>>,
    ) -> Result<Translation> {
        let locale = crate::codes::parse_locale("locale", locale)?;
        let title = crate::codes::text("title", &body.title, validate::MAX_TITLE)?;
        let description =
            crate::codes::text("description", &body.description, validate::MAX_DESCRIPTION)?;
        let attributes = validate::text_attributes(&body.attributes)?;
        let attributes_json = serde_json::to_string(&attributes).map_err(Error::internal)?;
        let alts = crate::images::check_alts(&body.image_alts)?;
        let alts_json = serde_json::to_string(
            &alts
                .iter()
                .map(|(id, alt)| (id.to_string(), alt))
                .collect::<BTreeMap<_, _>>(),
        )
        .map_err(Error::internal)?;
        let now = now_ms();
        {
            let mut w = self.write().await?;
            // The row as of this write: its digest is what the translation was made against,
            // and its title goes into the search text with the translations'.
            let product = Self::product_row_locked(w.tx(), product_id).await?;
            if product.source_locale == locale {
                return Err(Error::invalid(
                    "locale",
                    format!(
                        "{locale} is the product's source language; update the product instead"
                    ),
                ));
            }
            if !alts.is_empty() {
                crate::images::check_pictures_of(w.tx(), product_id, alts.keys()).await?;
            }
            sqlx::query(
                "INSERT INTO translations (product_id, locale, title, description, attributes, \
                 source_digest, updated_at, image_alts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (product_id, locale) DO UPDATE SET title = excluded.title, \
                 description = excluded.description, attributes = excluded.attributes, \
                 source_digest = excluded.source_digest, updated_at = excluded.updated_at, \
                 image_alts = excluded.image_alts",
            )
            .bind(product_id)
            .bind(locale)
            .bind(&title)
            .bind(&description)
            .bind(&attributes_json)
            .bind(&product.source_digest)
            .bind(now)
            .bind(&alts_json)
            .execute(w.tx())
            .await?;
            crate::claims::write_pending(claims, w.tx(), product_id).await?;
            Self::update_search_text(w.tx(), product_id, &product.title).await?;
            w.changed(Changed::Product(product_id));
            w.commit().await?;
        };
        self.get_translation(product_id, locale).await
    }

    pub async fn list_translations(&self, product_id: i64) -> Result<Vec<Translation>> {
        let product = self.product_row(product_id).await?;
        let rows: Vec<TranslationRow> = sqlx::query_as(
            "SELECT product_id, locale, title, description, attributes, source_digest, \
             updated_at, image_alts FROM translations WHERE product_id = $1 ORDER BY locale",
        )
        .bind(product_id)
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|t| translation(t, &product.source_digest))
            .collect())
    }

    pub async fn get_translation(&self, product_id: i64, locale: &str) -> Result<Translation> {
        let locale = crate::codes::parse_locale("locale", locale)?;
        self.list_translations(product_id)
            .await?
            .into_iter()
            .find(|t| t.locale == locale)
            .ok_or_else(|| {
                Error::not_found(format!("{locale} translation of product {product_id}"))
            })
    }

    pub async fn delete_translation(&self, product_id: i64, locale: &str) -> Result<()> {
        let locale = crate::codes::parse_locale("locale", locale)?;
        let mut w = self.write().await?;
        // The title as of this write goes into the search text (see `product_row_locked`).
        let product = Self::product_row_locked(w.tx(), product_id).await?;
        let done = sqlx::query("DELETE FROM translations WHERE product_id = $1 AND locale = $2")
            .bind(product_id)
            .bind(locale)
            .execute(w.tx())
            .await?
            .rows_affected();
        if done == 0 {
            return Err(Error::not_found(format!(
                "{locale} translation of product {product_id}"
            )));
        }
        Self::update_search_text(w.tx(), product_id, &product.title).await?;
        w.changed(Changed::Product(product_id));
        w.commit().await?;
        Ok(())
    }

    /// True when the catalog has no product at all (the demo loads only into an empty one).
    pub async fn is_empty(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM products")
            .fetch_one(self.db.reader())
            .await?;
        Ok(n == 0)
    }
}

fn translation(t: TranslationRow, source_digest: &str) -> Translation {
    Translation {
        outdated: t.source_digest != source_digest,
        locale: t.locale,
        title: t.title,
        description: t.description,
        attributes: serde_json::from_str(&t.attributes).unwrap_or_default(),
        image_alts: serde_json::from_str(&t.image_alts).unwrap_or_default(),
        updated_at: rfc3339(t.updated_at),
    }
}

/// What a variant's insert or update broke: its SKU taken (409 naming it), or, for an insert,
/// a product that does not exist (`variants.product_id`: 404, the product the path named);
/// anything else stays what it is.
fn variant_violation(e: sqlx::Error, sku: &str, product_id: i64) -> Error {
    use crate::error::{violates, Constraint};
    if violates(&e, Constraint::Unique, "variants", "sku") {
        Error::conflict("conflict", format!("sku: SKU {sku} already exists"))
    } else if violates(&e, Constraint::ForeignKey, "variants", "product_id") {
        Error::not_found(format!("product {product_id}"))
    } else {
        e.into()
    }
}

/// Today's date in UTC.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The price of a variant in `currency`: the one set, else converted from the CNY price (or
/// the first other price that has a rate), else the reason there is none.
fn quote(
    prices: &[Money],
    view: &View,
    rates: &RateTable,
) -> std::result::Result<QuotedPrice, PriceUnavailable> {
    let currency = view.currency;
    if let Some(p) = prices.iter().find(|p| p.currency == currency.code()) {
        return Ok(QuotedPrice {
            currency: p.currency.clone(),
            amount_minor: p.amount_minor,
            converted: false,
            converted_from: None,
            formatted: localize::money(view.locale, &p.currency, p.amount_minor),
        });
    }
    if prices.is_empty() {
        return Err(PriceUnavailable {
            code: "no_price".into(),
            message: "this variant has no price in any currency".into(),
        });
    }
    let mut candidates: Vec<&Money> = prices.iter().collect();
    candidates.sort_by_key(|p| (p.currency != "CNY", p.currency.clone()));
    for source in candidates {
        let Ok(from) = CurrencyCode::parse("currency", &source.currency) else {
            continue;
        };
        if let Some(amount) = rates.convert(source.amount_minor, from, currency) {
            return Ok(QuotedPrice {
                currency: currency.code().to_owned(),
                amount_minor: amount,
                converted: true,
                converted_from: Some(source.clone()),
                formatted: localize::money(view.locale, currency.code(), amount),
            });
        }
    }
    Err(PriceUnavailable {
        code: "no_rate".into(),
        message: format!(
            "no {currency} price is set and the rate table cannot convert one into {currency}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, &str)]) -> RateTable {
        let mut t = RateTable::default();
        for (c, r) in entries {
            t.rates.insert(
                (*c).to_owned(),
                (r.parse().expect("decimal"), "2026-11-01".to_owned()),
            );
        }
        t
    }

    fn code(c: &str) -> CurrencyCode {
        CurrencyCode::parse("c", c).expect("known currency")
    }

    /// 89.00 CNY at 0.0142 CNY/KZT is 6267.61 KZT; into VND it rounds to whole dong.
    #[test]
    fn converts_through_cny() {
        let t = table(&[("KZT", "0.0142"), ("VND", "0.000272"), ("IDR", "0.00043")]);
        assert_eq!(t.convert(8900, code("CNY"), code("KZT")), Some(626_761));
        assert_eq!(t.convert(8900, code("CNY"), code("VND")), Some(327_206));
        // IDR is shown whole: 206976.74… rounds to 206977 units = 20697700 minor.
        assert_eq!(t.convert(8900, code("CNY"), code("IDR")), Some(20_697_700));
        assert_eq!(t.convert(8900, code("CNY"), code("THB")), None);
    }

    /// Amounts in several currencies add up in CNY; a currency without a rate is named.
    #[test]
    fn totals_in_cny_name_missing_rates() {
        let t = table(&[("KZT", "0.0142"), ("VND", "0.000272")]);
        let (cny, missing) = t.total_in_cny([
            ("KZT", 998_000),
            ("VND", 329_900),
            ("CNY", 8900),
            ("THB", 100),
        ]);
        // 9980 × 0.0142 + 329900 × 0.000272 + 89 = 141.716 + 89.7328 + 89 = 320.4488
        assert_eq!(cny, "320.45");
        assert_eq!(missing, ["THB"]);
    }

    /// One rule: half away from zero to the fen, totals always with two digits; an order's
    /// value keeps the rate's exact text and refuses what does not fit in 64 bits.
    #[test]
    fn one_rounding_rule_and_two_digits() {
        let t = table(&[("KZT", "0.0142"), ("VND", "0.000272")]);
        // 1648.245 CNY: half to even would give 1648.24.
        assert_eq!(money_fen(Decimal::new(1_648_245, 3)), 164_825);
        assert_eq!(money_fen(Decimal::new(-1_065, 3)), -107);
        assert_eq!(cny_text(0), "0.00");
        assert_eq!(cny_text(164_825), "1648.25");
        assert_eq!(cny_text(-5), "-0.05");
        assert_eq!(
            cny_text(i128::from(i64::MAX) * 1000),
            "92233720368547758070.00"
        );
        assert_eq!(t.total_in_cny([]).0, "0.00");
        // 75.00 KZT at 0.0142 = 1.065 CNY.
        assert_eq!(
            t.value_in_cny("KZT", 7_500),
            Ok(Some(("0.0142".to_owned(), 107)))
        );
        assert_eq!(t.total_in_cny([("KZT", 7_500)]).0, "1.07");
        assert_eq!(
            t.value_in_cny("CNY", 8_900),
            Ok(Some(("1".to_owned(), 8_900)))
        );
        assert_eq!(t.value_in_cny("THB", 100), Ok(None));
        // A rate above 1 takes the largest amount past 64 bits of fen.
        let euro = table(&[("EUR", "7.8")]);
        assert_eq!(euro.value_in_cny("EUR", i64::MAX), Err(()));
        assert_eq!(
            euro.value_in_cny("EUR", 1_000),
            Ok(Some(("7.8".to_owned(), 7_800)))
        );
    }

    /// A set price wins; a missing one is converted and marked; no rate gives the reason.
    #[test]
    fn quotes_set_converted_or_reason() {
        let t = table(&[("KZT", "0.0142")]);
        let prices = vec![Money {
            currency: "CNY".into(),
            amount_minor: 8900,
        }];
        let view = |c: &str| View {
            locale: "ru",
            currency: code(c),
        };
        let q = quote(&prices, &view("CNY"), &t).expect("set price");
        assert!(!q.converted);
        let q = quote(&prices, &view("KZT"), &t).expect("converted");
        assert!(q.converted);
        assert_eq!(q.amount_minor, 626_761);
        // CLDR gives Russian the ISO code as the standard KZT symbol (₸ is its narrow one).
        assert_eq!(q.formatted.as_deref(), Some("6\u{a0}267,61\u{a0}KZT"));
        let why = quote(&prices, &view("THB"), &t).expect_err("no THB rate");
        assert_eq!(why.code, "no_rate");
        let why = quote(&[], &view("THB"), &t).expect_err("no price at all");
        assert_eq!(why.code, "no_price");
    }
}
