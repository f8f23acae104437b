//! The `silkstream` binary itself: `token create` prints the token alone on its last line and
//! the token works; `migrate`; `backup` copies a live SQLite database; `serve` answers and stops
//! cleanly on SIGTERM; a data directory with no settings at all is used as is; settings come
//! from flags, the environment, a file and the defaults, in that order, and are all listed by
//! `serve --help`; bad settings stop start-up.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The standard error of a command that must have failed.
fn refused(out: &Output) -> String {
    assert!(!out.status.success(), "the command succeeded: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

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
    // The pictures' folder is copied beside it: the demo's pictures, every file.
    let names = |dir: std::path::PathBuf| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let pictures = names(dir.path().join("silkstream.images"));
    assert!(pictures.len() >= 3, "the demo has pictures: {pictures:?}");
    assert_eq!(names(dir.path().join("copy.images")), pictures);
    assert!(String::from_utf8_lossy(&out.stdout).contains("picture files copied to"));
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

/// `l10n money` and `l10n plural` print the answer alone on one line.
#[test]
fn l10n_money_and_plural() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        let out = silkstream(dir.path()).args(args).output().expect("run");
        (
            out.status.success(),
            String::from_utf8(out.stdout).expect("utf-8"),
        )
    };
    assert_eq!(
        run(&["l10n", "money", "kk", "KZT", "1234567"]),
        (true, "12\u{a0}345,67\u{a0}₸\n".to_owned())
    );
    assert_eq!(
        run(&["l10n", "money", "vi", "VND", "329900"]),
        (true, "329.900\u{a0}₫\n".to_owned())
    );
    assert_eq!(
        run(&["l10n", "money", "en", "UZS", "1599000000"]),
        (true, "UZS15,990,000\n".to_owned())
    );
    assert_eq!(
        run(&["l10n", "plural", "ru", "3"]),
        (true, "few\n".to_owned())
    );
    assert_eq!(
        run(&["l10n", "plural", "ru", "11"]),
        (true, "many\n".to_owned())
    );
    assert_eq!(
        run(&["l10n", "plural", "en", "1.5"]),
        (true, "other\n".to_owned())
    );
    assert!(!run(&["l10n", "money", "xx", "KZT", "1"]).0);
    assert!(!run(&["l10n", "money", "kk", "XYZ", "1"]).0);
    assert!(!run(&["l10n", "plural", "ru", "three"]).0);
}

