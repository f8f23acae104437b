//! Guest buyers, sessions, showcase and pin: their reads and their writes.

use std::collections::BTreeMap;

use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::claims::{self, Pending};
use silkstream_catalog::codes::{self, CountryCode};
use silkstream_catalog::db::{now_ms, rfc3339};
use tracing::instrument;

use super::*;
use crate::domain::error::{Error, Result};
use crate::domain::events::{Empty, Event, ProductRef};
use crate::domain::model::*;
use crate::domain::stream::{MediaOrigins, NewStream};

impl FeedStore {
    // ---- buyers ---------------------------------------------------------------------------

    /// Checks a guest buyer's details (before a token is made for them).
    pub fn check_buyer(body: &NewBuyer) -> Result<NewBuyer> {
        Ok(NewBuyer {
            display_name: silkstream_catalog::text::name("display_name", &body.display_name, 60)?,
            country: CountryCode::parse("country", &body.country)?
                .as_str()
                .to_owned(),
            city: silkstream_catalog::text::name("city", &body.city, 100)?,
            locale: codes::parse_locale("locale", &body.locale)?.to_owned(),
        })
    }

    /// Writes a guest buyer's profile for their token (checked with [`Self::check_buyer`]).
    pub async fn create_buyer(
        &self,
        token_id: i64,
        body: &NewBuyer,
        client_addr: &str,
    ) -> Result<Buyer> {
        create_buyer(&self.db, token_id, body, client_addr).await
    }

    /// Writes a guest buyer's profile (`POST /api/v1/buyers`): deleted with its token after
    /// `ttl` unless the guest has ordered by then.
    pub async fn create_guest(
        &self,
        token_id: i64,
        body: &NewBuyer,
        client_addr: &str,
        ttl: std::time::Duration,
    ) -> Result<Buyer> {
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let until = now_ms().saturating_add(ttl_ms);
        write_buyer(&self.db, token_id, body, client_addr, Some(until)).await
    }

    /// Deletes the guests whose time is up and who never ordered, with their tokens (so the
    /// token is refused from then on); how many. Each guest in its own transaction: one that
    /// cannot be deleted is logged and kept, and the others are deleted all the same.
    pub async fn delete_idle_guests(&self) -> Result<u64> {
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT b.token_id FROM buyers b WHERE b.guest_until IS NOT NULL \
             AND b.guest_until <= $1 AND NOT EXISTS \
             (SELECT 1 FROM orders o WHERE o.buyer_token_id = b.token_id) \
             AND NOT EXISTS (SELECT 1 FROM chat_messages c WHERE c.sender_token_id = b.token_id) \
             AND NOT EXISTS (SELECT 1 FROM chat_mutes m WHERE m.token_id = b.token_id) \
             ORDER BY b.token_id LIMIT 500",
        )
        .bind(now_ms())
        .fetch_all(self.db.reader())
        .await?;
        let mut deleted = 0;
        for (token_id,) in due {
            match self.delete_idle_guest(token_id).await {
                Ok(true) => {
                    deleted += 1;
                    // Refused from now on on this instance (others: within the token refresh).
                    self.caches.forget_token(token_id);
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(
                    token_id,
                    error = %e,
                    "sweeper could not delete an idle guest; kept, the others go on"
                ),
            }
        }
        Ok(deleted)
    }

