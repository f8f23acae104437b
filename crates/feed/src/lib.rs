//! Live sessions, flash sales, order intake, the per-session event log and the WebSocket feed.
//!
//! Filled by its own issues; today it only names the crate's place in the dependency chain
//! (server -> feed -> catalog -> l10n).

pub use silkstream_catalog as catalog;