/// `l10n check` is clean on the shipped locales, fails naming file, line and message id on a
/// broken directory, and reports the database's missing and outdated product translations.
#[test]
fn l10n_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = silkstream(dir.path())
        .args(["l10n", "check", "--no-db"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("kk") && !text.contains(": error:"), "{text}");

    // A copy of the shipped files with one broken message.
    let locales = dir.path().join("locales");
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales");
    for entry in std::fs::read_dir(&shipped).expect("locales") {
        let entry = entry.expect("entry");
        if !entry.path().is_dir() {
            continue;
        }
        let target = locales.join(entry.file_name());
        std::fs::create_dir_all(&target).expect("mkdir");
        for file in std::fs::read_dir(entry.path()).expect("locale dir") {
            let file = file.expect("file");
            std::fs::copy(file.path(), target.join(file.file_name())).expect("copy");
        }
    }
    let broken = locales.join("kk").join("product.ftl");
    let text = std::fs::read_to_string(&broken).expect("read");
    let text = text.replacen("{ $value }", "{ $valeu }", 1);
    std::fs::write(&broken, text).expect("write");
    let out = silkstream(dir.path())
        .args(["l10n", "check", "--no-db", "--dir"])
        .arg(&locales)
        .output()
        .expect("run");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !out.status.success(),
        "a broken file fails the check: {report}"
    );
    assert!(
        report.contains("product.ftl:") && report.contains("error:") && report.contains("attr-"),
        "{report}"
    );

    // The server refuses to start on the broken directory, naming the file.
    let serve = silkstream(dir.path())
        .args(["serve"])
        .env("SILKSTREAM_LOCALES_DIR", &locales)
        .env("SILKSTREAM_BIND", "127.0.0.1:0")
        .output()
        .expect("run");
    assert!(!serve.status.success());
    assert!(String::from_utf8_lossy(&serve.stderr).contains("product.ftl"));

    // With the demo catalog: tt has no translations, so they are reported missing.
    let demo_db = dir.path().join("demo.db");
    let url = format!("sqlite:{}", demo_db.display());
    let rt = tokio_runtime();
    rt.block_on(async {
        let settings = silkstream_server::Settings {
            database_url: url.clone(),
            ..Default::default()
        };
        let db = silkstream_server::connect(&settings)
            .await
            .expect("connect");
        silkstream_server::demo::load(&db).await.expect("demo");
        db.close().await;
    });
    let out = silkstream(dir.path())
        .args(["l10n", "check"])
        .env("SILKSTREAM_DATABASE_URL", &url)
        .output()
        .expect("run");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "warnings alone pass: {report}");
    assert!(
        report.contains("missing translations:") && report.contains("tt"),
        "{report}"
    );
    let strict = silkstream(dir.path())
        .args(["l10n", "check", "--strict"])
        .env("SILKSTREAM_DATABASE_URL", &url)
        .output()
        .expect("run");
    assert!(
        !strict.status.success(),
        "--strict fails on missing translations"
    );
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Every setting, as its flag and its environment variable.
const SETTINGS: [(&str, &str); 17] = [
    ("--database-url", "SILKSTREAM_DATABASE_URL"),
    ("--bind", "SILKSTREAM_BIND"),
    ("--redis-url", "SILKSTREAM_REDIS_URL"),
    ("--max-body-bytes", "SILKSTREAM_MAX_BODY_BYTES"),
    ("--db-max-connections", "SILKSTREAM_DB_MAX_CONNECTIONS"),
    ("--log-format", "SILKSTREAM_LOG_FORMAT"),
    ("--locales-dir", "SILKSTREAM_LOCALES_DIR"),
    ("--payment-window-s", "SILKSTREAM_PAYMENT_WINDOW_S"),
    (
        "--buyer-signups-per-minute",
        "SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE",
    ),
    (
        "--orders-per-buyer-per-minute",
        "SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE",
    ),
    ("--sweep-interval-ms", "SILKSTREAM_SWEEP_INTERVAL_MS"),
    ("--feed-queue-capacity", "SILKSTREAM_FEED_QUEUE_CAPACITY"),
    ("--feed-ping-interval-s", "SILKSTREAM_FEED_PING_INTERVAL_S"),
    ("--feed-idle-timeout-s", "SILKSTREAM_FEED_IDLE_TIMEOUT_S"),
    (
        "--feed-max-message-bytes",
        "SILKSTREAM_FEED_MAX_MESSAGE_BYTES",
    ),
    (
        "--feed-orders-per-second",
        "SILKSTREAM_FEED_ORDERS_PER_SECOND",
    ),
    (
        "--feed-max-connections-per-token",
        "SILKSTREAM_FEED_MAX_CONNECTIONS_PER_TOKEN",
    ),
];

/// `serve --help` lists every setting with its environment variable, and never shows the
/// database password from the environment.
#[test]
fn serve_help_lists_every_setting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = silkstream(dir.path())
        .args(["serve", "--help"])
        .env("SILKSTREAM_DATABASE_URL", "postgres://app:s3cret@db/silk")
        .output()
        .expect("run");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout).to_string();
    for (flag, env) in SETTINGS {
        assert!(help.contains(flag), "{flag} in:\n{help}");
        assert!(help.contains(&format!("[env: {env}")), "{env} in:\n{help}");
    }
    assert!(help.contains("[default: 127.0.0.1:8080]"), "{help}");
    assert!(help.contains("[default: sqlite:silkstream.db]"), "{help}");
    assert!(!help.contains("s3cret"), "{help}");
}

