//! `sqlx::migrate!` (in `db.rs`) embeds the migrations at compile time; rebuild when any of them changes
//! (without this, a new migration file is silently left out of an incremental build).

fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
