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
    /// Redis between instances (docs/scaling.md): the feed's events, revocations and catalog
    /// changes reach every instance through it, and viewer counts, feed caps and rate limits
    /// count over all of them. Optional: without it each instance counts its own.
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
    /// Where product pictures' files are kept (docs/images.md): a folder. Unset: a folder next
    /// to the SQLite file (`silkstream.db` → `silkstream.images`), or the database itself on
    /// PostgreSQL (every instance reads it) and for an in-memory SQLite.
    #[arg(long, global = true, env = "SILKSTREAM_IMAGES_DIR")]
    pub images_dir: Option<String>,
    /// Largest picture upload accepted, in bytes.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_IMAGES_MAX_BYTES",
        default_value_t = silkstream_catalog::images::DEFAULT_MAX_BYTES
    )]
    pub images_max_bytes: usize,
    /// Bytes of served picture files an instance keeps in memory.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_IMAGES_CACHE_BYTES",
        default_value_t = silkstream_catalog::images::DEFAULT_CACHE_BYTES
    )]
    pub images_cache_bytes: u64,
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
    /// Guest buyers (`POST /api/v1/buyers`) one client address may create per minute (over
    /// every instance with Redis, per instance without).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE",
        default_value_t = 10
    )]
    pub buyer_signups_per_minute: u32,
    /// Orders one buyer may place per minute (over every instance with Redis, per instance
    /// without).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE",
        default_value_t = 60
    )]
    pub orders_per_buyer_per_minute: u32,
    /// Chat messages one buyer may write in one session per minute (docs/live-room.md). Counted
    /// in the database under the session's lock, so it holds over every instance.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_CHAT_MESSAGES_PER_MINUTE",
        default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..=600)
    )]
    pub chat_messages_per_minute: u32,
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
    /// Open feed connections per token (over every instance with Redis).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_MAX_CONNECTIONS_PER_TOKEN",
        default_value_t = 8
    )]
    pub feed_max_connections_per_token: u32,
    /// How often each instance reads the event log for events it has not heard of (the safety
    /// net behind the commits' own hand-over and Redis), and the catalog's version, in ms.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FEED_POLL_INTERVAL_MS",
        default_value_t = 250
    )]
    pub feed_poll_interval_ms: u64,
    /// How often each instance checks the tokens of its open feeds against the database, in
    /// ms (the safety net behind revocations sent through Redis).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_TOKEN_CHECK_INTERVAL_MS",
        default_value_t = 1000
    )]
    pub token_check_interval_ms: u64,
    /// Switches the sandbox payment provider on: development and demos only (docs/payments.md):
    /// no money moves, and the session's host, an operator or an admin marks an order paid.
    /// Off unless set (`serve --demo` switches it on for the database that start has just
    /// made); `/readyz` and the start log say when it is on.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_PAYMENT_SANDBOX",
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub payment_sandbox: bool,
    /// The sandbox payment provider's signing secret (docs/payments.md), used only when
    /// `payment_sandbox` is on (then a random one is made at start when none is set); never
    /// printed.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_PAYMENT_SANDBOX_SECRET",
        hide_env_values = true
    )]
    pub payment_sandbox_secret: Option<String>,
    /// The key of the keyed hashes (HMAC-SHA256) of the orderers' resident ID numbers on
    /// orders into China (docs/security.md, "ID numbers"); the same on every instance of a
    /// deployment, and never changed once orders are stored (their hashes would no longer
    /// match). Without it, a random key kept in the database is used.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_IDENTITY_SECRET",
        hide_env_values = true
    )]
    pub identity_secret: Option<String>,
    /// Units in one order above which it is a B2B direct export (customs mode 9710) rather
    /// than a retail parcel (9610) (docs/customs.md).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_CUSTOMS_B2C_MAX_QUANTITY",
        default_value_t = 50
    )]
    pub customs_b2c_max_quantity: i64,
    /// The platform's customs registration code, the `ebpCode` of its CEB303 declarations
    /// (10 characters); without it no order is ready to declare.
    #[arg(long, global = true, env = "SILKSTREAM_CUSTOMS_EBP_CODE")]
    pub customs_ebp_code: Option<String>,
    /// The platform's name registered with that code (`ebpName`).
    #[arg(long, global = true, env = "SILKSTREAM_CUSTOMS_EBP_NAME")]
    pub customs_ebp_name: Option<String>,
    /// How far (per cent) a waybill's weight may be from the ordered variants' weight before
    /// the pre-check says `weight_mismatch`.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_CUSTOMS_WEIGHT_TOLERANCE_PCT",
        default_value_t = 10
    )]
    pub customs_weight_tolerance_pct: i64,
    /// Seconds a payment callback's signed timestamp may be from now (either way); older
    /// callbacks are refused as replays.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_PAYMENT_SIGNATURE_WINDOW_S",
        default_value_t = 300
    )]
    pub payment_signature_window_s: u64,
    /// Milliseconds a client may take to send a request's headers (also the longest an idle
    /// keep-alive connection waits for the next request); slower connections are closed.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_HEADER_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub header_read_timeout_ms: u64,
    /// Open connections (HTTP and WebSocket) per instance. At the cap, a new connection closes
    /// the oldest idle one (no request in flight); when none is idle it gets a 503 at once.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_MAX_CONNECTIONS",
        default_value_t = 8192
    )]
    pub max_connections: usize,
    /// Open WebSocket feeds per instance; an upgrade beyond it gets a 503 at once.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_MAX_WEBSOCKETS",
        default_value_t = 4096
    )]
    pub max_websockets: usize,
    /// Milliseconds a request body may go without a byte arriving, and the grace before
    /// `min_body_bytes_per_second` applies; a slower body is cut and its connection closed.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_BODY_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub body_read_timeout_ms: u64,
    /// Least average rate of a request body after the first `body_read_timeout_ms` (each byte
    /// buys 1/rate of a second more); a slower body is cut. 0 turns the rate off.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_MIN_BODY_BYTES_PER_SECOND",
        default_value_t = 1024
    )]
    pub min_body_bytes_per_second: u64,
    /// Percent of `max_connections` that requests without a token (no `Authorization`
    /// header) may hold while their bodies arrive; past it such a request gets a 503 at once.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_UNAUTHENTICATED_CONNECTION_SHARE_PERCENT",
        default_value_t = 25,
        value_parser = clap::value_parser!(u8).range(1..=100)
    )]
    pub unauthenticated_connection_share_percent: u8,
    /// Who may read `/metrics` and `/openapi.json`: `loopback` (clients on this host, anyone
    /// else with an operator or admin token), `token` (an operator or admin token always) or
    /// `open` (anyone).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_METRICS_ACCESS",
        value_enum,
        default_value_t = MetricsAccess::Loopback
    )]
    pub metrics_access: MetricsAccess,
    /// Guest buyers all clients together may create per minute (over every instance with
    /// Redis, per instance without), besides the per-address limit.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL",
        default_value_t = 300
    )]
    pub buyer_signups_per_minute_total: u32,
    /// Seconds after which a guest buyer who never ordered is deleted with their token.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_GUEST_TOKEN_TTL_S",
        default_value_t = 86_400
    )]
    pub guest_token_ttl_s: u64,
    /// Reverse proxies (CIDRs, comma-separated) whose forwarded client address is believed;
    /// none by default: the connection's own address counts.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Origins the buyer page may play a session's HLS stream from (comma-separated, e.g.
    /// `https://live.example-cdn.com`): the page's Content-Security-Policy allows media and
    /// connections to these only, and a host can set an HLS stream only from one of them
    /// (docs/streams.md). None by default: streams are links to the platform the show runs on.
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_MEDIA_ORIGINS",
        value_delimiter = ','
    )]
    pub media_origins: Vec<String>,
    /// The header the trusted proxies write the client's address in: `x-forwarded-for` or
    /// `forwarded` (RFC 7239).
    #[arg(
        long,
        global = true,
        env = "SILKSTREAM_FORWARDED_HEADER",
        value_enum,
        default_value_t = ForwardedHeader::XForwardedFor
    )]
    pub forwarded_header: ForwardedHeader,
}

