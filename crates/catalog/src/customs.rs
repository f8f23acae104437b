//! What the customs side of an order (the feed's `customs` module, docs/customs.md) reads of
//! the catalog's tables: a warehouse's kind inside the order's transaction, and the facts a
//! CEB303 declaration carries about a product and its merchant. The catalog owns these tables;
//! other crates reach them only through these functions. Errors are [`crate::error::Error`].

use crate::codes::WarehouseKind;
use crate::db::Conn;
use crate::error::{Error, Result};

/// The kind of warehouse `id`, read in the caller's transaction (the order's, which has just
/// taken units from it).
pub async fn warehouse_kind_in(tx: &mut Conn, id: i64) -> Result<WarehouseKind> {
    Ok(warehouse_in(tx, id).await?.0)
}

/// The kind and the code of warehouse `id`, read in the caller's transaction.
pub async fn warehouse_in(tx: &mut Conn, id: i64) -> Result<(WarehouseKind, String)> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT kind, code FROM warehouses WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    row.map(|(k, code)| (WarehouseKind::parse_stored(&k), code))
        .ok_or_else(|| Error::internal(format!("warehouse {id} is missing")))
}

/// What a declaration says of one ordered variant and its product's merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredGoods {
    pub variant_id: i64,
    pub sku: String,
    pub barcode: Option<String>,
    pub hs_code: String,
    pub category: String,
    pub weight_g: i64,
    /// The product's title in Simplified Chinese: its source text when its source locale is
    /// zh-CN, else its zh-CN translation; `None` when it has neither.
    pub title_zh: Option<String>,
    /// The product's description in the same language as `title_zh`.
    pub description_zh: Option<String>,
    pub merchant: String,
    pub merchant_customs_code: Option<String>,
    pub merchant_customs_name: Option<String>,
}

type GoodsRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// The declared goods of each of `variant_ids` (unknown ids are left out).
pub async fn declared_goods(db: &crate::Db, variant_ids: &[i64]) -> Result<Vec<DeclaredGoods>> {
    if variant_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = variant_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT v.id, v.sku, v.barcode, p.hs_code, p.category, p.weight_g, p.source_locale, p.title, \
         p.description, t.title, t.description, p.merchant, m.customs_code, m.customs_name \
         FROM variants v JOIN products p ON p.id = v.product_id \
         LEFT JOIN translations t ON t.product_id = p.id AND t.locale = 'zh-CN' \
         LEFT JOIN merchants m ON m.id = p.merchant_id WHERE v.id IN ({list}) ORDER BY v.id"
    );
    let rows: Vec<GoodsRow> = sqlx::query_as(&sql).fetch_all(db.reader()).await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                variant_id,
                sku,
                barcode,
                hs_code,
                category,
                weight_g,
                src,
                title,
                desc,
                t_title,
                t_desc,
                merchant,
                code,
                name,
            )| {
                let (title_zh, description_zh) = if src == "zh-CN" {
                    (Some(title), Some(desc))
                } else {
                    (t_title, t_desc)
                };
                DeclaredGoods {
                    variant_id,
                    sku,
                    barcode,
                    hs_code,
                    category,
                    weight_g,
                    title_zh,
                    description_zh,
                    merchant,
                    merchant_customs_code: code,
                    merchant_customs_name: name,
                }
            },
        )
        .collect())
}

impl crate::CatalogStore {
    /// The first product (by id) of merchant `merchant_id`, if it has one.
    pub async fn first_product_of_merchant(&self, merchant_id: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM products WHERE merchant_id = $1 ORDER BY id LIMIT 1")
                .bind(merchant_id)
                .fetch_optional(self.db().reader())
                .await?;
        Ok(row.map(|(id,)| id))
    }
}
