//! A session's stream (docs/streams.md): the host sets an HLS playlist from one of the
//! deployment's media origins, or a link to the platform the show runs on; buyers read it in the
//! session and the public room and hear `stream_set` / `stream_cleared` on the feed; the buyer
//! page's CSP names the media origins and nothing else does; bad input changes nothing; the
//! session's lock decides a stream racing the session's end, and two removals. Both backends.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, spawn_app_with, Backend, TestApp};

backend_tests!(
    a_host_sets_and_removes_the_stream_buyers_watch,
    bad_streams_are_refused_and_change_nothing,
    without_media_origins_only_links_are_accepted,
    only_the_sessions_controllers_set_its_stream,
    the_buyer_page_csp_names_the_media_origins,
    the_sessions_lock_decides_a_stream_racing_the_end_and_two_removals,
);

const T: Duration = Duration::from_secs(10);
const MEDIA: &str = "https://media.example.com";

async fn app_with_media(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.media_origins = vec![format!("{MEDIA}/"), "http://10.1.2.3:8088".into()];
    })
    .await
}

fn stream_path(session_id: i64) -> String {
    format!("/api/v1/sessions/{session_id}/stream")
}

async fn delete(app: &TestApp, path: &str, token: &str) -> silkstream_e2e::Reply {
    app.request(Method::DELETE, path, Some(token), None).await
}