    /// Deletes one idle guest with their token unless they have an order, a chat message or a
    /// mute (the room's evidence names their token); whether it did.
    ///
    /// A guest who orders as their time runs out keeps their token (they ordered), and an
    /// order that comes after the deletion is refused with 401: never an order failing on the
    /// orders' foreign key, never a deletion failing on it. The lock order is the order path's
    /// (`super::write`): the buyer's row (the DELETE takes it; a per-person order holds it),
    /// then the token's row. An order being placed holds the token `FOR KEY SHARE`
    /// (`batch::live_tokens`) until it commits, so `FOR UPDATE` here waits for it, and the
    /// orders are read again after that wait (a new snapshot under READ COMMITTED): an order
    /// committed meanwhile keeps the guest. SQLite's single writer runs the two one after the
    /// other.
    async fn delete_idle_guest(&self, token_id: i64) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let gone = sqlx::query(
            "DELETE FROM buyers WHERE token_id = $1 AND guest_until IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.buyer_token_id = $1)",
        )
        .bind(token_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone != 1 {
            return Ok(false);
        }
        silkstream_catalog::tokens::lock_for_update(&mut tx, token_id).await?;
        // A chat message takes the token `FOR KEY SHARE` too (`super::chat`).
        let (orders,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM orders WHERE buyer_token_id = $1) \
             + (SELECT COUNT(*) FROM chat_messages WHERE sender_token_id = $1) \
             + (SELECT COUNT(*) FROM chat_mutes WHERE token_id = $1)",
        )
        .bind(token_id)
        .fetch_one(&mut *tx)
        .await?;
        if orders > 0 {
            // Ordered or wrote while the deletion waited: the guest stays (the rollback
            // restores them).
            return Ok(false);
        }
        silkstream_catalog::tokens::delete_buyer(&mut tx, token_id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether token `token_id` can still authenticate (not revoked, expired or deleted), read
    /// from the database.
    pub(crate) async fn token_live(&self, token_id: i64) -> Result<bool> {
        Ok(silkstream_catalog::tokens::is_live(&self.db, token_id, now_ms()).await?)
    }

    pub(crate) async fn buyer(&self, token_id: i64) -> Result<Option<BuyerRow>> {
        Ok(sqlx::query_as(
            "SELECT token_id, display_name, country, city, locale, created_at FROM buyers \
             WHERE token_id = $1",
        )
        .bind(token_id)
        .fetch_optional(self.db.reader())
        .await?)
    }

    pub async fn get_buyer(&self, token_id: i64) -> Result<Buyer> {
        let mut buyer = self
            .buyer(token_id)
            .await?
            .map(|b| b.view())
            .ok_or_else(|| Error::not_found("buyer profile"))?;
        if let Some((ship_to, currency)) = self.saved_ship_to(token_id).await? {
            buyer.ship_to = Some(ship_to);
            buyer.currency = Some(currency);
        }
        Ok(buyer)
    }

    /// Saves the buyer's delivery address and currency (checked by the caller as an order's
    /// are), in place of any before; 404 for a token without a buyer profile.
    pub(crate) async fn save_ship_to(
        &self,
        token_id: i64,
        ship_to: &ShipTo,
        currency: &str,
    ) -> Result<()> {
        let json = serde_json::to_string(ship_to).map_err(Error::internal)?;
        let saved =
            sqlx::query("UPDATE buyers SET ship_to = $1, currency = $2 WHERE token_id = $3")
                .bind(json)
                .bind(currency)
                .bind(token_id)
                .execute(self.db.writer())
                .await?
                .rows_affected();
        if saved == 1 {
            Ok(())
        } else {
            Err(Error::not_found("buyer profile"))
        }
    }

    /// The buyer's saved delivery address and currency, when both are saved.
    pub(crate) async fn saved_ship_to(&self, token_id: i64) -> Result<Option<(ShipTo, String)>> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT ship_to, currency FROM buyers WHERE token_id = $1")
                .bind(token_id)
                .fetch_optional(self.db.reader())
                .await?;
        Ok(match row {
            Some((Some(json), Some(currency))) => {
                serde_json::from_str(&json).ok().map(|s| (s, currency))
            }
            _ => None,
        })
    }

    // ---- sessions -------------------------------------------------------------------------

