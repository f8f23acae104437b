//! The live room's chat (`chat_messages`, `chat_mutes`, `sessions.chat_slow_mode_s`;
//! docs/live-room.md). Every chat write goes through the feed's one write path
//! ([`super::write`]): the session's lock serialises a room's chat writes with each other and
//! with the session's own changes, so the checks that decide a message (mute, slow mode, the
//! per-minute limit, a resend's key) read the rows inside the transaction that writes it, and
//! its `chat_message` event gets the session's next seq in the same commit.
//!
//! Lock order (see `super::write`): the session's row, then the writer's token `FOR KEY SHARE`
//! (PostgreSQL; a revocation or a guest's deletion waits for the message, and a token revoked
//! before it is refused here), then this session's chat rows.

use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::claims::Pending;
use silkstream_catalog::db::rfc3339;

use super::FeedStore;
use crate::domain::chat::{ChatMessageView, ChatPage, HeldReason, MuteView, SenderRole, MAX_PAGE};
use crate::domain::error::{Error, Refusal, Result};
use crate::domain::events::{self as ev, mask_name, Event};
use crate::domain::model::SessionState;

/// Who writes a message, as the room shows them.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    pub role: SenderRole,
    pub token_id: i64,
    pub name: String,
    pub city: String,
    pub country: String,
    /// The locale a message is tagged with when its writer names none.
    pub locale: String,
}

/// A message to post, checked.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub key: String,
    pub text: String,
    pub locale: String,
    /// Why a buyer's message waits for a moderator (decided before the write).
    pub held: Option<HeldReason>,
}

/// A chat setting of a session.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ChatSetting<'a> {
    /// One message per buyer per this many seconds (0: off).
    SlowMode(i64),
    /// The order keywords: `None` for the built-in ones, `Some([])` for none.
    Keywords(Option<&'a [String]>),
}

/// What became of a post.
#[derive(Debug, Clone)]
pub(crate) struct Posted {
    pub message: ChatMessageView,
    /// A resend of a message posted before (same key, same text): nothing was written.
    pub replay: bool,
}

#[derive(sqlx::FromRow, Debug, Clone)]
struct ChatRow {
    id: i64,
    session_id: i64,
    sender_token_id: i64,
    sender_role: String,
    sender_name: String,
    sender_city: String,
    sender_country: String,
    locale: String,
    client_message_id: String,
    body: String,
    state: String,
    held_reason: Option<String>,
    seq: Option<i64>,
    created_at: i64,
    moderated_at: Option<i64>,
    order_id: Option<i64>,
}

const CHAT_COLUMNS: &str = "id, session_id, sender_token_id, sender_role, sender_name, \
     sender_city, sender_country, locale, client_message_id, body, state, held_reason, seq, \
     created_at, moderated_at, order_id";

impl ChatRow {
    fn view(self) -> ChatMessageView {
        ChatMessageView {
            sender: self.sender(),
            id: self.id,
            session_id: self.session_id,
            seq: self.seq,
            state: self.state,
            held_reason: self.held_reason,
            locale: self.locale,
            client_message_id: self.client_message_id,
            text: self.body,
            created_at: rfc3339(self.created_at),
            moderated_at: self.moderated_at.map(rfc3339),
            order_id: self.order_id,
        }
    }

    fn sender(&self) -> ev::ChatSender {
        ev::ChatSender {
            role: self.sender_role.clone(),
            id: self.sender_token_id,
            name: self.sender_name.clone(),
            masked: mask_name(&self.sender_name),
            city: self.sender_city.clone(),
            country: self.sender_country.clone(),
        }
    }

    /// The message's `chat_message` event (posted, or released).
    fn event(&self) -> Event {
        Event::ChatMessage(ev::ChatMessage {
            message_id: self.id,
            sender: Some(self.sender()),
            locale: self.locale.clone(),
            text: self.body.clone(),
            deleted: false,
        })
    }
}

