//! Orders: what a client asks for, and what the order-service keeps.

use crate::ports::EventPosition;
use crate::validation::{Fields, MAX_SAFE_INTEGER, Violations};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;

/// The id that follows one order through HTTP, Kafka and the database.
///
/// It is the record key on the topic (so one order's events stay in one partition and in
/// order) and the idempotency key of the store: an event delivered twice, or a client that
/// retries with the same `x-correlation-id`, leaves one order. Clients may bring their own
/// (any 1 to 128 visible ASCII characters, so that ids from other systems fit); the gateway
/// otherwise makes a UUID v4.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CorrelationId(String);

impl CorrelationId {
    pub const MAX_LEN: usize = 128;

    pub fn new_v4() -> Self {
        Self(Uuid::new_v4().to_string())
    }

    /// Accepts 1 to [`Self::MAX_LEN`] characters between `!` and `~` (no spaces or
    /// control characters, which would not survive an HTTP header or a log line).
    pub fn parse(s: &str) -> Result<Self, InvalidCorrelationId> {
        if s.is_empty() {
            return Err(InvalidCorrelationId("must not be empty"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(InvalidCorrelationId("must be at most 128 characters"));
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidCorrelationId(
                "must contain only visible ASCII characters (no spaces)",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CorrelationId {
    type Error = InvalidCorrelationId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CorrelationId> for String {
    fn from(id: CorrelationId) -> Self {
        id.0
    }
}

/// Why a string is not a [`CorrelationId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("correlation id {0}")]
pub struct InvalidCorrelationId(pub &'static str);

/// One line of an order. Read from JSON with the contract's rules (a SKU of 1 to 256
/// characters without control characters, a quantity from 1 to 2^53-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawItem")]
pub struct OrderItem {
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 256,
            pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub sku: String,
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 9_007_199_254_740_991_u64)
    )]
    pub quantity: u64,
}

#[derive(Deserialize)]
struct RawItem {
    sku: String,
    quantity: u64,
}

impl TryFrom<RawItem> for OrderItem {
    type Error = String;
    fn try_from(raw: RawItem) -> Result<Self, String> {
        let mut violations = Violations::default();
        let sku = check_sku(&raw.sku, "sku", &mut violations);
        if !(1..=MAX_SAFE_INTEGER).contains(&raw.quantity) {
            violations.push("quantity", "must be from 1 to 9007199254740991");
        }
        match sku {
            Some(sku) if violations.is_empty() => Ok(Self {
                sku,
                quantity: raw.quantity,
            }),
            _ => Err(violations.to_string()),
        }
    }
}

/// A positive, finite amount of money as the contract carries it: a JSON number.
///
/// The contract comes from JavaScript, where every number is an `f64`, so this is one
/// too; it is written the way JavaScript writes it (`150`, not `150.0`) so that our
/// events are byte-for-byte what the seed's services would produce. Reading one refuses
/// what [`Amount::new`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Deserialize)]
#[serde(try_from = "f64")]
pub struct Amount(f64);

impl TryFrom<f64> for Amount {
    type Error = &'static str;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Self::new(value).ok_or("an amount must be a finite number greater than 0")
    }
}

impl Amount {
    /// `None` unless the value is finite and greater than zero.
    pub fn new(value: f64) -> Option<Self> {
        (value.is_finite() && value > 0.0).then_some(Self(value))
    }

    pub fn value(self) -> f64 {
        self.0
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v <= MAX_SAFE_INTEGER as f64 {
            // Exact: an integral f64 below 2^53 converts to u64 without loss.
            serializer.serialize_u64(v as u64)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json writes numbers the way the contract does.
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

/// A client's request for an order, validated: the body of `POST /orders`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    pub customer_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub items: Vec<OrderItem>,
    #[cfg_attr(feature = "openapi", schema(value_type = f64, exclusive_minimum = 0))]
    pub total_amount: Amount,
}

impl OrderRequest {
    /// Validates a parsed JSON body against the seed's rules, reporting every violation:
    /// `customerId` a UUID, `items` a non-empty array of `{sku, quantity}` with a
    /// non-empty `sku` and a positive integer `quantity`, `totalAmount` a positive number.
    /// Fields that the contract does not know are ignored, as Zod does.
    pub fn from_json(body: &Value) -> Result<Self, Violations> {
        let mut violations = Violations::default();
        let request = Fields::of(body, String::new(), &mut violations)
            .and_then(|fields| Self::read(&fields, &mut violations));
        match request {
            Some(request) if violations.is_empty() => Ok(request),
            _ => Err(violations),
        }
    }

    /// Reads the request fields of `fields`, which may also hold the event's own.
    pub(crate) fn read(fields: &Fields<'_>, violations: &mut Violations) -> Option<Self> {
        let customer_id = fields
            .string("customerId", violations)
            .and_then(|s| parse_uuid(s, &fields.path_of("customerId"), violations));
        let items = fields
            .array("items", violations)
            .and_then(|items| read_items(items, &fields.path_of("items"), violations));
        let total_amount = fields.number("totalAmount", violations).and_then(|n| {
            let amount = Amount::new(n);
            if amount.is_none() {
                violations.push(fields.path_of("totalAmount"), "must be greater than 0");
            }
            amount
        });
        Some(Self {
            customer_id: customer_id?,
            items: items?,
            total_amount: total_amount?,
        })
    }
}

/// `customerId` must look like the seed's UUIDs: 8-4-4-4-12 hexadecimal digits.
fn parse_uuid(s: &str, path: &str, violations: &mut Violations) -> Option<Uuid> {
    let hyphenated = s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let parsed = hyphenated.then(|| Uuid::parse_str(s).ok()).flatten();
    if parsed.is_none() {
        violations.push(path, "must be a UUID (8-4-4-4-12 hexadecimal digits)");
    }
    parsed
}

fn read_items(items: &[Value], path: &str, violations: &mut Violations) -> Option<Vec<OrderItem>> {
    if items.is_empty() {
        violations.push(path, "must contain at least one item");
        return None;
    }
    if items.len() > MAX_ITEMS {
        violations.push(path, format!("must contain at most {MAX_ITEMS} items"));
        return None;
    }
    let before = violations.as_slice().len();
    let read: Vec<_> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let fields = Fields::of(item, format!("{path}/{i}"), violations)?;
            let sku = fields
                .string("sku", violations)
                .and_then(|sku| check_sku(sku, &fields.path_of("sku"), violations));
            let quantity = fields
                .number("quantity", violations)
                .and_then(|q| positive_integer(q, &fields.path_of("quantity"), violations));
            Some(OrderItem {
                sku: sku?,
                quantity: quantity?,
            })
        })
        .collect();
    (violations.as_slice().len() == before).then_some(read)
}

/// Reads an event's `items` with the order's bounds (1 to [`MAX_ITEMS`]), each item with
/// its own rules: what a saga event carries is what an order may hold.
pub(crate) fn deserialize_items<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<OrderItem>, D::Error> {
    let items = Vec::<OrderItem>::deserialize(d)?;
    match items.len() {
        0 => Err(serde::de::Error::custom("must contain at least one item")),
        n if n > MAX_ITEMS => Err(serde::de::Error::custom(format!(
            "must contain at most {MAX_ITEMS} items"
        ))),
        _ => Ok(items),
    }
}

/// The most items one order may have: enough for any real basket, and a bound on what
/// one order costs every service downstream (the inventory locks a row per SKU).
pub const MAX_ITEMS: usize = 1_000;

/// The longest SKU, in characters: a key of the inventory's stock table on every store.
pub const MAX_SKU_CHARS: usize = 256;

/// A SKU is 1 to [`MAX_SKU_CHARS`] characters without control characters: a NUL cannot
/// be stored in a Postgres text or jsonb value at all, and a newline or tab in a SKU is
/// always a mistake that would only surface later, in some other system.
fn check_sku(sku: &str, path: &str, violations: &mut Violations) -> Option<String> {
    let message = if sku.is_empty() {
        "must not be empty"
    } else if sku.chars().count() > MAX_SKU_CHARS {
        "must be at most 256 characters"
    } else if sku.chars().any(char::is_control) {
        "must not contain control characters"
    } else {
        return Some(sku.to_owned());
    };
    violations.push(path, message);
    None
}

fn positive_integer(n: f64, path: &str, violations: &mut Violations) -> Option<u64> {
    let message = if n.fract() != 0.0 {
        "must be an integer"
    } else if n < 1.0 {
        "must be greater than 0"
    } else if n > MAX_SAFE_INTEGER as f64 {
        "must be at most 9007199254740991"
    } else {
        return Some(n as u64);
    };
    violations.push(path, message);
    None
}

/// Where an order is in its life: `pending` when the order-service creates it, then
/// `confirmed` or `rejected` once the saga decides, for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Confirmed,
    Rejected,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "confirmed" => Some(Self::Confirmed),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }

    /// Whether the saga has decided the order.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of an order's life, with the event that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// The status before (none for the order's creation).
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    /// Why, for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the order-service applied it.
    #[serde(serialize_with = "serialize_micros")]
    pub at: DateTime<Utc>,
    /// The kind of event that caused it (`order_created`, `payment_completed`, …).
    pub event: String,
    /// Where that event was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EventPosition>,
}

/// An order as the order-service keeps it, and as its admin port answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 128, pattern = "^[!-~]{1,128}$"))]
    pub correlation_id: CorrelationId,
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    pub customer_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub items: Vec<OrderItem>,
    #[cfg_attr(feature = "openapi", schema(value_type = f64, exclusive_minimum = 0))]
    pub total_amount: Amount,
    pub status: OrderStatus,
    /// When the gateway accepted it (the event's `createdAt`).
    #[serde(serialize_with = "crate::time::serialize_millis")]
    pub created_at: DateTime<Utc>,
    /// When the order-service committed it to the store.
    #[serde(serialize_with = "serialize_micros")]
    pub persisted_at: DateTime<Utc>,
    /// The record it was created from, when it came from the topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EventPosition>,
    /// Why it was rejected, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it reached its final state.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_micros_opt"
    )]
    pub decided_at: Option<DateTime<Utc>>,
    /// Every step so far, oldest first (given for one order, not in lists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Transition>,
}