/// The `--config` file beats the defaults, the environment beats the file, and a flag beats
/// the environment: seen in which database file `migrate` creates. A file with an unknown key
/// stops the command, naming the file.
#[test]
fn flag_beats_environment_beats_file_beats_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("silkstream.toml");
    std::fs::write(&file, "database_url = \"sqlite:from-file.db\"\n").expect("write");
    let migrate = |env: &[(&str, &str)], args: &[&str]| {
        let out = silkstream(dir.path())
            .arg("migrate")
            .args(args)
            .env("SILKSTREAM_CONFIG", &file)
            .envs(env.iter().copied())
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    migrate(&[], &[]);
    assert!(dir.path().join("from-file.db").exists(), "the file's URL");
    assert!(
        !dir.path().join("silkstream.db").exists(),
        "not the default"
    );
    migrate(&[("SILKSTREAM_DATABASE_URL", "sqlite:from-env.db")], &[]);
    assert!(
        dir.path().join("from-env.db").exists(),
        "the environment's URL"
    );
    migrate(
        &[("SILKSTREAM_DATABASE_URL", "sqlite:from-env.db")],
        &["--database-url", "sqlite:from-flag.db"],
    );
    assert!(dir.path().join("from-flag.db").exists(), "the flag's URL");

    std::fs::write(&file, "databse_url = \"sqlite:typo.db\"\n").expect("write");
    let out = silkstream(dir.path())
        .arg("migrate")
        .env("SILKSTREAM_CONFIG", &file)
        .output()
        .expect("run");
    let stderr = refused(&out);
    assert!(
        stderr.contains("silkstream.toml") && stderr.contains("databse_url"),
        "{stderr}"
    );
}

/// An unknown log format, from the environment or the file, stops start-up with a message that
/// names the value and where it came from; a bad number too.
#[test]
fn bad_settings_stop_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = silkstream(dir.path())
        .arg("serve")
        .env("SILKSTREAM_LOG_FORMAT", "yaml")
        .env("SILKSTREAM_BIND", "127.0.0.1:0")
        .output()
        .expect("run");
    let stderr = refused(&out);
    assert!(
        stderr.contains("'yaml'")
            && stderr.contains("SILKSTREAM_LOG_FORMAT")
            && stderr.contains("text, json"),
        "{stderr}"
    );

    let file = dir.path().join("silkstream.toml");
    std::fs::write(&file, "log_format = \"yaml\"\n").expect("write");
    let out = silkstream(dir.path())
        .arg("migrate")
        .env("SILKSTREAM_CONFIG", &file)
        .output()
        .expect("run");
    let stderr = refused(&out);
    assert!(
        stderr.contains("silkstream.toml") && stderr.contains("yaml"),
        "{stderr}"
    );

    let out = silkstream(dir.path())
        .arg("migrate")
        .env("SILKSTREAM_PAYMENT_WINDOW_S", "15 minutes")
        .output()
        .expect("run");
    let stderr = refused(&out);
    assert!(
        stderr.contains("'15 minutes'") && stderr.contains("SILKSTREAM_PAYMENT_WINDOW_S"),
        "{stderr}"
    );
}

/// Logs written to a pipe (or a file) are plain text: no ANSI colour codes, in either format.
#[test]
fn logs_to_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    for format in ["text", "json"] {
        // A port in use: serve logs its start, then fails.
        let out = silkstream(dir.path())
            .arg("serve")
            .env("SILKSTREAM_LOG", "info")
            .env("SILKSTREAM_LOG_FORMAT", format)
            .env("SILKSTREAM_BIND", format!("127.0.0.1:{port}"))
            .output()
            .expect("run");
        assert!(!out.status.success(), "the port is taken");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("starting"), "{format}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{format}: {stderr:?}");
    }
}

/// `backup` on PostgreSQL is refused with one clear message (printed once), before any
/// connection, and without the password.
#[test]
fn backup_refuses_postgresql_with_one_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = silkstream(dir.path())
        .args(["backup", "copy.db"])
        .env(
            "SILKSTREAM_DATABASE_URL",
            "postgres://app:s3cret@127.0.0.1:5432/silkstream",
        )
        .output()
        .expect("run");
    let stderr = refused(&out);
    assert_eq!(stderr.matches("pg_dump").count(), 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    assert!(!dir.path().join("copy.db").exists());
}