impl FeedStore {
    /// Who `who` writes as in session `session_id`: a buyer under their profile's name, city
    /// and country; the session's own host (another host: 403) or an operator under their
    /// token's name. Admins do not write in rooms (403).
    pub(crate) async fn chat_writer(&self, who: &Principal, session_id: i64) -> Result<Writer> {
        let session = self.session_row(session_id).await?;
        match who.role {
            Role::Buyer => {
                let profile = self.buyer(who.token_id).await?;
                Ok(match profile {
                    Some(b) => Writer {
                        role: SenderRole::Buyer,
                        token_id: who.token_id,
                        name: b.display_name,
                        city: b.city,
                        country: b.country,
                        locale: b.locale,
                    },
                    None => Writer {
                        role: SenderRole::Buyer,
                        token_id: who.token_id,
                        name: who.name.clone(),
                        city: String::new(),
                        country: String::new(),
                        locale: "en".into(),
                    },
                })
            }
            Role::Host if who.token_id == session.host_token_id => Ok(Writer {
                role: SenderRole::Host,
                token_id: who.token_id,
                name: who.name.clone(),
                city: String::new(),
                country: String::new(),
                locale: session.language,
            }),
            Role::Host => Err(Error::forbidden(
                "this session belongs to another host; only its host, its buyers and operators \
                 write in its chat",
            )),
            Role::Operator => Ok(Writer {
                role: SenderRole::Operator,
                token_id: who.token_id,
                name: who.name.clone(),
                city: String::new(),
                country: String::new(),
                locale: "en".into(),
            }),
            Role::Admin => Err(Error::forbidden(
                "admins do not write in rooms; an operator's token does",
            )),
        }
    }

