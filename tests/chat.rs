//! The live room's chat (docs/live-room.md) on both backends: buyers, the host and operators
//! write over HTTP and the WebSocket feed; every viewer hears each message in seq order with
//! the writer masked for buyers; a resend posts once; buyers' links, phone numbers and payment
//! instructions wait for a moderator; the host's text passes the claims filter; moderators
//! delete (gone from every screen, and from a feed that resumes with `since`), mute, and set
//! slow mode; the per-minute limit; bad input changes nothing; the session's lock decides what
//! races (a buyer's burst against slow mode and the limit, two deletions at once); and a
//! buyer's order keyword ("+2") orders once, through the order path, with the saved address.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, ship_to, spawn_app, spawn_app_with, Backend, TestApp};

backend_tests!(
    buyers_host_and_operators_chat_and_every_viewer_hears_it,
    a_resent_message_is_posted_once,
    held_messages_reach_only_moderators_until_released,
    a_deleted_message_disappears_even_from_a_feed_that_resumes,
    a_muted_buyer_is_refused_and_reaches_no_one,
    slow_mode_and_the_per_minute_limit_hold,
    the_hosts_messages_pass_the_claims_filter,
    roles_states_and_bad_input_change_nothing,
    the_sessions_lock_decides_a_burst_and_two_deletions,
    a_buyers_keyword_orders_once_through_the_order_path,
    comment_orders_say_what_is_missing_and_keywords_are_the_sessions,
    a_big_rooms_chat_comes_in_batches_in_order,
);

const T: Duration = Duration::from_secs(10);

fn chat_path(session_id: i64) -> String {
    format!("/api/v1/sessions/{session_id}/chat")
}

fn feed_path(session_id: i64) -> String {
    format!("/api/v1/sessions/{session_id}/feed")
}

async fn say(app: &TestApp, token: &str, session_id: i64, key: &str, text: &str) -> Value {
    app.post(
        &chat_path(session_id),
        token,
        &json!({"client_message_id": key, "text": text}),
    )
    .await
    .expect(201)
    .body["message"]
        .clone()
}

async fn delete(app: &TestApp, path: &str, token: &str) -> silkstream_e2e::Reply {
    app.request(Method::DELETE, path, Some(token), None).await
}

/// The logged events of the session, as the events route returns them.
async fn events(app: &TestApp, token: &str, session_id: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/sessions/{session_id}/events"), token)
        .await
        .expect(200)
        .body
        .as_array()
        .expect("events")
        .clone()
}

async fn buyers_host_and_operators_chat_and_every_viewer_hears_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let (aruzhan, aruzhan_id) = app.buyer("Aruzhan", "kk").await;
    let (an, _) = app.buyer("Nguyễn Văn An", "vi").await;
    let mut aruzhan_feed = app.ws_connect(&feed_path(sid), Some(&aruzhan)).await;
    let mut an_feed = app.ws_connect(&feed_path(sid), Some(&an)).await;
    let mut host_feed = app.ws_connect(&feed_path(sid), Some(&live.host)).await;
    let start = aruzhan_feed.next_of_type("snapshot", T).await["seq"]
        .as_i64()
        .expect("seq");
    an_feed.next_of_type("snapshot", T).await;
    host_feed.next_of_type("snapshot", T).await;

    // A buyer over HTTP: the answer is the whole message, tagged with her own locale.
    let first = say(&app, &aruzhan, sid, "m-1", "Сәлем! Өлшемі қандай?").await;
    assert_eq!(first["state"], "shown");
    assert_eq!(first["locale"], "kk");
    assert_eq!(first["seq"], start + 1);
    assert_eq!(first["sender"]["role"], "buyer");
    assert_eq!(first["sender"]["id"], aruzhan_id);
    assert_eq!(first["sender"]["masked"], "A***n");

    // Another buyer over the WebSocket, naming the language she writes in.
    // (Her phone's socket; the feed checked below is her other screen's.)
    let mut an_phone = app.ws_connect(&feed_path(sid), Some(&an)).await;
    an_phone
        .send_json(&json!({"type": "chat", "client_message_id": "w-1",
                           "text": "Có size M không?", "locale": "vi"}))
        .await;
    let result = an_phone.next_of_type("chat_result", T).await;
    assert_eq!(result["client_message_id"], "w-1");
    assert_eq!(result["message"]["state"], "shown", "{result}");
    assert_eq!(result["message"]["locale"], "vi");
    assert_eq!(result["message"]["seq"], start + 2);

    // The host and an operator answer.
    let host_says = say(&app, &live.host, sid, "h-1", "Есть все размеры").await;
    assert_eq!(host_says["sender"]["role"], "host");
    assert_eq!(host_says["locale"], "ru", "the session's language");
    let operator_says = say(&app, &live.operator, sid, "o-1", "Welcome!").await;
    assert_eq!(operator_says["sender"]["role"], "operator");

    // Every viewer hears the four, in seq order; buyers see buyers masked as in order lines.
    for feed in [&mut aruzhan_feed, &mut an_feed] {
        let got = feed.events_through_seq(start + 4, T).await;
        let chat: Vec<&Value> = got.iter().filter(|m| m["type"] == "chat_message").collect();
        let seqs: Vec<i64> = chat.iter().filter_map(|m| m["seq"].as_i64()).collect();
        assert_eq!(seqs, (start + 1..=start + 4).collect::<Vec<_>>());
        assert_eq!(
            chat[0]["sender"],
            json!({"role": "buyer", "masked": "A***n", "city": "Almaty", "country": "KZ"})
        );
        assert_eq!(chat[0]["text"], "Сәлем! Өлшемі қандай?");
        assert_eq!(chat[0]["locale"], "kk");
        assert_eq!(chat[1]["sender"]["masked"], "N***n");
        assert_eq!(chat[1]["locale"], "vi");
        assert_eq!(
            chat[2]["sender"],
            json!({"role": "host", "name": "test host"})
        );
        assert_eq!(chat[3]["sender"], json!({"role": "operator"}));
        let text = Value::Array(chat.iter().copied().cloned().collect()).to_string();
        assert!(!text.contains("Aruzhan"), "a buyer's name reached buyers");
        assert!(
            chat.iter().all(|m| m["sender"].get("id").is_none()),
            "a writer's token id reached buyers"
        );
    }
    // The host sees who wrote (to mute them), and the message id every screen deletes by.
    let got = host_feed.events_through_seq(start + 4, T).await;
    let first_seen = got
        .iter()
        .find(|m| m["type"] == "chat_message")
        .expect("the first message");
    assert_eq!(first_seen["sender"]["name"], "Aruzhan");
    assert_eq!(first_seen["sender"]["id"], aruzhan_id);
    assert_eq!(first_seen["message_id"], first["id"]);

    // Who joins now finds the four in the snapshot, as the feed gave them, and slow mode off.
    let mut late = app.ws_connect(&feed_path(sid), Some(&an)).await;
    let snapshot = late.next_of_type("snapshot", T).await;
    let recent = snapshot["chat"]["recent"].as_array().expect("recent chat");
    let seqs: Vec<i64> = recent.iter().filter_map(|m| m["seq"].as_i64()).collect();
    assert_eq!(seqs, (start + 1..=start + 4).collect::<Vec<_>>());
    assert_eq!(recent[0]["type"], "chat_message");
    assert_eq!(recent[0]["sender"]["masked"], "A***n");
    assert!(recent[0]["sender"].get("id").is_none());
    assert_eq!(snapshot["chat"]["slow_mode_s"], 0);

    // The moderators' page holds all four, newest first, and pages by id.
    let page = app
        .get(&format!("{}?limit=3", chat_path(sid)), &live.operator)
        .await
        .expect(200);
    let ids: Vec<i64> = page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["id"].as_i64())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let next = page.body["next_before"].as_i64().expect("a next page");
    let rest = app
        .get(&format!("{}?before={next}", chat_path(sid)), &live.host)
        .await
        .expect(200);
    assert_eq!(rest.body["items"][0]["id"], first["id"]);
    assert_eq!(rest.body["next_before"], Value::Null);
}

