//! The `silkstream` server as a library: settings, the command line, the composed application
//! and its entry point [`app::run`]. `main.rs` only parses the command line and calls [`cli::main`].

pub mod app;
pub mod cli;
pub mod demo;
pub mod metrics;
pub mod settings;
pub mod tokens;

pub use app::{build, run, AppState};
pub use settings::Settings;

use silkstream_catalog::{Db, DbOptions};

/// Connects to the configured database and applies its migrations.
pub async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(
        &settings.database_url,
        &DbOptions {
            max_connections: settings.db_max_connections,
            ..DbOptions::default()
        },
    )
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot open the database {}: {e}",
            settings::redact_url(&settings.database_url)
        )
    })?;
    db.migrate().await?;
    Ok(db)
}
