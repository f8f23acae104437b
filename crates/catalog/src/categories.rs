//! The closed category tree (docs/cross-border.md#the-category-tree): the `categories` table,
//! its reads in a negotiated locale, the admins' writes, and the check every product write
//! makes ([`check_usable_in`]). A code is stable and dotted (`beauty.skincare`); its parent is
//! the code before the last dot. A category is usable for a new product when it and every
//! ancestor are not retired; one that products use cannot be deleted (409). Category writes go
//! through the catalog's one write path ([`crate::write`]). Errors are [`crate::Error`].

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use silkstream_l10n::SUPPORTED_LOCALES;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Admins, Authorized, Principal, Role};
use crate::db::{now_ms, placeholders, Conn};
use crate::error::{unique_violation, Error, ErrorBody, Result};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::Page;
use crate::store::CatalogStore;

/// The longest code (the products' `category` column takes as much).
pub const MAX_CODE: usize = crate::validate::MAX_CATEGORY;
/// The deepest a category may lie (`food.meat.beef.brisket`).
const MAX_DEPTH: usize = 4;
/// The longest name in one locale.
const MAX_NAME: usize = 100;

/// A category in the response's locale.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Category {
    /// Stable dotted code, e.g. `beauty.skincare`: what a product's `category` holds.
    pub code: String,
    /// The parent's code (null for a top-level category).
    pub parent: Option<String>,
    /// 0 for a top-level category, 1 for its children…
    pub depth: i64,
    /// The name in the response's locale (`Content-Language`).
    pub name: String,
    /// The locale `name` is in.
    pub locale: String,
    /// A retired category takes no new products (its own keep it), nor do those below it.
    pub retired: bool,
    /// Every name, by locale: on single reads and admins' writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<BTreeMap<String, String>>,
}

/// A new category (admin).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    /// Dotted code of lowercase `a-z0-9_` segments, at most 4 deep; its parent (the code before
    /// the last dot) must exist and not be retired. Never changes.
    pub code: String,
    /// The name in each of the 16 locales (`zh-CN`, `en`, `ru`, `kk`, `ky`, `uz`, `tt`, `mn`,
    /// `vi`, `th`, `id`, `ms`, `fil`, `km`, `lo`, `my`): all are required.
    pub names: BTreeMap<String, String>,
}

/// Renames (some locales) or retires a category (admin); absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    /// Names to replace, by locale; the others stay.
    pub names: Option<BTreeMap<String, String>>,
    /// `true` retires the category (it and those below it take no new products), `false`
    /// brings it back.
    pub retired: Option<bool>,
}

/// `?page=`, `?per_page=`, `?retired=` and `?locale=` of the category list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Items per page, 1 to 500 (default 100).
    pub per_page: Option<i64>,
    /// Include retired categories (default false).
    pub retired: Option<bool>,
    /// Name the categories in this locale (wins over `Accept-Language`; default `en`).
    pub locale: Option<String>,
}

/// `?locale=` of a single category's read.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryLocaleQuery {
    /// Name the category in this locale (wins over `Accept-Language`; default `en`).
    pub locale: Option<String>,
}

/// A checked category code: dotted segments of `a-z0-9_`, 1 to 4 deep.
fn parse_code(field: &str, value: &str) -> Result<String> {
    let segments: Vec<&str> = value.split('.').collect();
    let ok = !value.is_empty()
        && value.len() <= MAX_CODE
        && segments.len() <= MAX_DEPTH
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if !ok {
        return Err(Error::invalid(
            field,
            format!(
                "a category code is 1 to {MAX_DEPTH} dot-separated segments of a-z, 0-9 and '_', \
                 at most {MAX_CODE} characters, e.g. beauty.skincare"
            ),
        ));
    }
    Ok(value.to_owned())
}

/// The code of `code`'s parent, if it has one.
fn parent_of(code: &str) -> Option<&str> {
    code.rsplit_once('.').map(|(parent, _)| parent)
}

