//! The end-to-end harness: [`spawn_app`] starts the real server on 127.0.0.1:0 over a fresh
//! database (a temp SQLite file, or a new PostgreSQL database), and [`backend_tests!`] runs each
//! test on both backends.
//!
//! PostgreSQL is found through `SILKSTREAM_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it does not answer, its tests are skipped
//! with one loud line — unless `SILKSTREAM_REQUIRE_BACKENDS=1` (set by CI), which makes a skip a
//! failure.
//!
//! What lives where (everything is re-exported here, so tests import from the crate root):
//! - `databases`: [`Backend`], [`TestDb`] (PostgreSQL databases created and dropped per test) and
//!   [`backend_tests!`];
//! - `app`: [`TestApp`], [`spawn_app`], [`spawn_app_with`], [`TestApp::another_instance`],
//!   [`Reply`] and the request helpers;
//! - `fixtures`: [`sample_product`], [`ship_to`], [`order_body`], [`LiveSetup`] and the setups
//!   built through the API ([`TestApp::seed_basics`], [`TestApp::live_session`]…);
//! - `db_query`: the SQL the harness reads behind the server's back ([`TestApp::table_counts`],
//!   [`TestApp::scalar`], [`TestApp::feed_fingerprint`]); the only module that uses the database
//!   layer's API;
//! - `payments`: paying as a provider does ([`callback_signature`], [`TestApp::callback`],
//!   [`TestApp::pay_through_sandbox`], the one way tests pay an order);
//! - `wait`: [`eventually`], to await what the server does on its own time;
//! - [`ws`]: feed clients over real WebSockets;
//! - `cluster`: the scaled-out deployment as real processes for fault tests: [`Cluster`]
//!   (throwaway [`Postgres`] and [`Redis`], N [`Instance`]s of the `silkstream` binary),
//!   [`Nginx`] in front of them from `deploy/nginx.conf`, and [`ResumingFeed`], a feed that
//!   reconnects with `since` to whichever instance is up.

mod app;
mod cluster;
mod databases;
mod db_query;
mod fixtures;
mod payments;
mod wait;
pub mod ws;

pub use reqwest;
pub use serde_json;

pub use app::{spawn_app, spawn_app_on, spawn_app_with, Reply, TestApp};
pub use cluster::{
    cluster_tools_or_skip, free_port, render_nginx_conf, silkstream_bin, Cluster, ClusterSpec,
    FeedLog, Instance, Nginx, Postgres, Redis, ResumingFeed, NGINX_TEMPLATE,
};
pub use databases::{redis_or_skip, Backend, TestDb};
pub use fixtures::{cn_id_number, cn_identity, order_body, sample_product, ship_to, LiveSetup};
pub use payments::{callback_signature, unix_now, SANDBOX_SECRET};
pub use wait::eventually;
