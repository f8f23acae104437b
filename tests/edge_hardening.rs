//! Hardening at the edge (issue 9, defects 2, 3, 5 and 7): slow clients and connection caps,
//! bounded `/metrics` labels and who may read them, single-line names and cities, and guest
//! sign-ups (a global ceiling, trusted proxies, guests who never order expire).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use silkstream_e2e::{backend_tests, eventually, order_body, spawn_app_with, Backend, TestApp};
use silkstream_server::settings::MetricsAccess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The tests of this file that hold a server to a deadline (a socket closed after a timeout,
/// `/healthz` within a second during a flood) run one at a time: on 2 cores, a flood of 400
/// sockets beside the file's other servers (the test harness runs two tests at once) starved
/// the probe of CPU, not of a connection place, and the deadline failed for the wrong reason.
static DEADLINES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

backend_tests!(
    partial_headers_are_closed_after_the_timeout,
    past_the_cap_idle_connections_go_first_and_healthz_answers,
    websocket_upgrades_past_their_cap_are_refused_fast,
    metrics_labels_stay_bounded,
    metrics_and_openapi_need_a_token_when_told,
    names_and_cities_must_be_single_line,
    names_and_cities_must_be_visible,
    older_names_and_cities_are_cleaned_on_the_way_out,
    signups_have_a_global_ceiling_behind_a_trusted_proxy,
    forwarded_addresses_count_only_from_trusted_proxies,
    guests_who_never_order_expire_and_are_deleted,
    a_stalled_body_flood_leaves_healthz_answering_and_is_closed,
    a_body_trickled_below_the_minimum_rate_is_cut,
    a_stalled_body_is_answered_408,
    request_heads_past_64_kib_get_431,
    a_guest_that_cannot_be_deleted_does_not_stop_the_others
);

fn authority(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// A connection that sent part of a request's headers and stopped.
async fn partial(app: &TestApp) -> TcpStream {
    let mut s = TcpStream::connect(authority(app)).await.expect("connect");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write part of the headers");
    s
}

/// True when the server closes `s` (EOF or reset) within `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let read = tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    read.is_ok()
}

/// `/healthz` on a fresh connection (a new client, no pooled connection).
async fn healthz_fresh(app: &TestApp) -> u16 {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    match client.get(format!("{}/healthz", app.base)).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// A client that sends half its headers and stops is closed after the header-read timeout.
async fn partial_headers_are_closed_after_the_timeout(backend: Backend) {
    let _one_at_a_time = DEADLINES.lock().await;
    let app = spawn_app_with(backend, |s| s.header_read_timeout_ms = 300).await;
    let mut s = partial(&app).await;
    let started = Instant::now();
    assert!(
        closed_within(&mut s, Duration::from_secs(5)).await,
        "a partial request is still open after 5 s"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(healthz_fresh(&app).await, 200);
}

/// At the connection cap, a new connection closes the oldest idle (partial-header) one at once,
/// long before the header-read timeout, and `/healthz` on a fresh connection answers.
async fn past_the_cap_idle_connections_go_first_and_healthz_answers(backend: Backend) {
    let _one_at_a_time = DEADLINES.lock().await;
    let app = spawn_app_with(backend, |s| {
        s.max_connections = 20;
        s.header_read_timeout_ms = 60_000;
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(partial(&app).await);
    }
    // Twenty more: each one pushes out one of the first twenty.
    let mut newer = Vec::new();
    for _ in 0..20 {
        newer.push(partial(&app).await);
    }
    let started = Instant::now();
    for s in held.iter_mut() {
        assert!(
            closed_within(s, Duration::from_secs(3)).await,
            "an idle connection past the cap is still open"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(healthz_fresh(&app).await, 200);
    assert_eq!(healthz_fresh(&app).await, 200);
}

/// WebSocket feeds have their own cap: an upgrade past it is refused at once with 503.
async fn websocket_upgrades_past_their_cap_are_refused_fast(backend: Backend) {
    let _one_at_a_time = DEADLINES.lock().await;
    let app = spawn_app_with(backend, |s| s.max_websockets = 2).await;
    let live = app.live_session(10, true).await;
    let path = format!("/api/v1/sessions/{}/feed", live.session_id);
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let first = app.ws_connect(&path, Some(&buyer)).await;
    let second = app.ws_connect(&path, Some(&live.host)).await;
    let started = Instant::now();
    let refused = app
        .ws_try_connect(&path, Some(&live.operator))
        .await
        .err()
        .expect("a third feed is refused");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    first.close().await;
    // A closed feed frees its place.
    let third = eventually_connects(&app, &path, &live.operator).await;
    second.close().await;
    third.close().await;
}

async fn eventually_connects(
    app: &TestApp,
    path: &str,
    token: &str,
) -> silkstream_e2e::ws::FeedClient {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    loop {
        tick.tick().await;
        match app.ws_try_connect(path, Some(token)).await {
            Ok(c) => return c,
            Err(r) => assert!(Instant::now() < deadline, "still refused: {r:?}"),
        }
    }
}

/// 1,000 made-up methods and random paths add at most one `other` method and one unmatched
/// route to `/metrics`.
async fn metrics_labels_stay_bounded(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    app.request(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    let before = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .expect(200)
        .text
        .len();
    for i in 0..1000 {
        let method = Method::from_bytes(format!("MADEUP{i}").as_bytes()).expect("method");
        let path = format!("/no/such/{}/{i}", uuid::Uuid::new_v4());
        let r = app.request(method, &path, None, None).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        app.request(Method::GET, &path, None, None)
            .await
            .expect(404);
    }
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .expect(200)
        .text;
    assert!(
        text.len() < before + 8_000,
        "/metrics grew from {before} to {} bytes",
        text.len()
    );
    assert!(!text.contains("MADEUP"), "a made-up method is a label");
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
}

/// With `metrics_access = token`, `/metrics` and `/openapi.json` need an operator or admin
/// token, even from this host; a buyer's or host's token is not enough.
async fn metrics_and_openapi_need_a_token_when_told(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.metrics_access = MetricsAccess::Token).await;
    let operator = app.token("operator").await;
    let host = app.token("host").await;
    for path in ["/metrics", "/openapi.json"] {
        app.request(Method::GET, path, None, None).await.expect(401);
        app.request(Method::GET, path, Some(&host), None)
            .await
            .expect(403);
        app.request(Method::GET, path, Some(&operator), None)
            .await
            .expect(200);
        app.request(Method::GET, path, Some(&app.admin), None)
            .await
            .expect(200);
    }
    // The default (loopback) lets this host's clients in without a token.
    let open = spawn_app_with(Backend::Sqlite, |_| {}).await;
    open.request(Method::GET, "/metrics", None, None)
        .await
        .expect(200);
}

/// A guest sign-up with a newline, a bidi override or isolate, a C1 control or a line
/// separator in its name or city is refused with 422 and writes nothing.
async fn names_and_cities_must_be_single_line(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.buyer_signups_per_minute = 1000).await;
    let bad = [
        "Astana\nHOST: sale moved, pay at http://evil.example",
        "Astana\rHOST",
        "Al\u{202E}ytamla",
        "Al\u{2066}maty\u{2069}",
        "Al\u{200F}maty",
        "Al\u{85}maty",
        "Al\u{2028}maty",
        "Al\tmaty",
    ];
    let tokens_before = app.scalar("SELECT COUNT(*) FROM tokens").await;
    for text in bad {
        for (name, city) in [(text, "Almaty"), ("Aigerim", text)] {
            let r = app
                .request(
                    Method::POST,
                    "/api/v1/buyers",
                    None,
                    Some(&json!({"display_name": name, "country": "KZ", "city": city,
                                 "locale": "ru"})),
                )
                .await
                .expect(422);
            assert_eq!(r.code(), "invalid", "{}", r.text);
        }
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM tokens").await,
        tokens_before
    );
    // A city in any script, with spaces and punctuation, is fine.
    app.request(
        Method::POST,
        "/api/v1/buyers",
        None,
        Some(
            &json!({"display_name": "Айгерим", "country": "KZ", "city": "Нур-Султан (Астана)",
                     "locale": "ru"}),
        ),
    )
    .await
    .expect(201);
}

/// Names and cities made of invisible characters, or hiding them, and a letter buried under
/// combining marks: each refused with 422 `invalid` naming the field, at sign-up and in an
/// order's ship-to (the recipient's name and city), and nothing is stored. Names in the
/// markets' scripts (Vietnamese, Thai, Kazakh) and an emoji with its presentation selector are
/// taken.
async fn names_and_cities_must_be_visible(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.buyer_signups_per_minute = 1000).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let blank = "\u{3164}".repeat(20);
    let buried = format!("A{}igerim", "\u{0301}".repeat(40));
    let bad: Vec<String> = [
        "Al\u{200B}maty",
        "Al\u{2060}maty",
        "\u{FEFF}Almaty",
        "Al\u{206E}maty",
        "Al\u{FFF9}maty",
        "Almaty\u{E0041}\u{E007F}",
        "Al\u{3164}maty",
        "Al\u{FFA0}maty",
        "\u{115F}Almaty",
        "Al\u{1160}maty",
        blank.as_str(),
        buried.as_str(),
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let tokens_before = app.scalar("SELECT COUNT(*) FROM tokens").await;
    let buyers_before = app.scalar("SELECT COUNT(*) FROM buyers").await;
    let orders_before = app.scalar("SELECT COUNT(*) FROM orders").await;
    for (i, text) in bad.iter().enumerate() {
        for (field, name, city) in [
            ("display_name", text.as_str(), "Almaty"),
            ("city", "Aigerim", text.as_str()),
        ] {
            let r = app
                .request(
                    Method::POST,
                    "/api/v1/buyers",
                    None,
                    Some(&json!({"display_name": name, "country": "KZ", "city": city,
                                 "locale": "ru"})),
                )
                .await;
            assert_eq!(r.status.as_u16(), 422, "{field} {text:?}: {}", r.text);
            assert_eq!(r.code(), "invalid", "{}", r.text);
            assert!(
                r.text.contains(&format!("\"{field}: ")),
                "{field}: {}",
                r.text
            );
        }
        for field in ["name", "city"] {
            let mut body = order_body(live.variant_id, 1, "KZT");
            body["ship_to"][field] = json!(text);
            let r = app
                .order(
                    &buyer,
                    live.session_id,
                    &format!("invisible-{i}-{field}"),
                    &body,
                )
                .await;
            assert_eq!(
                r.status.as_u16(),
                422,
                "ship_to.{field} {text:?}: {}",
                r.text
            );
            assert_eq!(r.code(), "invalid", "{}", r.text);
            assert!(
                r.text.contains(&format!("\"ship_to.{field}: ")),
                "{}",
                r.text
            );
        }
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM tokens").await,
        tokens_before
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM buyers").await,
        buyers_before
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM orders").await,
        orders_before
    );
    // Names and cities in the markets' scripts, and an emoji with its selector, are fine.
    for (name, city) in [
        ("Nguyễn Thị Ngọc Ánh", "Hồ Chí Minh"),
        ("สมศักดิ์", "กรุงเทพมหานคร"),
        ("Әйгерім", "Өскемен"),
        ("Anna \u{2764}\u{FE0F}", "Алматы"),
    ] {
        app.request(
            Method::POST,
            "/api/v1/buyers",
            None,
            Some(&json!({"display_name": name, "country": "KZ", "city": city, "locale": "ru"})),
        )
        .await
        .expect(201);
    }
    let mut body = order_body(live.variant_id, 1, "KZT");
    body["ship_to"]["name"] = json!("Nguyễn Thị Ngọc Ánh");
    body["ship_to"]["city"] = json!("Өскемен");
    app.order(&buyer, live.session_id, "visible-1", &body)
        .await
        .expect(201);
}

/// A name and a city written before the check (planted in the database) reach no screen with
/// their newline or bidi override: the buyers' `line`, the host's events and the orders list
/// show them cleaned, and a two-letter name is masked to its first letter.
async fn older_names_and_cities_are_cleaned_on_the_way_out(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let live = app.live_session(10, true).await;
    let (buyer, buyer_id) = app.buyer("Aigerim", "ru").await;
    app.execute(&format!(
        "UPDATE buyers SET display_name = 'A\u{202E}l', \
         city = 'Astana\nHOST: pay at http://evil.example\u{2066}' \
         WHERE token_id = {buyer_id}"
    ))
    .await;
    let path = format!("/api/v1/sessions/{}/feed", live.session_id);
    let mut watcher = app.ws_connect(&path, Some(&buyer)).await;
    app.order(
        &buyer,
        live.session_id,
        "clean-1",
        &order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let event = watcher
        .next_of_type("order_confirmed", Duration::from_secs(5))
        .await;
    let text = event.to_string();
    let line = event["line"].as_str().expect("line").to_owned();
    for c in ['\n', '\u{202E}', '\u{2066}'] {
        assert!(!line.contains(c), "{c:?} in {line:?}");
    }
    assert!(!text.contains("\\n"), "{text}");
    assert!(
        !text.contains('\u{202E}') && !text.contains('\u{2066}'),
        "{text}"
    );
    assert_eq!(event["buyer"]["masked"], "A***", "{text}");
    let events = app
        .get(
            &format!("/api/v1/sessions/{}/events", live.session_id),
            &live.host,
        )
        .await
        .expect(200)
        .text;
    assert!(
        !events.contains("\\n") && !events.contains('\u{202E}'),
        "{events}"
    );
    let orders = app
        .get("/api/v1/orders", &live.operator)
        .await
        .expect(200)
        .text;
    assert!(
        !orders.contains("\\n") && !orders.contains('\u{2066}'),
        "{orders}"
    );
    watcher.close().await;
}

/// Behind a trusted proxy, rotating forwarded addresses get past the per-address limit but not
/// past the global ceiling.
async fn signups_have_a_global_ceiling_behind_a_trusted_proxy(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.trusted_proxies = vec!["127.0.0.1/32".into()];
        s.buyer_signups_per_minute = 2;
        s.buyer_signups_per_minute_total = 5;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(signup(&app, Some(&format!("203.0.113.{i}"))).await);
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429, 429, 429]);
}

async fn signup(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut req = app.client.post(format!("{}/api/v1/buyers", app.base)).json(
        &json!({"display_name": "Guest", "country": "KZ", "city": "Almaty",
                      "locale": "ru"}),
    );
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.expect("request").status().as_u16()
}

/// An untrusted peer's X-Forwarded-For is ignored; a trusted proxy's counts, right-most
/// untrusted address first.
async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    // No trusted proxies: the header changes nothing; the limit holds for 127.0.0.1.
    let app = spawn_app_with(backend.clone(), |s| s.buyer_signups_per_minute = 2).await;
    let got: Vec<u16> = futures_util::future::join_all(
        ["198.51.100.1", "198.51.100.2", "198.51.100.3"].map(|f| signup(&app, Some(f))),
    )
    .await;
    let mut got = got;
    got.sort_unstable();
    assert_eq!(got, [201, 201, 429]);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM buyers WHERE client_addr = '127.0.0.1'")
            .await,
        2
    );
    // Trusted: loopback and 10.0.0.0/8. The client is the right-most untrusted address.
    let app = spawn_app_with(backend, |s| {
        s.trusted_proxies = vec!["127.0.0.1/32".into(), "10.0.0.0/8".into()];
        s.buyer_signups_per_minute = 2;
    })
    .await;
    assert_eq!(
        signup(&app, Some("192.0.2.1, 198.51.100.7, 10.1.2.3")).await,
        201
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM buyers WHERE client_addr = '198.51.100.7'")
            .await,
        1
    );
}

/// A guest who never orders is deleted with their token after the guest lifetime; one who
/// ordered stays, and so do one who wrote in a room's chat and one who was muted there (the
/// room's evidence names their tokens, docs/live-room.md).
async fn guests_who_never_order_expire_and_are_deleted(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.guest_token_ttl_s = 1;
        s.sweep_interval_ms = 50;
    })
    .await;
    let live = app.live_session(10, true).await;
    let (idle, idle_id) = app.buyer("Idle", "ru").await;
    let (keen, keen_id) = app.buyer("Keen", "ru").await;
    app.order(
        &keen,
        live.session_id,
        "keen-1",
        &order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let (chatty, chatty_id) = app.buyer("Chatty", "ru").await;
    app.post(
        &format!("/api/v1/sessions/{}/chat", live.session_id),
        &chatty,
        &json!({"client_message_id": "c-1", "text": "Привет"}),
    )
    .await
    .expect(201);
    let (_, muted_id) = app.buyer("Muted", "ru").await;
    app.put(
        &format!("/api/v1/sessions/{}/chat/mutes/{muted_id}", live.session_id),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    app.get("/api/v1/buyers/me", &idle).await.expect(200);
    eventually(
        Duration::from_secs(10),
        "the idle guest is deleted",
        || async {
            app.scalar(&format!("SELECT COUNT(*) FROM tokens WHERE id = {idle_id}"))
                .await
                == 0
        },
    )
    .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM buyers WHERE token_id = {idle_id}"
        ))
        .await,
        0
    );
    app.get("/api/v1/buyers/me", &idle).await.expect(401);
    app.get("/api/v1/buyers/me", &keen).await.expect(200);
    for kept in [keen_id, chatty_id, muted_id] {
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) FROM tokens WHERE id = {kept}"))
                .await,
            1,
            "token {kept}"
        );
    }
    app.get("/api/v1/buyers/me", &chatty).await.expect(200);
}