/// `code` and every ancestor: `a.b.c` → `a`, `a.b`, `a.b.c`.
fn lineage(code: &str) -> Vec<&str> {
    code.match_indices('.')
        .map(|(i, _)| &code[..i])
        .chain([code])
        .collect()
}

/// Checked names: every key a supported locale, every value one line of text.
fn check_names(names: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (locale, name) in names {
        let Some(known) = SUPPORTED_LOCALES.iter().find(|l| **l == locale.as_str()) else {
            return Err(Error::invalid(
                format!("names.{locale}"),
                format!(
                    "not a locale Silkstream speaks; use one of {}",
                    SUPPORTED_LOCALES.join(", ")
                ),
            ));
        };
        out.insert(
            (*known).to_owned(),
            crate::text::line(&format!("names.{locale}"), name, MAX_NAME)?,
        );
    }
    Ok(out)
}

/// Why a code cannot take a new product or a new child.
enum Unusable {
    /// No such category.
    Unknown,
    /// It is retired (the code itself, or the nearest retired ancestor).
    Retired(String),
}

/// Reads `code` and its ancestors in the write's transaction: `None` when usable. On PostgreSQL
/// the rows are read `FOR SHARE`, so a retirement or a deletion waits for the write to end (and
/// a deletion that follows it sees what the write added: 409).
async fn unusable_in(conn: &mut Conn, code: &str) -> Result<Option<Unusable>> {
    let lineage = lineage(code);
    let sql = format!(
        "SELECT code, retired_at FROM categories WHERE code IN ({}){}",
        placeholders(1, lineage.len()),
        crate::merchants::for_share(conn)
    );
    let mut query = sqlx::query_as::<_, (String, Option<i64>)>(&sql);
    for c in &lineage {
        query = query.bind(*c);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    if !rows.iter().any(|(c, _)| c == code) {
        return Ok(Some(Unusable::Unknown));
    }
    // The nearest retired one: the category itself, else its closest ancestor.
    Ok(lineage
        .iter()
        .rev()
        .find(|c| rows.iter().any(|(r, at)| r == *c && at.is_some()))
        .map(|c| Unusable::Retired((*c).to_owned())))
}

/// In a product write: 422 `invalid` (field `category`) unless `code` is a category of the tree
/// that is not retired and lies under no retired one (read as [`unusable_in`] says).
pub(crate) async fn check_usable_in(conn: &mut Conn, code: &str) -> Result<()> {
    let message = match unusable_in(conn, code).await? {
        None => return Ok(()),
        Some(Unusable::Unknown) => format!(
            "'{code}' is not a category of the catalog's tree; GET /api/v1/categories lists \
             them (e.g. beauty.skincare, food.meat)"
        ),
        Some(Unusable::Retired(c)) if c == code => {
            format!("'{code}' is retired: choose another category")
        }
        Some(Unusable::Retired(c)) => {
            format!("'{code}' lies under '{c}', which is retired: choose another category")
        }
    };
    Err(Error::invalid("category", message))
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    code: String,
    parent: Option<String>,
    names: String,
    retired_at: Option<i64>,
}

const CATEGORY_COLUMNS: &str = "code, parent, names, retired_at";

impl CategoryRow {
    fn names(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.names).unwrap_or_default()
    }

    /// The category named in `locale` (along its fallback chain); with every name when
    /// `all_names`.
    fn view(&self, locale: &str, all_names: bool) -> Category {
        let names = self.names();
        let (name, in_locale) = silkstream_l10n::fallback_chain(locale)
            .iter()
            .find_map(|l| names.get(*l).map(|n| (n.clone(), *l)))
            .unwrap_or_else(|| (self.code.clone(), "en"));
        Category {
            depth: self.code.matches('.').count() as i64,
            code: self.code.clone(),
            parent: self.parent.clone(),
            name,
            locale: in_locale.to_owned(),
            retired: self.retired_at.is_some(),
            names: all_names.then_some(names),
        }
    }
}