async fn a_resent_message_is_posted_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let body = json!({"client_message_id": "same", "text": "+1"});
    let first = app
        .post(&chat_path(sid), &buyer, &body)
        .await
        .expect(201)
        .body;
    let logged = events(&app, &live.host, sid).await.len();
    let again = app
        .post(&chat_path(sid), &buyer, &body)
        .await
        .expect(200)
        .body;
    assert_eq!(again, first, "a resend answers with the message posted");
    // Over the socket too: the same key space.
    let mut feed = app.ws_connect(&feed_path(sid), Some(&buyer)).await;
    feed.send_json(&json!({"type": "chat", "client_message_id": "same", "text": "+1"}))
        .await;
    let result = feed.next_of_type("chat_result", T).await;
    assert_eq!(result["replay"], true);
    assert_eq!(result["message"]["id"], first["message"]["id"]);
    assert_eq!(events(&app, &live.host, sid).await.len(), logged);
    // The same key with other text is refused and changes nothing.
    let before = app.feed_fingerprint().await;
    let other = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "same", "text": "+2"}),
        )
        .await
        .expect(422);
    assert_eq!(other.code(), "idempotency_mismatch");
    assert_eq!(app.feed_fingerprint().await, before);
    // Another buyer may use the same key: keys are the writer's own.
    let (other_buyer, _) = app.buyer("Dana", "ru").await;
    app.post(&chat_path(sid), &other_buyer, &body)
        .await
        .expect(201);
}

async fn held_messages_reach_only_moderators_until_released(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let (scammer, _) = app.buyer("Boris", "ru").await;
    let (watcher, _) = app.buyer("Alma", "kk").await;
    let mut watcher_feed = app.ws_connect(&feed_path(sid), Some(&watcher)).await;
    let mut host_feed = app.ws_connect(&feed_path(sid), Some(&live.host)).await;
    watcher_feed.next_of_type("snapshot", T).await;
    host_feed.next_of_type("snapshot", T).await;

    let cases = [
        (
            "h-1",
            "Дешевле: переведи на карту 4400 4301 2345 6789",
            "payment",
        ),
        ("h-2", "пиши мне в телеграм", "contact"),
        ("h-3", "cheaper at best-deals.ru", "link"),
        ("h-4", "звони +7 (701) 123-45-67", "phone"),
    ];
    let mut held_ids = Vec::new();
    for (key, text, reason) in cases {
        let m = say(&app, &scammer, sid, key, text).await;
        assert_eq!(m["state"], "held", "{text}");
        assert_eq!(m["held_reason"], reason, "{text}");
        assert_eq!(m["seq"], Value::Null);
        held_ids.push(m["id"].as_i64().expect("id"));
        // The host sees it, with its text and reason; the other buyer only that one was held.
        let host_saw = host_feed.next_of_type("chat_held", T).await;
        assert_eq!(host_saw["text"], text);
        assert_eq!(host_saw["reason"], reason);
        let buyer_saw = watcher_feed.next_of_type("chat_held", T).await;
        let mut keys: Vec<&str> = buyer_saw
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["at", "id", "seq", "session_id", "type"],
            "{buyer_saw}"
        );
    }
    // A message without any of those reaches the room as usual.
    say(&app, &scammer, sid, "ok-1", "Какой вес упаковки?").await;
    let plain = watcher_feed.next_of_type("chat_message", T).await;
    assert_eq!(plain["text"], "Какой вес упаковки?");

    // The held ones are on the moderators' page under `held`.
    let held = app
        .get(&format!("{}?state=held", chat_path(sid)), &live.operator)
        .await
        .expect(200);
    assert_eq!(held.body["items"].as_array().expect("items").len(), 4);

    // Released by a moderator: the room gets it now, with the next seq.
    let released = app
        .post(
            &format!("{}/{}/release", chat_path(sid), held_ids[2]),
            &live.host,
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(released.body["state"], "shown");
    let seen = watcher_feed.next_of_type("chat_message", T).await;
    assert_eq!(seen["message_id"], held_ids[2]);
    assert_eq!(seen["seq"], released.body["seq"]);
    assert_eq!(seen["text"], "cheaper at best-deals.ru");
    // Released twice, or a message that was never held: 409.
    let twice = app
        .post(
            &format!("{}/{}/release", chat_path(sid), held_ids[2]),
            &live.host,
            &json!({}),
        )
        .await
        .expect(409);
    assert_eq!(twice.code(), "conflict");
    // A held message deleted never reaches the room, and cannot be released after.
    delete(
        &app,
        &format!("{}/{}", chat_path(sid), held_ids[0]),
        &live.operator,
    )
    .await
    .expect(200);
    app.post(
        &format!("{}/{}/release", chat_path(sid), held_ids[0]),
        &live.host,
        &json!({}),
    )
    .await
    .expect(409);
    // The host's own messages are never held (they are screened for claims instead).
    let host_says = say(&app, &live.host, sid, "h-link", "Наш сайт: silk.kz").await;
    assert_eq!(host_says["state"], "shown");
}