/// A request with complete headers (no token) and one byte of its 1,000-byte body.
async fn stalled_body(authority: &str) -> Option<TcpStream> {
    let mut s = TcpStream::connect(authority).await.ok()?;
    s.write_all(
        b"POST /api/v1/buyers HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{",
    )
    .await
    .ok()?;
    Some(s)
}

/// The server's sockets on `port` that still hold a descriptor: established or closed by the
/// peer and not yet by the server (`/proc/net/tcp`, states 01 and 08). The listener is not
/// counted. Per network namespace, so only this server's port is looked at.
fn server_sockets(port: u16) -> usize {
    let want = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|table| {
            table
                .lines()
                .skip(1)
                .filter(|line| {
                    let f: Vec<&str> = line.split_whitespace().collect();
                    f.len() > 3 && f[1].ends_with(&want) && (f[3] == "01" || f[3] == "08")
                })
                .count()
        })
        .sum()
}

/// `/healthz` on a fresh connection, answered within a second.
async fn healthz_within_a_second(app: &TestApp) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client");
    match client.get(format!("{}/healthz", app.base)).send().await {
        Ok(r) if r.status() == 200 => Ok(()),
        Ok(r) => Err(format!("status {}", r.status())),
        Err(e) => {
            let mut why = format!("{e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(&format!(": {s}"));
                source = s.source();
            }
            Err(why)
        }
    }
}