    /// Posts a message in a live session (409 `not_live` otherwise). A resend (same writer and
    /// key) answers with the message posted before when the text is the same, and 422
    /// `idempotency_mismatch` when it is not; before anything else is decided, so that a resend
    /// of a posted message is never refused by the limits it already counted in. A buyer who is
    /// muted gets 403 `muted`; a buyer within slow mode's interval 429 `slow_mode`; a buyer
    /// over `per_minute` messages in this session in the last 60 s 429 `rate_limited`. A held
    /// message is stored and logged as `chat_held` (the moderators' feeds); any other as
    /// `chat_message` with its seq. `claims` (the host's screened text) goes into the evidence
    /// log in the same transaction.
    pub(crate) async fn post_chat(
        &self,
        writer: &Writer,
        session_id: i64,
        post: Post,
        per_minute: i64,
        claims: Option<&Pending<'_>>,
    ) -> Result<Posted> {
        let mut w = self.write(session_id).await?;
        let now = w.now;
        if w.session.state != SessionState::Live {
            return Err(Error::refused(Refusal::NotLive));
        }
        // The writer's token, in this transaction (held `FOR KEY SHARE` on PostgreSQL): a token
        // revoked or deleted before this write is refused even where a cache still had it.
        let live = silkstream_catalog::tokens::live_among(w.tx(), &[writer.token_id], now).await?;
        if !live.contains(&writer.token_id) {
            return Err(silkstream_catalog::Error::Unauthorized.into());
        }
        let sql = format!(
            "SELECT {CHAT_COLUMNS} FROM chat_messages \
             WHERE session_id = $1 AND sender_token_id = $2 AND client_message_id = $3"
        );
        let before: Option<ChatRow> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(writer.token_id)
            .bind(&post.key)
            .fetch_optional(w.tx())
            .await?;
        if let Some(row) = before {
            if row.body != post.text || row.locale != post.locale {
                return Err(Error::Unprocessable {
                    code: "idempotency_mismatch",
                    message: "this client_message_id was used for a message with other text; \
                              use a new key for a new message"
                        .into(),
                });
            }
            return Ok(Posted {
                message: row.view(),
                replay: true,
            });
        }
        if writer.role == SenderRole::Buyer {
            self.buyer_may_write(&mut w, writer.token_id, now, per_minute)
                .await?;
        }
        let state = if post.held.is_some() { "held" } else { "shown" };
        // A shown message's event is the next this write logs: its seq is known before.
        let seq = post.held.is_none().then(|| w.next_seq());
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO chat_messages (session_id, sender_token_id, sender_role, sender_name, \
             sender_city, sender_country, locale, client_message_id, body, state, held_reason, \
             seq, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(session_id)
        .bind(writer.token_id)
        .bind(writer.role.as_str())
        .bind(&writer.name)
        .bind(&writer.city)
        .bind(&writer.country)
        .bind(&post.locale)
        .bind(&post.key)
        .bind(&post.text)
        .bind(state)
        .bind(post.held.map(HeldReason::as_str))
        .bind(seq)
        .bind(now)
        .fetch_one(w.tx())
        .await?;
        let row = ChatRow {
            id,
            session_id,
            sender_token_id: writer.token_id,
            sender_role: writer.role.as_str().to_owned(),
            sender_name: writer.name.clone(),
            sender_city: writer.city.clone(),
            sender_country: writer.country.clone(),
            locale: post.locale,
            client_message_id: post.key,
            body: post.text,
            state: state.to_owned(),
            held_reason: post.held.map(|r| r.as_str().to_owned()),
            seq,
            created_at: now,
            moderated_at: None,
            order_id: None,
        };
        match post.held {
            Some(reason) => w.log(Event::ChatHeld(ev::ChatHeld {
                message_id: id,
                reason: reason.as_str().to_owned(),
                sender: row.sender(),
                locale: row.locale.clone(),
                text: row.body.clone(),
            })),
            None => {
                let logged = w.log_seq(row.event());
                if Some(logged) != seq {
                    return Err(Error::internal("a message's event took another seq"));
                }
            }
        }
        w.record_claims(claims).await?;
        w.commit().await?;
        Ok(Posted {
            message: row.view(),
            replay: false,
        })
    }

    /// The checks on a buyer's message, in the write's transaction: muted (403), slow mode
    /// (429 `slow_mode`), the per-minute limit (429 `rate_limited`).
    async fn buyer_may_write(
        &self,
        w: &mut super::write::SessionWrite<'_>,
        token_id: i64,
        now: i64,
        per_minute: i64,
    ) -> Result<()> {
        let session_id = w.session.id;
        let mute: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT until_ms FROM chat_mutes WHERE session_id = $1 AND token_id = $2",
        )
        .bind(session_id)
        .bind(token_id)
        .fetch_optional(w.tx())
        .await?;
        match mute {
            Some((None,)) => return Err(Error::Muted { until: None }),
            Some((Some(until),)) if until > now => {
                return Err(Error::Muted {
                    until: Some(rfc3339(until)),
                })
            }
            _ => {}
        }
        let (slow_s,): (i64,) =
            sqlx::query_as("SELECT chat_slow_mode_s FROM sessions WHERE id = $1")
                .bind(session_id)
                .fetch_one(w.tx())
                .await?;
        // The buyer's messages of the last minute (or slow mode's interval, when longer), newest
        // first: the newest decides slow mode, the count the per-minute limit.
        let window_ms = (slow_s * 1000).max(60_000);
        let recent: Vec<(i64,)> = sqlx::query_as(
            "SELECT created_at FROM chat_messages \
             WHERE session_id = $1 AND sender_token_id = $2 AND created_at > $3 \
             ORDER BY created_at DESC LIMIT $4",
        )
        .bind(session_id)
        .bind(token_id)
        .bind(now - window_ms)
        .bind(per_minute.max(1))
        .fetch_all(w.tx())
        .await?;
        if let (true, Some((last,))) = (slow_s > 0, recent.first()) {
            let free_at = last + slow_s * 1000;
            if free_at > now {
                return Err(Error::Throttled {
                    code: "slow_mode",
                    message: format!(
                        "slow mode is on: one message every {slow_s} s; you may write again \
                         at {}",
                        rfc3339(free_at)
                    ),
                    retry_after_s: (free_at - now + 999) / 1000,
                });
            }
        }
        let in_minute: Vec<i64> = recent
            .iter()
            .map(|(t,)| *t)
            .filter(|t| *t > now - 60_000)
            .collect();
        if in_minute.len() as i64 >= per_minute {
            // The oldest of them leaves the window first.
            let oldest = in_minute.last().copied().unwrap_or(now);
            return Err(Error::Throttled {
                code: "rate_limited",
                message: format!(
                    "at most {per_minute} messages a minute in one room; you may write again \
                     at {}",
                    rfc3339(oldest + 60_000)
                ),
                retry_after_s: (oldest + 60_000 - now + 999) / 1000,
            });
        }
        Ok(())
    }