    pub(crate) async fn session_row(&self, id: i64) -> Result<SessionRow> {
        let sql = format!("{SESSION_SELECT} WHERE s.id = $1");
        let row: Option<SessionRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.db.reader())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("session {id}")))
    }

    /// The session if `who` may control it: its host, or an operator (403 for anyone else).
    pub(crate) async fn controlled_session(&self, who: &Principal, id: i64) -> Result<SessionRow> {
        let session = self.session_row(id).await?;
        match who.role {
            Role::Operator => Ok(session),
            Role::Host if who.token_id == session.host_token_id => Ok(session),
            Role::Host => Err(Error::forbidden(
                "this session belongs to another host; only its host or an operator controls it",
            )),
            _ => Err(Error::forbidden(
                "only the session's host or an operator controls a session",
            )),
        }
    }

    /// Opens a session; `claims`' warned hits (its title's) go into the evidence log in the
    /// same transaction as its row.
    #[instrument(skip_all)]
    pub async fn create_session(
        &self,
        host: &Principal,
        body: NewSession,
        claims: Option<&Pending<'_>>,
    ) -> Result<Session> {
        let title = silkstream_catalog::text::line("title", &body.title, 200)?;
        let language = codes::parse_locale("language", &body.language)?;
        if body.markets.is_empty() || body.markets.len() > 14 {
            return Err(Error::invalid("markets", "give 1 to 14 markets"));
        }
        let mut markets: Vec<String> = Vec::new();
        for (i, m) in body.markets.iter().enumerate() {
            let field = format!("markets[{i}]");
            let c = CountryCode::parse(&field, m)?.as_str().to_owned();
            if markets.contains(&c) {
                return Err(Error::invalid(field, "appears twice"));
            }
            if self.catalog.get_market(&c).await.is_err() {
                return Err(Error::invalid(
                    field,
                    format!("{c} is not a configured market"),
                ));
            }
            markets.push(c);
        }
        let scheduled_at = match &body.scheduled_at {
            Some(s) => Some(parse_time("scheduled_at", s)?),
            None => None,
        };
        let markets_json = serde_json::to_string(&markets).map_err(Error::internal)?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sessions (host_token_id, title, language, markets, state, \
             scheduled_at, created_at) VALUES ($1, $2, $3, $4, 'scheduled', $5, $6) \
             RETURNING id",
        )
        .bind(host.token_id)
        .bind(&title)
        .bind(language)
        .bind(&markets_json)
        .bind(scheduled_at)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        claims::write_pending(claims, &mut tx, id).await?;
        tx.commit().await?;
        self.session(id).await
    }

    /// A session with its showcase, sales and (once ended) summary. A read never writes: a
    /// sale whose time is up shows the phase `ended` from the clock (`SaleRow::view`) until the
    /// sweeper (or a control route of its session) ends it and returns its units.
    pub async fn session(&self, id: i64) -> Result<Session> {
        let row = self.session_row(id).await?;
        let (showcase, sales): (Vec<(i64,)>, Vec<SaleRow>) = {
            let showcase = sqlx::query_as(
                "SELECT product_id FROM showcase WHERE session_id = $1 ORDER BY added_at, product_id",
            )
            .bind(id)
            .fetch_all(self.db.reader())
            .await?;
            let sql = format!("{SALE_SELECT} WHERE f.session_id = $1 ORDER BY f.id");
            let sales = sqlx::query_as(&sql)
                .bind(id)
                .fetch_all(self.db.reader())
                .await?;
            (showcase, sales)
        };
        let now = now_ms();
        let sales: Vec<FlashSale> = sales.iter().map(|s| s.view(now)).collect();
        let summary = if row.state == SessionState::Ended.as_str() {
            Some(self.summary(id, row.peak_viewers).await?)
        } else {
            None
        };
        Ok(Session {
            stream: row.stream(),
            id: row.id,
            host: Host {
                id: row.host_token_id,
                name: row.host_name.clone(),
            },
            markets: row.markets(),
            title: row.title,
            language: row.language,
            state: row.state,
            scheduled_at: row.scheduled_at.map(rfc3339),
            started_at: row.started_at.map(rfc3339),
            ended_at: row.ended_at.map(rfc3339),
            showcase: showcase.into_iter().map(|(p,)| p).collect(),
            pinned_product_id: row.pinned_product_id,
            sale: sales
                .iter()
                .rev()
                .find(|s| s.state != SaleState::Ended.as_str())
                .cloned(),
            sales,
            last_seq: row.next_seq,
            server_time: rfc3339(now),
            server_time_ms: now,
            summary,
        })
    }

    /// What a session sold: orders, units and GMV (per currency and in CNY at the orders' own
    /// rates), top products, as of now.
    pub async fn summary(&self, session_id: i64, peak_viewers: i64) -> Result<Summary> {
        type Row = (i64, String, i64, i64, String, Option<i64>, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.product_id, o.currency, o.quantity, o.total_minor, pr.title, \
             o.value_cny_fen, o.status FROM orders o JOIN products pr ON pr.id = o.product_id \
             WHERE o.session_id = $1 AND o.status <> 'cancelled' ORDER BY o.id",
        )
        .bind(session_id)
        .fetch_all(self.db.reader())
        .await?;
        let as_of = now_ms();
        let mut gmv: BTreeMap<String, i128> = BTreeMap::new();
        let mut products: BTreeMap<i64, TopProduct> = BTreeMap::new();
        let mut units = 0;
        let mut cny_fen: i128 = 0;
        let mut missing: Vec<String> = Vec::new();
        let mut unpaid = 0;
        for (product_id, currency, quantity, total, title, value, status) in &rows {
            units += quantity;
            *gmv.entry(currency.clone()).or_default() += i128::from(*total);
            match value {
                Some(fen) => cny_fen += i128::from(*fen),
                None if !missing.contains(currency) => missing.push(currency.clone()),
                None => {}
            }
            if status == OrderStatus::Confirmed.as_str() {
                unpaid += 1;
            }
            let top = products.entry(*product_id).or_insert_with(|| TopProduct {
                product_id: *product_id,
                title: title.clone(),
                units: 0,
                orders: 0,
            });
            top.units += quantity;
            top.orders += 1;
        }
        missing.sort();
        let mut top: Vec<TopProduct> = products.into_values().collect();
        top.sort_by(|a, b| b.units.cmp(&a.units).then(a.product_id.cmp(&b.product_id)));
        top.truncate(5);
        let orders = rows.len() as i64;
        Ok(Summary {
            orders,
            units,
            gmv: money_list(narrow(gmv)?),
            gmv_cny: silkstream_catalog::store::cny_text(cny_fen),
            missing_rates: missing,
            top_products: top,
            peak_viewers,
            orders_per_viewer: (peak_viewers > 0).then(|| orders as f64 / peak_viewers as f64),
            as_of: rfc3339(as_of),
            unpaid_orders: unpaid,
        })
    }

    /// The rate table in force today.
    pub async fn rates_today(&self) -> Result<silkstream_catalog::store::RateTable> {
        Ok(self
            .catalog
            .rate_table(silkstream_catalog::store::today())
            .await?)
    }

    /// Adds a product to the showcase. Whether the session has ended is decided under its lock.
    /// `claims`' warned hits go into the evidence log in the same transaction.
    #[instrument(skip_all, fields(id))]
    pub async fn add_to_showcase(
        &self,
        who: &Principal,
        id: i64,
        product_id: i64,
        claims: Option<&Pending<'_>>,
    ) -> Result<()> {
        self.controlled_session(who, id).await?;
        match silkstream_catalog::facts::product_archived(&self.db, product_id).await? {
            None => {
                return Err(Error::invalid(
                    "product_id",
                    format!("no product {product_id}"),
                ))
            }
            Some(true) => return Err(Error::invalid("product_id", "the product is archived")),
            Some(false) => {}
        }
        let mut w = self.write(id).await?;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let now = w.now;
        super::gate::check_product_in(w.tx(), id, product_id, now).await?;
        showcase_add(&mut w, product_id).await?;
        w.record_claims(claims).await?;
        w.commit().await
    }

    /// scheduled → live.
    #[instrument(skip_all, fields(id))]
    pub async fn start(&self, who: &Principal, id: i64) -> Result<()> {
        self.controlled_session(who, id).await?;
        let mut w = self.write(id).await?;
        if w.session.state != SessionState::Scheduled {
            return Err(Error::conflict(
                "conflict",
                "only a scheduled session can start",
            ));
        }
        let now = w.now;
        super::gate::check_host_in(w.tx(), id, now).await?;
        self.change_state(
            w,
            "UPDATE sessions SET state = 'live', started_at = $1 WHERE id = $2 \
             AND state = 'scheduled'",
            Event::SessionStarted(Empty {}),
        )
        .await
    }

    /// live (or scheduled) → ended: every sale still running ends and returns its units.
    #[instrument(skip_all, fields(id))]
    pub async fn end(&self, who: &Principal, id: i64) -> Result<()> {
        self.controlled_session(who, id).await?;
        let mut w = self.write(id).await?;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended already"));
        }
        // In stock-row order (variant, warehouse): the lock order of `write`.
        let sales: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM flash_sales WHERE session_id = $1 AND state <> 'ended' \
             ORDER BY variant_id, warehouse_id, id",
        )
        .bind(id)
        .fetch_all(w.tx())
        .await?;
        for (sale_id,) in sales {
            super::sales::end_sale_in(&mut w, sale_id, "session_ended").await?;
        }
        self.change_state(
            w,
            "UPDATE sessions SET state = 'ended', ended_at = $1, pinned_product_id = NULL, \
             stream_kind = NULL, stream_url = NULL WHERE id = $2 AND state <> 'ended'",
            Event::SessionEnded(Empty {}),
        )
        .await
    }

    /// The tail of a session's state change, start's and end's: the guarded `update` (binding
    /// the write's time as `$1` and the session's id as `$2`), which must change the locked
    /// row (it was read under the lock; anything else is a bug, a 500), then `event`, the
    /// commit, and this instance's memory of the session dropped.
    async fn change_state(
        &self,
        mut w: super::write::SessionWrite<'_>,
        update: &'static str,
        event: Event,
    ) -> Result<()> {
        let id = w.session.id;
        let done = sqlx::query(update)
            .bind(w.now)
            .bind(id)
            .execute(w.tx())
            .await?
            .rows_affected();
        if done != 1 {
            return Err(Error::internal("the locked session did not change state"));
        }
        w.log(event);
        w.commit().await?;
        self.caches.forget_session(id);
        Ok(())
    }

    /// Pins a showcase product (`Some`) or unpins (`None`). Whether the session has ended and
    /// what is pinned are decided under its lock. `claims`' warned hits go into the evidence
    /// log in the same transaction.
    #[instrument(skip_all, fields(id))]
    pub async fn pin(
        &self,
        who: &Principal,
        id: i64,
        product_id: Option<i64>,
        claims: Option<&Pending<'_>>,
    ) -> Result<()> {
        self.controlled_session(who, id).await?;
        let mut w = self.write(id).await?;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        if product_id.is_none() && w.session.pinned_product_id.is_none() {
            return Err(Error::conflict("conflict", "nothing is pinned"));
        }
        if let Some(pid) = product_id {
            let in_showcase: Option<(i64,)> = sqlx::query_as(
                "SELECT product_id FROM showcase WHERE session_id = $1 AND product_id = $2",
            )
            .bind(id)
            .bind(pid)
            .fetch_optional(w.tx())
            .await?;
            if in_showcase.is_none() {
                return Err(Error::invalid(
                    "product_id",
                    "only a product in the session's showcase can be pinned",
                ));
            }
            let now = w.now;
            super::gate::check_product_in(w.tx(), id, pid, now).await?;
        }
        sqlx::query("UPDATE sessions SET pinned_product_id = $1 WHERE id = $2")
            .bind(product_id)
            .bind(id)
            .execute(w.tx())
            .await?;
        match product_id {
            Some(product_id) => w.log(Event::ProductPinned(ProductRef { product_id })),
            None => w.log(Event::ProductUnpinned(Empty {})),
        }
        w.record_claims(claims).await?;
        w.commit().await
    }

    /// Sets the session's stream (`Some`: the body and the origins it is checked against,
    /// after who may is known, so a stranger gets 403 or 404 before anything about the body)
    /// or clears it (`None`). Whether the session has ended and whether a stream is set are
    /// decided under its lock; the event goes into the log in the same transaction.
    #[instrument(skip_all, fields(id))]
    pub async fn set_stream(
        &self,
        who: &Principal,
        id: i64,
        set: Option<(&NewStream, &MediaOrigins)>,
    ) -> Result<()> {
        self.controlled_session(who, id).await?;
        let stream = match set {
            Some((body, origins)) => Some(crate::domain::stream::check(body, origins)?),
            None => None,
        };
        let mut w = self.write(id).await?;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        // A clear changes the row only when a stream is set: its row count is the answer.
        let changed = sqlx::query(
            "UPDATE sessions SET stream_kind = $1, stream_url = $2 WHERE id = $3 \
             AND (stream_kind IS NOT NULL OR $4)",
        )
        .bind(stream.as_ref().map(|s| s.kind.as_str()))
        .bind(stream.as_ref().map(|s| s.url.as_str()))
        .bind(id)
        .bind(stream.is_some())
        .execute(w.tx())
        .await?
        .rows_affected();
        match stream {
            Some(_) if changed != 1 => Err(Error::internal(
                "the locked session did not take its stream",
            )),
            None if changed == 0 => Err(Error::conflict("conflict", "no stream is set")),
            Some(stream) => {
                w.log(Event::StreamSet(stream));
                w.commit().await
            }
            None => {
                w.log(Event::StreamCleared(Empty {}));
                w.commit().await
            }
        }
    }

    /// Sessions, newest first (at most 500): a host's own (`host`), or everyone's; only those
    /// in `state` when given (a state the caller checked).
    pub(crate) async fn list_sessions(
        &self,
        host: Option<i64>,
        state: Option<SessionState>,
    ) -> Result<Vec<SessionRow>> {
        let mut clauses = Vec::new();
        if host.is_some() {
            clauses.push(format!("s.host_token_id = ${}", clauses.len() + 1));
        }
        if state.is_some() {
            clauses.push(format!("s.state = ${}", clauses.len() + 1));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let sql = format!("{SESSION_SELECT}{filter} ORDER BY s.id DESC LIMIT 500");
        let mut query = sqlx::query_as::<_, SessionRow>(&sql);
        if let Some(host) = host {
            query = query.bind(host);
        }
        if let Some(state) = state {
            query = query.bind(state.as_str());
        }
        Ok(query.fetch_all(self.db.reader()).await?)
    }

    /// The sessions that are live now: id, title, state, host's token id, markets.
    pub(crate) async fn live_sessions(
        &self,
    ) -> Result<Vec<(i64, String, String, i64, Vec<String>)>> {
        let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
            "SELECT id, title, state, host_token_id, markets FROM sessions \
             WHERE state = 'live' ORDER BY id",
        )
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, state, host, markets)| {
                (
                    id,
                    title,
                    state,
                    host,
                    serde_json::from_str(&markets).unwrap_or_default(),
                )
            })
            .collect())
    }

    /// Raises a session's peak viewers to `viewers` (never lowers it).
    pub(crate) async fn raise_peak_viewers(&self, session_id: i64, viewers: i64) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET peak_viewers = $1 WHERE id = $2 AND peak_viewers < $1 \
             AND state <> 'ended'",
        )
        .bind(viewers)
        .bind(session_id)
        .execute(self.db.writer())
        .await?;
        Ok(())
    }
}

