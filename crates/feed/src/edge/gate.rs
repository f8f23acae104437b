//! Hosts' profiles, the qualification gate's routes of the feed (docs/cross-border.md): a host
//! gives their legal name and birth date, an operator verifies the real name and records a
//! guardian's consent for a host aged 16 or 17; a host who is unverified or under 16 cannot start
//! a session (409 `host_not_verified`, decided in the session's write: `store::gate`). Errors
//! are [`crate::domain::error::Error`].

use axum::extract::{FromRef, State};
use serde::{Deserialize, Serialize};
use silkstream_catalog::auth::{Authorized, Role, RoleSet};
use silkstream_catalog::db::rfc3339;
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiJson, ApiPath};
use silkstream_catalog::store::today;
use silkstream_catalog::validate::date;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::error::{Error, Result};
use crate::edge::Feed;
use crate::store::gate::{age_on, HostProfileRow};

/// The host's own profile.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostProfileBody {
    /// The name on the host's identity document.
    pub legal_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
}

/// A guardian's consent on file, by the reference of the signed document.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardianConsentBody {
    pub reference: String,
}

/// An empty body.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GuardianConsent {
    pub reference: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HostProfile {
    /// The host's token id (the session's `host.id`).
    pub host_id: i64,
    pub legal_name: String,
    pub birth_date: String,
    /// Whole years today (UTC).
    pub age: i64,
    pub verified: bool,
    pub verified_at: Option<String>,
    /// The operator who verified the real name.
    pub verified_by: Option<String>,
    pub guardian_consent: Option<GuardianConsent>,
    /// Whether the host may start a session today; `reason` says why not.
    pub may_go_live: bool,
    pub reason: Option<String>,
}

impl From<HostProfileRow> for HostProfile {
    fn from(r: HostProfileRow) -> Self {
        let day = today();
        let age = date("birth_date", &r.birth_date)
            .map(|b| age_on(b, day))
            .unwrap_or(0);
        let reason = r.refusal(day);
        HostProfile {
            host_id: r.token_id,
            age,
            verified: r.verified_at.is_some(),
            verified_at: r.verified_at.map(rfc3339),
            verified_by: r.verified_by,
            guardian_consent: match (r.guardian_consent_ref, r.guardian_consent_at) {
                (Some(reference), Some(at)) => Some(GuardianConsent {
                    reference,
                    recorded_at: rfc3339(at),
                }),
                _ => None,
            },
            may_go_live: reason.is_none(),
            reason,
            legal_name: r.legal_name,
            birth_date: r.birth_date,
        }
    }
}

/// Operators and admins: who verify hosts.
pub struct Verifiers;
impl RoleSet for Verifiers {
    const ROLES: &'static [Role] = &[Role::Operator, Role::Admin];
}
pub struct Hosts;
impl RoleSet for Hosts {
    const ROLES: &'static [Role] = &[Role::Host];
}

/// The hosts' routes; mounted with the feed's.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(my_profile, put_my_profile))
        .routes(routes!(host_profile))
        .routes(routes!(verify_host))
        .routes(routes!(guardian_consent))
}

/// A token id that names a host (404 otherwise).
async fn host(feed: &Feed, id: i64) -> Result<()> {
    match feed.store.token_role(id).await?.as_deref() {
        Some("host") => Ok(()),
        _ => Err(Error::not_found(format!("host {id}"))),
    }
}

async fn profile_of(feed: &Feed, id: i64) -> Result<HostProfile> {
    feed.store
        .host_profile(id)
        .await?
        .map(HostProfile::from)
        .ok_or_else(|| Error::not_found(format!("profile of host {id}")))
}

/// The calling host's profile (404 before they give one).
#[utoipa::path(get, path = "/api/v1/hosts/me/profile", tag = "hosts",
    responses((status = 200, body = HostProfile), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn my_profile(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Hosts>,
) -> Result<ApiJson<HostProfile>> {
    Ok(ApiJson(profile_of(&feed, principal.token_id).await?))
}

/// Gives or changes the calling host's legal name and birth date. A change withdraws the
/// operator's verification and the guardian's consent, which were for the old details.
#[utoipa::path(put, path = "/api/v1/hosts/me/profile", tag = "hosts",
    request_body = HostProfileBody,
    responses((status = 200, body = HostProfile), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_my_profile(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Hosts>,
    ApiJson(body): ApiJson<HostProfileBody>,
) -> Result<ApiJson<HostProfile>> {
    let name = silkstream_catalog::text::line("legal_name", &body.legal_name, 200)?;
    let birth = date("birth_date", &body.birth_date)?;
    let today = today();
    if birth > today || age_on(birth, today) > 120 {
        return Err(Error::invalid(
            "birth_date",
            "must be a day in the past 120 years",
        ));
    }
    let row = feed
        .store
        .put_host_profile(principal.token_id, &name, birth)
        .await?;
    Ok(ApiJson(row.into()))
}

/// A host's profile (operator, admin).
#[utoipa::path(get, path = "/api/v1/hosts/{id}/profile", tag = "hosts",
    params(("id" = i64, Path, description = "the host's token id")),
    responses((status = 200, body = HostProfile), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn host_profile(
    State(feed): State<Feed>,
    _: Authorized<Verifiers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<HostProfile>> {
    host(&feed, id).await?;
    Ok(ApiJson(profile_of(&feed, id).await?))
}

/// Records that an operator checked the host's legal name and birth date against their
/// identity document (operator, admin).
#[utoipa::path(post, path = "/api/v1/hosts/{id}/verify", tag = "hosts",
    params(("id" = i64, Path, description = "the host's token id")), request_body = NoBody,
    responses((status = 200, body = HostProfile), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn verify_host(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Verifiers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(_body): ApiJson<NoBody>,
) -> Result<ApiJson<HostProfile>> {
    host(&feed, id).await?;
    Ok(ApiJson(
        feed.store.verify_host(id, &principal.name).await?.into(),
    ))
}

/// Records a guardian's consent on file for a host aged 16 or 17 (operator, admin); 422 for
/// a host of another age.
#[utoipa::path(post, path = "/api/v1/hosts/{id}/guardian-consent", tag = "hosts",
    params(("id" = i64, Path, description = "the host's token id")),
    request_body = GuardianConsentBody,
    responses((status = 200, body = HostProfile), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn guardian_consent(
    State(feed): State<Feed>,
    _: Authorized<Verifiers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<GuardianConsentBody>,
) -> Result<ApiJson<HostProfile>> {
    host(&feed, id).await?;
    let reference = silkstream_catalog::text::line("reference", &body.reference, 200)?;
    let current = profile_of(&feed, id).await?;
    if !(16..18).contains(&current.age) {
        return Err(Error::invalid(
            "reference",
            format!(
                "the host is {}: a guardian's consent is for hosts aged 16 or 17",
                current.age
            ),
        ));
    }
    Ok(ApiJson(
        feed.store
            .record_guardian_consent(id, &reference)
            .await?
            .into(),
    ))
}
