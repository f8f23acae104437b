//! What the feed's events carry beyond their own fields: the session's running totals as the
//! host's feed shows them. The log itself (append, read) is `store::log`.

pub use crate::store::log::{count, Totals};

/// The totals as the host's feed shows them: all orders and units, GMV per currency.
pub fn totals_json(totals: &Totals) -> serde_json::Value {
    let orders: i64 = totals.values().map(|t| t.0).sum();
    let units: i64 = totals.values().map(|t| t.1).sum();
    let gmv: serde_json::Map<String, serde_json::Value> = totals
        .iter()
        .filter(|(_, t)| t.0 != 0 || t.2 != 0)
        .map(|(c, t)| (c.clone(), serde_json::json!(t.2)))
        .collect();
    serde_json::json!({"orders": orders, "units": units, "gmv": gmv})
}