/// The kinds of the session's logged events, in order.
async fn event_kinds(app: &TestApp, token: &str, session_id: i64) -> Vec<String> {
    let events = app
        .get(&format!("/api/v1/sessions/{session_id}/events"), token)
        .await
        .expect(200);
    events
        .body
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

async fn a_host_sets_and_removes_the_stream_buyers_watch(backend: Backend) {
    let app = app_with_media(backend).await;
    let live = app.live_session(10, true).await;
    let path = stream_path(live.session_id);
    let (buyer, _) = app.buyer("Aruzhan", "kk").await;
    let feed = format!("/api/v1/sessions/{}/feed", live.session_id);
    let mut buyer_feed = app.ws_connect(&feed, Some(&buyer)).await;
    let snapshot = buyer_feed.next_of_type("snapshot", T).await;
    assert_eq!(snapshot["session"]["stream"], Value::Null, "no stream yet");

    // An HLS playlist from a media origin: in the answer, the session, the public room.
    let url = format!("{MEDIA}/live/khorgos-7.m3u8");
    let set = app
        .put(&path, &live.host, &json!({"kind": "hls", "url": url}))
        .await
        .expect(200);
    assert_eq!(set.body["stream"], json!({"kind": "hls", "url": url}));
    let event = buyer_feed.next_of_type("stream_set", T).await;
    assert_eq!(event["kind"], "hls");
    assert_eq!(event["url"], url.as_str());
    let session = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &buyer)
        .await
        .expect(200);
    assert_eq!(session.body["stream"]["url"], url.as_str());
    let room = app
        .request(
            Method::GET,
            &format!("/api/v1/sessions/{}/room", live.session_id),
            None,
            None,
        )
        .await
        .expect(200);
    assert_eq!(room.body["session"]["stream"]["kind"], "hls");
    let listed = app
        .get("/api/v1/sessions", &live.operator)
        .await
        .expect(200);
    assert_eq!(listed.body["items"][0]["stream"]["url"], url.as_str());

    // A http origin the deployment lists on purpose (a studio's LAN server) is accepted too.
    app.put(
        &path,
        &live.operator,
        &json!({"kind": "hls", "url": "http://10.1.2.3:8088/studio/a.m3u8"}),
    )
    .await
    .expect(200);

    assert_eq!(
        buyer_feed.next_of_type("stream_set", T).await["kind"],
        "hls"
    );

    // A link replaces it: any https page, normalized.
    let set = app
        .put(
            &path,
            &live.host,
            &json!({"kind": "link", "url": " https://Live.Douyin.com/7716?from=silk "}),
        )
        .await
        .expect(200);
    assert_eq!(
        set.body["stream"],
        json!({"kind": "link", "url": "https://live.douyin.com/7716?from=silk"})
    );
    let event = buyer_feed.next_of_type("stream_set", T).await;
    assert_eq!(event["kind"], "link");

    // Removed: gone from the session, `stream_cleared` on the feed; removing again is 409.
    let cleared = delete(&app, &path, &live.host).await.expect(200);
    assert_eq!(cleared.body["stream"], Value::Null);
    buyer_feed.next_of_type("stream_cleared", T).await;
    let again = delete(&app, &path, &live.host).await.expect(409);
    assert_eq!(again.code(), "conflict");

    // Set once more, then the session ends: the stream goes with it, and none can be set.
    app.put(&path, &live.host, &json!({"kind": "hls", "url": url}))
        .await
        .expect(200);
    let ended = app
        .post(
            &format!("/api/v1/sessions/{}/end", live.session_id),
            &live.host,
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(
        ended.body["stream"],
        Value::Null,
        "an ended show streams nothing"
    );
    let late = app
        .put(&path, &live.host, &json!({"kind": "hls", "url": url}))
        .await
        .expect(409);
    assert_eq!(late.code(), "conflict");
    delete(&app, &path, &live.host).await.expect(409);
    let kinds = event_kinds(&app, &live.host, live.session_id).await;
    let streams: Vec<&str> = kinds
        .iter()
        .map(String::as_str)
        .filter(|k| k.starts_with("stream_"))
        .collect();
    assert_eq!(
        streams,
        [
            "stream_set",
            "stream_set",
            "stream_set",
            "stream_cleared",
            "stream_set"
        ]
    );
}

async fn bad_streams_are_refused_and_change_nothing(backend: Backend) {
    let app = app_with_media(backend).await;
    let live = app.live_session(10, true).await;
    let path = stream_path(live.session_id);
    let good = format!("{MEDIA}/live/7.m3u8");
    app.put(&path, &live.host, &json!({"kind": "hls", "url": good}))
        .await
        .expect(200);
    let before = event_kinds(&app, &live.host, live.session_id).await;

    let long = format!("https://live.douyin.com/{}", "a".repeat(2100));
    let cases: Vec<(Value, &str)> = vec![
        // Not from a media origin: the buyer page's CSP would block it.
        (
            json!({"kind": "hls", "url": "https://evil.example.net/7.m3u8"}),
            "stream_origin_not_allowed",
        ),
        (
            json!({"kind": "hls", "url": "https://media.example.com:8443/7.m3u8"}),
            "stream_origin_not_allowed",
        ),
        (
            json!({"kind": "hls", "url": "http://media.example.com/7.m3u8"}),
            "stream_origin_not_allowed",
        ),
        (
            json!({"kind": "link", "url": "http://live.douyin.com/7"}),
            "invalid",
        ),
        (
            json!({"kind": "link", "url": "javascript:alert(1)"}),
            "invalid",
        ),
        (
            json!({"kind": "link", "url": "data:text/html,<b>hi</b>"}),
            "invalid",
        ),
        (
            json!({"kind": "link", "url": "https://user:pw@live.douyin.com/7"}),
            "invalid",
        ),
        (json!({"kind": "link", "url": "no url at all"}), "invalid"),
        (json!({"kind": "link", "url": "   "}), "invalid"),
        (json!({"kind": "link", "url": long}), "invalid"),
        (json!({"kind": "rtmp", "url": good}), "invalid"),
        (json!({"kind": "hls"}), "invalid"),
        (
            json!({"kind": "hls", "url": good, "autoplay": true}),
            "invalid",
        ),
        (json!({"kind": 1, "url": good}), "invalid"),
        (json!([]), "invalid"),
    ];
    for (body, code) in cases {
        let reply = app.put(&path, &live.host, &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        assert_eq!(reply.code(), code, "{body}: {}", reply.text);
    }
    // The refusal of an origin says which ones the deployment allows.
    let reply = app
        .put(
            &path,
            &live.host,
            &json!({"kind": "hls", "url": "https://evil.example.net/7.m3u8"}),
        )
        .await
        .expect(422);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(MEDIA) && m.contains("https://evil.example.net")),
        "{}",
        reply.text
    );
    // Not JSON at all.
    let raw = app
        .client
        .put(format!("{}{path}", app.base))
        .bearer_auth(&live.host)
        .header("content-type", "application/json")
        .body("{\"kind\": \"hls\", ")
        .send()
        .await
        .expect("reaches the server");
    assert_eq!(raw.status(), 400);

    let session = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &live.host)
        .await
        .expect(200);
    assert_eq!(
        session.body["stream"],
        json!({"kind": "hls", "url": good}),
        "unchanged"
    );
    assert_eq!(
        event_kinds(&app, &live.host, live.session_id).await,
        before,
        "nothing logged"
    );
}

async fn without_media_origins_only_links_are_accepted(backend: Backend) {
    let good = format!("{MEDIA}/live/7.m3u8");
    let bare = spawn_app_with(backend, |_| {}).await;
    let live = bare.live_session(10, true).await;
    let path = stream_path(live.session_id);
    let reply = bare
        .put(&path, &live.host, &json!({"kind": "hls", "url": good}))
        .await
        .expect(422);
    assert_eq!(reply.code(), "stream_origin_not_allowed");
    assert!(reply.body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("media_origins")));
    bare.put(
        &path,
        &live.host,
        &json!({"kind": "link", "url": "https://live.douyin.com/7"}),
    )
    .await
    .expect(200);
}