impl CatalogStore {
    async fn category_row(&self, code: &str) -> Result<CategoryRow> {
        let sql = format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE code = $1");
        sqlx::query_as(&sql)
            .bind(code)
            .fetch_optional(self.db().reader())
            .await?
            .ok_or_else(|| Error::not_found(format!("category {code}")))
    }

    /// One category named in `locale`, with every name.
    #[instrument(skip_all, fields(code))]
    pub async fn category(&self, code: &str, locale: &str) -> Result<Category> {
        let code = parse_code("code", code)?;
        Ok(self.category_row(&code).await?.view(locale, true))
    }

    /// The tree in its order (a parent, then its children, each level by code), one page,
    /// named in `locale`.
    #[instrument(skip_all)]
    pub async fn list_categories(&self, q: &CategoryQuery, locale: &str) -> Result<Page<Category>> {
        let (page, per_page) = crate::validate::page(q.page, q.per_page, 100, 500)?;
        let sql = format!("SELECT {CATEGORY_COLUMNS} FROM categories");
        let mut rows: Vec<CategoryRow> = sqlx::query_as(&sql).fetch_all(self.db().reader()).await?;
        // Byte order of the codes is the tree's order: '.' sorts before every letter, digit
        // and '_', so a parent comes just before its children (sorted here, not in SQL, whose
        // collation differs between the backends).
        rows.sort_by(|a, b| a.code.as_bytes().cmp(b.code.as_bytes()));
        if !q.retired.unwrap_or(false) {
            let retired: Vec<String> = rows
                .iter()
                .filter(|r| r.retired_at.is_some())
                .map(|r| r.code.clone())
                .collect();
            rows.retain(|r| {
                !lineage(&r.code)
                    .iter()
                    .any(|c| retired.iter().any(|x| x == c))
            });
        }
        let total = rows.len() as i64;
        let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
        let items = rows
            .iter()
            .skip(skip)
            .take(per_page as usize)
            .map(|r| r.view(locale, false))
            .collect();
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }

