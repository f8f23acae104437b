//! The claims evidence log's SQL (table `claims_evidence`): writing the hits of a screened
//! write, and the operators' reads and CSV export. A blocked write's evidence is committed in
//! its own transaction, with nothing else in it, before the 422 is answered; a warned write's
//! is written by [`record_in`] inside the write's own transaction (see `Pending`).

use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};

use super::{Act, Found};
use crate::db::{now_ms, rfc3339, Conn};
use crate::error::{Error, Result};
use crate::store::{fetch_all_args, Arg, CatalogStore};

/// Whether the write the hits were found in was refused or taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Blocked,
    Warned,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Blocked => "blocked",
            Outcome::Warned => "warned",
        }
    }
}

/// One row of the evidence log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    /// RFC 3339.
    #[sqlx(skip)]
    pub at: String,
    #[serde(skip)]
    #[sqlx(rename = "at")]
    pub at_ms: i64,
    /// Who wrote the text: the token's id, name and role.
    pub actor_token_id: i64,
    pub actor_name: String,
    pub actor_role: String,
    /// `product.create`, `product.update`, `translation.put`, `session.create`,
    /// `session.showcase` or `session.pin`.
    pub operation: String,
    /// `product` or `session`.
    pub subject_kind: String,
    /// `null` when a refused create made nothing.
    pub subject_id: Option<i64>,
    /// Where the term was: `title`, `description`, `attributes.material`…
    pub field: String,
    pub locale: String,
    pub term: String,
    /// The language of the term's list.
    pub list: String,
    /// `block` or `warn`.
    pub severity: String,
    /// `blocked` (the write was refused, nothing changed) or `warned` (the write was taken).
    pub outcome: String,
    /// The whole text of the field as it was sent.
    pub text: String,
}

/// A page of the evidence log, newest first; `next_before` is the `before` of the next page
/// (`null` on the last).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidencePage {
    pub items: Vec<Evidence>,
    pub next_before: Option<i64>,
}

/// Filters of the evidence log (all optional, combined with AND).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// `block` or `warn`.
    pub severity: Option<String>,
    /// `blocked` or `warned`.
    pub outcome: Option<String>,
    /// e.g. `product.create`, `session.pin`.
    pub operation: Option<String>,
    /// `product` or `session`.
    pub subject_kind: Option<String>,
    pub subject_id: Option<i64>,
    /// The writer's token id.
    pub actor: Option<i64>,
    /// The term exactly as its list spells it.
    pub term: Option<String>,
    /// The text's locale, e.g. `zh-CN`.
    pub locale: Option<String>,
    /// First day (UTC, `YYYY-MM-DD`), inclusive.
    pub from: Option<String>,
    /// Last day (UTC, `YYYY-MM-DD`), inclusive.
    pub until: Option<String>,
    /// Rows with an id below this one (the previous page's `next_before`).
    pub before: Option<i64>,
    /// Rows per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

const OPERATIONS: [&str; 6] = [
    "product.create",
    "product.update",
    "translation.put",
    "session.create",
    "session.showcase",
    "session.pin",
];

fn one_of(field: &str, value: &Option<String>, allowed: &[&str]) -> Result<Option<String>> {
    match value {
        Some(v) if !allowed.contains(&v.as_str()) => Err(Error::invalid(
            field,
            format!("must be one of {}", allowed.join(", ")),
        )),
        other => Ok(other.clone()),
    }
}

fn day_ms(field: &str, value: &str, end: bool) -> Result<i64> {
    let day = crate::validate::date(field, value)?;
    let start = day.midnight().assume_utc().unix_timestamp() * 1000;
    Ok(if end { start + 86_400_000 } else { start })
}

