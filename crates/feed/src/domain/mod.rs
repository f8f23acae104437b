//! What the feed is about, with no I/O: the API's types ([`model`]), the events of the log and
//! their projections ([`events`]), the error type ([`error`]), the orderer's identity rules
//! ([`identity`]), the customs rules ([`customs`]), a session's running totals ([`totals`]), a
//! session's stream and the media origins ([`stream`]) and the token port ([`tokens`]). Nothing
//! here imports the store, the tasks or the edge.

pub mod chat;
pub mod customs;
pub mod error;
pub mod events;
pub mod identity;
pub mod model;
pub mod stream;
pub mod tokens;
pub mod totals;
