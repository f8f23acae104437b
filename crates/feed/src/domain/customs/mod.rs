//! The rules after the sale (docs/customs.md): the customs mode of each order, decided when it
//! is confirmed ([`decide`]), and the CEB303 export order message ([`ceb303`]). The pre-check,
//! declaration batches and the withdrawal list are `crate::edge::customs`; the SQL is
//! `crate::store::customs`; errors are [`crate::domain::error::Error`].

pub mod ceb303;

use silkstream_catalog::codes::WarehouseKind;

/// The knobs of customs (settings `customs_*`).
#[derive(Clone, Debug)]
pub struct CustomsConfig {
    /// Units in one order above which it is a B2B direct export (9710), not a retail parcel.
    pub b2c_max_quantity: i64,
    /// The platform's customs registration code (CEB303 `ebpCode`, 10 characters); without
    /// it no order is ready to declare (`platform_without_customs_code`).
    pub ebp_code: Option<String>,
    /// The platform's name registered with that code (CEB303 `ebpName`).
    pub ebp_name: Option<String>,
    /// How far a waybill's weight may be from the ordered variants' weight, in per cent.
    pub weight_tolerance_pct: i64,
}

impl Default for CustomsConfig {
    fn default() -> Self {
        Self {
            b2c_max_quantity: 50,
            ebp_code: None,
            ebp_name: None,
            weight_tolerance_pct: 10,
        }
    }
}

/// A customs mode and why the order has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// `9610`, `9710`, `9810` or `1210`.
    pub code: &'static str,
    /// `bonded_warehouse`, `overseas_warehouse`, `over_b2c_threshold`, `product_b2b` or
    /// `retail_parcel`.
    pub reason: &'static str,
}

/// The customs mode of an order, from the warehouse its units leave, its quantity and its
/// product's default, first rule that applies:
/// 1. from a bonded warehouse: 1210 (bonded), whatever the product's default;
/// 2. from an overseas warehouse: 9810 (the goods went out to it in bulk and are sold there);
/// 3. more units than `b2c_max_quantity`: 9710 (B2B direct export);
/// 4. a product whose default is 9710 (sold to businesses only): 9710;
/// 5. otherwise a retail parcel: 9610. A product default of 1210 or 9810 does not hold for
///    units that leave an ordinary (border) warehouse: they cross as a parcel.
pub fn decide(
    warehouse: WarehouseKind,
    quantity: i64,
    product_default: Option<&str>,
    b2c_max_quantity: i64,
) -> Mode {
    let (code, reason) = match warehouse {
        WarehouseKind::Bonded => ("1210", "bonded_warehouse"),
        WarehouseKind::Overseas => ("9810", "overseas_warehouse"),
        WarehouseKind::Border if quantity > b2c_max_quantity => ("9710", "over_b2c_threshold"),
        WarehouseKind::Border if product_default == Some("9710") => ("9710", "product_b2b"),
        WarehouseKind::Border => ("9610", "retail_parcel"),
    };
    Mode { code, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule in its place: the warehouse first, then the quantity, then the product.
    #[test]
    fn each_mode_has_its_rule() {
        let d = |w, q, p| decide(w, q, p, 50);
        assert_eq!(d(WarehouseKind::Bonded, 100, Some("9710")).code, "1210");
        assert_eq!(
            d(WarehouseKind::Overseas, 1, None).reason,
            "overseas_warehouse"
        );
        assert_eq!(
            d(WarehouseKind::Border, 51, Some("9610")).reason,
            "over_b2c_threshold"
        );
        assert_eq!(d(WarehouseKind::Border, 50, Some("9610")).code, "9610");
        assert_eq!(
            d(WarehouseKind::Border, 1, Some("9710")).reason,
            "product_b2b"
        );
        assert_eq!(d(WarehouseKind::Border, 1, Some("1210")).code, "9610");
    }
}
