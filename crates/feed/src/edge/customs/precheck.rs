//! The three-document pre-check (docs/customs.md, "The pre-check"): before a retail parcel
//! (9610) is declared, its order, its payment as the provider's callback reported it and its
//! waybill must agree. [`reasons`] decides one order; [`check`] reads what it needs and
//! decides every candidate. An order with a reason is left out of a batch, never declared
//! wrong.

use std::collections::HashMap;

use serde::Serialize;
use silkstream_catalog::customs::DeclaredGoods;
use utoipa::ToSchema;

use crate::domain::customs::CustomsConfig;
use crate::domain::error::Result;
use crate::edge::Feed;
use crate::store::customs::{CandidateRow, Scope, WaybillRow};
use crate::store::payments::PaidCallback;

/// Every reason an order may not be ready, in the order they are checked.
pub const REASONS: &[&str] = &[
    "platform_without_customs_code",
    "merchant_without_customs_code",
    "no_chinese_item_name",
    "no_rate",
    "no_payment",
    "amount_mismatch",
    "no_waybill",
    "weight_mismatch",
    "consignee_mismatch",
];

/// An order's ship-to as the order stored it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct ShipTo {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    address: String,
}

/// Text compared without case and with runs of white space as one space.
fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// Phone numbers compared by their digits (and a leading `+`).
fn same_phone(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    digits(a) == digits(b)
}

/// What one order's documents say, together.
pub struct Documents<'a> {
    pub order: &'a CandidateRow,
    pub goods: Option<&'a DeclaredGoods>,
    pub payment: Option<&'a PaidCallback>,
    pub waybill: Option<&'a WaybillRow>,
}

/// Why the order is not ready to declare (empty when it is):
/// - the platform or the merchant has no customs registration code, or the goods have no
///   Chinese name (the message could not be complete);
/// - the order has no stored CNY rate (its amounts could not be declared in CNY);
/// - no provider's callback paid it, or the paid amount or currency is not the order's total;
/// - no waybill; a waybill weight further from the variants' weight × quantity than the
///   tolerance (per cent of that weight); a consignee (name, phone, country, city, address)
///   other than the order's ship-to.
pub fn reasons(d: &Documents<'_>, cfg: &CustomsConfig) -> Vec<&'static str> {
    let mut out = Vec::new();
    if cfg.ebp_code.is_none() || cfg.ebp_name.is_none() {
        out.push("platform_without_customs_code");
    }
    if d.goods
        .is_none_or(|g| g.merchant_customs_code.is_none() || g.merchant_customs_name.is_none())
    {
        out.push("merchant_without_customs_code");
    }
    if d.goods.is_none_or(|g| g.title_zh.is_none()) {
        out.push("no_chinese_item_name");
    }
    if d.order.rate_cny.is_none() || d.order.value_cny_fen.is_none() {
        out.push("no_rate");
    }
    match d.payment {
        None => out.push("no_payment"),
        Some(p) => {
            if p.amount_minor != d.order.total_minor || p.currency != d.order.currency {
                out.push("amount_mismatch");
            }
        }
    }
    match d.waybill {
        None => out.push("no_waybill"),
        Some(w) => {
            if let Some(g) = d.goods {
                let expected = i128::from(g.weight_g) * i128::from(d.order.quantity);
                let off = (i128::from(w.weight_g) - expected).abs();
                if off * 100 > expected * i128::from(cfg.weight_tolerance_pct) {
                    out.push("weight_mismatch");
                }
            }
            let to: ShipTo = serde_json::from_str(&d.order.ship_to).unwrap_or_default();
            if !(same(&w.consignee_name, &to.name)
                && same_phone(&w.consignee_phone, &to.phone)
                && same(&w.consignee_country, &to.country)
                && same(&w.consignee_city, &to.city)
                && same(&w.consignee_address, &to.address))
            {
                out.push("consignee_mismatch");
            }
        }
    }
    out
}

/// One order the pre-check looked at.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checked {
    pub order_id: i64,
    pub session_id: i64,
    /// The order's status (`paid`, `shipped` or `delivered`).
    pub status: String,
    /// Every reason it is not ready, as codes; empty when it is ready.
    pub reasons: Vec<String>,
    /// The paying transaction as the provider reported it.
    pub payment: Option<PaymentSeen>,
    /// The waybill's carrier and tracking number.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

/// The provider's callback that paid an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentSeen {
    pub provider: String,
    pub transaction_id: String,
    pub amount_minor: i64,
    pub currency: String,
    /// The payer the provider named, when it named one.
    pub payer: Option<String>,
}

/// Everything [`check`] read, for the batch to build messages from.
pub struct Checks {
    pub checked: Vec<Checked>,
    pub orders: Vec<CandidateRow>,
    pub goods: HashMap<i64, DeclaredGoods>,
}

/// The pre-check of every candidate order in `scope` (all of them when `None`).
pub async fn check(feed: &Feed, scope: Option<Scope>) -> Result<Checks> {
    let orders = feed.store.customs_candidates(scope).await?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let mut variants: Vec<i64> = orders.iter().map(|o| o.variant_id).collect();
    variants.sort_unstable();
    variants.dedup();
    let goods: HashMap<i64, DeclaredGoods> =
        silkstream_catalog::customs::declared_goods(feed.store.catalog().db(), &variants)
            .await?
            .into_iter()
            .map(|g| (g.variant_id, g))
            .collect();
    let payments: HashMap<i64, PaidCallback> = feed
        .store
        .paid_callbacks(&ids)
        .await?
        .into_iter()
        .map(|p| (p.order_id, p))
        .collect();
    let waybills: HashMap<i64, WaybillRow> = feed
        .store
        .waybills(&ids)
        .await?
        .into_iter()
        .map(|w| (w.order_id, w))
        .collect();
    let checked = orders
        .iter()
        .map(|o| {
            let d = Documents {
                order: o,
                goods: goods.get(&o.variant_id),
                payment: payments.get(&o.id),
                waybill: waybills.get(&o.id),
            };
            Checked {
                order_id: o.id,
                session_id: o.session_id,
                status: o.status.clone(),
                reasons: reasons(&d, &feed.config.customs)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                payment: d.payment.map(|p| PaymentSeen {
                    provider: p.provider.clone(),
                    transaction_id: p.transaction_id.clone(),
                    amount_minor: p.amount_minor,
                    currency: p.currency.clone(),
                    payer: p.payer.clone(),
                }),
                carrier: d.waybill.map(|w| w.carrier.clone()),
                tracking_number: d.waybill.map(|w| w.tracking_number.clone()),
            }
        })
        .collect();
    Ok(Checks {
        checked,
        orders,
        goods,
    })
}