/// Who may read `/metrics` and `/openapi.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum MetricsAccess {
    /// Clients on this host (after trusted proxies), or an operator or admin token.
    Loopback,
    /// An operator or admin token.
    Token,
    /// Anyone.
    Open,
}

/// Where trusted proxies put the client's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, …`
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
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

/// A URL with every credential replaced by `***`, for printing (start banner, errors, the
/// CLI): the userinfo password (`user:***@host`) and, in the query string, every parameter
/// whose name (percent-decoded, any case) speaks of a secret: sqlx's `password` and
/// `sslkey`/`ssl-key`, libpq's `sslpassword`, and anything else with `pass`, `secret`, `key`,
/// `token` or `auth` in its name. For PostgreSQL, SQLite and Redis URLs alike.
pub fn redact_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        // Not a URL the drivers would read either (an unescaped `#` or `@` in a password
        // breaks it): nothing of it is shown but its scheme.
        return match text.split_once(':') {
            Some((scheme, _))
                if !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
            {
                format!("{scheme}:***")
            }
            _ => "***".to_owned(),
        };
    };
    if url.password().is_some() {
        // Fails only for a URL that cannot have one (then it has none).
        let _ = url.set_password(Some("***"));
    }
    if let Some(query) = url.query().map(str::to_owned) {
        // Each parameter as it was written, only a secret's value replaced (no re-encoding of
        // the rest).
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if secret_parameter(key) => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        url.set_query(Some(&pairs.join("&")));
    }
    // A fragment means nothing to a database driver; a `#` in an unescaped password starts
    // one, so it is never shown.
    if url.fragment().is_some_and(|f| !f.is_empty()) {
        url.set_fragment(Some("***"));
    }
    url.to_string()
}

/// True when a query parameter's name (percent-decoded, any case) names a secret.
fn secret_parameter(key: &str) -> bool {
    let key = percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    ["pass", "secret", "key", "token", "auth"]
        .iter()
        .any(|word| key.contains(word))
}