/// The stalled-body flood (docs/security.md, "Connections and slow clients"): 400 sockets send
/// complete headers of `POST /api/v1/buyers` (no token, `Content-Length: 1000`) and one byte
/// of body against a cap of 40 connections. Throughout, `/healthz` on a fresh connection
/// answers within a second; every flood socket is closed by the server (the unauthenticated
/// share refuses most at once, the body timeout closes the rest) while the client still holds
/// it, and the server's sockets go back to none.
async fn a_stalled_body_flood_leaves_healthz_answering_and_is_closed(backend: Backend) {
    let _one_at_a_time = DEADLINES.lock().await;
    let app = spawn_app_with(backend, |s| {
        s.max_connections = 40;
        s.body_read_timeout_ms = 1_000;
    })
    .await;
    let port: u16 = authority(&app)
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let target = authority(&app);
    // The count sees this server's sockets: one open connection shows.
    let probe = TcpStream::connect(&target).await.expect("connect");
    eventually(Duration::from_secs(5), "the probe is counted", || async {
        server_sockets(port) >= 1
    })
    .await;
    drop(probe);
    let flood = tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..400 {
            if let Some(s) = stalled_body(&target).await {
                held.push(s);
            }
        }
        held
    });
    let mut checks = 0;
    while !flood.is_finished() {
        if let Err(e) = healthz_within_a_second(&app).await {
            panic!("/healthz during the flood: {e}");
        }
        checks += 1;
    }
    let mut held = flood.await.expect("flood");
    assert!(
        held.len() >= 300,
        "only {} flood sockets opened",
        held.len()
    );
    let started = Instant::now();
    for (i, s) in held.iter_mut().enumerate() {
        if let Err(e) = healthz_within_a_second(&app).await {
            panic!("/healthz while the flood holds its sockets: {e}");
        }
        assert!(
            closed_within(s, Duration::from_secs(15)).await,
            "flood socket {i} is still open {:?} after the flood",
            started.elapsed()
        );
    }
    checks += held.len();
    // The client still holds every socket: the server closed them all by itself.
    eventually(
        Duration::from_secs(10),
        "the server holds no socket of the flood",
        || async { server_sockets(port) == 0 },
    )
    .await;
    drop(held);
    assert!(checks > 0);
    assert_eq!(healthz_fresh(&app).await, 200);
}

