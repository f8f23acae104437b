//! The closing handshake of the WebSocket feed, on both backends: a client that closes gets the
//! server's Close back (RFC 6455 §5.5.1), so it sees a clean close, not a reset (1006).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use silkstream_e2e::{backend_tests, spawn_app, Backend};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

backend_tests!(
    a_client_close_is_answered_with_a_close,
    invalid_utf8_in_a_text_frame_closes_with_1007
);

/// How long any single expected message may take.
const T: Duration = Duration::from_secs(15);

/// A buyer's feed and the operators' feed each answer the client's Close (1000) with a Close
/// of their own carrying a normal code, and then end the connection without an error.
async fn a_client_close_is_answered_with_a_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aliya", "ru").await;
    let authority = app.base.trim_start_matches("http://").to_owned();
    for (path, token) in [
        (format!("/api/v1/sessions/{}/feed", live.session_id), buyer),
        ("/api/v1/feed".to_owned(), live.operator.clone()),
    ] {
        let url = format!("ws://{authority}{path}?token={token}");
        let (mut socket, _) = tokio::time::timeout(T, tokio_tungstenite::connect_async(url))
            .await
            .unwrap_or_else(|_| panic!("{path}: no upgrade within {T:?}"))
            .unwrap_or_else(|e| panic!("{path}: upgrade failed: {e}"));
        // The snapshot first: the server's loop is running.
        let first = tokio::time::timeout(T, socket.next()).await;
        assert!(
            matches!(first, Ok(Some(Ok(Message::Text(_))))),
            "{path}: the snapshot first: {first:?}"
        );

        socket
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            })))
            .await
            .unwrap_or_else(|e| panic!("{path}: sending Close failed: {e}"));

        // Text sent before the server read the Close (a tick) may still come; then its Close.
        let echoed = loop {
            match tokio::time::timeout(T, socket.next()).await {
                Err(_) => panic!("{path}: no Close within {T:?}"),
                Ok(Some(Ok(Message::Close(frame)))) => break frame,
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => panic!("{path}: the connection failed instead of closing: {e}"),
                Ok(None) => panic!("{path}: the connection ended without a Close"),
            }
        };
        let code = echoed.map(|f| f.code);
        assert_eq!(code, Some(CloseCode::Normal), "{path}: the echoed code");
        // After both Close frames the connection ends cleanly: no reset, no error.
        let after = tokio::time::timeout(T, socket.next()).await;
        assert!(
            matches!(after, Ok(None)),
            "{path}: a clean end after the Close: {after:?}"
        );
    }
}

/// A text frame that is not UTF-8 closes the feed with 1007 (invalid frame payload data,
/// RFC 6455 §7.4.1), not a dropped connection.
async fn invalid_utf8_in_a_text_frame_closes_with_1007(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aliya", "ru").await;
    let authority = app.base.trim_start_matches("http://").to_owned();
    let path = format!("/api/v1/sessions/{}/feed", live.session_id);
    let url = format!("ws://{authority}{path}?token={buyer}");
    let (mut socket, _) = tokio::time::timeout(T, tokio_tungstenite::connect_async(url))
        .await
        .expect("upgrade in time")
        .expect("upgrade");
    let first = tokio::time::timeout(T, socket.next()).await;
    assert!(
        matches!(first, Ok(Some(Ok(Message::Text(_))))),
        "the snapshot first: {first:?}"
    );
    let bad: &[u8] = b"{\"type\":\"ping\",\"x\":\"\xff\xfe\"}";
    socket
        .send(Message::Frame(Frame::message(
            bad.to_vec(),
            OpCode::Data(Data::Text),
            true,
        )))
        .await
        .expect("send the frame");
    let closed = loop {
        match tokio::time::timeout(T, socket.next()).await {
            Err(_) => panic!("no Close within {T:?}"),
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => panic!("the connection failed instead of closing: {e}"),
            Ok(None) => panic!("the connection ended without a Close"),
        }
    };
    let code = closed.map(|f| f.code);
    assert_eq!(code, Some(CloseCode::Invalid), "the close code (1007)");
}