async fn a_deleted_message_disappears_even_from_a_feed_that_resumes(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let (rude, _) = app.buyer("Rustam", "ru").await;
    let (viewer, _) = app.buyer("Viktor", "ru").await;
    let mut feed = app.ws_connect(&feed_path(sid), Some(&viewer)).await;
    let start = feed.next_of_type("snapshot", T).await["seq"]
        .as_i64()
        .expect("seq");
    let bad = say(&app, &rude, sid, "r-1", "Это всё подделка, не покупайте").await;
    let kept = say(&app, &rude, sid, "r-2", "А доставка в Шымкент есть?").await;
    feed.events_through_seq(start + 2, T).await;

    // Deleted by the host: every screen is told to remove it.
    let deleted = delete(
        &app,
        &format!("{}/{}", chat_path(sid), bad["id"]),
        &live.host,
    )
    .await
    .expect(200);
    assert_eq!(deleted.body["state"], "deleted");
    assert_eq!(
        deleted.body["text"], "Это всё подделка, не покупайте",
        "kept as evidence"
    );
    let told = feed.next_of_type("chat_deleted", T).await;
    assert_eq!(told["message_id"], bad["id"]);
    assert_eq!(told["seq"], start + 3);
    // Deleting again: 409; a message of another session: 404.
    delete(
        &app,
        &format!("{}/{}", chat_path(sid), bad["id"]),
        &live.operator,
    )
    .await
    .expect(409);
    let other = app
        .open_session(&live.host, "Second room", live.product_id, true)
        .await;
    delete(
        &app,
        &format!("{}/{}", chat_path(other), kept["id"]),
        &live.host,
    )
    .await
    .expect(404);

    // A feed that resumes from before the message reads it as deleted, without its text.
    let mut resumed = app
        .ws_connect(&format!("{}?since={start}", feed_path(sid)), Some(&viewer))
        .await;
    let replay = resumed.events_through_seq(start + 3, T).await;
    let texts = Value::Array(replay.clone()).to_string();
    assert!(
        !texts.contains("подделка"),
        "the deleted text came back: {texts}"
    );
    let tombstone = replay
        .iter()
        .find(|m| m["seq"] == start + 1)
        .expect("the deleted message's seq");
    assert_eq!(tombstone["type"], "chat_message");
    assert_eq!(tombstone["deleted"], true);
    assert_eq!(tombstone["message_id"], bad["id"]);
    assert!(tombstone.get("sender").is_none(), "{tombstone}");
    assert_eq!(replay[1]["text"], "А доставка в Шымкент есть?");
    assert_eq!(replay[2]["type"], "chat_deleted");
    // Who joins now does not find it in the snapshot's chat.
    let mut late = app.ws_connect(&feed_path(sid), Some(&viewer)).await;
    let recent = late.next_of_type("snapshot", T).await["chat"]["recent"].clone();
    assert_eq!(recent.as_array().expect("recent").len(), 1, "{recent}");
    assert_eq!(recent[0]["message_id"], kept["id"]);
    // The host's resumed feed and the events route say the same; the moderators' page keeps it.
    let mut host_resumed = app
        .ws_connect(
            &format!("{}?since={start}", feed_path(sid)),
            Some(&live.host),
        )
        .await;
    let host_replay = host_resumed.events_through_seq(start + 3, T).await;
    assert!(!Value::Array(host_replay).to_string().contains("подделка"));
    let logged = Value::Array(events(&app, &live.operator, sid).await).to_string();
    assert!(!logged.contains("подделка"));
    let page = app
        .get(&format!("{}?state=deleted", chat_path(sid)), &live.operator)
        .await
        .expect(200);
    assert_eq!(
        page.body["items"][0]["text"],
        "Это всё подделка, не покупайте"
    );
}