/// The `WHERE` clause and its arguments for `q` (pagination aside).
fn conditions(q: &EvidenceQuery) -> Result<(String, Vec<Arg>)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut add = |clause: &str, arg: Arg| {
        args.push(arg);
        clauses.push(clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(v) = one_of("severity", &q.severity, &["block", "warn"])? {
        add("severity = ?", Arg::Text(v));
    }
    if let Some(v) = one_of("outcome", &q.outcome, &["blocked", "warned"])? {
        add("outcome = ?", Arg::Text(v));
    }
    if let Some(v) = one_of("operation", &q.operation, &OPERATIONS)? {
        add("operation = ?", Arg::Text(v));
    }
    if let Some(v) = one_of("subject_kind", &q.subject_kind, &["product", "session"])? {
        add("subject_kind = ?", Arg::Text(v));
    }
    if let Some(v) = q.subject_id {
        add("subject_id = ?", Arg::Int(v));
    }
    if let Some(v) = q.actor {
        add("actor_token_id = ?", Arg::Int(v));
    }
    if let Some(v) = &q.term {
        add("term = ?", Arg::Text(v.clone()));
    }
    if let Some(v) = &q.locale {
        add("locale = ?", Arg::Text(v.clone()));
    }
    if let Some(v) = &q.from {
        add("at >= ?", Arg::Int(day_ms("from", v, false)?));
    }
    if let Some(v) = &q.until {
        add("at < ?", Arg::Int(day_ms("until", v, true)?));
    }
    if let Some(v) = q.before {
        add("id < ?", Arg::Int(v));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Ok((sql, args))
}

const COLUMNS: &str = "id, at, actor_token_id, actor_name, actor_role, operation, subject_kind, \
     subject_id, field, locale, term, list, severity, outcome, text";

/// Writes the hits of one write into the log, in `tx`.
pub async fn record_in(
    tx: &mut Conn,
    act: &Act<'_>,
    found: &[Found],
    outcome: Outcome,
) -> Result<()> {
    let now = now_ms();
    for f in found {
        sqlx::query(
            "INSERT INTO claims_evidence (at, actor_token_id, actor_name, actor_role, \
             operation, subject_kind, subject_id, field, locale, term, list, severity, \
             outcome, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(now)
        .bind(act.by.token_id)
        .bind(&act.by.name)
        .bind(act.by.role.as_str())
        .bind(act.operation)
        .bind(act.subject_kind)
        .bind(act.subject_id)
        .bind(&f.hit.field)
        .bind(&f.hit.locale)
        .bind(&f.hit.term)
        .bind(&f.hit.list)
        .bind(f.hit.severity.as_str())
        .bind(outcome.as_str())
        .bind(&f.text)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl CatalogStore {
    /// Every text of a product that a pin or a showcase puts before buyers: its source text
    /// and every translation, each field named `product.{id}.{field}`. Empty for a product
    /// that does not exist (the caller refuses that with its own error).
    #[instrument(skip_all, fields(product_id))]
    pub async fn product_claim_texts(&self, product_id: i64) -> Result<Vec<super::Text>> {
        type Row = (String, String, String, String);
        let source: Option<Row> = sqlx::query_as(
            "SELECT source_locale, title, description, attributes FROM products WHERE id = $1",
        )
        .bind(product_id)
        .fetch_optional(self.db().reader())
        .await?;
        let Some(source) = source else {
            return Ok(Vec::new());
        };
        let translations: Vec<Row> = sqlx::query_as(
            "SELECT locale, title, description, attributes FROM translations \
             WHERE product_id = $1 ORDER BY locale",
        )
        .bind(product_id)
        .fetch_all(self.db().reader())
        .await?;
        let mut out = Vec::new();
        for (locale, title, description, attributes) in std::iter::once(source).chain(translations)
        {
            // A product's attributes hold numbers too, a translation's only text: read the text.
            let a: serde_json::Value = serde_json::from_str(&attributes).unwrap_or_default();
            let text_of = |key: &str| a.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let mut texts = vec![
                super::Text::new("title", &locale, title),
                super::Text::new("description", &locale, description),
            ];
            super::attribute_texts(
                &mut texts,
                &locale,
                &text_of("material"),
                &text_of("flavour"),
                &text_of("size"),
                &text_of("storage"),
            );
            for mut t in texts {
                t.field = format!("product.{product_id}.{}", t.field);
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Writes the hits of one write into the log in a transaction of their own.
    #[instrument(skip_all)]
    pub async fn record_claims(
        &self,
        act: &Act<'_>,
        found: &[Found],
        outcome: Outcome,
    ) -> Result<()> {
        if found.is_empty() {
            return Ok(());
        }
        let mut tx = self.db().begin().await?;
        record_in(&mut tx, act, found, outcome).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn evidence_rows(&self, q: &EvidenceQuery, limit: Option<i64>) -> Result<Vec<Evidence>> {
        let (filter, args) = conditions(q)?;
        let order = if limit.is_some() {
            " ORDER BY id DESC"
        } else {
            " ORDER BY id"
        };
        let mut sql = format!("SELECT {COLUMNS} FROM claims_evidence{filter}{order}");
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut rows: Vec<Evidence> = fetch_all_args(self.db().reader(), &sql, &args).await?;
        for r in &mut rows {
            r.at = rfc3339(r.at_ms);
        }
        Ok(rows)
    }

    /// A page of the evidence log, newest first.
    #[instrument(skip_all)]
    pub async fn claims_evidence(&self, q: &EvidenceQuery) -> Result<EvidencePage> {
        let limit = q.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(Error::invalid("limit", "must be between 1 and 500"));
        }
        // One row more than the page tells whether another page follows.
        let mut items = self.evidence_rows(q, Some(limit + 1)).await?;
        let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_before = if more {
            items.last().map(|r| r.id)
        } else {
            None
        };
        Ok(EvidencePage { items, next_before })
    }

    /// Every row of the evidence log that `q` selects (`limit` aside), oldest first, as CSV with
    /// CRLF line ends, a page of rows at a time ([`EXPORT_PAGE`]): the header and the first page
    /// are read before the answer starts (a bad filter or a database that does not answer is
    /// an error status), then one chunk per page, so the export holds one page in memory. Text
    /// cells a spreadsheet would run as formulas are neutralised as in the orders export.
    #[instrument(skip_all)]
    pub async fn claims_evidence_csv(
        &self,
        q: &EvidenceQuery,
    ) -> Result<impl futures_util::Stream<Item = Result<axum::body::Bytes>> + Send + 'static> {
        let (filter, args) = conditions(q)?;
        let rows = self.evidence_after(&filter, &args, 0).await?;
        let mut first = crate::csv::Page::new();
        first.row([
            "id",
            "at",
            "actor_token_id",
            "actor_name",
            "actor_role",
            "operation",
            "subject_kind",
            "subject_id",
            "field",
            "locale",
            "term",
            "list",
            "severity",
            "outcome",
            "text",
        ])?;
        let next = next_after(&rows);
        let first = evidence_page(first, rows)?;
        let first = futures_util::stream::once(async move { Ok(first) });
        let store = self.clone();
        let pages = futures_util::stream::try_unfold(next, move |after| {
            let (store, filter, args) = (store.clone(), filter.clone(), args.clone());
            async move {
                let Some(after) = after else {
                    return Ok(None);
                };
                let rows = store.evidence_after(&filter, &args, after).await?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let next = next_after(&rows);
                Ok(Some((evidence_page(crate::csv::Page::new(), rows)?, next)))
            }
        });
        Ok(futures_util::StreamExt::chain(first, pages))
    }

    /// A page of the rows `filter` selects after id `after`, oldest first.
    async fn evidence_after(
        &self,
        filter: &str,
        args: &[Arg],
        after: i64,
    ) -> Result<Vec<Evidence>> {
        let mut args = args.to_vec();
        args.push(Arg::Int(after));
        let and = if filter.is_empty() { " WHERE" } else { " AND" };
        let sql = format!(
            "SELECT {COLUMNS} FROM claims_evidence{filter}{and} id > ${} ORDER BY id \
             LIMIT {EXPORT_PAGE}",
            args.len()
        );
        let mut rows: Vec<Evidence> = fetch_all_args(self.db().reader(), &sql, &args).await?;
        for r in &mut rows {
            r.at = rfc3339(r.at_ms);
        }
        Ok(rows)
    }
}

/// Evidence rows the export reads at a time.
pub const EXPORT_PAGE: i64 = 500;

/// The id after which the next page starts, when `rows` is a full page.
fn next_after(rows: &[Evidence]) -> Option<i64> {
    (rows.len() as i64 == EXPORT_PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten()
}

/// `rows` written after what `page` holds, as one chunk.
fn evidence_page(mut page: crate::csv::Page, rows: Vec<Evidence>) -> Result<axum::body::Bytes> {
    use crate::csv::text;
    for r in rows {
        let t = |v: &str| text(v).into_owned();
        page.row([
            r.id.to_string(),
            r.at,
            r.actor_token_id.to_string(),
            t(&crate::text::clean_line(&r.actor_name)),
            t(&r.actor_role),
            t(&r.operation),
            t(&r.subject_kind),
            r.subject_id.map(|i| i.to_string()).unwrap_or_default(),
            t(&r.field),
            t(&r.locale),
            t(&r.term),
            t(&r.list),
            t(&r.severity),
            t(&r.outcome),
            t(&crate::text::clean_line(&r.text)),
        ])?;
    }
    page.into_bytes()
}