/// A body that keeps coming, one byte every 50 ms (20 B/s), but below
/// `min_body_bytes_per_second` (100) is cut once its allowance (the body timeout, then a byte
/// per 10 ms) runs out: the server closes the connection although the client never paused
/// for as long as the timeout.
async fn a_body_trickled_below_the_minimum_rate_is_cut(backend: Backend) {
    let _one_at_a_time = DEADLINES.lock().await;
    let app = spawn_app_with(backend, |s| {
        s.body_read_timeout_ms = 1_000;
        s.min_body_bytes_per_second = 100;
    })
    .await;
    let mut s = stalled_body(&authority(&app)).await.expect("connect");
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut buf = [0u8; 1024];
    let started = Instant::now();
    let cut = loop {
        tokio::select! {
            _ = tick.tick() => {
                if s.write_all(b" ").await.is_err() {
                    break true;
                }
            }
            read = s.read(&mut buf) => match read {
                Ok(0) | Err(_) => break true,
                Ok(_) => {}
            },
        }
        if started.elapsed() > Duration::from_secs(20) {
            break false;
        }
    };
    assert!(cut, "a body at 20 B/s is still being read after 20 s");
    assert_eq!(healthz_fresh(&app).await, 200);
}

/// A body that stops arriving is answered 408 `body_timeout` (not 400 `malformed_json`: the
/// client sent nothing wrong, only too slowly) and its connection closed, whether the route
/// reads JSON without a token or with one, or the raw bytes of a payment callback.
async fn a_stalled_body_is_answered_408(backend: Backend) {
    let _one_at_a_time = DEADLINES.lock().await;
    let app = spawn_app_with(backend, |s| {
        s.body_read_timeout_ms = 500;
    })
    .await;
    let token = format!("Authorization: Bearer {}\r\n", app.admin);
    for (target, auth) in [
        ("/api/v1/buyers", String::new()),
        ("/api/v1/products", token),
        ("/api/v1/payments/sandbox/callback", String::new()),
    ] {
        let mut s = TcpStream::connect(authority(&app)).await.expect("connect");
        let head = format!(
            "POST {target} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n\
             {auth}Content-Length: 1000\r\n\r\n{{"
        );
        s.write_all(head.as_bytes()).await.expect("write");
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
            .await
            .expect("answered and closed within 10 s")
            .expect("read");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{target}: {answer}");
        assert!(
            answer.contains("\"code\":\"body_timeout\""),
            "{target}: {answer}"
        );
    }
    assert_eq!(healthz_fresh(&app).await, 200);
}