/// The token lines of `token list`, under its header line.
fn listed_tokens(dir: &Path) -> Vec<String> {
    let out = silkstream(dir)
        .args(["token", "list"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(TOKEN_LIST_HEADER), "{stdout}");
    lines.map(str::to_owned).collect()
}

/// The first line of `token list`: the name of each column.
const TOKEN_LIST_HEADER: &str = "id\trole\tname\texpires\trevoked";

/// `token list` starts with a header naming its columns, also when there is no token yet.
#[test]
fn token_list_has_a_header() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(listed_tokens(dir.path()).is_empty());
    let out = silkstream(dir.path())
        .args(["token", "create", "--role", "operator", "--name", "Dana"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let listed = listed_tokens(dir.path());
    assert_eq!(listed.len(), 1, "{listed:?}");
    let columns: Vec<&str> = listed[0].split('\t').collect();
    assert_eq!(
        columns[..4],
        ["1", "operator", "Dana", "never"],
        "{listed:?}"
    );
}

/// The help of a command that is not `serve` is about that command: short, every argument
/// described, the settings only named (`serve --help` lists them); `--database-url` is shown
/// where the command opens the database.
#[test]
fn subcommand_help_is_short_and_describes_its_arguments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let help = |args: &[&str]| {
        let out = silkstream(dir.path()).args(args).output().expect("run");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let money = help(&["l10n", "money", "--help"]);
    assert!(money.lines().count() < 30, "{money}");
    for argument in ["<LOCALE>", "<CURRENCY>", "<MINOR_UNITS>"] {
        let line = money
            .lines()
            .find(|l| l.trim_start().starts_with(argument))
            .unwrap_or_else(|| panic!("{argument} in:\n{money}"));
        assert!(
            line.trim().len() > argument.len() + 10,
            "{argument} is described: {line:?}"
        );
    }
    assert!(!money.contains("--feed-queue-capacity"), "{money}");
    assert!(money.contains("silkstream serve --help"), "{money}");

    for args in [
        &["migrate", "--help"][..],
        &["backup", "--help"],
        &["token", "list", "--help"],
    ] {
        let text = help(args);
        assert!(text.lines().count() < 30, "{args:?}:\n{text}");
        assert!(text.contains("--database-url"), "{args:?}:\n{text}");
        assert!(!text.contains("--max-websockets"), "{args:?}:\n{text}");
    }
    let backup = help(&["backup", "--help"]);
    let path = backup
        .lines()
        .find(|l| l.trim_start().starts_with("<PATH>"))
        .unwrap_or_else(|| panic!("<PATH> in:\n{backup}"));
    assert!(path.trim().len() > 20, "<PATH> is described: {path:?}");
}

/// `token create --help` lists the roles `--role` takes, and what each may do.
#[test]
fn token_create_help_lists_the_roles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = silkstream(dir.path())
        .args(["token", "create", "-h"])
        .output()
        .expect("run");
    let short = String::from_utf8_lossy(&out.stdout);
    assert!(
        short.contains("[possible values: admin, host, buyer, operator]"),
        "{short}"
    );
    let out = silkstream(dir.path())
        .args(["token", "create", "--help"])
        .output()
        .expect("run");
    let long = String::from_utf8_lossy(&out.stdout);
    for role in ["admin:", "host:", "buyer:", "operator:"] {
        assert!(long.contains(role), "{role} in:\n{long}");
    }
}

/// The settings are still flags after any command, not only `serve`: a database URL given to
/// `token create` and `token list` is the one they use (benchmark scripts rely on it).
#[test]
fn settings_are_flags_of_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = "sqlite:elsewhere.db";
    let out = silkstream(dir.path())
        .args(["token", "create", "--role", "admin", "--name", "bench"])
        .args(["--database-url", url])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("elsewhere.db").exists());
    assert!(!dir.path().join("silkstream.db").exists());
    let out = silkstream(dir.path())
        .args([
            "--database-url",
            url,
            "token",
            "list",
            "--db-max-connections",
            "2",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("bench"));
}