async fn only_the_sessions_controllers_set_its_stream(backend: Backend) {
    let app = app_with_media(backend).await;
    let live = app.live_session(10, true).await;
    let path = stream_path(live.session_id);
    let body = json!({"kind": "hls", "url": format!("{MEDIA}/7.m3u8")});
    let (buyer, _) = app.buyer("Aruzhan", "kk").await;
    let other_host = app.named_token("second host", "host").await;
    for token in [&buyer, &other_host] {
        assert_eq!(app.put(&path, token, &body).await.status, 403);
        assert_eq!(delete(&app, &path, token).await.status, 403);
    }
    let anonymous = app.request(Method::PUT, &path, None, Some(&body)).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        app.put(&stream_path(999_999), &live.host, &body)
            .await
            .status,
        404
    );
    let session = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &live.host)
        .await
        .expect(200);
    assert_eq!(session.body["stream"], Value::Null);
    // The session's operator may.
    app.put(&path, &live.operator, &body).await.expect(200);
}

async fn the_buyer_page_csp_names_the_media_origins(backend: Backend) {
    let app = app_with_media(backend).await;
    let csp_of = |path: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .expect("page");
            assert_eq!(response.status(), 200, "{path}");
            response
                .headers()
                .get("content-security-policy")
                .expect("a CSP")
                .to_str()
                .expect("ascii")
                .to_owned()
        }
    };
    let live = csp_of("/live/7").await;
    let directive = |csp: &str, name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(&format!("{name} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        directive(&live, "media-src"),
        "media-src 'self' blob: https://media.example.com http://10.1.2.3:8088"
    );
    assert_eq!(
        directive(&live, "connect-src"),
        "connect-src 'self' https://media.example.com http://10.1.2.3:8088"
    );
    assert_eq!(directive(&live, "worker-src"), "worker-src 'self'");
    assert_eq!(directive(&live, "script-src"), "script-src 'self'");
    assert!(!live.contains("unsafe-"), "{live}");
    // The other pages keep the strict policy, without the media origins.
    for page in ["/console/host", "/console/ops", "/", "/docs"] {
        let csp = csp_of(page).await;
        assert_eq!(csp, silkstream_server::web::CSP, "{page}");
        assert!(!csp.contains("media.example.com"));
    }
    // The vendored player and its worker are served from this origin.
    for file in [
        "/assets/vendor/hls.js/hls.light.min.mjs",
        "/assets/vendor/hls.js/hls.worker.js",
    ] {
        let response = app
            .client
            .get(format!("{}{file}", app.base))
            .send()
            .await
            .expect("file");
        assert_eq!(response.status(), 200, "{file}");
        assert_eq!(
            response.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
    }
}

async fn the_sessions_lock_decides_a_stream_racing_the_end_and_two_removals(backend: Backend) {
    let app = app_with_media(backend).await;
    let body = json!({"kind": "hls", "url": format!("{MEDIA}/7.m3u8")});
    let live = app.live_session(10, true).await;
    for round in 0..8 {
        let session_id = app
            .open_session(&live.host, "Khorgos race night", live.product_id, true)
            .await;
        let path = stream_path(session_id);
        // Two removals at once: exactly one removes it; one `stream_cleared` is logged.
        app.put(&path, &live.host, &body).await.expect(200);
        let (a, b) = tokio::join!(
            delete(&app, &path, &live.host),
            delete(&app, &path, &live.operator)
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: {} / {}",
            a.text,
            b.text
        );
        let kinds = event_kinds(&app, &live.host, session_id).await;
        assert_eq!(
            kinds.iter().filter(|k| *k == "stream_cleared").count(),
            1,
            "round {round}"
        );

        // A stream set as the session ends: whichever comes first, the ended session has no
        // stream, and a set that lost is refused (409), never written after the end.
        let end = format!("/api/v1/sessions/{}/end", session_id);
        let nothing = json!({});
        let (set, ended) = tokio::join!(
            app.put(&path, &live.host, &body),
            app.post(&end, &live.operator, &nothing)
        );
        assert_eq!(ended.status, 200, "round {round}: {}", ended.text);
        assert!(
            set.status == 200 || set.status == 409,
            "round {round}: {}",
            set.text
        );
        let session = app
            .get(&format!("/api/v1/sessions/{}", session_id), &live.host)
            .await
            .expect(200);
        assert_eq!(session.body["state"], "ended");
        assert_eq!(session.body["stream"], Value::Null, "round {round}");
        let kinds = event_kinds(&app, &live.host, session_id).await;
        let last = kinds.last().map(String::as_str);
        assert_eq!(last, Some("session_ended"), "round {round}: {kinds:?}");
    }
}
