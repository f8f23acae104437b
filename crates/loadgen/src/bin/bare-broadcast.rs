//! `bare-broadcast`: the fan-out benchmark's baseline (docs/BENCHMARKS.md). A bare
//! tokio-tungstenite server with one `tokio::sync::broadcast` channel: every WebSocket on any
//! path but `/publish` is a viewer, whose task sends it each message broadcast; each text
//! message a client sends on `/publish` is broadcast as it is. No framework, no database, no
//! per-audience encoding: what a WebSocket fan-out costs at the least, on this machine.
//!
//! `bare-broadcast --bind 127.0.0.1:18081` prints `listening on ADDR` once it accepts.

use std::net::SocketAddr;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

#[derive(Debug, Parser)]
#[command(
    name = "bare-broadcast",
    about = "A bare tokio-tungstenite broadcast server"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:18081")]
    bind: SocketAddr,
    /// Messages the broadcast channel holds for a slow viewer before it skips ahead.
    #[arg(long, default_value_t = 4096)]
    capacity: usize,
    /// tungstenite's read buffer per connection. tungstenite's default (128 KiB) is zero-filled
    /// when first read into, so it is resident; 4 KiB is what a server holding many idle
    /// sockets sets, and this baseline stands for the least a tokio-tungstenite fan-out costs.
    #[arg(long, default_value_t = 4096)]
    read_buffer_bytes: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = TcpListener::bind(args.bind).await?;
    println!("listening on {}", listener.local_addr()?);
    let (tx, _) = broadcast::channel::<Utf8Bytes>(args.capacity.max(1));
    // Each message is written out as it is sent (no write buffering to wait for).
    let config = WebSocketConfig::default()
        .read_buffer_size(args.read_buffer_bytes)
        .write_buffer_size(0);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: the client sees a refused connection.
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        tokio::spawn(serve(stream, tx.clone(), config));
    }
}

// The handshake callback's error type is tungstenite's (an HTTP response), not ours.
#[allow(clippy::result_large_err)]
async fn serve(stream: TcpStream, tx: broadcast::Sender<Utf8Bytes>, config: WebSocketConfig) {
    let _ = stream.set_nodelay(true);
    let mut path = String::new();
    // Subscribed before the handshake ends, so nothing published after the client's
    // handshake completes is missed.
    let mut rx = tx.subscribe();
    let ws = tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        |req: &Request, resp: Response| {
            path = req.uri().path().to_owned();
            Ok(resp)
        },
        Some(config),
    )
    .await;
    let Ok(mut ws) = ws else { return };
    if path == "/publish" {
        drop(rx);
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Text(text) = msg {
                // No viewer yet is not an error.
                let _ = tx.send(text);
            }
        }
        return;
    }
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(text) => {
                    if ws.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
