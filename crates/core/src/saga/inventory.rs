//! The inventory's decision: reserve every item of an order at once, or none of them.

use super::events::{RejectReason, Shortage};
use crate::order::OrderItem;
use std::collections::BTreeMap;

/// Units an order asks for, per SKU (items with the same SKU added up).
pub fn requested(items: &[OrderItem]) -> BTreeMap<String, u64> {
    let mut per_sku: BTreeMap<String, u64> = BTreeMap::new();
    for item in items {
        let units = per_sku.entry(item.sku.clone()).or_default();
        // At most 1,000 items of at most 2^53-1 units: far from u64's end, but a
        // hostile record must not be able to wrap it.
        *units = units.saturating_add(item.quantity);
    }
    per_sku
}

/// Why an order cannot be reserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: RejectReason,
    /// Every SKU that is short, in SKU order.
    pub shortages: Vec<Shortage>,
}

impl Refusal {
    /// `SKU-1: 5 requested, 2 available; SKU-9: unknown`.
    pub fn detail(&self) -> String {
        describe(self.reason, &self.shortages)
    }
}

/// The shortages of an inventory refusal, for a person.
pub fn describe(reason: RejectReason, shortages: &[Shortage]) -> String {
    let parts: Vec<String> = shortages
        .iter()
        .map(|s| {
            if reason == RejectReason::UnknownSku && s.available == 0 {
                format!("{}: {} requested, not in the inventory", s.sku, s.requested)
            } else {
                format!(
                    "{}: {} requested, {} available",
                    s.sku, s.requested, s.available
                )
            }
        })
        .collect();
    parts.join("; ")
}

/// Takes `requested` units from `stock` (SKU to units available) when every SKU has
/// enough, and leaves `stock` untouched otherwise. An order with any SKU the inventory
/// does not know is refused as `unknown_sku`, else one with too little of any as
/// `out_of_stock`; either way every short SKU is listed.
pub fn reserve(
    stock: &mut BTreeMap<String, u64>,
    requested: &BTreeMap<String, u64>,
) -> Result<(), Refusal> {
    let mut unknown = false;
    let shortages: Vec<Shortage> = requested
        .iter()
        .filter_map(|(sku, &units)| {
            let available = stock.get(sku).copied();
            unknown |= available.is_none();
            let available = available.unwrap_or(0);
            (available < units).then(|| Shortage {
                sku: sku.clone(),
                requested: units,
                available,
            })
        })
        .collect();
    if !shortages.is_empty() {
        let reason = if unknown {
            RejectReason::UnknownSku
        } else {
            RejectReason::OutOfStock
        };
        return Err(Refusal { reason, shortages });
    }
    for (sku, units) in requested {
        if let Some(available) = stock.get_mut(sku) {
            *available -= units;
        }
    }
    Ok(())
}

/// Gives `reserved` units back to `stock`.
pub fn release(stock: &mut BTreeMap<String, u64>, reserved: &BTreeMap<String, u64>) {
    for (sku, units) in reserved {
        let available = stock.entry(sku.clone()).or_default();
        *available = available.saturating_add(*units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sku: &str, quantity: u64) -> OrderItem {
        OrderItem {
            sku: sku.into(),
            quantity,
        }
    }

    fn stock(entries: &[(&str, u64)]) -> BTreeMap<String, u64> {
        entries.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
    }

    #[test]
    fn items_with_the_same_sku_are_added_up() {
        let wanted = requested(&[item("A", 2), item("B", 1), item("A", 3)]);
        assert_eq!(wanted, stock(&[("A", 5), ("B", 1)]));
    }

    #[test]
    fn all_items_are_reserved_at_once() {
        let mut held = stock(&[("A", 5), ("B", 1)]);
        reserve(&mut held, &requested(&[item("A", 5), item("B", 1)])).unwrap();
        assert_eq!(held, stock(&[("A", 0), ("B", 0)]));
    }

    #[test]
    fn one_short_item_reserves_nothing_and_lists_every_shortage() {
        let mut held = stock(&[("A", 5), ("B", 1), ("C", 0)]);
        let refusal = reserve(
            &mut held,
            &requested(&[item("A", 2), item("B", 2), item("C", 1)]),
        )
        .unwrap_err();
        assert_eq!(refusal.reason, RejectReason::OutOfStock);
        assert_eq!(
            refusal.detail(),
            "B: 2 requested, 1 available; C: 1 requested, 0 available"
        );
        assert_eq!(held, stock(&[("A", 5), ("B", 1), ("C", 0)]), "untouched");
    }

    #[test]
    fn an_unknown_sku_is_its_own_reason() {
        let mut held = stock(&[("A", 1)]);
        let refusal = reserve(&mut held, &requested(&[item("A", 9), item("Z", 1)])).unwrap_err();
        assert_eq!(refusal.reason, RejectReason::UnknownSku);
        assert_eq!(refusal.shortages.len(), 2);
    }

    #[test]
    fn a_release_gives_back_what_was_taken() {
        let mut held = stock(&[("A", 5)]);
        let wanted = requested(&[item("A", 4)]);
        reserve(&mut held, &wanted).unwrap();
        release(&mut held, &wanted);
        assert_eq!(held, stock(&[("A", 5)]));
    }
}