    /// Adds a category under an existing, unretired parent.
    #[instrument(skip_all)]
    pub async fn create_category(&self, body: NewCategory, locale: &str) -> Result<Category> {
        let code = parse_code("code", body.code.trim())?;
        let names = check_names(&body.names)?;
        if let Some(missing) = SUPPORTED_LOCALES.iter().find(|l| !names.contains_key(**l)) {
            return Err(Error::invalid(
                format!("names.{missing}"),
                "is missing: a category is named in every locale",
            ));
        }
        let parent = parent_of(&code).map(str::to_owned);
        let now = now_ms();
        let mut w = self.write().await?;
        if let Some(parent) = &parent {
            let why = match unusable_in(w.tx(), parent).await? {
                None => None,
                Some(Unusable::Unknown) => Some(format!("its parent '{parent}' does not exist")),
                Some(Unusable::Retired(c)) => Some(format!(
                    "its parent '{parent}' is retired{}",
                    if c == *parent {
                        String::new()
                    } else {
                        format!(" (under '{c}')")
                    }
                )),
            };
            if let Some(why) = why {
                return Err(Error::invalid("code", why));
            }
        }
        sqlx::query(
            "INSERT INTO categories (code, parent, names, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&code)
        .bind(&parent)
        .bind(serde_json::to_string(&names).map_err(Error::internal)?)
        .bind(now)
        .execute(w.tx())
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                Error::conflict("conflict", format!("code: the category '{code}' exists"))
            } else {
                e.into()
            }
        })?;
        // No rendered product shows a category's name: nothing cached changed.
        w.commit().await?;
        Ok(self.category_row(&code).await?.view(locale, true))
    }

    /// Renames a category in some locales, retires it or brings it back.
    #[instrument(skip_all, fields(code))]
    pub async fn update_category(
        &self,
        code: &str,
        patch: CategoryPatch,
        locale: &str,
    ) -> Result<Category> {
        let code = parse_code("code", code)?;
        let renamed = match &patch.names {
            Some(names) => check_names(names)?,
            None => BTreeMap::new(),
        };
        let now = now_ms();
        let mut w = self.write().await?;
        let sql = format!(
            "SELECT {CATEGORY_COLUMNS} FROM categories WHERE code = $1{}",
            crate::db::for_update(w.tx())
        );
        let row: CategoryRow = sqlx::query_as(&sql)
            .bind(&code)
            .fetch_optional(w.tx())
            .await?
            .ok_or_else(|| Error::not_found(format!("category {code}")))?;
        let mut names = row.names();
        names.extend(renamed);
        let retired_at = match patch.retired {
            Some(true) => row.retired_at.or(Some(now)),
            Some(false) => None,
            None => row.retired_at,
        };
        sqlx::query(
            "UPDATE categories SET names = $1, retired_at = $2, updated_at = $3 WHERE code = $4",
        )
        .bind(serde_json::to_string(&names).map_err(Error::internal)?)
        .bind(retired_at)
        .bind(now)
        .bind(&code)
        .execute(w.tx())
        .await?;
        // No rendered product shows a category's name or state (see `create_category`).
        w.commit().await?;
        Ok(self.category_row(&code).await?.view(locale, true))
    }

    /// Deletes a category no product and no other category uses: 409 `category_in_use`
    /// otherwise (retire it instead).
    #[instrument(skip_all, fields(code))]
    pub async fn delete_category(&self, code: &str) -> Result<()> {
        let code = parse_code("code", code)?;
        let mut w = self.write().await?;
        let (children,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM categories WHERE parent = $1")
                .bind(&code)
                .fetch_one(w.tx())
                .await?;
        if children > 0 {
            return Err(Error::conflict(
                "category_in_use",
                format!("{code} has {children} categories below it: delete or move them first, or retire it"),
            ));
        }
        // Deleted first, then counted: on PostgreSQL the delete waits for a product write that
        // read the row `FOR SHARE`, and the count that follows sees that product.
        let deleted = sqlx::query("DELETE FROM categories WHERE code = $1")
            .bind(&code)
            .execute(w.tx())
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(Error::not_found(format!("category {code}")));
        }
        let (products,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM products WHERE category = $1")
                .bind(&code)
                .fetch_one(w.tx())
                .await?;
        if products > 0 {
            // Dropping the write rolls the delete back.
            return Err(Error::conflict(
                "category_in_use",
                format!(
                    "{code} holds {products} product(s), archived ones included: move them to \
                     another category first, or retire it (PATCH with \"retired\": true)"
                ),
            ));
        }
        w.commit().await?;
        Ok(())
    }
}

// ---- routes ---------------------------------------------------------------------------------

const READERS: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];

/// The response's locale: `?locale=` (checked), else `Accept-Language`, else `en`.
fn negotiate(headers: &HeaderMap, explicit: Option<&str>) -> Result<&'static str> {
    if let Some(tag) = explicit {
        crate::codes::parse_locale("locale", tag)?;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Ok(silkstream_l10n::negotiate(explicit, accept))
}

/// A JSON body with `Content-Language`.
fn localized<T: Serialize>(locale: &'static str, status: StatusCode, body: T) -> Response {
    (
        status,
        [(header::CONTENT_LANGUAGE, locale)],
        axum::Json(body),
    )
        .into_response()
}

/// The category routes; mounted with the catalog's.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    CatalogStore: axum::extract::FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_category, update_category, delete_category))
}

