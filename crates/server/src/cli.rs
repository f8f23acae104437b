//! The command line: `serve`, `migrate`, `token create|revoke|list`, `backup`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use silkstream_catalog::auth::Role;
use silkstream_feed::domain::model::NewBuyer;

use crate::settings::{LogFormat, Settings};
use crate::tokens::TokenStore;

/// How the settings combine, under `serve --help`, which lists them.
const SETTINGS_NOTE: &str = "Every setting is also a key of the --config file: the flag's name \
    with underscores (--db-max-connections is db_max_connections). A flag beats the \
    environment, which beats the file, which beats the default.";

/// Where the settings are, under every other `--help`.
const SETTINGS_ELSEWHERE: &str = "Settings (the database URL, limits, intervals…) apply to every \
    command, from SILKSTREAM_… variables, the --config file or flags: `silkstream serve --help` \
    lists them.";

#[derive(Parser, Debug)]
#[command(
    name = "silkstream",
    version,
    about = "Backend for cross-border livestream selling",
    after_help = SETTINGS_ELSEWHERE
)]
pub struct Cli {
    /// TOML settings file (also SILKSTREAM_CONFIG); the environment overrides it.
    #[arg(long, global = true, env = "SILKSTREAM_CONFIG")]
    pub config: Option<PathBuf>,
    /// The settings as given by flags, the environment and the defaults; [`Settings::load`]
    /// lays them over the `--config` file.
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

/// The command line as clap parses it: [`Cli`]'s, with the settings listed only where a reader
/// needs them. Every setting stays a global flag (after any command), and the environment and
/// the `--config` file apply to every command; but only `serve --help` lists them all (some
/// thirty), the commands that open the database list `--database-url`, and every other help
/// says where they are instead of repeating them.
pub fn command() -> clap::Command {
    let settings: Vec<clap::Arg> = Settings::augment_args(clap::Command::new("settings"))
        .get_arguments()
        .cloned()
        .collect();
    let is_setting = |id: &clap::Id| settings.iter().any(|s| s.get_id() == id);
    let database_url = || {
        settings
            .iter()
            .find(|s| s.get_id() == "database_url")
            .cloned()
            .expect("database_url is a setting")
    };
    Cli::command()
        // Hidden here and so wherever clap copies them (every subcommand) ...
        .mut_args(|a| {
            if is_setting(a.get_id()) {
                a.hide(true)
            } else {
                a
            }
        })
        .mut_subcommands(|c| c.after_help(SETTINGS_ELSEWHERE))
        // ... but for the commands that declare their own, shown copies under the same ids
        // (clap copies a global flag only to a command without one).
        .mut_subcommand("serve", |c| {
            c.args(settings.iter().cloned()).after_help(SETTINGS_NOTE)
        })
        .mut_subcommand("migrate", |c| c.arg(database_url()))
        .mut_subcommand("backup", |c| c.arg(database_url()))
        .mut_subcommand("token", |c| {
            c.mut_subcommands(|c| c.arg(database_url()).after_help(SETTINGS_ELSEWHERE))
        })
        .mut_subcommand("l10n", |c| {
            c.mut_subcommand("check", |c| c.arg(database_url()))
                .mut_subcommands(|c| c.after_help(SETTINGS_ELSEWHERE))
        })
}

/// Parses the process's command line and environment; on a mistake, prints clap's message
/// (naming the environment variable when the bad value came from one) and exits with 2.
pub fn parse() -> (Cli, ArgMatches) {
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            match bad_value_from_env(&e) {
                Some(name) => {
                    let text = e.render().to_string();
                    let (what, hint) = text.split_at(text.find("\n\n").unwrap_or(text.len()));
                    eprint!(
                        "{what}\n  (the value comes from the environment variable {name}){hint}"
                    );
                }
                None => {
                    let _ = e.print();
                }
            }
            std::process::exit(e.exit_code());
        }
    }
}

