//! The claims filter's routes: the term lists (anyone with a token) and the evidence log
//! (operators and admins: read, filtered and paginated, and exported as CSV).

use axum::extract::{FromRef, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{EvidencePage, EvidenceQuery};
use super::TermFile;
use crate::auth::{Authorized, Role, RoleSet};
use crate::error::{ErrorBody, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::store::CatalogStore;

/// Everyone with a token.
pub struct Readers;
impl RoleSet for Readers {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];
}

/// Those who read the evidence log: operators and admins.
pub struct Overseers;
impl RoleSet for Overseers {
    const ROLES: &'static [Role] = &[Role::Operator, Role::Admin];
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    CatalogStore: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(claim_terms))
        .routes(routes!(claims_evidence))
        .routes(routes!(export_claims_evidence))
}

/// The claims filter's term lists, per language, each list with its severity and source.
#[utoipa::path(get, path = "/api/v1/claims/terms", tag = "claims",
    responses((status = 200, body = Vec<TermFile>)), security(("bearer" = [])))]
async fn claim_terms(_: Authorized<Readers>) -> Result<ApiJson<Vec<TermFile>>> {
    Ok(ApiJson(super::filter()?.files()))
}

/// The evidence log: every term the filter found, newest first (operator or admin).
#[utoipa::path(get, path = "/api/v1/claims/evidence", tag = "claims", params(EvidenceQuery),
    responses((status = 200, body = EvidencePage), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn claims_evidence(
    State(store): State<CatalogStore>,
    _: Authorized<Overseers>,
    ApiQuery(q): ApiQuery<EvidenceQuery>,
) -> Result<ApiJson<EvidencePage>> {
    Ok(ApiJson(store.claims_evidence(&q).await?))
}

/// The evidence log as CSV, oldest first, with the same filters (`limit` aside); text cells a
/// spreadsheet would run as formulas are neutralised (operator or admin).
#[utoipa::path(get, path = "/api/v1/claims/evidence/export", tag = "claims",
    params(EvidenceQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn export_claims_evidence(
    State(store): State<CatalogStore>,
    _: Authorized<Overseers>,
    ApiQuery(q): ApiQuery<EvidenceQuery>,
) -> Result<Response> {
    // Streamed a page of rows at a time (constant memory for any size of the log).
    let csv = axum::body::Body::from_stream(store.claims_evidence_csv(&q).await?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"claims-evidence.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