/// The category tree, one page in its order (a parent before its children), each named in the
/// negotiated locale (`?locale=`, else `Accept-Language`); retired ones (and those below them)
/// only with `?retired=true` (any role).
#[utoipa::path(get, path = "/api/v1/categories", tag = "categories", params(CategoryQuery),
    responses((status = 200, body = Page<Category>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_categories(
    State(store): State<CatalogStore>,
    principal: Principal,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<CategoryQuery>,
) -> Result<Response> {
    principal.require(READERS)?;
    let locale = negotiate(&headers, q.locale.as_deref())?;
    Ok(localized(
        locale,
        StatusCode::OK,
        store.list_categories(&q, locale).await?,
    ))
}

/// One category, with its name in every locale (any role).
#[utoipa::path(get, path = "/api/v1/categories/{code}", tag = "categories",
    params(("code" = String, Path, description = "category code, e.g. beauty.skincare"),
        CategoryLocaleQuery),
    responses((status = 200, body = Category), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_category(
    State(store): State<CatalogStore>,
    principal: Principal,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<CategoryLocaleQuery>,
) -> Result<Response> {
    principal.require(READERS)?;
    let locale = negotiate(&headers, q.locale.as_deref())?;
    Ok(localized(
        locale,
        StatusCode::OK,
        store.category(&code, locale).await?,
    ))
}

/// Adds a category under an existing one (or at the top), named in all 16 locales (admin).
#[utoipa::path(post, path = "/api/v1/categories", tag = "categories", request_body = NewCategory,
    responses((status = 201, body = Category), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_category(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewCategory>,
) -> Result<Response> {
    let locale = negotiate(&headers, None)?;
    Ok(localized(
        locale,
        StatusCode::CREATED,
        store.create_category(body, locale).await?,
    ))
}

/// Renames a category in some locales, retires it (no new products in it or below it) or
/// brings it back (admin). Its code never changes.
#[utoipa::path(patch, path = "/api/v1/categories/{code}", tag = "categories",
    params(("code" = String, Path, description = "category code, e.g. beauty.skincare")),
    request_body = CategoryPatch,
    responses((status = 200, body = Category), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_category(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
    ApiJson(patch): ApiJson<CategoryPatch>,
) -> Result<Response> {
    let locale = negotiate(&headers, None)?;
    Ok(localized(
        locale,
        StatusCode::OK,
        store.update_category(&code, patch, locale).await?,
    ))
}

/// Deletes a category that no product (archived ones included) and no other category uses;
/// 409 `category_in_use` otherwise: retire it instead (admin).
#[utoipa::path(delete, path = "/api/v1/categories/{code}", tag = "categories",
    params(("code" = String, Path, description = "category code, e.g. beauty.skincare")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_category(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(code): ApiPath<String>,
) -> Result<StatusCode> {
    store.delete_category(&code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes are dotted `a-z0-9_` segments, at most four deep; a parent is the code before the
    /// last dot; the lineage lists every ancestor first.
    #[test]
    fn codes_parents_and_lineage() {
        assert!(parse_code("code", "beauty.skincare").is_ok());
        assert!(parse_code("code", "food.infant_formula").is_ok());
        for bad in [
            "",
            "Beauty",
            "beauty.",
            ".beauty",
            "beauty..skincare",
            "beauty-skincare",
            "a.b.c.d.e",
            "beauty skincare",
        ] {
            assert!(parse_code("code", bad).is_err(), "{bad:?} is refused");
        }
        assert_eq!(parent_of("food.meat"), Some("food"));
        assert_eq!(parent_of("food"), None);
        assert_eq!(lineage("a.b.c"), vec!["a", "a.b", "a.b.c"]);
        assert_eq!(lineage("food"), vec!["food"]);
    }

    /// Names must be in supported locales, one line each.
    #[test]
    fn names_are_checked() {
        let mut names = BTreeMap::new();
        names.insert("kk".to_owned(), " Ет ".to_owned());
        assert_eq!(check_names(&names).expect("ok")["kk"], "Ет");
        names.insert("de".to_owned(), "Fleisch".to_owned());
        assert!(check_names(&names).is_err());
        let mut names = BTreeMap::new();
        names.insert("en".to_owned(), "a\u{202E}b".to_owned());
        assert!(check_names(&names).is_err());
    }
}