/// `token create --role buyer` takes the buyer's profile and prints it before the token; without
/// the profile, or with a bad one, it is refused naming what is wrong, and no token is made.
/// Another role refuses a profile.
#[test]
fn buyer_tokens_come_with_a_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let create = |args: &[&str]| {
        silkstream(dir.path())
            .args(["token", "create", "--name", "Aizhan"])
            .args(args)
            .output()
            .expect("run")
    };
    let out = create(&["--role", "buyer", "--city", "Almaty"]);
    let stderr = refused(&out);
    assert!(
        stderr.contains("missing --country, --locale") && stderr.contains("profile"),
        "{stderr}"
    );
    let out = create(&[
        "--role",
        "buyer",
        "--country",
        "KZ",
        "--city",
        "Almaty",
        "--locale",
        "xx",
    ]);
    let stderr = refused(&out);
    assert!(
        stderr.contains("locale") && stderr.contains("xx"),
        "{stderr}"
    );
    let out = create(&["--role", "host", "--country", "KZ"]);
    let stderr = refused(&out);
    assert!(stderr.contains("--country describe a buyer"), "{stderr}");
    assert!(listed_tokens(dir.path()).is_empty(), "no token was made");

    let out = create(&[
        "--role",
        "buyer",
        "--country",
        "KZ",
        "--city",
        "Almaty",
        "--locale",
        "ru",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("buyer profile: Aizhan from Almaty, KZ, reads ru"),
        "{stdout}"
    );
    let last = stdout.lines().last().expect("a last line");
    assert!(last.starts_with("ss_") && !last.contains(' '), "{last:?}");
    assert_eq!(listed_tokens(dir.path()).len(), 1);
}

/// Runs `serve --demo` on `port` until a line containing `until`, then stops it with SIGTERM;
/// its output up to that line.
fn serve_demo_until(dir: &Path, port: u16, until: &str) -> Vec<String> {
    let mut child = silkstream(dir)
        .args(["serve", "--demo"])
        .env("SILKSTREAM_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.contains(until);
        lines.push(line);
        if done {
            break;
        }
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "a clean exit: {status:?}; output {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(until)),
        "serve printed no line with {until:?}: {lines:?}"
    );
    lines
}

/// `serve --demo` makes its tokens once, after it listens: a start that cannot listen (port in
/// use, bad address) makes no token, and a start on a database that holds the demo makes none
/// and says where the tokens are.
#[test]
fn demo_tokens_are_made_once_by_a_start_that_listens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_port = taken.local_addr().expect("addr").port();
    for bind in [format!("127.0.0.1:{taken_port}"), "nowhere".to_owned()] {
        let out = silkstream(dir.path())
            .args(["serve", "--demo"])
            .env("SILKSTREAM_BIND", &bind)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{bind} cannot be listened on");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("cannot listen"), "{stderr}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("ss_"),
            "no token printed"
        );
    }
    assert!(listed_tokens(dir.path()).is_empty(), "no token was made");

    let first = serve_demo_until(dir.path(), free_port(), "openapi.json");
    let printed: std::collections::BTreeSet<&str> = first
        .iter()
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == '\''))
        .filter(|w| w.starts_with("ss_"))
        .collect();
    assert_eq!(printed.len(), 4, "one token per role: {first:?}");
    let made = listed_tokens(dir.path());
    assert_eq!(made.len(), 4, "one per role: {made:?}");

    let again = serve_demo_until(dir.path(), free_port(), "token list");
    assert!(!again.iter().any(|l| l.contains("ss_")), "{again:?}");
    assert!(
        again.iter().any(|l| l.contains("silkstream token create")),
        "{again:?}"
    );
    assert_eq!(listed_tokens(dir.path()), made, "no new token");
}
