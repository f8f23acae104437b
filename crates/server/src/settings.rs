//! Settings: defaults < optional TOML file < environment (`SILKSTREAM_…`) < command-line flags.
//! Each setting is declared once, on its field of [`Settings`]: its default, its environment
//! variable and its help text (clap), its TOML key (the field's name, serde). `silkstream serve
//! --help` lists them all. The database URL picks the backend (`sqlite:` or `postgres:`).
//! `Debug` hides passwords in URLs.

use std::fmt;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches};
use serde::{Deserialize, Serialize};

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event (coloured on a terminal).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything the server can be told. The doc comment of each field is its `--help` text.
#[derive(Clone, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields, default)]
#[command(next_help_heading = "Settings")]
pub struct Settings {
    /// System of record: `sqlite:PATH` (created if missing) or `postgres://…`, which picks the
    /// backend.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_DATABASE_URL",
        default_value = "sqlite:silkstream.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,
    /// Redis for fan-out between instances (the feed's scale-out); unused by one instance.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_REDIS_URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, global = true, env = "SILKSTREAM_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,
    /// Database connections per instance.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_DB_MAX_CONNECTIONS",
        default_value_t = 16
    )]
    pub db_max_connections: u32,
    /// Log lines as text or JSON (filter them with SILKSTREAM_LOG, e.g. `info,sqlx=warn`).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    /// A translator's locale directory (`<dir>/<locale>/*.ftl`) used instead of the embedded
    /// files; start-up fails when it has errors.
    #[arg(long, global = true, env = "SILKSTREAM_LOCALES_DIR")]
    pub locales_dir: Option<String>,
    /// Seconds a confirmed order may stay unpaid before it is cancelled and its units return.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_PAYMENT_WINDOW_S",
        default_value_t = 900
    )]
    pub payment_window_s: u64,
    /// Guest buyers (`POST /api/v1/buyers`) one client address may create per minute (per
    /// instance).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE",
        default_value_t = 10
    )]
    pub buyer_signups_per_minute: u32,
    /// Orders one buyer may place per minute (per instance).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE",
        default_value_t = 60
    )]
    pub orders_per_buyer_per_minute: u32,
    /// Milliseconds between sweeps (ending sales whose time is up, expiring unpaid orders).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_SWEEP_INTERVAL_MS",
        default_value_t = 1000
    )]
    pub sweep_interval_ms: u64,
    /// Messages a feed connection may have queued before it is told to resync and closed.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_QUEUE_CAPACITY",
        default_value_t = 1024
    )]
    pub feed_queue_capacity: usize,
    /// Seconds between the server's pings on a feed connection.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_PING_INTERVAL_S",
        default_value_t = 15
    )]
    pub feed_ping_interval_s: u64,
    /// Seconds of silence (not even a pong) after which a feed connection is closed.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_IDLE_TIMEOUT_S",
        default_value_t = 60
    )]
    pub feed_idle_timeout_s: u64,
    /// Largest message a feed client may send, in bytes; larger closes with 1009.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_MAX_MESSAGE_BYTES",
        default_value_t = 16 * 1024
    )]
    pub feed_max_message_bytes: usize,
    /// Orders per second one feed connection may place (bursts of twice that).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_ORDERS_PER_SECOND",
        default_value_t = 5
    )]
    pub feed_orders_per_second: u32,
    /// Open feed connections per token.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_MAX_CONNECTIONS_PER_TOKEN",
        default_value_t = 8
    )]
    pub feed_max_connections_per_token: u32,
    /// The sandbox payment provider's signing secret (docs/payments.md); without it payments
    /// cannot start (`serve --demo` uses a dev secret when none is set).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_PAYMENT_SANDBOX_SECRET",
        hide_env_values = true
    )]
    pub payment_sandbox_secret: Option<String>,
    /// Seconds a payment callback's signed timestamp may be from now (either way); older
    /// callbacks are refused as replays.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_PAYMENT_SIGNATURE_WINDOW_S",
        default_value_t = 300
    )]
    pub payment_signature_window_s: u64,
}

/// The declared defaults: the settings as parsed from an empty command line with the
/// environment left out.
impl Default for Settings {
    fn default() -> Self {
        let command = Settings::augment_args(clap::Command::new("silkstream"))
            .mut_args(|arg| arg.env(None::<&'static str>));
        let matches = command
            .try_get_matches_from(["silkstream"])
            .expect("every setting has a default or is optional");
        Settings::from_arg_matches(&matches).expect("the declared defaults parse")
    }
}

/// Replaces the password of a URL with `***` for printing.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Every setting by its TOML key, with the passwords of the URLs replaced by `***`.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.clone();
        shown.database_url = redact_url(&shown.database_url);
        shown.redis_url = shown.redis_url.as_deref().map(redact_url);
        shown.payment_sandbox_secret = shown.payment_sandbox_secret.map(|_| "***".into());
        let shown = serde_json::to_string(&shown).map_err(|_| fmt::Error)?;
        write!(f, "Settings {shown}")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("settings file {path}: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    /// Cannot happen with the declared fields; kept as an error rather than a panic.
    #[error("settings: {0}")]
    Merge(String),
}

impl Settings {
    /// The settings `matches` (the parsed command line) holds over those of the TOML `file`:
    /// a setting given as a flag or in the environment wins; any other comes from the file, or
    /// is the default when the file does not set it.
    pub fn load(matches: &ArgMatches, file: Option<&Path>) -> Result<Self, SettingsError> {
        let given =
            Settings::from_arg_matches(matches).map_err(|e| SettingsError::Merge(e.to_string()))?;
        let settings = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                let from_file: Settings =
                    toml::from_str(&text).map_err(|source| SettingsError::Parse {
                        path: path.display().to_string(),
                        source: Box::new(source),
                    })?;
                from_file.overridden_by(given, matches)?
            }
            None => given,
        };
        Ok(settings.without_empty_options())
    }