async fn a_muted_buyer_is_refused_and_reaches_no_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let (loud, loud_id) = app.buyer("Loud", "ru").await;
    let (viewer, _) = app.buyer("Quiet", "ru").await;
    say(&app, &loud, sid, "l-1", "Первое сообщение").await;
    let mute_path = format!("{}/mutes/{loud_id}", chat_path(sid));

    // Muted for the session: refused with `muted`, over HTTP and the socket; nothing logged.
    let muted = app
        .put(&mute_path, &live.host, &json!({}))
        .await
        .expect(200);
    assert_eq!(muted.body["until"], Value::Null);
    let mut viewer_feed = app.ws_connect(&feed_path(sid), Some(&viewer)).await;
    let seq = viewer_feed.next_of_type("snapshot", T).await["seq"]
        .as_i64()
        .expect("seq");
    let before = app.feed_fingerprint().await;
    let refused = app
        .post(
            &chat_path(sid),
            &loud,
            &json!({"client_message_id": "l-2", "text": "Я снова тут"}),
        )
        .await
        .expect(403);
    assert_eq!(refused.code(), "muted");
    assert!(
        refused.text.contains("rest of the session"),
        "{}",
        refused.text
    );
    assert_eq!(refused.body["error"]["until"], Value::Null);
    let mut loud_feed = app.ws_connect(&feed_path(sid), Some(&loud)).await;
    loud_feed
        .send_json(&json!({"type": "chat", "client_message_id": "l-3", "text": "А так?"}))
        .await;
    let result = loud_feed.next_of_type("chat_result", T).await;
    assert_eq!(result["error"]["code"], "muted");
    assert!(
        result["error"].get("until").is_some_and(Value::is_null),
        "{result}"
    );
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "a muted message wrote something"
    );
    // Nobody heard anything: the next thing the viewer hears is what comes next.
    let (other, _) = app.buyer("Other", "ru").await;
    say(&app, &other, sid, "o-1", "Привет").await;
    let next = viewer_feed.next_event(T).await;
    assert_eq!(next["seq"], seq + 1);
    assert_eq!(next["text"], "Привет");

    // Unmuted: the buyer writes again; unmuting twice is 409.
    delete(&app, &mute_path, &live.operator).await.expect(204);
    delete(&app, &mute_path, &live.operator).await.expect(409);
    say(&app, &loud, sid, "l-4", "Спасибо").await;

    // A timed mute ends by itself.
    let timed = app
        .put(&mute_path, &live.host, &json!({"duration_s": 1}))
        .await
        .expect(200);
    assert!(timed.body["until"].is_string());
    let refused = app
        .post(
            &chat_path(sid),
            &loud,
            &json!({"client_message_id": "l-5", "text": "Ещё"}),
        )
        .await
        .expect(403);
    assert!(refused.text.contains("until"), "{}", refused.text);
    assert_eq!(refused.body["error"]["until"], timed.body["until"]);
    // Its second passes (moved into the past, not waited for): the buyer writes again.
    let ended = app
        .execute(&format!(
            "UPDATE chat_mutes SET until_ms = until_ms - 2000 WHERE session_id = {sid} \
             AND token_id = {loud_id}"
        ))
        .await;
    assert_eq!(ended, 1);
    say(&app, &loud, sid, "l-6", "Ещё раз").await;

    // Only buyers are muted; the host and operators hear of mutes, buyers only that one happened.
    let host_id = app
        .get("/api/v1/sessions", &live.operator)
        .await
        .expect(200)
        .body["items"][0]["host"]["id"]
        .as_i64()
        .expect("host id");
    let not_buyer = app
        .put(
            &format!("{}/mutes/{host_id}", chat_path(sid)),
            &live.operator,
            &json!({}),
        )
        .await
        .expect(422);
    assert_eq!(not_buyer.code(), "invalid");
    let last = events(&app, &live.operator, sid)
        .await
        .last()
        .and_then(|e| e["seq"].as_i64())
        .expect("a last seq");
    let mut replay = app
        .ws_connect(&format!("{}?since=0", feed_path(sid)), Some(&viewer))
        .await;
    let mutes: Vec<Value> = replay
        .events_through_seq(last, T)
        .await
        .into_iter()
        .filter(|e| e["type"] == "chat_muted" || e["type"] == "chat_unmuted")
        .collect();
    assert_eq!(mutes.len(), 3, "{mutes:?}");
    for m in &mutes {
        assert!(
            m.get("buyer_id").is_none() && m.get("until").is_none(),
            "{m}"
        );
    }
}

async fn slow_mode_and_the_per_minute_limit_hold(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.chat_messages_per_minute = 3).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let (buyer, _) = app.buyer("Fast", "ru").await;
    let (other, _) = app.buyer("Calm", "ru").await;

    // Three a minute; the fourth is refused with Retry-After; a resend of a posted one is not.
    for i in 1..=3 {
        say(
            &app,
            &buyer,
            sid,
            &format!("f-{i}"),
            &format!("сообщение {i}"),
        )
        .await;
    }
    let before = app.feed_fingerprint().await;
    let limited = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "f-4", "text": "четвёртое"}),
        )
        .await
        .expect(429);
    assert_eq!(limited.code(), "rate_limited");
    assert!(limited.text.contains("at most 3 messages a minute"));
    assert_eq!(app.feed_fingerprint().await, before);
    app.post(
        &chat_path(sid),
        &buyer,
        &json!({"client_message_id": "f-1", "text": "сообщение 1"}),
    )
    .await
    .expect(200);
    // The host is not limited.
    for i in 1..=4 {
        say(&app, &live.host, sid, &format!("host-{i}"), "Ответ").await;
    }

    // Slow mode: one message per buyer per 30 s; every feed hears it turned on.
    let mut feed = app.ws_connect(&feed_path(sid), Some(&other)).await;
    feed.next_of_type("snapshot", T).await;
    let set = app
        .put(
            &format!("{}/slow-mode", chat_path(sid)),
            &live.host,
            &json!({"seconds": 30}),
        )
        .await
        .expect(200);
    assert_eq!(set.body["seconds"], 30);
    assert_eq!(feed.next_of_type("chat_slow_mode", T).await["seconds"], 30);
    say(&app, &other, sid, "c-1", "Первое").await;
    let slow = app
        .request(
            Method::POST,
            &chat_path(sid),
            Some(&other),
            Some(&json!({"client_message_id": "c-2", "text": "Второе"})),
        )
        .await
        .expect(429);
    assert_eq!(slow.code(), "slow_mode");
    let retry: i64 = slow
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(slow.body["error"]["retry_after_s"], retry);
    // Over the socket the refusal carries the same wait.
    let mut socket = app.ws_connect(&feed_path(sid), Some(&other)).await;
    socket
        .send_json(&json!({"type": "chat", "client_message_id": "c-2", "text": "Второе"}))
        .await;
    let result = socket.next_of_type("chat_result", T).await;
    assert_eq!(result["error"]["code"], "slow_mode");
    let wait = result["error"]["retry_after_s"].as_i64();
    assert!(wait.is_some_and(|s| (1..=30).contains(&s)), "{result}");
    // Off again: the buyer writes at once.
    app.put(
        &format!("{}/slow-mode", chat_path(sid)),
        &live.operator,
        &json!({"seconds": 0}),
    )
    .await
    .expect(200);
    say(&app, &other, sid, "c-3", "Третье").await;
}

