//! The qualification gate's SQL (docs/cross-border.md): hosts' profiles (`host_profiles`) and
//! the gate's checks, which run inside the caller's [`super::write::SessionWrite`], after the
//! session's lock: what they decide on is read in the transaction that writes, so no showcase
//! entry, pin, sale or order is committed on a credential revoked (or a verification withdrawn)
//! before the commit. The product's credentials are read by
//! [`silkstream_catalog::merchants::qualification_in`] (`FOR SHARE` on PostgreSQL: a
//! revocation waits for the write to end; SQLite runs one write transaction at a time).

use silkstream_catalog::db::{now_ms, Conn};
use silkstream_catalog::merchants::{for_share, qualification_in, Qualification, RULES};
use silkstream_catalog::store::utc_date;
use silkstream_catalog::validate::{date, format_date};

use super::FeedStore;
use crate::domain::error::{Error, Refusal, Result};

/// A host's profile row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostProfileRow {
    pub token_id: i64,
    pub legal_name: String,
    pub birth_date: String,
    pub verified_at: Option<i64>,
    pub verified_by: Option<String>,
    pub guardian_consent_ref: Option<String>,
    pub guardian_consent_at: Option<i64>,
}

const PROFILE_SELECT: &str = "SELECT token_id, legal_name, birth_date, verified_at, verified_by, \
     guardian_consent_ref, guardian_consent_at FROM host_profiles";