/// The documented 64 KiB bound on a request head holds for the whole head (request line and
/// headers): a head of about 112 KiB in many headers gets 431 with the envelope; one of 60 KiB
/// is served.
async fn request_heads_past_64_kib_get_431(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let head = |headers: usize, size: usize| {
        let mut req = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for i in 0..headers {
            req.push_str(&format!("X-Pad-{i}: {}\r\n", "a".repeat(size)));
        }
        req.push_str("\r\n");
        req
    };
    let send = |req: String| {
        let target = authority(&app);
        async move {
            let mut s = TcpStream::connect(target).await.expect("connect");
            s.write_all(req.as_bytes()).await.expect("write");
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer)).await;
            String::from_utf8_lossy(&answer).into_owned()
        }
    };
    let big = head(90, 1_250);
    assert!(big.len() > 110 * 1024, "{}", big.len());
    let answer = send(big).await;
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    assert!(answer.contains("\"header_too_large\""), "{answer}");
    let fits = head(48, 1_250);
    assert!(fits.len() < 62 * 1024, "{}", fits.len());
    let answer = send(fits).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(200)]
    );
}

/// The sweeper deletes each expired guest on their own: one whose deletion fails (here a row
/// planted in `sale_buyers` still names their token, so the token's DELETE fails on its foreign
/// key) stays, and the guests after them in the pass are deleted all the same.
async fn a_guest_that_cannot_be_deleted_does_not_stop_the_others(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.guest_token_ttl_s = 1;
        s.sweep_interval_ms = 50;
    })
    .await;
    let live = app.live_session(10, true).await;
    let sale = app.flash_sale(&live, 5, 5).await;
    // The first guest (the lowest token id, first in the pass) cannot be deleted.
    let (_, stuck) = app.buyer("Stuck", "ru").await;
    app.execute(&format!(
        "INSERT INTO sale_buyers (sale_id, buyer_token_id, units) VALUES ({sale}, {stuck}, 0)"
    ))
    .await;
    let mut others = Vec::new();
    for i in 0..3 {
        others.push(app.buyer(&format!("Later {i}"), "ru").await.1);
    }
    let ids = others
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    eventually(
        Duration::from_secs(15),
        "the guests after the stuck one are deleted",
        || async {
            app.scalar(&format!("SELECT COUNT(*) FROM tokens WHERE id IN ({ids})"))
                .await
                == 0
        },
    )
    .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM buyers WHERE token_id = {stuck}"
        ))
        .await,
        1,
        "the guest whose deletion failed is kept whole"
    );
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM tokens WHERE id = {stuck}"))
            .await,
        1
    );
}