async fn the_hosts_messages_pass_the_claims_filter(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    let evidence = || app.scalar("SELECT COUNT(*) FROM claims_evidence");
    let evidence_before = evidence().await;
    let before = app.feed_fingerprint().await;
    let blocked = app
        .post(
            &chat_path(sid),
            &live.host,
            &json!({"client_message_id": "h-1", "text": "Лучший мёд Алтая, берите!"}),
        )
        .await
        .expect(422);
    assert_eq!(blocked.code(), "claims_blocked");
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "a blocked message wrote something"
    );
    assert_eq!(
        evidence().await,
        evidence_before + 1,
        "the evidence of the refusal"
    );
    let operation = app
        .scalar(
            "SELECT COUNT(*) FROM claims_evidence WHERE operation = 'chat.message' \
             AND outcome = 'blocked'",
        )
        .await;
    assert_eq!(operation, 1);
    // A warned term is posted, and its evidence written with it.
    let warned = app
        .post(
            &chat_path(sid),
            &live.host,
            &json!({"client_message_id": "h-2", "text": "Самый вкусный мёд Алтая"}),
        )
        .await
        .expect(201);
    assert_eq!(warned.body["message"]["state"], "shown");
    assert_eq!(evidence().await, evidence_before + 2);
    // Buyers' messages are not screened for claims (they are held back for other reasons).
    let (buyer, _) = app.buyer("Buyer", "ru").await;
    say(&app, &buyer, sid, "b-1", "Лучший мёд, правда?").await;
    assert_eq!(evidence().await, evidence_before + 2);
}

async fn roles_states_and_bad_input_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, false).await;
    let sid = live.session_id;
    let (buyer, buyer_id) = app.buyer("Gulnara", "kk").await;
    let path = chat_path(sid);
    let ok = json!({"client_message_id": "k", "text": "Сәлем"});

    // Not live yet: 409 `not_live`.
    let early = app.post(&path, &buyer, &ok).await.expect(409);
    assert_eq!(early.code(), "not_live");
    app.post(
        &format!("/api/v1/sessions/{sid}/start"),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);

    let other_host = app.token("host").await;
    let before = app.feed_fingerprint().await;
    let long = "я".repeat(501);
    for (body, field) in [
        (json!({"client_message_id": "k", "text": ""}), "text"),
        (json!({"client_message_id": "k", "text": "   "}), "text"),
        (
            json!({"client_message_id": "k", "text": "две\nстроки"}),
            "text",
        ),
        (
            json!({"client_message_id": "k", "text": "\u{202E}reversed"}),
            "text",
        ),
        (
            json!({"client_message_id": "k", "text": "\u{200B}"}),
            "text",
        ),
        (json!({"client_message_id": "k", "text": long}), "text"),
        (
            json!({"client_message_id": "", "text": "hi"}),
            "client_message_id",
        ),
        (
            json!({"client_message_id": "a b", "text": "hi"}),
            "client_message_id",
        ),
        (
            json!({"client_message_id": "k".repeat(65), "text": "hi"}),
            "client_message_id",
        ),
        (
            json!({"client_message_id": "k", "text": "hi", "locale": "xx"}),
            "locale",
        ),
        (
            json!({"client_message_id": "k", "text": "hi", "extra": 1}),
            "extra",
        ),
        (
            json!({"client_message_id": 5, "text": "hi"}),
            "client_message_id",
        ),
        (json!({"text": "hi"}), "client_message_id"),
    ] {
        let reply = app.post(&path, &buyer, &body).await.expect(422);
        assert!(reply.text.contains(field), "{body}: {}", reply.text);
    }
    // Who may not write or moderate.
    app.post(&path, &other_host, &ok).await.expect(403);
    app.post(&path, &app.admin, &ok).await.expect(403);
    app.request(Method::POST, &path, None, Some(&ok))
        .await
        .expect(401);
    app.post("/api/v1/sessions/999999/chat", &buyer, &ok)
        .await
        .expect(404);
    app.get(&path, &buyer).await.expect(403);
    app.get(&path, &other_host).await.expect(403);
    app.put(&format!("{path}/mutes/{buyer_id}"), &buyer, &json!({}))
        .await
        .expect(403);
    app.put(
        &format!("{path}/slow-mode"),
        &other_host,
        &json!({"seconds": 5}),
    )
    .await
    .expect(403);
    // Bad moderation input.
    for (path, body) in [
        (format!("{path}/slow-mode"), json!({"seconds": -1})),
        (format!("{path}/slow-mode"), json!({"seconds": 3601})),
        (format!("{path}/slow-mode"), json!({"seconds": "5"})),
        (format!("{path}/mutes/{buyer_id}"), json!({"duration_s": 0})),
        (
            format!("{path}/mutes/{buyer_id}"),
            json!({"duration_s": 86401}),
        ),
        (format!("{path}/mutes/999999"), json!({})),
    ] {
        let reply = app.put(&path, &live.host, &body).await.expect(422);
        assert_eq!(reply.code(), "invalid", "{path} {body}");
    }
    for query in [
        "state=gone",
        "limit=0",
        "limit=201",
        "before=0",
        "before=x",
        "sort=id",
    ] {
        app.get(&format!("{path}?{query}"), &live.host)
            .await
            .expect(422);
    }
    delete(&app, &format!("{path}/424242"), &live.host)
        .await
        .expect(404);
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "bad input wrote something"
    );

    // Over the socket: a bad message is a `chat_result` error, and the socket stays usable.
    let mut feed = app.ws_connect(&feed_path(sid), Some(&buyer)).await;
    feed.send_json(&json!({"type": "chat", "client_message_id": "w", "text": ""}))
        .await;
    let result = feed.next_of_type("chat_result", T).await;
    assert_eq!(result["error"]["code"], "invalid");
    feed.send_json(&json!({"type": "chat", "client_message_id": "w", "text": 7}))
        .await;
    let result = feed.next_of_type("chat_result", T).await;
    assert_eq!(result["error"]["code"], "invalid");
    assert_eq!(app.feed_fingerprint().await, before);
    feed.send_json(&json!({"type": "chat", "client_message_id": "w", "text": "Ок"}))
        .await;
    let result = feed.next_of_type("chat_result", T).await;
    assert_eq!(result["message"]["state"], "shown", "{result}");

    // Once the session has ended: no messages, no mutes, no slow mode.
    app.post(
        &format!("/api/v1/sessions/{sid}/end"),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &path,
        &buyer,
        &json!({"client_message_id": "late", "text": "Ещё?"}),
    )
    .await
    .expect(409);
    app.put(&format!("{path}/mutes/{buyer_id}"), &live.host, &json!({}))
        .await
        .expect(409);
    app.put(
        &format!("{path}/slow-mode"),
        &live.host,
        &json!({"seconds": 5}),
    )
    .await
    .expect(409);
}

