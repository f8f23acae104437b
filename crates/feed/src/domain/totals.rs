//! A session's running totals per currency and how one order counts in them, with checked
//! arithmetic (the store keeps them in `session_totals`; events carry them).

use std::collections::BTreeMap;

/// One currency's running totals in a session: orders, units, GMV in minor units, the CNY
/// value of those orders in fen (at each order's own rate), and how many of them have no rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    pub orders: i64,
    pub units: i64,
    pub gmv_minor: i64,
    pub cny_fen: i64,
    pub unrated: i64,
}

/// A session's running totals per currency.
pub type Totals = BTreeMap<String, Total>;

/// A sum that would not fit in a total: the order that would cause it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// One order as the totals count it: its currency, units, total in minor units and CNY value
/// in fen (`None` without a rate).
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub currency: &'a str,
    pub quantity: i64,
    pub total_minor: i64,
    pub cny_fen: Option<i64>,
}

/// Adds one order (or, with `sign = -1`, takes one away) to the totals, with checked
/// arithmetic: on [`Overflow`] the totals are left as they were.
pub fn count(
    totals: &mut Totals,
    order: Counted<'_>,
    sign: i64,
) -> std::result::Result<(), Overflow> {
    let before = totals.get(order.currency).copied().unwrap_or_default();
    let add = |a: i64, b: i64| {
        b.checked_mul(sign)
            .and_then(|b| a.checked_add(b))
            .ok_or(Overflow)
    };
    let after = Total {
        orders: add(before.orders, 1)?,
        units: add(before.units, order.quantity)?,
        gmv_minor: add(before.gmv_minor, order.total_minor)?,
        cny_fen: add(before.cny_fen, order.cny_fen.unwrap_or(0))?,
        unrated: add(before.unrated, i64::from(order.cny_fen.is_none()))?,
    };
    // The session's CNY total is the sum over its currencies: it must fit as well.
    let cny_elsewhere = totals
        .iter()
        .filter(|(c, _)| c.as_str() != order.currency)
        .try_fold(0_i64, |acc, (_, t)| acc.checked_add(t.cny_fen))
        .ok_or(Overflow)?;
    cny_elsewhere.checked_add(after.cny_fen).ok_or(Overflow)?;
    totals.insert(order.currency.to_owned(), after);
    Ok(())
}
