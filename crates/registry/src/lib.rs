//! A client for the Confluent Schema Registry REST API (and the registries that speak it:
//! Redpanda, Karapace, Apicurio's compatibility API), limited to what a deploy step needs.
//!
//! The `order_created` contract lives in the repository as a JSON Schema; registering it
//! under `order_created-value` lets the registry's compatibility rules guard every later
//! change and lets tools such as Kafka UI show what the topic holds. The services never
//! call the registry while they run: registration is a deploy step, so a registry that is
//! down cannot stop orders from flowing.
//!
//! ```no_run
//! use orders_registry::{RegistryClient, Schema, subject_for_topic};
//!
//! # async fn example() -> orders_registry::Result<()> {
//! let registry = RegistryClient::new("http://localhost:8081")?;
//! let schema = Schema::json(r#"{"type": "object"}"#);
//! let id = registry.register(&subject_for_topic("order_created"), &schema).await?;
//! println!("registered as id {id}");
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
mod schema;

pub use client::{Comparison, DEFAULT_TIMEOUT, RegistryClient};
pub use error::{Error, Result};
pub use schema::{RegisteredSchema, Schema, SchemaType};

/// The subject of a topic's record values under the registry's default naming strategy
/// (`TopicNameStrategy`): `<topic>-value`.
pub fn subject_for_topic(topic: &str) -> String {
    format!("{topic}-value")
}
