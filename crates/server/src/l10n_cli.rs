//! `silkstream l10n …`: tools for translators and support. `check` reports, per locale, template
//! errors, missing and obsolete messages, missing plural variants and words against the
//! glossary, who reviewed the messages and which are unreviewed or changed since their review,
//! then the product translations in the database that are missing or outdated; `review`
//! records a review of a locale's messages; `money` and `plural` print one formatted amount or
//! CLDR plural category alone on a line.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Subcommand;
use silkstream_catalog::model::ProductQuery;
use silkstream_catalog::CatalogStore;
use silkstream_l10n::{MoneyOptions, SUPPORTED_LOCALES};

use crate::settings::Settings;

#[derive(Subcommand, Debug)]
pub enum L10nCommand {
    /// Check the locale files (embedded, or --dir) and the product translations in the
    /// database. Exits non-zero on errors (and on warnings with --strict).
    Check {
        /// A translator's locale directory (`DIR/<locale>/*.ftl`) instead of the embedded files.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Skip the database's product translations.
        #[arg(long)]
        no_db: bool,
        /// Treat warnings (missing plural variants, missing or outdated product translations)
        /// as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Record that someone read a locale's messages (all, or the ids given) as they are now:
    /// appends a review with each message's hash to DIR/LOCALE/review.toml.
    Review {
        /// One of the 16 locales (kk, ru, vi, zh-CN…).
        locale: String,
        /// Who read them: a name, and what they are when not a native speaker.
        #[arg(long)]
        by: String,
        /// The reader is a native speaker of the locale's language.
        #[arg(long)]
        native: bool,
        /// When, as YYYY-MM-DD (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
        /// The locale directory to record in (`DIR/<locale>/`).
        #[arg(long, default_value = "locales")]
        dir: PathBuf,
        /// The message ids read (default: every message of the locale).
        ids: Vec<String>,
    },
    /// Print an amount formatted for a locale, e.g. `silkstream l10n money kk KZT 1234567`.
    Money {
        /// One of the 16 locales (kk, ru, vi, zh-CN…); its CLDR rules write the amount.
        locale: String,
        /// An ISO 4217 currency code (KZT); its minor units place the decimal point.
        currency: String,
        /// The amount in integer minor units of the currency (KZT 1234567 is 12 345,67).
        #[arg(allow_negative_numbers = true)]
        minor_units: i64,
        /// Native digits (e.g. Burmese) instead of Latin.
        #[arg(long)]
        native_digits: bool,
    },
    /// Print the CLDR plural category of a number in a locale (`one`, `few`, `many`, `other`…).
    Plural {
        /// One of the 16 locales (ru, kk, vi…), whose CLDR plural rules decide.
        locale: String,
        /// A number, whole or decimal (3, 1.5).
        #[arg(allow_negative_numbers = true)]
        number: String,
    },
}

/// Runs an `l10n` subcommand; `Ok(false)` means the check found errors.
pub async fn run(settings: &Settings, command: L10nCommand) -> anyhow::Result<bool> {
    match command {
        L10nCommand::Money {
            locale,
            currency,
            minor_units,
            native_digits,
        } => {
            let locale = silkstream_l10n::normalize_locale(&locale)
                .ok_or_else(|| anyhow::anyhow!("unsupported locale '{locale}'"))?;
            let text = silkstream_l10n::format_money(
                locale,
                &currency,
                minor_units,
                &MoneyOptions { native_digits },
            )?;
            println!("{text}");
            Ok(true)
        }
        L10nCommand::Plural { locale, number } => {
            let locale = silkstream_l10n::normalize_locale(&locale)
                .ok_or_else(|| anyhow::anyhow!("unsupported locale '{locale}'"))?;
            let trimmed = number.trim();
            if trimmed.is_empty()
                || !trimmed
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.')
            {
                anyhow::bail!("'{number}' is not a decimal number");
            }
            println!("{}", silkstream_l10n::plural_category(locale, trimmed));
            Ok(true)
        }
        L10nCommand::Check { dir, no_db, strict } => check(settings, dir, no_db, strict).await,
        L10nCommand::Review {
            locale,
            by,
            native,
            date,
            dir,
            ids,
        } => {
            let locale = silkstream_l10n::normalize_locale(&locale)
                .ok_or_else(|| anyhow::anyhow!("unsupported locale '{locale}'"))?;
            let date = match date {
                Some(date) => date,
                None => {
                    let today = time::OffsetDateTime::now_utc().date();
                    format!(
                        "{:04}-{:02}-{:02}",
                        today.year(),
                        u8::from(today.month()),
                        today.day()
                    )
                }
            };
            let count = silkstream_l10n::record_review(&dir, locale, &by, native, &date, &ids)?;
            let who = if native { "native" } else { "not native" };
            println!("recorded: {count} {locale} messages read by {by} ({who}) on {date}");
            Ok(true)
        }
    }
}

async fn check(
    settings: &Settings,
    dir: Option<PathBuf>,
    no_db: bool,
    strict: bool,
) -> anyhow::Result<bool> {
    let report = match &dir {
        Some(d) => silkstream_l10n::check_dir(d),
        None => silkstream_l10n::check_embedded(),
    };
    let source = dir
        .as_ref()
        .map_or("embedded locale files".to_owned(), |d| {
            d.display().to_string()
        });
    println!("locale files: {source}");
    for l in &report.locales {
        println!(
            "  {:<6} {} errors, {} missing, {} obsolete, {} missing plural variants, {} against the glossary",
            l.locale,
            l.errors.len(),
            l.missing.len(),
            l.obsolete.len(),
            l.missing_plural_variants.len(),
            l.glossary.len()
        );
    }
    println!("review record:");
    for l in &report.locales {
        let r = &l.review;
        let reviewers: Vec<String> = r
            .reviews
            .iter()
            .map(|(by, native, date, count)| {
                let who = if *native { "native" } else { "not native" };
                format!("{by} ({who}, {date}, {count})")
            })
            .collect();
        println!(
            "  {:<6} {} read by a native speaker, {} by a reader who is not, {} unreviewed, {} changed since review; {}",
            l.locale,
            r.native,
            r.non_native,
            r.unreviewed().count(),
            r.changed().count(),
            if reviewers.is_empty() {
                "no review on record".to_owned()
            } else {
                reviewers.join("; ")
            }
        );
    }
    print!("{report}");
    let mut ok = report.is_ok() && (!strict || report.is_clean());

    if no_db {
        return Ok(ok);
    }
    if let Some(path) = silkstream_catalog::db::sqlite_file(&settings.database_url) {
        if !path.exists() {
            println!(
                "product translations: no database at {}; skipped",
                path.display()
            );
            return Ok(ok);
        }
    }
    let db = crate::connect(settings).await?;
    let store = CatalogStore::new(db.clone(), crate::embedded_l10n()?);
    let markets = store.list_markets().await?;
    // The locales buyers can ask for: those of the markets, else every supported one.
    let wanted: BTreeSet<String> = if markets.is_empty() {
        SUPPORTED_LOCALES.iter().map(|l| (*l).to_owned()).collect()
    } else {
        markets.iter().flat_map(|m| m.locales.clone()).collect()
    };
    let mut missing = 0usize;
    let mut outdated = 0usize;
    let mut page = 1;
    loop {
        let q = ProductQuery {
            page: Some(page),
            per_page: Some(100),
            ..ProductQuery::default()
        };
        let result = store.list_products(&q, None).await?;
        for p in &result.items {
            let mut lacking = Vec::new();
            let mut stale = Vec::new();
            for locale in &wanted {
                if *locale == p.source_locale {
                    continue;
                }
                match p.translations.iter().find(|t| t.locale == *locale) {
                    None => lacking.push(locale.as_str()),
                    Some(t) if t.outdated => stale.push(locale.as_str()),
                    Some(_) => {}
                }
            }
            if !lacking.is_empty() {
                println!(
                    "product {} ({}): warning: missing translations: {}",
                    p.id,
                    p.title,
                    lacking.join(", ")
                );
            }
            if !stale.is_empty() {
                println!(
                    "product {} ({}): warning: outdated translations: {}",
                    p.id,
                    p.title,
                    stale.join(", ")
                );
            }
            missing += lacking.len();
            outdated += stale.len();
        }
        if page * 100 >= result.total {
            break;
        }
        page += 1;
    }
    println!(
        "product translations: {missing} missing, {outdated} outdated (locales: {})",
        wanted.into_iter().collect::<Vec<_>>().join(", ")
    );
    if strict && missing + outdated > 0 {
        ok = false;
    }
    db.close().await;
    Ok(ok)
}