async fn the_sessions_lock_decides_a_burst_and_two_deletions(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.chat_messages_per_minute = 3).await;
    let live = app.live_session(10, true).await;
    let sid = live.session_id;
    for round in 0..6 {
        // A burst of eight messages of one buyer at once: exactly three pass the limit.
        let buyer = app.named_token(&format!("Burst {round}"), "buyer").await;
        let replies = futures_util::future::join_all((0..8).map(|i| {
            let app = &app;
            let buyer = buyer.clone();
            async move {
                app.post(
                    &chat_path(sid),
                    &buyer,
                    &json!({"client_message_id": format!("b-{i}"), "text": format!("раз {i}")}),
                )
                .await
            }
        }))
        .await;
        let posted = replies.iter().filter(|r| r.status == 201).count();
        let limited = replies
            .iter()
            .filter(|r| r.status == 429 && r.code() == "rate_limited")
            .count();
        assert_eq!((posted, limited), (3, 5), "round {round}");

        // Two moderators delete one message at once: one 200, one 409, one `chat_deleted`.
        let writer = app.named_token(&format!("Writer {round}"), "buyer").await;
        let m = say(&app, &writer, sid, "d", "удалите меня").await;
        let path = format!("{}/{}", chat_path(sid), m["id"]);
        let (a, b) = tokio::join!(
            delete(&app, &path, &live.host),
            delete(&app, &path, &live.operator)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}");
        let deletions = events(&app, &live.operator, sid)
            .await
            .into_iter()
            .filter(|e| e["kind"] == "chat_deleted" && e["payload"]["message_id"] == m["id"])
            .count();
        assert_eq!(deletions, 1, "round {round}");
    }
    // Slow mode against a burst: one message passes.
    app.put(
        &format!("{}/slow-mode", chat_path(sid)),
        &live.host,
        &json!({"seconds": 60}),
    )
    .await
    .expect(200);
    for round in 0..4 {
        let buyer = app.named_token(&format!("Slow {round}"), "buyer").await;
        let replies = futures_util::future::join_all((0..4).map(|i| {
            let app = &app;
            let buyer = buyer.clone();
            async move {
                app.post(
                    &chat_path(sid),
                    &buyer,
                    &json!({"client_message_id": format!("s-{i}"), "text": "быстро"}),
                )
                .await
            }
        }))
        .await;
        let posted = replies.iter().filter(|r| r.status == 201).count();
        let slowed = replies
            .iter()
            .filter(|r| r.status == 429 && r.code() == "slow_mode")
            .count();
        assert_eq!((posted, slowed), (1, 3), "round {round}");
    }
}

async fn save_ship_to(app: &TestApp, buyer: &str) {
    let saved = app
        .put(
            "/api/v1/buyers/me/ship-to",
            buyer,
            &json!({"ship_to": ship_to(), "currency": "KZT"}),
        )
        .await
        .expect(200);
    assert_eq!(saved.body["ship_to"]["city"], "Almaty");
    assert_eq!(saved.body["currency"], "KZT");
}

