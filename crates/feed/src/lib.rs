//! Live sessions, showcase and pin, flash sales, order intake, the per-session event log and its
//! WebSocket feeds, payments, customs after the sale. Four layers, each importing only from the
//! layers below it (docs/code-map.md):
//!
//! - [`edge`]: the HTTP routes under `/api/v1`, the WebSocket feeds, order intake and the rate
//!   limits; [`Feed`], the state every handler gets.
//! - [`tasks`]: the background work: the per-sale group-commit desk, the fan-out, the link
//!   between instances through Redis, the sweeper.
//! - [`store`]: the only SQL of the crate, one module per domain, the one write path, and what
//!   the order path keeps in memory.
//! - [`domain`]: types, events, errors and rules, with no I/O.

pub use silkstream_catalog as catalog;

pub mod domain;
pub mod edge;
pub mod store;
pub mod tasks;

pub use domain::error::{Error, Result};
pub use domain::tokens::{BoxFuture, BuyerTokens, TokenEnd};
pub use edge::{Feed, FeedConfig, FeedParts, WsConfig};
pub use store::FeedStore;
pub use tasks::desk::OrderDesk;