/// Whole years from `birth` to `day`.
pub fn age_on(birth: time::Date, day: time::Date) -> i64 {
    let mut years = i64::from(day.year()) - i64::from(birth.year());
    if (day.month() as u8, day.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    years
}

impl HostProfileRow {
    /// Why this host may not start a session on `day`, or `None` when they may.
    pub fn refusal(&self, day: time::Date) -> Option<String> {
        let Ok(birth) = date("birth_date", &self.birth_date) else {
            return Some("the profile's birth date cannot be read".into());
        };
        let age = age_on(birth, day);
        if age < 16 {
            return Some(format!(
                "the host is {age}; hosts must be at least 16 to run a live session"
            ));
        }
        if self.verified_at.is_none() {
            return Some(
                "the host's real name has not been verified by an operator \
                 (POST /api/v1/hosts/{id}/verify)"
                    .into(),
            );
        }
        if age < 18 && self.guardian_consent_at.is_none() {
            return Some(format!(
                "the host is {age}: a guardian's consent must be on file \
                 (POST /api/v1/hosts/{{id}}/guardian-consent)"
            ));
        }
        None
    }
}

async fn profile_in(conn: &mut Conn, token_id: i64) -> Result<Option<HostProfileRow>> {
    let sql = format!("{PROFILE_SELECT} WHERE token_id = $1{}", for_share(conn));
    Ok(sqlx::query_as(&sql)
        .bind(token_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// In the session's write: 409 `host_not_verified` unless the session's host may go live.
pub(crate) async fn check_host_in(conn: &mut Conn, session_id: i64, now: i64) -> Result<()> {
    let (host,): (i64,) = sqlx::query_as("SELECT host_token_id FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(&mut *conn)
        .await?;
    let why = match profile_in(conn, host).await? {
        None => Some(
            "the host has no profile (PUT /api/v1/hosts/me/profile), so no operator has \
             verified their real name"
                .to_owned(),
        ),
        Some(p) => p.refusal(utc_date(now)),
    };
    match why {
        None => Ok(()),
        Some(why) => Err(Error::conflict("host_not_verified", why)),
    }
}

/// The session's markets, read in the write.
async fn markets_in(conn: &mut Conn, session_id: i64) -> Result<Vec<String>> {
    let (markets,): (String,) = sqlx::query_as("SELECT markets FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(serde_json::from_str(&markets).unwrap_or_default())
}

/// In the session's write: 409 `not_sellable_here` or `qualification_missing` unless the
/// product may be sold into every market of the session (showcase, pin, flash sale).
pub(crate) async fn check_product_in(
    conn: &mut Conn,
    session_id: i64,
    product_id: i64,
    now: i64,
) -> Result<()> {
    for market in markets_in(conn, session_id).await? {
        qualification_in(conn, product_id, &market, utc_date(now))
            .await?
            .into_result()?;
    }
    Ok(())
}

/// In an order's write: the refusal of an order of `product_id` shipped to `market`
/// (`not_sellable_here`, `qualification_missing`), or `None` when the gate lets it through.
pub(crate) async fn order_refusal_in(
    conn: &mut Conn,
    product_id: i64,
    market: &str,
    now: i64,
) -> Result<Option<Refusal>> {
    Ok(
        match qualification_in(conn, product_id, market, utc_date(now)).await? {
            Qualification::Qualified => None,
            Qualification::NotSellable { .. } => Some(Refusal::NotSellableHere),
            Qualification::Missing { kind, .. } => Some(Refusal::QualificationMissing {
                kind: RULES
                    .kinds()
                    .into_iter()
                    .find(|k| *k == kind)
                    .unwrap_or("credential"),
            }),
        },
    )
}

impl FeedStore {
    /// A host's profile, if they gave one.
    pub async fn host_profile(&self, token_id: i64) -> Result<Option<HostProfileRow>> {
        let mut conn = self.db.reader().acquire().await?;
        profile_in(&mut conn, token_id).await
    }

    /// Creates or changes a host's own profile. A change of name or birth date withdraws the
    /// operator's verification and the guardian's consent: they were given for the old one.
    pub async fn put_host_profile(
        &self,
        token_id: i64,
        legal_name: &str,
        birth_date: time::Date,
    ) -> Result<HostProfileRow> {
        let now = now_ms();
        let birth = format_date(birth_date);
        sqlx::query(
            "INSERT INTO host_profiles (token_id, legal_name, birth_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (token_id) DO UPDATE SET \
             legal_name = excluded.legal_name, birth_date = excluded.birth_date, \
             updated_at = excluded.updated_at, \
             verified_at = CASE WHEN host_profiles.legal_name = excluded.legal_name \
                 AND host_profiles.birth_date = excluded.birth_date \
                 THEN host_profiles.verified_at ELSE NULL END, \
             verified_by = CASE WHEN host_profiles.legal_name = excluded.legal_name \
                 AND host_profiles.birth_date = excluded.birth_date \
                 THEN host_profiles.verified_by ELSE NULL END, \
             guardian_consent_at = CASE WHEN host_profiles.legal_name = excluded.legal_name \
                 AND host_profiles.birth_date = excluded.birth_date \
                 THEN host_profiles.guardian_consent_at ELSE NULL END, \
             guardian_consent_ref = CASE WHEN host_profiles.legal_name = excluded.legal_name \
                 AND host_profiles.birth_date = excluded.birth_date \
                 THEN host_profiles.guardian_consent_ref ELSE NULL END",
        )
        .bind(token_id)
        .bind(legal_name)
        .bind(&birth)
        .bind(now)
        .execute(self.db.writer())
        .await?;
        self.host_profile(token_id)
            .await?
            .ok_or_else(|| Error::internal("a profile just written is missing"))
    }

    /// Records an operator's real-name verification (404 without a profile).
    pub async fn verify_host(&self, token_id: i64, by: &str) -> Result<HostProfileRow> {
        let done = sqlx::query(
            "UPDATE host_profiles SET verified_at = $1, verified_by = $2, updated_at = $1 \
             WHERE token_id = $3",
        )
        .bind(now_ms())
        .bind(by)
        .bind(token_id)
        .execute(self.db.writer())
        .await?
        .rows_affected();
        if done != 1 {
            return Err(Error::not_found(format!("profile of host {token_id}")));
        }
        self.host_profile(token_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("profile of host {token_id}")))
    }

    /// Records a guardian's consent on file, by its reference (404 without a profile).
    pub async fn record_guardian_consent(
        &self,
        token_id: i64,
        reference: &str,
    ) -> Result<HostProfileRow> {
        let done = sqlx::query(
            "UPDATE host_profiles SET guardian_consent_ref = $1, guardian_consent_at = $2, \
             updated_at = $2 WHERE token_id = $3",
        )
        .bind(reference)
        .bind(now_ms())
        .bind(token_id)
        .execute(self.db.writer())
        .await?
        .rows_affected();
        if done != 1 {
            return Err(Error::not_found(format!("profile of host {token_id}")));
        }
        self.host_profile(token_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("profile of host {token_id}")))
    }

    /// The role of token `id`, if it exists.
    pub async fn token_role(&self, id: i64) -> Result<Option<String>> {
        Ok(silkstream_catalog::tokens::role_of(&self.db, id).await?)
    }
}

/// Gives host `token_id` a profile whose real name `by` verified: for the demo's host.
pub async fn put_verified_profile(
    db: &silkstream_catalog::Db,
    token_id: i64,
    legal_name: &str,
    birth_date: &str,
    by: &str,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO host_profiles (token_id, legal_name, birth_date, verified_at, verified_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $4, $4)",
    )
    .bind(token_id)
    .bind(legal_name)
    .bind(birth_date)
    .bind(now)
    .bind(by)
    .execute(db.writer())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> time::Date {
        date("d", s).expect("date")
    }

    /// A birthday counts from its day: 16 on the day, 15 the day before; 29 February too.
    #[test]
    fn ages_turn_on_the_birthday() {
        assert_eq!(age_on(d("2010-06-15"), d("2026-06-15")), 16);
        assert_eq!(age_on(d("2010-06-15"), d("2026-06-14")), 15);
        assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    }
}
