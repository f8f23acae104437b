//! The live room's chat over HTTP (docs/live-room.md): writing a message (buyers, the session's
//! host, operators; the WebSocket feed's `chat` message takes the same path, [`post`]), and the
//! moderators' controls (the session's host and operators): a page of the chat, deleting and
//! releasing a message, muting a buyer, slow mode. Every change is logged on the session's feed.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use silkstream_catalog::auth::{Authorized, Principal, Role, RoleSet};
use silkstream_catalog::claims;
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiJson, ApiPath, ApiQuery};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::chat::{
    self, ChatMessageView, ChatPage, ChatPosted, Keywords, MuteView, NewChatMessage, NewMute,
    SenderRole, SlowMode,
};
use crate::domain::error::{Error, Result};
use crate::edge::routes::Controllers;
use crate::edge::Feed;
use crate::store::chat::{ChatSetting, Post, Posted};

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: axum::extract::FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(post_message, chat_page))
        .routes(routes!(delete_message))
        .routes(routes!(release_message))
        .routes(routes!(mute_buyer, unmute_buyer))
        .routes(routes!(set_slow_mode))
        .routes(routes!(set_keywords))
}

/// Who writes in a room: buyers, hosts (their own session's) and operators.
pub struct Writers;
impl RoleSet for Writers {
    const ROLES: &'static [Role] = &[Role::Buyer, Role::Host, Role::Operator];
}

/// What a post came to: the message, and for a buyer's order keyword, the order or why none.
pub(crate) struct Outcome {
    pub posted: Posted,
    pub order: Option<crate::domain::model::OrderPlaced>,
    pub order_error: Option<serde_json::Value>,
}

impl Outcome {
    pub(crate) fn answer(self) -> ChatPosted {
        ChatPosted {
            message: self.posted.message,
            order: self.order,
            order_error: self.order_error,
        }
    }
}

/// Posts `body` in session `session_id` as `who`, and places the order a buyer's order
/// keyword asks for ([`comment_order`]): the one path of the HTTP route and the WebSocket
/// `chat` message. The key and the text are checked first (422, nothing written);
/// a buyer's text that carries a link, a phone number, a payment instruction or a messenger
/// is held back for a moderator; the host's text goes through the claims filter (a blocked
/// term: 422 `claims_blocked`, with its evidence; warned terms' evidence is written with the
/// message).
pub(crate) async fn post(
    feed: &Feed,
    who: &Principal,
    session_id: i64,
    body: NewChatMessage,
) -> Result<Outcome> {
    let key = chat::check_client_id(&body.client_message_id)?;
    let text = chat::check_text(&body.text)?;
    let locale = match &body.locale {
        Some(l) => Some(silkstream_catalog::codes::parse_locale("locale", l)?.to_owned()),
        None => None,
    };
    let writer = feed.store.chat_writer(who, session_id).await?;
    let locale = locale.unwrap_or_else(|| writer.locale.clone());
    let held = match writer.role {
        SenderRole::Buyer => chat::held_reason(&text),
        SenderRole::Host | SenderRole::Operator => None,
    };
    let act = claims::Act {
        by: who,
        operation: "chat.message",
        subject_kind: "session",
        subject_id: Some(session_id),
    };
    let screening = match writer.role {
        SenderRole::Host => {
            let texts = [claims::Text::new("text", locale.as_str(), text.as_str())];
            Some(claims::gate(feed.store.catalog(), &act, &texts).await?)
        }
        SenderRole::Buyer | SenderRole::Operator => None,
    };
    let pending = screening.as_ref().map(|s| s.pending(&act));
    let per_minute = i64::from(feed.config.chat_messages_per_minute);
    let posted = feed
        .store
        .post_chat(
            &writer,
            session_id,
            Post {
                key,
                text,
                locale,
                held,
            },
            per_minute,
            pending.as_ref(),
        )
        .await?;
    let mut outcome = Outcome {
        posted,
        order: None,
        order_error: None,
    };
    let message = &outcome.posted.message;
    // Only a short message can be a keyword and a quantity: longer ones read no keywords.
    let short = message.text.chars().count() <= chat::MAX_KEYWORD_CHARS + 3;
    if writer.role != SenderRole::Buyer || message.state != "shown" || !short {
        return Ok(outcome);
    }
    let keywords = feed.store.keywords(session_id).await?;
    let quantity = match &keywords {
        Some(own) => chat::comment_quantity(&message.text, own),
        None => chat::comment_quantity(&message.text, chat::DEFAULT_KEYWORDS),
    };
    let Some(quantity) = quantity else {
        return Ok(outcome);
    };
    let (message_id, key) = (message.id, message.client_message_id.clone());
    match comment_order(feed, who, session_id, &key, quantity).await {
        Ok(placed) => {
            feed.store
                .link_chat_order(session_id, message_id, placed.order.id)
                .await?;
            outcome.posted.message.order_id = Some(placed.order.id);
            outcome.order = Some(placed);
        }
        Err(e) => {
            let mut error = serde_json::json!({"code": e.code(), "message": e.to_string()});
            if let Error::Refused {
                localized: Some(l), ..
            } = &e
            {
                error["localized"] = serde_json::json!(l);
            }
            outcome.order_error = Some(error);
        }
    }
    Ok(outcome)
}

