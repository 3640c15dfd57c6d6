//! What a notification says, read from the event it tells (`order_confirmed` or
//! `order_rejected`), in each channel's form: the webhook's JSON body, the email's
//! subject, plain text and HTML, and the log line's fields.

use chrono::{DateTime, Utc};
use orders_core::saga::{EventKind, OrderConfirmed, OrderRejected, SagaEvent};
use orders_core::{Amount, EventError, OrderItem};
use serde::Serialize;

/// The outcome a notification tells: the order's final state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Confirmed,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Confirmed, Self::Rejected]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    /// The event that announces it.
    pub fn kind(self) -> EventKind {
        match self {
            Self::Confirmed => EventKind::OrderConfirmed,
            Self::Rejected => EventKind::OrderRejected,
        }
    }

    pub fn of(kind: EventKind) -> Option<Self> {
        match kind {
            EventKind::OrderConfirmed => Some(Self::Confirmed),
            EventKind::OrderRejected => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// One order's outcome, as every channel tells it. Serialised, it is the webhook's body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The notification's id (also the `Idempotency-Key` header).
    pub id: String,
    /// `order_confirmed` or `order_rejected`.
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub correlation_id: String,
    pub customer_id: String,
    /// `confirmed` or `rejected`.
    pub status: &'static str,
    /// Why it was rejected, a stable code (`out_of_stock`, `unknown_sku`,
    /// `payment_declined`); null when confirmed.
    pub reason: Option<String>,
    /// What the inventory or the payment provider said, for a person.
    pub detail: Option<String>,
    pub items: Vec<OrderItem>,
    pub total_amount: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    /// When the order reached its final state (UTC, milliseconds).
    #[serde(serialize_with = "millis")]
    pub occurred_at: DateTime<Utc>,
}

impl Message {
    /// The message of notification `id`, from the event's value.
    pub fn read(id: &str, outcome: Outcome, event: &[u8]) -> Result<Self, EventError> {
        Ok(match outcome {
            Outcome::Confirmed => {
                let e = OrderConfirmed::from_json(event)?;
                Self {
                    id: id.to_owned(),
                    event_type: EventKind::OrderConfirmed.as_str(),
                    correlation_id: e.correlation_id.as_str().to_owned(),
                    customer_id: e.customer_id.hyphenated().to_string(),
                    status: Outcome::Confirmed.as_str(),
                    reason: None,
                    detail: None,
                    items: e.items,
                    total_amount: e.total_amount,
                    payment_id: Some(e.payment_id),
                    occurred_at: e.confirmed_at,
                }
            }
            Outcome::Rejected => {
                let e = OrderRejected::from_json(event)?;
                Self {
                    id: id.to_owned(),
                    event_type: EventKind::OrderRejected.as_str(),
                    correlation_id: e.correlation_id.as_str().to_owned(),
                    customer_id: e.customer_id.hyphenated().to_string(),
                    status: Outcome::Rejected.as_str(),
                    reason: Some(e.reason.as_str().to_owned()),
                    detail: Some(e.detail).filter(|d| !d.is_empty()),
                    items: e.items,
                    total_amount: e.total_amount,
                    payment_id: None,
                    occurred_at: e.rejected_at,
                }
            }
        })
    }

    /// The webhook's body: this message as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Plain data with string keys: cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        match self.reason {
            None => format!("Your order {} is confirmed", self.correlation_id),
            Some(_) => format!("Your order {} could not be accepted", self.correlation_id),
        }
    }

    fn why(&self) -> Option<String> {
        let reason = self.reason.as_deref()?;
        let plain = match reason {
            "out_of_stock" => "some items are out of stock",
            "unknown_sku" => "some items are not sold here",
            "payment_declined" => "the payment was declined",
            other => other,
        };
        Some(match &self.detail {
            Some(detail) => format!("{plain} ({detail})"),
            None => plain.to_owned(),
        })
    }

    fn item_lines(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| format!("{} x {}", i.quantity, i.sku))
            .collect()
    }

    /// The email's plain text.
    pub fn text(&self) -> String {
        let mut text = match self.why() {
            None => format!(
                "Good news: your order {} is confirmed and paid.\n\n",
                self.correlation_id
            ),
            Some(why) => format!(
                "We are sorry: your order {} could not be accepted: {why}. Nothing was \
                 charged.\n\n",
                self.correlation_id
            ),
        };
        for line in self.item_lines() {
            text.push_str(&format!("  {line}\n"));
        }
        text.push_str(&format!("\nTotal: {}\n", self.total_amount));
        if let Some(payment) = &self.payment_id {
            text.push_str(&format!("Payment: {payment}\n"));
        }
        text.push_str(&format!(
            "\nOrder {} ({}), {}\n",
            self.correlation_id,
            self.status,
            orders_core::time::millis(self.occurred_at)
        ));
        text
    }

    /// The email's HTML part: the same as [`Self::text`], every value escaped.
    pub fn html(&self) -> String {
        let headline = match self.why() {
            None => format!(
                "Good news: your order <b>{}</b> is confirmed and paid.",
                escape(&self.correlation_id)
            ),
            Some(why) => format!(
                "We are sorry: your order <b>{}</b> could not be accepted: {}. Nothing was \
                 charged.",
                escape(&self.correlation_id),
                escape(&why)
            ),
        };
        let items: String = self
            .item_lines()
            .iter()
            .map(|line| format!("<li>{}</li>", escape(line)))
            .collect();
        format!(
            "<!DOCTYPE html><html><body><p>{headline}</p><ul>{items}</ul><p>Total: {}</p>\
             <p style=\"color:#666\">Order {} ({}), {}</p></body></html>",
            escape(&self.total_amount.to_string()),
            escape(&self.correlation_id),
            self.status,
            orders_core::time::millis(self.occurred_at)
        )
    }
}

/// A time as the events write it: UTC, milliseconds, `Z`.
fn millis<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&orders_core::time::millis(*t))
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rejected() -> Vec<u8> {
        json!({"correlationId": "c-<1>", "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
               "items": [{"sku": "SKU-1", "quantity": 2}], "totalAmount": 150,
               "stage": "payment", "reason": "payment_declined", "detail": "declined_over_limit",
               "rejectedAt": "2025-12-05T21:15:00.000Z"})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_rejection_reads_as_a_webhook_body_with_its_reason() {
        let message = Message::read("n-1", Outcome::Rejected, &rejected()).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&message.to_json()).unwrap();
        assert_eq!(
            body,
            json!({"id": "n-1", "type": "order_rejected", "correlationId": "c-<1>",
                   "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf", "status": "rejected",
                   "reason": "payment_declined", "detail": "declined_over_limit",
                   "items": [{"sku": "SKU-1", "quantity": 2}], "totalAmount": 150,
                   "occurredAt": "2025-12-05T21:15:00.000Z"})
        );
    }

    #[test]
    fn the_email_says_why_and_escapes_what_the_order_carries() {
        let message = Message::read("n-1", Outcome::Rejected, &rejected()).unwrap();
        assert_eq!(message.subject(), "Your order c-<1> could not be accepted");
        assert!(
            message
                .text()
                .contains("the payment was declined (declined_over_limit)")
        );
        assert!(message.text().contains("2 x SKU-1"));
        let html = message.html();
        assert!(html.contains("c-&lt;1&gt;"), "{html}");
        assert!(!html.contains("c-<1>"), "{html}");
    }

    #[test]
    fn an_event_that_breaks_its_contract_is_not_a_message() {
        assert!(Message::read("n-1", Outcome::Confirmed, &rejected()).is_err());
    }
}
