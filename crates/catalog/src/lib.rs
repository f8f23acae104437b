//! The catalog: the category tree, products, variants (SKUs), prices per currency, the dated rate table,
//! warehouses and stock, markets and per-locale product translations; their store on SQLite and
//! PostgreSQL and their HTTP routes under `/api/v1`. Errors are [`error::Error`].

pub use silkstream_base::{auth, csv, db, error, extract, text, tokens};

pub mod cache;
pub mod categories;
pub mod claims;
pub mod codes;
pub mod customs;
pub mod facts;
pub mod images;
pub mod landed;
pub mod landed_routes;
pub mod landed_store;
pub mod localize;
pub mod merchants;
pub mod model;
pub mod routes;
pub mod stock;
pub mod store;
pub mod validate;
pub mod write;

pub use db::{Backend, Db, DbOptions};
pub use error::{Error, Result};
pub use store::CatalogStore;
