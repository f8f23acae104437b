//! The `silkstream` binary itself: `token create` prints the token alone on its last line and
//! the token works; `migrate`; `backup` copies a live SQLite database; `serve` answers and stops
//! cleanly on SIGTERM; a data directory with no settings at all is used as is.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn silkstream(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_silkstream"));
    cmd.current_dir(dir)
        .env_remove("SILKSTREAM_DATABASE_URL")
        .env_remove("SILKSTREAM_BIND")
        .env_remove("SILKSTREAM_CONFIG")
        .env("SILKSTREAM_LOG", "warn");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// `token create` prints the token alone on the last line; `token list` shows it without the
/// secret; `token revoke` marks it revoked. With no settings, the database is `silkstream.db`
/// in the working directory.
#[test]
fn token_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = silkstream(dir.path())
        .args([
            "token",
            "create",
            "--role",
            "host",
            "--name",
            "Aigerim",
            "--expires-in",
            "7",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let last = stdout.lines().last().expect("a last line");
    assert!(
        last.starts_with("ss_") && !last.contains(' '),
        "token alone: {last:?}"
    );
    assert!(dir.path().join("silkstream.db").exists());

    let list = silkstream(dir.path())
        .args(["token", "list"])
        .output()
        .expect("run");
    let listed = String::from_utf8(list.stdout).expect("utf-8");
    assert!(
        listed.contains("Aigerim") && listed.contains("host"),
        "{listed}"
    );
    assert!(!listed.contains(last), "the secret is never listed");

    let revoke = silkstream(dir.path())
        .args(["token", "revoke", "1"])
        .output()
        .expect("run");
    assert!(revoke.status.success());
    let list = silkstream(dir.path())
        .args(["token", "list"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&list.stdout).contains("revoked"));

    let bad = silkstream(dir.path())
        .args(["token", "create", "--role", "root", "--name", "x"])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a role"));
}

/// `serve` answers, `backup` copies its database while it serves, and SIGTERM stops it cleanly.
#[test]
fn serve_backup_and_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let migrate = silkstream(dir.path()).arg("migrate").output().expect("run");
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let port = free_port();
    let mut child = silkstream(dir.path())
        .args(["serve", "--demo"])
        .env("SILKSTREAM_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut admin = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(t) = line.trim().strip_prefix("admin") {
            admin = Some(t.trim().to_owned());
        }
        if line.contains("openapi.json") {
            break;
        }
    }
    let admin = admin.expect("the demo prints an admin token");

    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        let reply = std::process::Command::new("curl")
            .args(["-s", "-H", &format!("Authorization: Bearer {admin}")])
            .arg(format!(
                "http://127.0.0.1:{port}/api/v1/products?per_page=1"
            ))
            .output();
        if let Ok(out) = reply {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            if text.contains("\"total\"") {
                break text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the server did not answer within 30 s"
        );
        std::thread::yield_now();
    };
    assert!(
        !body.contains("\"total\":0"),
        "the demo catalog is there: {body}"
    );

    let backup = dir.path().join("copy.db");
    let out = silkstream(dir.path())
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("run backup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::metadata(&backup).expect("backup file").len() > 0);
    let again = silkstream(dir.path())
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("run");
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );

    // The copy is a working database with the demo catalog in it.
    let listed = silkstream(dir.path())
        .args(["token", "list"])
        .env(
            "SILKSTREAM_DATABASE_URL",
            format!("sqlite:{}", backup.display()),
        )
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("demo admin"));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop within 15 s of SIGTERM"
        );
        std::thread::yield_now();
    };
    assert!(status.success(), "a clean exit on SIGTERM: {status:?}");
}
