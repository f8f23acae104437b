//! `GET /api/v1/sessions`, the list the studio console and the operations dashboard read: a host
//! sees their own sessions, operators and admins everyone's, newest first; `?state=` narrows;
//! `viewers` follows the feed connections watching each session. Both backends.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, eventually, spawn_app, Backend, TestApp};

backend_tests!(hosts_list_their_own_sessions_and_operators_every_one);

const T: Duration = Duration::from_secs(10);

fn ids(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["id"].as_i64().expect("id"))
        .collect()
}

async fn viewers_of(app: &TestApp, token: &str, session_id: i64) -> i64 {
    let list = app
        .get("/api/v1/sessions?state=live", token)
        .await
        .expect(200);
    list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["id"].as_i64() == Some(session_id))
        .and_then(|s| s["viewers"].as_i64())
        .expect("the live session is listed with its viewers")
}

async fn hosts_list_their_own_sessions_and_operators_every_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let other_host = app.named_token("second host", "host").await;
    let scheduled = app
        .post(
            "/api/v1/sessions",
            &other_host,
            &json!({"title": "Erenhot cashmere hour", "language": "zh-CN", "markets": ["KZ"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    let (buyer, _) = app.buyer("Aruzhan", "kk").await;

    // Each host sees their own; the item carries what the console's list shows.
    let mine = app.get("/api/v1/sessions", &live.host).await.expect(200);
    assert_eq!(ids(&mine.body), vec![live.session_id]);
    let item = &mine.body["items"][0];
    assert_eq!(item["title"], "Khorgos beef night");
    assert_eq!(item["state"], "live");
    assert_eq!(item["markets"], json!(["KZ"]));
    assert_eq!(item["host"]["name"], "test host");
    assert!(item["started_at"].is_string(), "{item}");
    assert!(item["last_seq"].as_i64().expect("last_seq") >= 2, "{item}");
    let theirs = app.get("/api/v1/sessions", &other_host).await.expect(200);
    assert_eq!(ids(&theirs.body), vec![scheduled]);
    assert_eq!(theirs.body["items"][0]["state"], "scheduled");

    // Operators and admins see every session, newest first; `state` narrows.
    for token in [&live.operator, &app.admin] {
        let all = app.get("/api/v1/sessions", token).await.expect(200);
        assert_eq!(ids(&all.body), vec![scheduled, live.session_id]);
    }
    let only_live = app
        .get("/api/v1/sessions?state=live", &live.operator)
        .await
        .expect(200);
    assert_eq!(ids(&only_live.body), vec![live.session_id]);
    let only_scheduled = app
        .get("/api/v1/sessions?state=scheduled", &live.operator)
        .await
        .expect(200);
    assert_eq!(ids(&only_scheduled.body), vec![scheduled]);
    let none_ended = app
        .get("/api/v1/sessions?state=ended", &live.host)
        .await
        .expect(200);
    assert_eq!(ids(&none_ended.body), Vec::<i64>::new());

    // Refusals: a buyer, no token, a state that is not one, an unknown parameter.
    assert_eq!(
        app.get("/api/v1/sessions", &buyer).await.expect(403).code(),
        "forbidden"
    );
    app.request(Method::GET, "/api/v1/sessions", None, None)
        .await
        .expect(401);
    for query in ["state=open", "state=", "host=1"] {
        let reply = app
            .get(&format!("/api/v1/sessions?{query}"), &live.operator)
            .await
            .expect(422);
        assert_eq!(reply.code(), "invalid", "{query}: {}", reply.text);
    }

    // Viewers follow the feed connections watching the session on this instance.
    assert_eq!(viewers_of(&app, &live.operator, live.session_id).await, 0);
    let feed = app
        .ws_connect(
            &format!("/api/v1/sessions/{}/feed", live.session_id),
            Some(&buyer),
        )
        .await;
    eventually(T, "the watching buyer is counted", || async {
        viewers_of(&app, &live.operator, live.session_id).await == 1
    })
    .await;
    feed.close().await;
    eventually(T, "the buyer who left is no longer counted", || async {
        viewers_of(&app, &live.operator, live.session_id).await == 0
    })
    .await;

    // Once ended it moves to the ended list.
    app.post(
        &format!("/api/v1/sessions/{}/end", live.session_id),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    let ended = app
        .get("/api/v1/sessions?state=ended", &live.host)
        .await
        .expect(200);
    assert_eq!(ids(&ended.body), vec![live.session_id]);
    assert!(ended.body["items"][0]["ended_at"].is_string());
}
