//! The `silkstream` server as a library: settings, the command line, the composed application
//! and its entry point [`app::run`]. `main.rs` only parses the command line and calls [`cli::main`].

pub mod app;
pub mod cli;
pub mod conn;
pub mod demo;
mod demo_pictures;
pub mod l10n_cli;
pub mod metrics;
pub mod openapi;
pub mod settings;
pub mod tokens;
pub mod web;

pub use app::{build, run, App, AppState};
pub use settings::Settings;

use std::sync::Arc;

use silkstream_catalog::{Db, DbOptions};
use silkstream_l10n::L10n;

/// The embedded message bundles, built once per process.
pub fn embedded_l10n() -> anyhow::Result<Arc<L10n>> {
    static EMBEDDED: std::sync::OnceLock<Arc<L10n>> = std::sync::OnceLock::new();
    if let Some(l) = EMBEDDED.get() {
        return Ok(l.clone());
    }
    let built = Arc::new(L10n::embedded()?);
    Ok(EMBEDDED.get_or_init(|| built).clone())
}

/// The message bundles: the embedded ones, or a translator's directory when `locales_dir` is
/// set. Errors (with file, line and message id) stop start-up.
pub fn load_l10n(settings: &Settings) -> anyhow::Result<Arc<L10n>> {
    let l10n = match &settings.locales_dir {
        Some(dir) => L10n::from_dir(dir)?,
        None => return embedded_l10n(),
    };
    Ok(Arc::new(l10n))
}

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
    // The landed-cost rule file, loaded once per start (docs/cross-border.md).
    silkstream_catalog::landed_store::load_rule_file(&db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot load the landed-cost rules: {}", e.chain()))?;
    Ok(db)
}

/// Where pictures' files are kept (docs/images.md): `images_dir` when set, else a folder next
/// to the SQLite file, else the database (`ImageStore::for_db`).
pub fn image_store(
    settings: &Settings,
    db: &Db,
) -> anyhow::Result<silkstream_catalog::images::ImageStore> {
    let folder = settings.images_dir.as_deref().map(std::path::Path::new);
    silkstream_catalog::images::ImageStore::for_db(
        db,
        folder,
        settings.images_cache_bytes,
        settings.images_max_bytes.max(1),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the pictures' folder: {e}"))
}
