//! A schema as a registry holds it, and when two of them are the same.
//!
//! Registries keep a canonical form of what they were given (Confluent's drops the
//! whitespace of a JSON Schema, others reorder keys), so the text read back is rarely the
//! text sent; JSON and Avro schemas are compared as JSON values instead.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The schema languages of the Confluent API. A registry omits `schemaType` for Avro,
/// its original and default language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    #[default]
    Avro,
    Json,
    Protobuf,
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Json => "JSON",
            SchemaType::Protobuf => "PROTOBUF",
        })
    }
}

/// A schema's language and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub schema_type: SchemaType,
    pub text: String,
}

impl Schema {
    /// A JSON Schema.
    pub fn json(text: impl Into<String>) -> Self {
        Self {
            schema_type: SchemaType::Json,
            text: text.into(),
        }
    }

    /// Whether `other` says the same as this one: same language and, for JSON and Avro,
    /// equal JSON values (whitespace and key order do not count); Protobuf text is
    /// compared as it is.
    pub fn same_as(&self, other: &Schema) -> bool {
        if self.schema_type != other.schema_type {
            return false;
        }
        match (self.as_json(), other.as_json()) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => self.text.trim() == other.text.trim(),
        }
    }

    fn as_json(&self) -> Option<Value> {
        match self.schema_type {
            SchemaType::Json | SchemaType::Avro => serde_json::from_str(&self.text).ok(),
            SchemaType::Protobuf => None,
        }
    }
}

/// One version of a subject, as the registry returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredSchema {
    pub subject: String,
    /// The version within the subject (1, 2, …).
    pub version: i32,
    /// The registry-wide id, the one Confluent serializers put in front of a record.
    pub id: i32,
    pub schema: Schema,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_schemas_are_the_same_whatever_their_layout() {
        let sent = Schema::json("{\n  \"type\": \"object\",\n  \"required\": [\"a\"]\n}\n");
        let read_back = Schema::json(r#"{"required":["a"],"type":"object"}"#);
        assert!(sent.same_as(&read_back));
    }

    #[test]
    fn a_changed_keyword_or_language_is_a_difference() {
        let schema = Schema::json(r#"{"type":"object","required":["a"]}"#);
        assert!(!schema.same_as(&Schema::json(r#"{"type":"object","required":["b"]}"#)));
        let avro = Schema {
            schema_type: SchemaType::Avro,
            text: schema.text.clone(),
        };
        assert!(!schema.same_as(&avro));
    }

    #[test]
    fn array_order_counts_because_json_does() {
        let a = Schema::json(r#"{"enum":[1,2]}"#);
        assert!(!a.same_as(&Schema::json(r#"{"enum":[2,1]}"#)));
    }

    #[test]
    fn schema_types_are_written_as_the_api_spells_them() {
        assert_eq!(
            serde_json::to_string(&SchemaType::Protobuf).unwrap(),
            r#""PROTOBUF""#
        );
        assert_eq!(SchemaType::Json.to_string(), "JSON");
    }
}