/// The order a buyer's order keyword asks for: `quantity` of the running flash sale's variant,
/// else of the pinned product's only variant, to the buyer's saved delivery address in their
/// saved currency, through the order path every order takes (`intake::place`: the same limits,
/// gate and desk as the button). Its idempotency key is derived from the session and the
/// message's key, so a resent message never orders twice.
async fn comment_order(
    feed: &Feed,
    who: &Principal,
    session_id: i64,
    message_key: &str,
    quantity: u32,
) -> Result<crate::domain::model::OrderPlaced> {
    use sha2::{Digest, Sha256};
    let session = feed.store.session(session_id).await?;
    let variant_id = match (&session.sale, session.pinned_product_id) {
        (Some(sale), _) if sale.phase != "ended" => sale.variant_id,
        (_, Some(product_id)) => {
            let product = feed.store.catalog().get_product(product_id, None).await?;
            let mut live = product.variants.iter().filter(|v| !v.archived);
            match (live.next(), live.next()) {
                (Some(only), None) => only.id,
                (Some(_), Some(_)) => {
                    return Err(Error::Unprocessable {
                        code: "variant_needed",
                        message: "this product comes in several variants: choose one on the \
                                  page and order there"
                            .into(),
                    })
                }
                (None, _) => return Err(nothing_to_order()),
            }
        }
        _ => return Err(nothing_to_order()),
    };
    let Some((ship_to, currency)) = feed.store.saved_ship_to(who.token_id).await? else {
        return Err(Error::Unprocessable {
            code: "ship_to_missing",
            message: "save a delivery address first (PUT /api/v1/buyers/me/ship-to); then \
                      the same message orders"
                .into(),
        });
    };
    let digest = Sha256::digest(format!("{session_id}\n{message_key}").as_bytes());
    let key = format!("chat-{}", &hex::encode(digest)[..40]);
    let body = crate::domain::model::NewOrder {
        variant_id,
        quantity: i64::from(quantity),
        currency,
        ship_to,
        identity: None,
    };
    crate::edge::intake::place(feed, who, session_id, key, body).await
}

fn nothing_to_order() -> Error {
    Error::Unprocessable {
        code: "nothing_to_order",
        message: "nothing is pinned and no flash sale runs: there is nothing to order".into(),
    }
}

/// Writes a message in a live session's chat (buyers, the session's host, operators). 201 with
/// the message (`state`: `shown`, or `held` when a buyer's text carries a link, a phone number,
/// a payment instruction or a messenger: it waits for a moderator and reaches no other buyer
/// until released); 200 with the same message for a resend (same `client_message_id`, same
/// text). Every viewer's feed gets `chat_message` (the writer masked for buyers as in order
/// lines).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/chat", tag = "chat",
    params(("id" = i64, Path, description = "session id")), request_body = NewChatMessage,
    responses((status = 201, body = ChatPosted), (status = 200, body = ChatPosted,
            description = "a resend: the message posted before"),
        (status = 403, body = ErrorBody, description = "`forbidden`, or `muted`: a moderator \
            muted this buyer here"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody,
            description = "`not_live`"),
        (status = 422, body = ErrorBody, description = "`invalid`, `idempotency_mismatch`, \
            `claims_blocked` (the host's text)"),
        (status = 429, body = ErrorBody, description = "`slow_mode` or `rate_limited`, with \
            Retry-After")),
    security(("bearer" = [])))]
