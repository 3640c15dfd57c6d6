//! The log channel: one `tracing` line per notification, always available, the default
//! when no other channel is configured (so that `orders up` shows every outcome).

use super::{Attempt, Channel, SendError};
use async_trait::async_trait;
use orders_core::api::NotificationChannel;

#[derive(Debug, Clone, Copy, Default)]
pub struct Log;

#[async_trait]
impl Channel for Log {
    fn kind(&self) -> NotificationChannel {
        NotificationChannel::Log
    }

    async fn send(&self, attempt: Attempt<'_>) -> Result<(), SendError> {
        let m = attempt.message;
        tracing::info!(
            target: "notification",
            notification_id = %m.id,
            correlation_id = %m.correlation_id,
            customer_id = %m.customer_id,
            status = m.status,
            reason = m.reason.as_deref().unwrap_or(""),
            total = %m.total_amount,
            "{}",
            m.subject()
        );
        Ok(())
    }
}