async fn a_buyers_keyword_orders_once_through_the_order_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    let sid = live.session_id;
    let sale = app.flash_sale(&live, 10, 3).await;
    let (buyer, buyer_id) = app.buyer("Aizhan", "kk").await;
    let (viewer, _) = app.buyer("Viewer", "ru").await;
    save_ship_to(&app, &buyer).await;
    let mut viewer_feed = app.ws_connect(&feed_path(sid), Some(&viewer)).await;
    let mut host_feed = app.ws_connect(&feed_path(sid), Some(&live.host)).await;
    viewer_feed.next_of_type("snapshot", T).await;
    host_feed.next_of_type("snapshot", T).await;

    // "+2": the message reaches the room, and the order is placed, answered privately in
    // the buyer's language.
    let body = json!({"client_message_id": "c-1", "text": "+2"});
    let posted = app.post(&chat_path(sid), &buyer, &body).await.expect(201);
    let order = &posted.body["order"];
    assert_eq!(order["order"]["quantity"], 2, "{}", posted.text);
    assert_eq!(order["order"]["sale_id"], sale);
    assert_eq!(order["order"]["currency"], "KZT");
    assert_eq!(order["remaining"], 8);
    assert_eq!(order["message"]["locale"], "kk");
    let order_id = order["order"]["id"].as_i64().expect("order id");
    assert_eq!(posted.body["message"]["order_id"], order_id);
    // The room sees the message and the order line as today; the host which order it became.
    assert_eq!(
        viewer_feed.next_of_type("chat_message", T).await["text"],
        "+2"
    );
    let line = viewer_feed.next_of_type("order_confirmed", T).await;
    assert_eq!(line["quantity"], 2);
    assert!(line.get("order_id").is_none());
    let ordered = viewer_feed.next_of_type("chat_ordered", T).await;
    assert!(ordered.get("order_id").is_none(), "{ordered}");
    let ordered = host_feed.next_of_type("chat_ordered", T).await;
    assert_eq!(ordered["order_id"], order_id);
    assert_eq!(ordered["message_id"], posted.body["message"]["id"]);

    // The same message again (HTTP, then the socket): the same order, nothing new written.
    let before = app.feed_fingerprint().await;
    let again = app.post(&chat_path(sid), &buyer, &body).await.expect(200);
    assert_eq!(again.body["order"]["order"]["id"], order_id);
    assert_eq!(again.body["order"]["replayed"], true);
    let mut socket = app.ws_connect(&feed_path(sid), Some(&buyer)).await;
    socket
        .send_json(&json!({"type": "chat", "client_message_id": "c-1", "text": "+2"}))
        .await;
    let result = socket.next_of_type("chat_result", T).await;
    assert_eq!(result["order"]["order"]["id"], order_id, "{result}");
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "a resent keyword wrote something"
    );

    // The per-buyer limit holds across the button and comments: 2 + 2 > 3.
    let over = say(&app, &buyer, sid, "c-2", "+ 2").await;
    assert_eq!(over["order_id"], Value::Null);
    let over = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "c-2", "text": "+ 2"}),
        )
        .await
        .expect(200);
    assert_eq!(over.body["order_error"]["code"], "limit_reached");
    assert!(over.body["order_error"]["localized"]["text"].is_string());
    // Over the socket, "扣1" takes the last unit the limit allows.
    socket
        .send_json(&json!({"type": "chat", "client_message_id": "c-3", "text": "扣1"}))
        .await;
    let result = socket.next_of_type("chat_result", T).await;
    assert_eq!(result["order"]["order"]["quantity"], 1, "{result}");
    let orders = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {buyer_id}"
        ))
        .await;
    assert_eq!(orders, 2);
    // A muted buyer's keyword orders nothing.
    app.put(
        &format!("{}/mutes/{buyer_id}", chat_path(sid)),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &chat_path(sid),
        &buyer,
        &json!({"client_message_id": "c-4", "text": "+1"}),
    )
    .await
    .expect(403);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {buyer_id}"
        ))
        .await,
        2
    );
    // Two resends of one keyword at once: one order.
    let (racer, racer_id) = app.buyer("Racer", "ru").await;
    save_ship_to(&app, &racer).await;
    let race = json!({"client_message_id": "r-1", "text": "купить 1"});
    let path = chat_path(sid);
    let (a, b) = tokio::join!(
        app.post(&path, &racer, &race),
        app.post(&path, &racer, &race)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201]);
    assert_eq!(
        a.body["order"]["order"]["id"],
        b.body["order"]["order"]["id"]
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {racer_id}"
        ))
        .await,
        1
    );
}