/// The environment variable a refused value came from: set, and its flag not on the command
/// line.
fn bad_value_from_env(e: &clap::Error) -> Option<String> {
    if !matches!(
        e.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = arg.split_whitespace().next()?;
    let command = Cli::command();
    let env = command
        .get_arguments()
        .find(|a| a.get_long().is_some_and(|l| flag == format!("--{l}")))?
        .get_env()?;
    let on_command_line = std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    (!on_command_line && std::env::var_os(env).is_some()).then(|| env.to_string_lossy().into())
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (applies migrations first).
    Serve {
        /// Load the demo catalog into an empty catalog and print a token per role.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a consistent copy of the SQLite database to PATH (safe while serving).
    Backup {
        /// Where the copy goes: a new file (an existing one is not overwritten).
        path: PathBuf,
    },
    /// Tools for translators and support: check, money, plural.
    L10n {
        #[command(subcommand)]
        command: crate::l10n_cli::L10nCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token; prints it alone on the last line. A buyer token needs the buyer's
    /// profile (--country, --city, --locale), which its orders are placed with.
    Create {
        /// What the token may do.
        #[arg(long, value_parser = RoleParser)]
        role: Role,
        /// The token's name; for a buyer also the display name the feeds show (masked).
        #[arg(long)]
        name: String,
        /// Days until it expires (never when absent).
        #[arg(long)]
        expires_in: Option<i64>,
        /// Buyer only: the buyer's market, an ISO 3166-1 alpha-2 code (KZ).
        #[arg(long)]
        country: Option<String>,
        /// Buyer only: the buyer's city (Almaty).
        #[arg(long)]
        city: Option<String>,
        /// Buyer only: the language the buyer reads (ru).
        #[arg(long)]
        locale: Option<String>,
    },
    /// Revoke a token by its id; its open feeds are closed.
    Revoke {
        /// The token's id (the first column of `token list`).
        id: i64,
    },
    /// List tokens (never their secrets): a header line, then one line per token with its id,
    /// role, name, expiry and, when revoked, `revoked`, separated by tabs.
    List,
}

/// The buyer profile of `token create`: all of --country, --city and --locale for a buyer
/// (a buyer without them could never order), none for any other role.
fn buyer_profile(
    role: Role,
    name: &str,
    country: Option<String>,
    city: Option<String>,
    locale: Option<String>,
) -> anyhow::Result<Option<NewBuyer>> {
    let given = [
        ("--country", country.is_some()),
        ("--city", city.is_some()),
        ("--locale", locale.is_some()),
    ];
    let (set, unset): (Vec<_>, Vec<_>) = given.iter().partition(|(_, is_set)| *is_set);
    let names = |flags: Vec<&(&str, bool)>| {
        flags
            .iter()
            .map(|(flag, _)| *flag)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if role != Role::Buyer {
        if !set.is_empty() {
            anyhow::bail!(
                "{} describe a buyer; the {role} role takes none",
                names(set)
            );
        }
        return Ok(None);
    }
    if !unset.is_empty() {
        anyhow::bail!(
            "a buyer token needs the buyer's profile to order; missing {} \
             (for example: --country KZ --city Almaty --locale ru)",
            names(unset)
        );
    }
    Ok(Some(NewBuyer {
        display_name: name.to_owned(),
        country: country.unwrap_or_default(),
        city: city.unwrap_or_default(),
        locale: locale.unwrap_or_default(),
    }))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("'{s}' is not a role: admin, host, buyer or operator"))
}

/// `--role`: [`parse_role`], with the roles as clap's possible values, so that `--help` lists
/// them (and what each may do).
#[derive(Clone)]
struct RoleParser;

impl TypedValueParser for RoleParser {
    type Value = Role;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Role, clap::Error> {
        parse_role.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Role::ALL.into_iter().map(|role| {
            PossibleValue::new(role.as_str()).help(match role {
                Role::Admin => "manages the catalog, rates, merchants and tokens",
                Role::Host => "runs live sessions and their flash sales",
                Role::Buyer => "watches sessions and orders (needs --country, --city, --locale)",
                Role::Operator => "watches every room, reads reports, exports orders",
            })
        })))
    }
}

/// Logs go to stderr, coloured only when it is a terminal (and `NO_COLOR` is unset or empty),
/// so a file or a pipe gets plain text.
fn init_tracing(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_from_env("SILKSTREAM_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // sqlx warns about a connect parameter it does not know with its value (libpq's
    // `sslpassword`, say): never log that, whatever SILKSTREAM_LOG asks for.
    if let Ok(quiet) = "sqlx_postgres::options::parse=error".parse() {
        filter = filter.add_directive(quiet);
    }
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Runs the parsed command line; `matches` tells which settings were given (flags, environment)
/// and so beat the `--config` file.
pub async fn main(cli: Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let settings = Settings::load(matches, cli.config.as_deref())?;
    init_tracing(&settings);
    match cli.command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Migrate => {
            let db = crate::connect(&settings).await?;
            db.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Token { command } => {
            let db = crate::connect(&settings).await?;
            let store = TokenStore::new(db.clone());
            match command {
                TokenCommand::Create {
                    role,
                    name,
                    expires_in,
                    country,
                    city,
                    locale,
                } => {
                    let profile = buyer_profile(role, &name, country, city, locale)?;
                    let (created, buyer) = match &profile {
                        Some(profile) => {
                            let (token, buyer) =
                                crate::tokens::create_buyer(&db, &name, expires_in, profile, "cli")
                                    .await?;
                            (token, Some(buyer))
                        }
                        None => {
                            let token = store
                                .create(&name, role, expires_in)
                                .await
                                .map_err(|e| anyhow::anyhow!("{e}"))?;
                            (token, None)
                        }
                    };
                    println!(
                        "created token {} for {} ({}){}",
                        created.info.id,
                        created.info.name,
                        created.info.role,
                        created
                            .info
                            .expires_at
                            .as_deref()
                            .map(|e| format!(", expires {e}"))
                            .unwrap_or_default()
                    );
                    if let Some(b) = buyer {
                        println!(
                            "buyer profile: {} from {}, {}, reads {}",
                            b.display_name, b.city, b.country, b.locale
                        );
                    }
                    println!("{}", created.token);
                }
                TokenCommand::Revoke { id } => {
                    let info = store.revoke(id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("revoked token {} ({})", info.id, info.name);
                }
                TokenCommand::List => {
                    println!("id\trole\tname\texpires\trevoked");
                    for t in store.list().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                        println!(
                            "{}\t{}\t{}\t{}{}",
                            t.id,
                            t.role,
                            t.name,
                            t.expires_at.as_deref().unwrap_or("never"),
                            if t.revoked { "\trevoked" } else { "" }
                        );
                    }
                }
            }
            db.close().await;
            Ok(())
        }
        Command::L10n { command } => {
            if crate::l10n_cli::run(&settings, command).await? {
                Ok(())
            } else {
                anyhow::bail!("the locale check found errors")
            }
        }
        Command::Backup { path } => {
            // Refused before connecting: a PostgreSQL database is not opened (or migrated) only
            // to be told it cannot be copied.
            if !settings.database_url.starts_with("sqlite:") {
                anyhow::bail!(
                    "backup copies a SQLite database; for PostgreSQL ({}) use pg_dump",
                    crate::settings::redact_url(&settings.database_url)
                );
            }
            if path.exists() {
                anyhow::bail!("{} exists already; choose a new path", path.display());
            }
            let db = crate::connect(&settings).await?;
            let target = path
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("the backup path must be UTF-8"))?;
            // `{e}` alone: sqlx's error repeats its cause, which `{:#}` would print again.
            let images = crate::image_store(&settings, &db)?;
            let copied = backup_with_pictures(&db, &images, &path, target).await?;
            db.close().await;
            println!("backup written to {}", path.display());
            if let Some((folder, n)) = copied {
                println!("{n} picture files copied to {}", folder.display());
            }
            Ok(())
        }
    }
}

/// The database's copy (`VACUUM INTO`) and, in the folder store, its pictures' files beside it
/// (`backup.db` → `backup.images`): copied before the copy of the database and again after it,
/// then checked against the pictures the copy names. A delete that removed a named file
/// between the two leaves the backup incomplete: it is made again (three tries). Returns the
/// folder and how many files it holds, in the folder store.
async fn backup_with_pictures(
    db: &silkstream_catalog::Db,
    images: &silkstream_catalog::images::ImageStore,
    path: &std::path::Path,
    target: &str,
) -> anyhow::Result<Option<(std::path::PathBuf, usize)>> {
    use silkstream_catalog::images::files::{named_files, Files};
    let folder = match images.files() {
        Files::Folder(_) => Some(Files::folder_beside(path)),
        Files::Database => None,
    };
    for _ in 0..3 {
        if let Some(folder) = &folder {
            images.copy_folder_to(folder)?;
        }
        // `{e}` alone: sqlx's error repeats its cause, which `{:#}` would print again.
        db.backup_sqlite(target)
            .await
            .map_err(|e| anyhow::anyhow!("cannot write the backup to {target}: {e}"))?;
        let Some(folder) = &folder else {
            return Ok(None);
        };
        let copied = images.copy_folder_to(folder)?;
        let copy = silkstream_catalog::Db::connect(
            &format!("sqlite:{target}"),
            &silkstream_catalog::DbOptions::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the backup {target}: {e}"))?;
        let named = named_files(&copy)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the backup {target}: {}", e.chain()))?;
        copy.close().await;
        let missing = named.iter().any(|name| !folder.join(name).exists());
        if !missing {
            return Ok(Some((folder.clone(), copied)));
        }
        // A picture deleted while the backup was made: make it again.
        std::fs::remove_file(path)?;
        std::fs::remove_dir_all(folder)?;
    }
    anyhow::bail!("pictures were deleted while the backup was made, three times; try again")
}

/// File descriptors kept free beside the connections: the database pools, the Redis link, the
/// log, the listener, SQLite's files.
const SPARE_FILES: u64 = 128;

/// This process's soft limit of open files (Linux: `/proc/self/limits`), if it can be read.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Lowers `max_connections` and `max_websockets` to what `open_files` descriptors can hold
/// (with [`SPARE_FILES`] kept free), and says what it did: past the limit `accept` fails with
/// "too many open files" and the server stops answering anyone, where at the cap it refuses
/// one connection cleanly (503) or closes the oldest idle one.
fn fit_to_open_files(settings: &mut Settings, open_files: u64) -> Option<String> {
    let room = usize::try_from(open_files.saturating_sub(SPARE_FILES))
        .unwrap_or(usize::MAX)
        .max(1);
    if settings.max_connections <= room && settings.max_websockets <= room {
        return None;
    }
    let why = format!(
        "the open-files limit is {open_files}: max_connections {} and max_websockets {} \
         lowered to {} (raise the limit, e.g. LimitNOFILE= in the systemd unit, to keep them)",
        settings.max_connections, settings.max_websockets, room
    );
    settings.max_connections = settings.max_connections.min(room);
    settings.max_websockets = settings.max_websockets.min(room);
    Some(why)
}

async fn serve(mut settings: Settings, demo: bool) -> anyhow::Result<()> {
    if let Some(open_files) = open_files_limit() {
        if let Some(why) = fit_to_open_files(&mut settings, open_files) {
            tracing::warn!("{why}");
        }
    }
    tracing::info!(settings = ?settings, "starting");
    crate::app::trusted_proxies(&settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::app::cluster(&settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::app::media_origins(&settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    // First, so that Ctrl-C or SIGTERM during start-up is a clean stop too.
    let shutdown = crate::app::shutdown_signal();
    let l10n = crate::load_l10n(&settings)?;
    let db = crate::connect(&settings).await?;
    // Bound before the demo makes anything: a start that fails here (port in use, bad address)
    // leaves no demo data and no tokens behind.
    let listener = tokio::net::TcpListener::bind(&settings.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    let address = listener.local_addr()?;
    let demo_loaded = if demo {
        load_demo(&db, &format!("http://{address}"), &settings).await?
    } else {
        false
    };
    for line in decide_payment_sandbox(&mut settings, demo, demo_loaded) {
        tracing::warn!("{line}");
        if demo {
            say(&format!("{line}\n"));
        }
    }
    let app = crate::build(db.clone(), l10n, &settings)?;
    tracing::info!(%address, "listening");
    crate::run(listener, app, shutdown).await?;
    db.close().await;
    Ok(())
}

/// Whether the sandbox payment provider is on (docs/payments.md): only when `payment_sandbox` is
/// set, or under `serve --demo` on the database this start has just filled with the demo
/// (`demo_loaded`; never on a database that was there before, whose orders may be real). When
/// it is on without a secret it gets a random one: a published default would let anyone sign
/// callbacks. The lines to log and, for the demo, to print.
pub(crate) fn decide_payment_sandbox(
    settings: &mut Settings,
    demo: bool,
    demo_loaded: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    if demo_loaded {
        settings.payment_sandbox = true;
    }
    if settings.payment_sandbox {
        if settings.payment_sandbox_secret.is_none() {
            settings.payment_sandbox_secret = Some(random_secret());
        }
        lines.push(
            "the payment sandbox is ON (development only): no money moves, and a session's \
             host, an operator or an admin marks its orders paid \
             (POST /api/v1/payments/sandbox/{id}/complete)"
                .to_owned(),
        );
    } else {
        if demo {
            lines.push(
                "the payment sandbox is off: this database was there before this --demo start \
                 (set SILKSTREAM_PAYMENT_SANDBOX=true to pay through the sandbox in development)"
                    .to_owned(),
            );
        }
        if settings.payment_sandbox_secret.is_some() {
            lines.push(
                "payment_sandbox_secret is set but payment_sandbox is off: the sandbox stays \
                 off and payments cannot start"
                    .to_owned(),
            );
        }
    }
    lines
}

/// A fresh random secret (32 bytes, hex) for the sandbox provider when it is on and none is set.
pub(crate) fn random_secret() -> String {
    use rand::{RngCore, TryRngCore};
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Loads the demo catalog into an empty catalog and prints what it made
/// ([`crate::demo::announce_loaded`]): whether it loaded (a fresh demo database).
async fn load_demo(
    db: &silkstream_catalog::Db,
    base: &str,
    settings: &Settings,
) -> anyhow::Result<bool> {
    let images = crate::image_store(settings, db)?;
    let (text, loaded) = crate::demo::announce_loaded(db, base, images).await?;
    say(&text);
    Ok(loaded)
}

/// Writes what a serving process tells its operator on standard output, ignoring a closed
/// output: a server whose reader went away (a pipe closed, a terminal gone) keeps serving, where
/// `print!` would panic on the broken pipe and stop it.
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Args;

    fn defaults() -> Settings {
        let matches = Settings::augment_args(clap::Command::new("silkstream"))
            .mut_args(|arg| arg.env(None::<&'static str>))
            .try_get_matches_from(["silkstream"])
            .expect("no flags parse");
        Settings::load(&matches, None).expect("defaults load")
    }

    /// Under a 1,024-file limit the defaults (8,192 connections, 4,096 feeds) are lowered to
    /// what the descriptors hold, with a warning that names the limit; under 20,000 they stay.
    #[test]
    fn the_caps_fit_the_open_files_limit() {
        let mut s = defaults();
        let why = fit_to_open_files(&mut s, 1_024).expect("lowered");
        assert_eq!(s.max_connections, 1_024 - SPARE_FILES as usize);
        assert_eq!(s.max_websockets, 1_024 - SPARE_FILES as usize);
        assert!(why.contains("1024"), "{why}");
        let mut s = defaults();
        assert_eq!(fit_to_open_files(&mut s, 20_000), None);
        assert_eq!((s.max_connections, s.max_websockets), (8_192, 4_096));
        assert!(open_files_limit().is_some_and(|n| n > 0));
    }

    /// The sandbox is on for `serve --demo` on the database it has just made (with a random
    /// secret, never the old published one), off for `--demo` on a database that was there
    /// before and for any other start, whatever secret is set; on when switched on.
    #[test]
    fn the_payment_sandbox_is_on_only_when_told_or_for_a_fresh_demo() {
        let mut fresh = defaults();
        let lines = decide_payment_sandbox(&mut fresh, true, true);
        assert!(fresh.payment_sandbox);
        let secret = fresh.payment_sandbox_secret.clone().expect("a secret");
        assert_ne!(secret, "silkstream-demo-sandbox-secret");
        assert_eq!(secret.len(), 64);
        assert!(
            lines.iter().any(|l| l.contains("sandbox is ON")),
            "{lines:?}"
        );
        let mut again = defaults();
        decide_payment_sandbox(&mut again, true, true);
        assert_ne!(
            again.payment_sandbox_secret,
            Some(secret),
            "random each start"
        );

        let mut existing = defaults();
        let lines = decide_payment_sandbox(&mut existing, true, false);
        assert!(!existing.payment_sandbox);
        assert_eq!(existing.payment_sandbox_secret, None);
        assert!(
            lines.iter().any(|l| l.contains("sandbox is off")),
            "{lines:?}"
        );

        let mut production = defaults();
        production.payment_sandbox_secret = Some("set-by-someone".into());
        let lines = decide_payment_sandbox(&mut production, false, false);
        assert!(
            !production.payment_sandbox,
            "a secret alone does not switch it on"
        );
        assert!(lines.iter().any(|l| l.contains("stays off")), "{lines:?}");

        let mut told = defaults();
        told.payment_sandbox = true;
        told.payment_sandbox_secret = Some("dev-secret".into());
        decide_payment_sandbox(&mut told, false, false);
        assert!(told.payment_sandbox);
        assert_eq!(told.payment_sandbox_secret.as_deref(), Some("dev-secret"));
    }
}