fn serialize_micros_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_micros(t, s),
        None => s.serialize_none(),
    }
}

fn serialize_micros<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::micros(*t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(result: Result<OrderRequest, Violations>) -> Vec<String> {
        result
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|v| v.path)
            .collect()
    }

    #[test]
    fn a_valid_request_is_read_with_its_fields() {
        let body = json!({
            "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
            "items": [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 1.0}],
            "totalAmount": 150,
            "coupon": "ignored, like Zod does"
        });
        let request = OrderRequest::from_json(&body).unwrap();
        assert_eq!(
            request.items[1],
            OrderItem {
                sku: "SKU-2".into(),
                quantity: 1
            }
        );
        assert_eq!(request.total_amount.value(), 150.0);
    }

    #[test]
    fn every_failing_field_is_reported_at_once() {
        let body = json!({
            "customerId": "not-a-uuid",
            "items": [{"sku": "", "quantity": 0}, {"quantity": 1.5}, "x"],
            "totalAmount": -1
        });
        assert_eq!(
            paths(OrderRequest::from_json(&body)),
            [
                "/customerId",
                "/items/0/sku",
                "/items/0/quantity",
                "/items/1/sku",
                "/items/1/quantity",
                "/items/2",
                "/totalAmount"
            ]
        );
    }

    #[test]
    fn missing_fields_are_required() {
        let violations = OrderRequest::from_json(&json!({})).unwrap_err();
        assert_eq!(
            violations.to_string(),
            "/customerId is required; /items is required; /totalAmount is required"
        );
    }

    #[test]
    fn wrong_types_are_named() {
        let body = json!({"customerId": 7, "items": {}, "totalAmount": "150"});
        assert_eq!(
            OrderRequest::from_json(&body).unwrap_err().to_string(),
            "/customerId must be a string, found a number; /items must be an array, found an \
             object; /totalAmount must be a number, found a string"
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_is_rejected_as_a_whole() {
        for body in [json!([]), json!("x"), json!(null), json!(1)] {
            assert_eq!(paths(OrderRequest::from_json(&body)), [""]);
        }
    }

    #[test]
    fn skus_are_short_printable_text() {
        let check = |sku: &str| {
            let body = json!({
                "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
                "items": [{"sku": sku, "quantity": 1}], "totalAmount": 1
            });
            OrderRequest::from_json(&body)
                .map(|_| ())
                .map_err(|v| v.to_string())
        };
        assert_eq!(check("SKU-Ω 🚲 ümlaut"), Ok(()));
        assert_eq!(check(&"é".repeat(256)), Ok(()));
        assert_eq!(
            check(&"é".repeat(257)),
            Err("/items/0/sku must be at most 256 characters".into())
        );
        for bad in ["SKU\u{0}1", "SKU\n1", "\t", "a\u{7f}", "a\u{85}"] {
            assert_eq!(
                check(bad),
                Err("/items/0/sku must not contain control characters".into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn at_most_a_thousand_items() {
        let items = |n: usize| {
            json!({
                "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
                "items": vec![json!({"sku": "A", "quantity": 1}); n], "totalAmount": 1
            })
        };
        assert!(OrderRequest::from_json(&items(1_000)).is_ok());
        assert_eq!(
            OrderRequest::from_json(&items(1_001))
                .unwrap_err()
                .to_string(),
            "/items must contain at most 1000 items"
        );
    }

    #[test]
    fn items_must_not_be_empty() {
        let body = json!({
            "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf", "items": [], "totalAmount": 1
        });
        let v = OrderRequest::from_json(&body).unwrap_err();
        assert_eq!(v.to_string(), "/items must contain at least one item");
    }

    #[test]
    fn quantity_rules() {
        let check = |q: Value| {
            let body = json!({
                "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
                "items": [{"sku": "A", "quantity": q}], "totalAmount": 1
            });
            OrderRequest::from_json(&body)
                .map(|r| r.items[0].quantity)
                .map_err(|v| v.to_string())
        };
        assert_eq!(check(json!(1)), Ok(1));
        assert_eq!(check(json!(9007199254740991u64)), Ok(MAX_SAFE_INTEGER));
        assert_eq!(
            check(json!(0)),
            Err("/items/0/quantity must be greater than 0".into())
        );
        assert_eq!(
            check(json!(-3)),
            Err("/items/0/quantity must be greater than 0".into())
        );
        assert_eq!(
            check(json!(2.5)),
            Err("/items/0/quantity must be an integer".into())
        );
        assert_eq!(
            check(json!(9007199254740993u64)),
            Err("/items/0/quantity must be at most 9007199254740991".into())
        );
        assert_eq!(
            check(json!(null)),
            Err("/items/0/quantity is required".into())
        );
    }

    #[test]
    fn customer_id_must_be_a_hyphenated_uuid() {
        for bad in [
            "",
            "06f3bbf924ad4d189d0d7fad5b5f5cbf",
            "{06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf}",
            "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbg",
        ] {
            let body = json!({"customerId": bad, "items": [{"sku": "A", "quantity": 1}], "totalAmount": 1});
            assert_eq!(
                paths(OrderRequest::from_json(&body)),
                ["/customerId"],
                "{bad}"
            );
        }
        let body = json!({"customerId": "06F3BBF9-24AD-4D18-9D0D-7FAD5B5F5CBF", "items": [{"sku": "A", "quantity": 1}], "totalAmount": 1});
        assert!(OrderRequest::from_json(&body).is_ok());
    }

    #[test]
    fn amounts_are_written_like_javascript_numbers() {
        let text = |v: f64| serde_json::to_string(&Amount::new(v).unwrap()).unwrap();
        assert_eq!(text(150.0), "150");
        assert_eq!(text(149.99), "149.99");
        assert_eq!(text(0.1), "0.1");
        assert_eq!(Amount::new(0.0), None);
        assert_eq!(Amount::new(f64::INFINITY), None);
        assert_eq!(Amount::new(f64::NAN), None);
    }

    #[test]
    fn an_amount_is_read_only_when_it_could_be_made() {
        assert_eq!(
            serde_json::from_str::<Amount>("149.99").unwrap().value(),
            149.99
        );
        for bad in ["0", "-1", "\"1\""] {
            assert!(serde_json::from_str::<Amount>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_order_reads_back_what_it_writes() {
        let order = Order {
            correlation_id: CorrelationId::parse("c/1").unwrap(),
            customer_id: Uuid::nil(),
            items: vec![OrderItem {
                sku: "SKU-1".into(),
                quantity: 2,
            }],
            total_amount: Amount::new(150.0).unwrap(),
            status: OrderStatus::Rejected,
            created_at: DateTime::from_timestamp_millis(1_764_969_300_123).unwrap(),
            persisted_at: DateTime::from_timestamp_micros(1_764_969_300_123_456).unwrap(),
            source: Some(EventPosition {
                topic: "order_created".into(),
                partition: 3,
                offset: 41,
            }),
            reason: Some("payment_declined: declined".into()),
            decided_at: DateTime::from_timestamp_micros(1_764_969_300_223_456),
            history: vec![Transition {
                from: Some(OrderStatus::Pending),
                to: OrderStatus::Rejected,
                reason: Some("payment_declined: declined".into()),
                at: DateTime::from_timestamp_micros(1_764_969_300_223_456).unwrap(),
                event: "payment_failed".into(),
                source: None,
            }],
        };
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(json["createdAt"], "2025-12-05T21:15:00.123Z");
        assert_eq!(json["persistedAt"], "2025-12-05T21:15:00.123456Z");
        assert_eq!(serde_json::from_value::<Order>(json).unwrap(), order);
    }

    #[test]
    fn correlation_ids_from_other_systems_fit_but_not_spaces() {
        assert!(CorrelationId::parse("req-2025/abc:1").is_ok());
        assert!(CorrelationId::parse(&"a".repeat(128)).is_ok());
        assert_eq!(
            CorrelationId::parse(&"a".repeat(129))
                .unwrap_err()
                .to_string(),
            "correlation id must be at most 128 characters"
        );
        assert!(CorrelationId::parse("").is_err());
        assert!(CorrelationId::parse("a b").is_err());
        assert!(CorrelationId::parse("é").is_err());
    }
}