async fn comment_orders_say_what_is_missing_and_keywords_are_the_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    let sid = live.session_id;
    let (buyer, _) = app.buyer("Madina", "ru").await;

    // Nothing pinned, no sale: nothing to order (the message is posted all the same).
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "n-1", "text": "+1"}),
        )
        .await
        .expect(201);
    assert_eq!(m.body["message"]["state"], "shown");
    assert_eq!(m.body["order_error"]["code"], "nothing_to_order");
    // Pinned, but the product has two variants: the page must ask which.
    app.post(
        &format!("/api/v1/sessions/{sid}/pin"),
        &live.host,
        &json!({"product_id": live.product_id}),
    )
    .await
    .expect(200);
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "n-2", "text": "+1"}),
        )
        .await
        .expect(201);
    assert_eq!(m.body["order_error"]["code"], "variant_needed");
    // A sale runs, but no delivery address is saved.
    app.flash_sale(&live, 5, 5).await;
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "n-3", "text": "+1"}),
        )
        .await
        .expect(201);
    assert_eq!(m.body["order_error"]["code"], "ship_to_missing");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM orders").await,
        0,
        "a refused comment ordered"
    );
    // A message that only mentions buying is no order.
    save_ship_to(&app, &buyer).await;
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "n-4", "text": "I'd buy 2 if it were cheaper"}),
        )
        .await
        .expect(201);
    assert!(m.body.get("order").is_none() && m.body.get("order_error").is_none());

    // The session's own keywords replace the built-in ones; [] turns comment orders off.
    let path = format!("{}/keywords", chat_path(sid));
    let set = app
        .put(&path, &live.host, &json!({"keywords": ["Беру", "take"]}))
        .await
        .expect(200);
    assert_eq!(set.body["keywords"], json!(["беру", "take"]));
    let mut watching = app.ws_connect(&feed_path(sid), Some(&buyer)).await;
    watching.next_of_type("snapshot", T).await;
    let m = say(&app, &buyer, sid, "k-1", "+1").await;
    assert_eq!(m["order_id"], Value::Null, "+ is no longer a keyword");
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "k-2", "text": "беру 2"}),
        )
        .await
        .expect(201);
    assert_eq!(m.body["order"]["order"]["quantity"], 2, "{}", m.text);
    let mut feed = app.ws_connect(&feed_path(sid), Some(&buyer)).await;
    let snapshot = feed.next_of_type("snapshot", T).await;
    assert_eq!(snapshot["chat"]["keywords"], json!(["беру", "take"]));
    app.put(&path, &live.operator, &json!({"keywords": []}))
        .await
        .expect(200);
    let said = watching.next_of_type("chat_keywords", T).await;
    assert_eq!(
        said["keywords"],
        json!([]),
        "every feed hears the words in force"
    );
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "k-3", "text": "take 1"}),
        )
        .await
        .expect(201);
    assert!(m.body.get("order").is_none());
    app.put(&path, &live.host, &json!({"keywords": null}))
        .await
        .expect(200);
    let m = app
        .post(
            &chat_path(sid),
            &buyer,
            &json!({"client_message_id": "k-4", "text": "+1"}),
        )
        .await
        .expect(201);
    assert_eq!(m.body["order"]["order"]["quantity"], 1, "{}", m.text);

    // Bad keywords and bad saved addresses change nothing.
    let (other, _) = app.buyer("Other", "ru").await;
    let before = app.feed_fingerprint().await;
    for body in [
        json!({"keywords": ["take2"]}),
        json!({"keywords": ["a", "A"]}),
        json!({"keywords": [""]}),
        json!({"keywords": ["x".repeat(25)]}),
        json!({"keywords": vec!["k"; 21]}),
        json!({"keywords": "take"}),
        json!({"words": []}),
    ] {
        let reply = app.put(&path, &live.host, &body).await.expect(422);
        assert_eq!(reply.code(), "invalid", "{body}");
    }
    app.put(&path, &other, &json!({"keywords": null}))
        .await
        .expect(403);
    let before_buyer = app.get("/api/v1/buyers/me", &buyer).await.expect(200).body;
    let mut far = ship_to();
    far["country"] = json!("TH");
    let mut no_phone = ship_to();
    no_phone["phone"] = json!("call me");
    for body in [
        json!({"ship_to": ship_to(), "currency": "XXX"}),
        json!({"ship_to": far, "currency": "THB"}),
        json!({"ship_to": no_phone, "currency": "KZT"}),
        json!({"ship_to": ship_to()}),
    ] {
        let reply = app
            .put("/api/v1/buyers/me/ship-to", &buyer, &body)
            .await
            .expect(422);
        assert_eq!(reply.code(), "invalid", "{body}");
    }
    assert_eq!(
        app.get("/api/v1/buyers/me", &buyer).await.expect(200).body,
        before_buyer
    );
    app.put(
        "/api/v1/buyers/me/ship-to",
        &live.host,
        &json!({"ship_to": ship_to(), "currency": "KZT"}),
    )
    .await
    .expect(403);
    assert_eq!(app.feed_fingerprint().await, before);
}

/// A room of more than 256 connections on an instance gets its chat in batches: one frame of
/// several `chat_message` events, in seq order, before the room's next frame; an order that
/// follows comes after them; nothing is lost or repeated.
async fn a_big_rooms_chat_comes_in_batches_in_order(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.feed_max_connections_per_token = 400).await;
    let live = app.live_session(20, true).await;
    let sid = live.session_id;
    let viewer = app.named_token("Crowd", "buyer").await;
    // 257 connections (the threshold is more than 256), the first of them the one that reads.
    let mut crowd = Vec::new();
    for _ in 0..257 {
        crowd.push(app.ws_connect(&feed_path(sid), Some(&viewer)).await);
    }
    let start = crowd[0].next_of_type("snapshot", T).await["seq"]
        .as_i64()
        .expect("seq");
    let (writer, _) = app.buyer("Writer", "ru").await;
    for i in 1..=4 {
        say(
            &app,
            &writer,
            sid,
            &format!("b-{i}"),
            &format!("сообщение {i}"),
        )
        .await;
    }
    // The orders keep their own frames, after the chat held before them.
    app.order(
        &writer,
        sid,
        "after-chat",
        &silkstream_e2e::order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let mut seen: Vec<(String, i64)> = Vec::new();
    let mut batches = 0;
    while seen.last().map(|(_, seq)| *seq) != Some(start + 5) {
        let m = crowd[0].next_json(T).await;
        match m["type"].as_str() {
            Some("batch") => {
                batches += 1;
                for e in m["events"].as_array().expect("events") {
                    assert_eq!(e["type"], "chat_message", "{m}");
                    seen.push(("chat".into(), e["seq"].as_i64().expect("seq")));
                }
            }
            Some("chat_message") => panic!("a big room's chat came alone: {m}"),
            Some("order_confirmed") => {
                seen.push(("order".into(), m["seq"].as_i64().expect("seq")));
            }
            _ => {}
        }
    }
    assert!(batches >= 1);
    let seqs: Vec<i64> = seen.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        seqs,
        (start + 1..=start + 5).collect::<Vec<_>>(),
        "{seen:?}"
    );
    assert_eq!(seen[4].0, "order");
}
