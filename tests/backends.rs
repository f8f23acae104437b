//! Which backends the end-to-end suite runs on, printed plainly in `cargo test`'s output (this
//! target has no test harness, so its output is not captured): SQLite always; PostgreSQL when
//! `SILKSTREAM_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! answers, the same check the suite makes before each PostgreSQL test; Redis when
//! `SILKSTREAM_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`) answers a PING (the
//! scaled-out tests of `scaling.rs` need both). With `SILKSTREAM_REQUIRE_BACKENDS=1` (CI) a
//! missing PostgreSQL or Redis fails the run.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use silkstream_server::settings::redact_url;

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";

fn main() -> ExitCode {
    // `cargo test -- --list` (and tools that list tests first): nothing to list here.
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let pg_url =
        std::env::var("SILKSTREAM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.into());
    let redis_url =
        std::env::var("SILKSTREAM_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS.into());
    let required = std::env::var("SILKSTREAM_REQUIRE_BACKENDS").as_deref() == Ok("1");

    let postgres = postgres_answers(&pg_url);
    let redis = redis_answers(&redis_url);

    println!();
    println!("backends of the end-to-end suite:");
    println!("  SQLite      ran (bundled; a temporary file per test)");
    match &postgres {
        Ok(()) => println!(
            "  PostgreSQL  ran (a fresh database per test at {})",
            redact_url(&pg_url)
        ),
        Err(why) => println!(
            "  PostgreSQL  SKIPPED ({} does not answer: {why}; set SILKSTREAM_TEST_DATABASE_URL)",
            redact_url(&pg_url)
        ),
    }
    match &redis {
        Ok(()) => println!(
            "  Redis       ran (the scaled-out tests at {}, each deployment under keys of its own)",
            redact_url(&redis_url)
        ),
        Err(why) => println!(
            "  Redis       SKIPPED ({} does not answer: {why}; set SILKSTREAM_TEST_REDIS_URL)",
            redact_url(&redis_url)
        ),
    }
    if redis.is_err() && required {
        println!("backends: FAILED: SILKSTREAM_REQUIRE_BACKENDS=1 and Redis is missing");
        return ExitCode::FAILURE;
    }
    match (postgres, required) {
        (Ok(()), _) => {
            println!("backends: every test ran on SQLite and on PostgreSQL");
            ExitCode::SUCCESS
        }
        (Err(_), false) => {
            println!(
                "backends: PostgreSQL tests were SKIPPED (they pass without running); only SQLite \
                 was tested"
            );
            ExitCode::SUCCESS
        }
        (Err(_), true) => {
            println!("backends: FAILED: SILKSTREAM_REQUIRE_BACKENDS=1 and PostgreSQL is missing");
            ExitCode::FAILURE
        }
    }
}

/// Connects to PostgreSQL as the suite does (5 s at most).
fn postgres_answers(url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime: {e}"))?;
    runtime.block_on(async {
        use sqlx::Connection;
        match tokio::time::timeout(Duration::from_secs(5), sqlx::PgConnection::connect(url)).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                Ok(())
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out after 5 s".into()),
        }
    })
}

/// A TCP connection and a PING (after AUTH when the URL has a password) answered `+PONG`.
fn redis_answers(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("redis://")
        .ok_or("not a redis:// URL")?
        .split('/')
        .next()
        .unwrap_or_default();
    let (password, host) = match rest.rsplit_once('@') {
        Some((userinfo, host)) => (userinfo.split_once(':').map(|(_, p)| p), host),
        None => (None, rest),
    };
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:6379")
    };
    let addr = host
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut request = Vec::new();
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        request.extend(
            format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n", password.len()).as_bytes(),
        );
    }
    request.extend(b"*1\r\n$4\r\nPING\r\n");
    stream.write_all(&request).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&answer).contains("PONG") {
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        answer.extend(&buf[..n]);
        if answer.starts_with(b"-") {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    if answer.contains("+PONG") {
        Ok(())
    } else {
        Err(format!("answered {:?}", answer.trim()))
    }
}