    /// Deletes a message (the session's host or an operator; in any state of the session): it
    /// is kept as evidence with `state = 'deleted'`, its logged `chat_message` is rewritten to a
    /// tombstone (a feed that reads the log again never shows it), and `chat_deleted` tells
    /// every screen to remove it. 404 for a message of another session; 409 when it is
    /// deleted already.
    pub(crate) async fn delete_chat(
        &self,
        who: &Principal,
        session_id: i64,
        message_id: i64,
    ) -> Result<ChatMessageView> {
        self.controlled_session(who, session_id).await?;
        let mut w = self.write(session_id).await?;
        let now = w.now;
        let row = message_in(&mut w, message_id).await?;
        if row.state == "deleted" {
            return Err(Error::conflict(
                "conflict",
                "the message is deleted already",
            ));
        }
        let changed = sqlx::query(
            "UPDATE chat_messages SET state = 'deleted', moderated_at = $1, moderated_by = $2 \
             WHERE id = $3 AND state <> 'deleted'",
        )
        .bind(now)
        .bind(who.token_id)
        .bind(message_id)
        .execute(w.tx())
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(Error::internal(
                "the locked session's message did not change",
            ));
        }
        if let Some(seq) = row.seq {
            let tombstone = Event::ChatMessage(ev::ChatMessage::tombstone(message_id));
            let rewritten = sqlx::query(
                "UPDATE events SET payload = $1 \
                 WHERE session_id = $2 AND seq = $3 AND kind = 'chat_message'",
            )
            .bind(tombstone.payload().to_string())
            .bind(session_id)
            .bind(seq)
            .execute(w.tx())
            .await?
            .rows_affected();
            if rewritten != 1 {
                return Err(Error::internal(format!(
                    "the chat message {message_id}'s event (seq {seq}) is not in the log"
                )));
            }
        }
        w.log(Event::ChatDeleted(ev::ChatRef { message_id }));
        w.commit().await?;
        Ok(ChatRow {
            state: "deleted".into(),
            moderated_at: Some(now),
            ..row
        }
        .view())
    }

    /// Releases a held message to the room (the session's host or an operator; the session
    /// live): it is logged as `chat_message` with the next seq. 409 when it is not held.
    pub(crate) async fn release_chat(
        &self,
        who: &Principal,
        session_id: i64,
        message_id: i64,
    ) -> Result<ChatMessageView> {
        self.controlled_session(who, session_id).await?;
        let mut w = self.write(session_id).await?;
        let now = w.now;
        if w.session.state != SessionState::Live {
            return Err(Error::refused(Refusal::NotLive));
        }
        let row = message_in(&mut w, message_id).await?;
        if row.state != "held" {
            return Err(Error::conflict(
                "conflict",
                format!("the message is {}, not held", row.state),
            ));
        }
        let seq = w.log_seq(row.event());
        let changed = sqlx::query(
            "UPDATE chat_messages SET state = 'shown', seq = $1, moderated_at = $2, \
             moderated_by = $3 WHERE id = $4 AND state = 'held'",
        )
        .bind(seq)
        .bind(now)
        .bind(who.token_id)
        .bind(message_id)
        .execute(w.tx())
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(Error::internal(
                "the locked session's held message did not change",
            ));
        }
        w.commit().await?;
        Ok(ChatRow {
            state: "shown".into(),
            seq: Some(seq),
            moderated_at: Some(now),
            ..row
        }
        .view())
    }

    /// Mutes buyer `buyer_id` in the session for `duration_s` seconds, or for the rest of it
    /// (`None`), in place of any mute before (the session's host or an operator; not once it
    /// has ended). 422 when the token is not a buyer's.
    pub(crate) async fn mute(
        &self,
        who: &Principal,
        session_id: i64,
        buyer_id: i64,
        duration_s: Option<i64>,
    ) -> Result<MuteView> {
        self.controlled_session(who, session_id).await?;
        let role = silkstream_catalog::tokens::role_of(&self.db, buyer_id).await?;
        if role.as_deref() != Some("buyer") {
            return Err(Error::invalid("buyer_id", "names no buyer's token"));
        }
        let mut w = self.write(session_id).await?;
        let now = w.now;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let until = duration_s.map(|s| now.saturating_add(s.saturating_mul(1000)));
        sqlx::query(
            "INSERT INTO chat_mutes (session_id, token_id, until_ms, muted_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id, token_id) DO UPDATE SET \
             until_ms = excluded.until_ms, muted_by = excluded.muted_by, \
             created_at = excluded.created_at",
        )
        .bind(session_id)
        .bind(buyer_id)
        .bind(until)
        .bind(who.token_id)
        .bind(now)
        .execute(w.tx())
        .await?;
        w.log(Event::ChatMuted(ev::ChatMuted {
            buyer_id,
            until: until.map(rfc3339),
        }));
        w.commit().await?;
        Ok(MuteView {
            session_id,
            buyer_id,
            until: until.map(rfc3339),
        })
    }

    /// Lifts a buyer's mute (the session's host or an operator); 409 when the buyer is not
    /// muted now (never muted, or the mute ran out).
    pub(crate) async fn unmute(
        &self,
        who: &Principal,
        session_id: i64,
        buyer_id: i64,
    ) -> Result<()> {
        self.controlled_session(who, session_id).await?;
        let mut w = self.write(session_id).await?;
        let now = w.now;
        let lifted = sqlx::query(
            "DELETE FROM chat_mutes WHERE session_id = $1 AND token_id = $2 \
             AND (until_ms IS NULL OR until_ms > $3)",
        )
        .bind(session_id)
        .bind(buyer_id)
        .bind(now)
        .execute(w.tx())
        .await?
        .rows_affected();
        if lifted == 0 {
            return Err(Error::conflict("conflict", "the buyer is not muted here"));
        }
        w.log(Event::ChatUnmuted(ev::ChatUnmuted { buyer_id }));
        w.commit().await
    }

    /// Records that message `message_id` became order `order_id` (a buyer's order keyword) and
    /// logs `chat_ordered`, once: a resend of the message, answered with the same order, finds
    /// it recorded and logs nothing.
    pub(crate) async fn link_chat_order(
        &self,
        session_id: i64,
        message_id: i64,
        order_id: i64,
    ) -> Result<()> {
        let mut w = self.write(session_id).await?;
        let linked = sqlx::query(
            "UPDATE chat_messages SET order_id = $1 \
             WHERE id = $2 AND session_id = $3 AND order_id IS NULL",
        )
        .bind(order_id)
        .bind(message_id)
        .bind(session_id)
        .execute(w.tx())
        .await?
        .rows_affected();
        if linked == 0 {
            return Ok(());
        }
        w.log(Event::ChatOrdered(ev::ChatOrdered {
            message_id,
            order_id,
        }));
        w.commit().await
    }

    /// Sets one of the session's chat settings (the session's host or an operator; not once
    /// it has ended): slow mode (logged as `chat_slow_mode`) or the order keywords (logged as
    /// `chat_keywords`, the words in force; read with every later message). Every feed hears
    /// either.
    pub(crate) async fn set_chat_setting(
        &self,
        who: &Principal,
        session_id: i64,
        setting: ChatSetting<'_>,
    ) -> Result<()> {
        self.controlled_session(who, session_id).await?;
        let mut w = self.write(session_id).await?;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let update = match setting {
            ChatSetting::SlowMode(seconds) => {
                sqlx::query("UPDATE sessions SET chat_slow_mode_s = $1 WHERE id = $2").bind(seconds)
            }
            ChatSetting::Keywords(keywords) => {
                let json = match keywords {
                    Some(k) => Some(serde_json::to_string(k).map_err(Error::internal)?),
                    None => None,
                };
                sqlx::query("UPDATE sessions SET chat_keywords = $1 WHERE id = $2").bind(json)
            }
        };
        let changed = update
            .bind(session_id)
            .execute(w.tx())
            .await?
            .rows_affected();
        if changed != 1 {
            return Err(Error::internal(
                "the locked session did not take its chat setting",
            ));
        }
        w.log(match setting {
            ChatSetting::SlowMode(seconds) => Event::ChatSlowMode(ev::ChatSlowMode { seconds }),
            ChatSetting::Keywords(keywords) => Event::ChatKeywords(ev::ChatKeywords {
                keywords: keywords_in_force(keywords),
            }),
        });
        w.commit().await
    }

    /// The session's order keywords: its own, or `None` for the built-in ones.
    pub(crate) async fn keywords(&self, session_id: i64) -> Result<Option<Vec<String>>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT chat_keywords FROM sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(self.db.reader())
                .await?;
        match row {
            None => Err(Error::not_found(format!("session {session_id}"))),
            Some((None,)) => Ok(None),
            Some((Some(json),)) => Ok(Some(serde_json::from_str(&json).map_err(Error::internal)?)),
        }
    }

    /// The session's slow mode, in seconds (0: off).
    pub(crate) async fn slow_mode(&self, session_id: i64) -> Result<i64> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT chat_slow_mode_s FROM sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(self.db.reader())
                .await?;
        row.map(|(s,)| s)
            .ok_or_else(|| Error::not_found(format!("session {session_id}")))
    }

    /// A page of the session's messages, newest first, before message id `before` (all when
    /// `None`), only those in `state` when given (the session's host or an operator).
    pub(crate) async fn chat_page(
        &self,
        who: &Principal,
        session_id: i64,
        before: Option<i64>,
        state: Option<&str>,
        limit: i64,
    ) -> Result<ChatPage> {
        self.controlled_session(who, session_id).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT {CHAT_COLUMNS} FROM chat_messages WHERE session_id = $1 AND id < $2 \
             AND ($3 IS NULL OR state = $3) ORDER BY id DESC LIMIT $4"
        );
        let rows: Vec<ChatRow> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(state)
            .bind(limit + 1)
            .fetch_all(self.db.reader())
            .await?;
        let more = rows.len() as i64 > limit;
        let items: Vec<ChatMessageView> = rows
            .into_iter()
            .take(limit as usize)
            .map(ChatRow::view)
            .collect();
        Ok(ChatPage {
            next_before: if more {
                items.last().map(|m| m.id)
            } else {
                None
            },
            items,
        })
    }
}

/// Message `message_id` of the write's session (404 for none, or one of another session).
async fn message_in(w: &mut super::write::SessionWrite<'_>, message_id: i64) -> Result<ChatRow> {
    let session_id = w.session.id;
    let sql = format!("SELECT {CHAT_COLUMNS} FROM chat_messages WHERE id = $1 AND session_id = $2");
    let row: Option<ChatRow> = sqlx::query_as(&sql)
        .bind(message_id)
        .bind(session_id)
        .fetch_optional(w.tx())
        .await?;
    row.ok_or_else(|| {
        Error::not_found(format!("chat message {message_id} in session {session_id}"))
    })
}

/// The order keywords in force: the session's own, or the built-in ones.
pub(crate) fn keywords_in_force(own: Option<&[String]>) -> Vec<String> {
    match own {
        Some(k) => k.to_vec(),
        None => crate::domain::chat::DEFAULT_KEYWORDS
            .iter()
            .map(|k| (*k).to_owned())
            .collect(),
    }
}
