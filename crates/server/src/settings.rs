//! Settings: defaults < optional TOML file < environment (`SILKSTREAM_…`). The database URL
//! picks the backend (`sqlite:` or `postgres:`). `Debug` hides passwords in URLs.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// Everything the server can be told. Each field says why it exists.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// System of record. Default: a SQLite file in the working directory.
    pub database_url: String,
    /// Address to listen on.
    pub bind: String,
    /// Redis for fan-out between instances (the feed's scale-out); unused by one instance.
    pub redis_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Database connections per instance.
    pub db_max_connections: u32,
    /// `text` or `json` logs.
    pub log_format: String,
    /// A translator's locale directory (`<dir>/<locale>/*.ftl`) used instead of the embedded
    /// files; start-up fails when it has errors.
    pub locales_dir: Option<String>,
    /// Seconds a confirmed order may stay unpaid before it is cancelled and its units return.
    pub payment_window_s: u64,
    /// Guest buyers (`POST /api/v1/buyers`) one client address may create per minute.
    pub buyer_signups_per_minute: u32,
    /// Orders one buyer may place per minute.
    pub orders_per_buyer_per_minute: u32,
    /// Milliseconds between sweeps (ending sales whose time is up, expiring unpaid orders).
    pub sweep_interval_ms: u64,
    /// Messages a feed connection may have queued before it is told to resync and closed.
    pub feed_queue_capacity: usize,
    /// Seconds between the server's pings on a feed connection.
    pub feed_ping_interval_s: u64,
    /// Seconds of silence (not even a pong) after which a feed connection is closed.
    pub feed_idle_timeout_s: u64,
    /// Largest message a feed client may send; larger closes with 1009.
    pub feed_max_message_bytes: usize,
    /// Orders per second one feed connection may place (bursts of twice that).
    pub feed_orders_per_second: u32,
    /// Open feed connections per token.
    pub feed_max_connections_per_token: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite:silkstream.db".into(),
            bind: "127.0.0.1:8080".into(),
            redis_url: None,
            max_body_bytes: 64 * 1024,
            db_max_connections: 16,
            log_format: "text".into(),
            locales_dir: None,
            payment_window_s: 900,
            buyer_signups_per_minute: 10,
            orders_per_buyer_per_minute: 60,
            sweep_interval_ms: 1000,
            feed_queue_capacity: 1024,
            feed_ping_interval_s: 15,
            feed_idle_timeout_s: 60,
            feed_max_message_bytes: 16 * 1024,
            feed_orders_per_second: 5,
            feed_max_connections_per_token: 8,
        }
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

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("db_max_connections", &self.db_max_connections)
            .field("log_format", &self.log_format)
            .field("locales_dir", &self.locales_dir)
            .field("payment_window_s", &self.payment_window_s)
            .field("buyer_signups_per_minute", &self.buyer_signups_per_minute)
            .field(
                "orders_per_buyer_per_minute",
                &self.orders_per_buyer_per_minute,
            )
            .field("sweep_interval_ms", &self.sweep_interval_ms)
            .field("feed_queue_capacity", &self.feed_queue_capacity)
            .field("feed_ping_interval_s", &self.feed_ping_interval_s)
            .field("feed_idle_timeout_s", &self.feed_idle_timeout_s)
            .field("feed_max_message_bytes", &self.feed_max_message_bytes)
            .field("feed_orders_per_second", &self.feed_orders_per_second)
            .field(
                "feed_max_connections_per_token",
                &self.feed_max_connections_per_token,
            )
            .finish()
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
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

impl Settings {
    /// Defaults, then the TOML file (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut settings = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| SettingsError::Parse {
                    path: path.display().to_string(),
                    source: Box::new(source),
                })?
            }
            None => Settings::default(),
        };
        settings.apply_env(|name| std::env::var(name).ok())?;
        Ok(settings)
    }

    /// Overrides fields from environment variables, read through `get` (testable).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, SettingsError> {
            value.trim().parse().map_err(|_| SettingsError::Env {
                name: name.to_owned(),
                message: format!("'{value}' is not a valid number"),
            })
        }
        if let Some(v) = get("SILKSTREAM_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("SILKSTREAM_BIND") {
            self.bind = v;
        }
        if let Some(v) = get("SILKSTREAM_REDIS_URL") {
            self.redis_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("SILKSTREAM_MAX_BODY_BYTES") {
            self.max_body_bytes = number("SILKSTREAM_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_DB_MAX_CONNECTIONS") {
            self.db_max_connections = number("SILKSTREAM_DB_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_LOG_FORMAT") {
            self.log_format = v;
        }
        if let Some(v) = get("SILKSTREAM_LOCALES_DIR") {
            self.locales_dir = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("SILKSTREAM_PAYMENT_WINDOW_S") {
            self.payment_window_s = number("SILKSTREAM_PAYMENT_WINDOW_S", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE") {
            self.buyer_signups_per_minute = number("SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE") {
            self.orders_per_buyer_per_minute =
                number("SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_SWEEP_INTERVAL_MS") {
            self.sweep_interval_ms = number("SILKSTREAM_SWEEP_INTERVAL_MS", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_FEED_QUEUE_CAPACITY") {
            self.feed_queue_capacity = number("SILKSTREAM_FEED_QUEUE_CAPACITY", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_FEED_PING_INTERVAL_S") {
            self.feed_ping_interval_s = number("SILKSTREAM_FEED_PING_INTERVAL_S", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_FEED_IDLE_TIMEOUT_S") {
            self.feed_idle_timeout_s = number("SILKSTREAM_FEED_IDLE_TIMEOUT_S", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_FEED_MAX_MESSAGE_BYTES") {
            self.feed_max_message_bytes = number("SILKSTREAM_FEED_MAX_MESSAGE_BYTES", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_FEED_ORDERS_PER_SECOND") {
            self.feed_orders_per_second = number("SILKSTREAM_FEED_ORDERS_PER_SECOND", &v)?;
        }
        if let Some(v) = get("SILKSTREAM_FEED_MAX_CONNECTIONS_PER_TOKEN") {
            self.feed_max_connections_per_token =
                number("SILKSTREAM_FEED_MAX_CONNECTIONS_PER_TOKEN", &v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The environment overrides the file, and the file overrides the defaults.
    #[test]
    fn env_beats_file_beats_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("silkstream.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9000\"\ndb_max_connections = 4\n")
            .expect("write settings");
        let mut s: Settings =
            toml::from_str(&std::fs::read_to_string(&path).expect("read")).expect("parse");
        assert_eq!(s.bind, "127.0.0.1:9000");
        assert_eq!(s.database_url, "sqlite:silkstream.db");
        s.apply_env(|n| (n == "SILKSTREAM_BIND").then(|| "0.0.0.0:1".to_owned()))
            .expect("env applies");
        assert_eq!(s.bind, "0.0.0.0:1");
        assert_eq!(s.db_max_connections, 4);
    }

    /// An unknown key in the file is an error, not silently ignored.
    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Settings>("bnid = \"x\"").is_err());
    }

    /// Passwords never appear in Debug output.
    #[test]
    fn debug_hides_passwords() {
        let s = Settings {
            database_url: "postgres://app:s3cret@db:5432/silk".into(),
            redis_url: Some("redis://:hunter2@cache:6379".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("app:***@db"), "{shown}");
    }
}