async fn post_message(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Writers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewChatMessage>,
) -> Result<(StatusCode, ApiJson<ChatPosted>)> {
    let outcome = post(&feed, &principal, id, body).await?;
    let status = if outcome.posted.replay {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, ApiJson(outcome.answer())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChatPageQuery {
    /// Messages with an id below this (the previous page's `next_before`).
    before: Option<i64>,
    /// `shown`, `held` or `deleted`.
    state: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// A page of the session's chat, newest first, every message whole: held and deleted ones
/// included, with the writer's name and token id (the session's host and operators).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/chat", tag = "chat",
    params(("id" = i64, Path, description = "session id"), ChatPageQuery),
    responses((status = 200, body = ChatPage), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn chat_page(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ChatPageQuery>,
) -> Result<ApiJson<ChatPage>> {
    let state = match q.state.as_deref() {
        None => None,
        Some(s @ ("shown" | "held" | "deleted")) => Some(s),
        Some(_) => return Err(Error::invalid("state", "must be shown, held or deleted")),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=chat::MAX_PAGE).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            format!("must be 1 to {}", chat::MAX_PAGE),
        ));
    }
    if q.before.is_some_and(|b| b < 1) {
        return Err(Error::invalid("before", "must be a message id (1 or more)"));
    }
    Ok(ApiJson(
        feed.store
            .chat_page(&principal, id, q.before, state, limit)
            .await?,
    ))
}

/// Deletes a message (the session's host or an operator): it disappears from every screen
/// (`chat_deleted`), and a feed that reads the log again gets it as `deleted: true` without
/// its text. It is kept for the moderators' pages and as evidence. 409 when deleted already.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/chat/{message_id}", tag = "chat",
    params(("id" = i64, Path, description = "session id"),
        ("message_id" = i64, Path, description = "message id")),
    responses((status = 200, body = ChatMessageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_message(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath((id, message_id)): ApiPath<(i64, i64)>,
) -> Result<ApiJson<ChatMessageView>> {
    Ok(ApiJson(
        feed.store.delete_chat(&principal, id, message_id).await?,
    ))
}

/// Releases a held message to the room (the session's host or an operator; the session live):
/// every feed gets it as `chat_message`. 409 when it is not held.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/chat/{message_id}/release", tag = "chat",
    params(("id" = i64, Path, description = "session id"),
        ("message_id" = i64, Path, description = "message id")),
    responses((status = 200, body = ChatMessageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn release_message(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath((id, message_id)): ApiPath<(i64, i64)>,
) -> Result<ApiJson<ChatMessageView>> {
    Ok(ApiJson(
        feed.store.release_chat(&principal, id, message_id).await?,
    ))
}

/// Mutes a buyer in the session's chat for `duration_s` seconds or for the rest of the
/// session (the session's host or an operator): their messages are refused with 403 `muted`
/// and reach no one. The buyer is named by their token id (`sender.id` on the moderators'
/// feeds and pages). A new mute replaces the one before.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/chat/mutes/{buyer_id}", tag = "chat",
    params(("id" = i64, Path, description = "session id"),
        ("buyer_id" = i64, Path, description = "the buyer's token id")),
    request_body = NewMute,
    responses((status = 200, body = MuteView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn mute_buyer(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath((id, buyer_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<NewMute>,
) -> Result<ApiJson<MuteView>> {
    let duration = chat::check_mute(body.duration_s)?;
    Ok(ApiJson(
        feed.store.mute(&principal, id, buyer_id, duration).await?,
    ))
}

/// Lifts a buyer's mute (the session's host or an operator); 409 when the buyer is not muted.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/chat/mutes/{buyer_id}", tag = "chat",
    params(("id" = i64, Path, description = "session id"),
        ("buyer_id" = i64, Path, description = "the buyer's token id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn unmute_buyer(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath((id, buyer_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode> {
    feed.store.unmute(&principal, id, buyer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets slow mode (the session's host or an operator): each buyer may write one message per
/// `seconds` (0 turns it off). Every feed gets `chat_slow_mode`.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/chat/slow-mode", tag = "chat",
    params(("id" = i64, Path, description = "session id")), request_body = SlowMode,
    responses((status = 200, body = SlowMode), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_slow_mode(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SlowMode>,
) -> Result<ApiJson<SlowMode>> {
    let seconds = chat::check_slow_mode(body.seconds)?;
    feed.store
        .set_chat_setting(&principal, id, ChatSetting::SlowMode(seconds))
        .await?;
    Ok(ApiJson(SlowMode {
        seconds: feed.store.slow_mode(id).await?,
    }))
}

/// Sets the words that turn a buyer's message into an order in this session (the session's
/// host or an operator; not once it has ended): `null` for the built-in words of every locale,
/// `[]` to turn ordering by comment off. Every later message is read with them.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/chat/keywords", tag = "chat",
    params(("id" = i64, Path, description = "session id")), request_body = Keywords,
    responses((status = 200, body = Keywords), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_keywords(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Keywords>,
) -> Result<ApiJson<Keywords>> {
    let keywords = match &body.keywords {
        Some(k) => Some(chat::check_keywords(k)?),
        None => None,
    };
    feed.store
        .set_chat_setting(&principal, id, ChatSetting::Keywords(keywords.as_deref()))
        .await?;
    Ok(ApiJson(Keywords {
        keywords: feed.store.keywords(id).await?,
    }))
}
