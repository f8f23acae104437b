//! The small base every Silkstream crate stands on, below the catalog and the feed:
//!
//! - [`db`]: the database handle ([`Db`]) over SQLite and PostgreSQL, its transactions, clock
//!   and time formatting;
//! - [`error`]: the common error type and the JSON envelope every route answers with;
//! - [`extract`]: request extractors whose rejections are that envelope;
//! - [`auth`]: the calling [`auth::Principal`] and its [`auth::Role`];
//! - [`csv`]: CSV cells for exports, with formula cells neutralised.
//!
//! Domain types live in the crates that own them; nothing here knows a product or an order.

pub mod auth;
pub mod csv;
pub mod db;
pub mod error;
pub mod extract;
pub mod text;
pub mod tokens;

pub use db::{Backend, Db, DbOptions, Tx};
pub use error::{Error, Result};