/// Adds a product to the write's session's showcase and logs `showcase_added`, unless it is
/// there already.
pub(crate) async fn showcase_add(
    w: &mut super::write::SessionWrite<'_>,
    product_id: i64,
) -> Result<()> {
    let (id, now) = (w.session.id, w.now);
    let added = sqlx::query(
        "INSERT INTO showcase (session_id, product_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(product_id)
    .bind(now)
    .execute(w.tx())
    .await?
    .rows_affected();
    if added == 1 {
        w.log(Event::ShowcaseAdded(ProductRef { product_id }));
    }
    Ok(())
}

/// Writes a buyer's profile for their token: the sign-up's write, also used where no feed runs
/// (the command line and the demo make buyer tokens with their profiles).
#[instrument(skip_all)]
pub async fn create_buyer(
    db: &silkstream_catalog::db::Db,
    token_id: i64,
    body: &NewBuyer,
    client_addr: &str,
) -> Result<Buyer> {
    write_buyer(db, token_id, body, client_addr, None).await
}

/// Writes a buyer's profile; a guest's (`guest_until`, ms) is deleted with its token by
/// [`FeedStore::delete_idle_guests`] if it has not ordered by then.
async fn write_buyer(
    db: &silkstream_catalog::db::Db,
    token_id: i64,
    body: &NewBuyer,
    client_addr: &str,
    guest_until: Option<i64>,
) -> Result<Buyer> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO buyers (token_id, display_name, country, city, locale, client_addr, \
         created_at, guest_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_id)
    .bind(&body.display_name)
    .bind(&body.country)
    .bind(&body.city)
    .bind(&body.locale)
    .bind(client_addr)
    .bind(now)
    .bind(guest_until)
    .execute(db.writer())
    .await?;
    Ok(BuyerRow {
        token_id,
        display_name: body.display_name.clone(),
        country: body.country.clone(),
        city: body.city.clone(),
        locale: body.locale.clone(),
        created_at: now,
    }
    .view())
}