    /// `self` with each setting that `matches` got from a flag or the environment taken from
    /// `given` instead (matched by key: a field's name is both its TOML key and its argument's
    /// id).
    fn overridden_by(self, given: Settings, matches: &ArgMatches) -> Result<Self, SettingsError> {
        let merge = |e: serde_json::Error| SettingsError::Merge(e.to_string());
        let serde_json::Value::Object(given) = serde_json::to_value(given).map_err(merge)? else {
            return Err(SettingsError::Merge("settings are not a map".into()));
        };
        let mut merged = serde_json::to_value(self).map_err(merge)?;
        for (key, value) in given {
            if matches!(
                matches.value_source(&key),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            ) {
                merged[key] = value;
            }
        }
        serde_json::from_value(merged).map_err(merge)
    }

    /// An empty optional setting (`SILKSTREAM_REDIS_URL=`) means "not set".
    fn without_empty_options(mut self) -> Self {
        self.redis_url = self.redis_url.filter(|v| !v.is_empty());
        self.locales_dir = self.locales_dir.filter(|v| !v.is_empty());
        self.payment_sandbox_secret = self.payment_sandbox_secret.filter(|v| !v.is_empty());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `args` as flags; the environment is left out so the test does not depend on it.
    fn flags(args: &[&str]) -> ArgMatches {
        Settings::augment_args(clap::Command::new("silkstream"))
            .mut_args(|arg| arg.env(None::<&'static str>))
            .try_get_matches_from(std::iter::once("silkstream").chain(args.iter().copied()))
            .expect("flags parse")
    }

    /// Every default is the one the README documents.
    #[test]
    fn defaults_are_the_documented_ones() {
        let s = Settings::default();
        assert_eq!(s.database_url, "sqlite:silkstream.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.redis_url, None);
        assert_eq!(s.max_body_bytes, 65536);
        assert_eq!(s.db_max_connections, 16);
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.locales_dir, None);
        assert_eq!(s.payment_window_s, 900);
        assert_eq!(s.buyer_signups_per_minute, 10);
        assert_eq!(s.orders_per_buyer_per_minute, 60);
        assert_eq!(s.sweep_interval_ms, 1000);
        assert_eq!(s.feed_queue_capacity, 1024);
        assert_eq!(s.feed_ping_interval_s, 15);
        assert_eq!(s.feed_idle_timeout_s, 60);
        assert_eq!(s.feed_max_message_bytes, 16384);
        assert_eq!(s.feed_orders_per_second, 5);
        assert_eq!(s.feed_max_connections_per_token, 8);
        assert_eq!(s.payment_sandbox_secret, None);
        assert_eq!(s.payment_signature_window_s, 300);
        // An empty file gives the same settings.
        let empty: Settings = toml::from_str("").expect("empty file");
        assert_eq!(format!("{empty:?}"), format!("{s:?}"));
    }

    /// A flag overrides the file, and the file overrides the defaults.
    #[test]
    fn flags_beat_file_beats_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("silkstream.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:9000\"\ndb_max_connections = 4\nlog_format = \"json\"\n",
        )
        .expect("write settings");
        let s = Settings::load(&flags(&[]), Some(&path)).expect("load");
        assert_eq!(s.bind, "127.0.0.1:9000");
        assert_eq!(s.db_max_connections, 4);
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.database_url, "sqlite:silkstream.db");

        let s = Settings::load(&flags(&["--bind", "0.0.0.0:1"]), Some(&path)).expect("load");
        assert_eq!(s.bind, "0.0.0.0:1");
        assert_eq!(s.db_max_connections, 4, "the file still counts");
        // A flag set to its default value still beats the file.
        let s = Settings::load(&flags(&["--db-max-connections", "16"]), Some(&path)).expect("load");
        assert_eq!(s.db_max_connections, 16);
    }

    /// An unknown key or an unknown log format in the file is an error, not silently ignored.
    #[test]
    fn unknown_keys_and_values_are_refused() {
        assert!(toml::from_str::<Settings>("bnid = \"x\"").is_err());
        let e = toml::from_str::<Settings>("log_format = \"yaml\"").expect_err("yaml is refused");
        assert!(e.to_string().contains("yaml"), "{e}");
    }

    /// An empty optional setting means "not set".
    #[test]
    fn empty_optional_settings_are_unset() {
        let s = Settings::load(&flags(&["--redis-url", ""]), None).expect("load");
        assert_eq!(s.redis_url, None);
    }

    /// Passwords never appear in Debug output.
    #[test]
    fn debug_hides_passwords() {
        let s = Settings {
            database_url: "postgres://app:s3cret@db:5432/silk".into(),
            redis_url: Some("redis://:hunter2@cache:6379".into()),
            payment_sandbox_secret: Some("sandbox-s3cret".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("sandbox-s3cret"), "{shown}");
        assert!(shown.contains("app:***@db"), "{shown}");
        assert!(shown.contains("feed_max_connections_per_token"), "{shown}");
    }
}