/// Every setting by its TOML key, with the passwords of the URLs replaced by `***`.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.clone();
        shown.database_url = redact_url(&shown.database_url);
        shown.redis_url = shown.redis_url.as_deref().map(redact_url);
        shown.payment_sandbox_secret = shown.payment_sandbox_secret.map(|_| "***".into());
        shown.identity_secret = shown.identity_secret.map(|_| "***".into());
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
        self.identity_secret = self.identity_secret.filter(|v| !v.is_empty());
        self.customs_ebp_code = self.customs_ebp_code.filter(|v| !v.is_empty());
        self.customs_ebp_name = self.customs_ebp_name.filter(|v| !v.is_empty());
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
        assert_eq!(s.chat_messages_per_minute, 10);
        assert_eq!(s.sweep_interval_ms, 1000);
        assert_eq!(s.feed_queue_capacity, 1024);
        assert_eq!(s.feed_ping_interval_s, 15);
        assert_eq!(s.feed_idle_timeout_s, 60);
        assert_eq!(s.feed_max_message_bytes, 16384);
        assert_eq!(s.feed_orders_per_second, 5);
        assert_eq!(s.feed_max_connections_per_token, 8);
        assert!(!s.payment_sandbox, "the sandbox is off unless switched on");
        assert_eq!(s.payment_sandbox_secret, None);
        assert_eq!(s.payment_signature_window_s, 300);
        assert_eq!(s.header_read_timeout_ms, 10_000);
        assert_eq!(s.max_connections, 8192);
        assert_eq!(s.max_websockets, 4096);
        assert_eq!(s.body_read_timeout_ms, 10_000);
        assert_eq!(s.min_body_bytes_per_second, 1024);
        assert_eq!(s.unauthenticated_connection_share_percent, 25);
        assert_eq!(s.metrics_access, MetricsAccess::Loopback);
        assert_eq!(s.buyer_signups_per_minute_total, 300);
        assert_eq!(s.guest_token_ttl_s, 86_400);
        assert!(s.trusted_proxies.is_empty());
        assert!(s.media_origins.is_empty());
        assert_eq!(s.forwarded_header, ForwardedHeader::XForwardedFor);
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
            identity_secret: Some("identity-k3y".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("identity-k3y"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("sandbox-s3cret"), "{shown}");
        assert!(shown.contains("app:***@db"), "{shown}");
        assert!(shown.contains("feed_max_connections_per_token"), "{shown}");
    }

    /// Every credential form sqlx reads from a PostgreSQL URL (the userinfo password, the
    /// `password` parameter, the client key `sslkey`/`ssl-key`) and libpq's `sslpassword` are
    /// hidden wherever a URL is printed; what is not secret stays readable.
    #[test]
    fn redact_url_hides_every_credential_form() {
        let cases = [
            ("postgres://app:s3cret@db:5432/silk", "s3cret"),
            ("postgres://app@db/silk?password=s3cret", "s3cret"),
            (
                "postgresql://db/silk?user=app&password=s3cret&sslmode=require",
                "s3cret",
            ),
            (
                "postgres://db/silk?sslmode=verify-full&sslpassword=s3cret",
                "s3cret",
            ),
            ("postgres://db/silk?sslkey=/etc/keys/s3cret.key", "s3cret"),
            ("postgres://db/silk?ssl-key=/etc/keys/s3cret.key", "s3cret"),
            ("postgres://db/silk?PASSWORD=s3cret", "s3cret"),
            ("postgres://db/silk?pass%77ord=s3cret", "s3cret"),
            (
                "postgres://app:p%40ss@db/silk?application_name=a@b",
                "p%40ss",
            ),
            ("postgres://app:s3cret@db/silk#frag", "s3cret"),
            ("sqlite:silk.db?password=s3cret", "s3cret"),
            ("redis://:s3cret@cache:6379/0", "s3cret"),
            ("redis://cache:6379/0?password=s3cret", "s3cret"),
        ];
        for (url, secret) in cases {
            let shown = redact_url(url);
            assert!(!shown.contains(secret), "{url} shown as {shown}");
            assert!(shown.contains("***"), "{url} shown as {shown}");
        }
        let shown = redact_url("postgres://app@db:5432/silk?sslmode=require&password=x");
        assert_eq!(
            shown,
            "postgres://app@db:5432/silk?sslmode=require&password=***"
        );
        assert_eq!(
            redact_url("postgres://app:pw@db/silk"),
            "postgres://app:***@db/silk"
        );
        assert_eq!(redact_url("sqlite:silkstream.db"), "sqlite:silkstream.db");
        assert_eq!(
            redact_url("redis://:s3cret@cache:6379/0"),
            "redis://:***@cache:6379/0"
        );
        // An unescaped `#` or `@` in a password: not a URL; only the scheme is shown.
        for url in [
            "postgres://app:pa#ss@db/silk",
            "postgres://app:p@ss:x@db:y/silk",
        ] {
            let shown = redact_url(url);
            assert!(
                !shown.contains("pa") && !shown.contains("ss"),
                "{url} shown as {shown}"
            );
        }
    }
}
