//! Validation that reports every offending field at once, each named by its JSON path.
//!
//! A client that sends three mistakes should learn about all three from one answer. The
//! rules mirror the seed's Zod schema; the paths are JSON Pointers (RFC 6901), so
//! `/items/0/quantity` names the quantity of the first item and `` names the whole body.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// The largest integer a JSON number can carry without losing precision in JavaScript,
/// which is what the seed's services (and most JSON tooling) use for numbers.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// One field that broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    /// JSON Pointer to the field (`/items/0/sku`); empty for the document itself.
    pub path: String,
    /// What is wrong with it, phrased to follow the path (`must not be empty`).
    pub message: String,
}

impl Violation {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Every rule a document broke; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation::new(path, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    /// `Ok(value)` when nothing was reported, otherwise every violation.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let path = if v.path.is_empty() {
                "(document)"
            } else {
                &v.path
            };
            write!(f, "{path} {}", v.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// Reads the fields of one JSON object, recording a violation for every field that is
/// missing or of the wrong shape and returning `None` for it, so that the caller can go
/// on and check the next field.
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    /// The object at `path`, or `None` (with a violation) when `value` is not an object.
    pub(crate) fn of(value: &'a Value, path: String, violations: &mut Violations) -> Option<Self> {
        match value {
            Value::Object(object) => Some(Self { object, path }),
            other => {
                violations.push(
                    path,
                    format!("must be a JSON object, found {}", kind(other)),
                );
                None
            }
        }
    }

    pub(crate) fn path_of(&self, field: &str) -> String {
        format!("{}/{field}", self.path)
    }

    /// A required field of any type.
    pub(crate) fn required(&self, field: &str, violations: &mut Violations) -> Option<&'a Value> {
        match self.object.get(field) {
            None | Some(Value::Null) => {
                violations.push(self.path_of(field), "is required");
                None
            }
            Some(value) => Some(value),
        }
    }

    pub(crate) fn string(&self, field: &str, violations: &mut Violations) -> Option<&'a str> {
        match self.required(field, violations)? {
            Value::String(s) => Some(s),
            other => {
                violations.push(
                    self.path_of(field),
                    format!("must be a string, found {}", kind(other)),
                );
                None
            }
        }
    }

    pub(crate) fn number(&self, field: &str, violations: &mut Violations) -> Option<f64> {
        match self.required(field, violations)? {
            Value::Number(n) => n.as_f64(),
            other => {
                violations.push(
                    self.path_of(field),
                    format!("must be a number, found {}", kind(other)),
                );
                None
            }
        }
    }

    pub(crate) fn array(&self, field: &str, violations: &mut Violations) -> Option<&'a [Value]> {
        match self.required(field, violations)? {
            Value::Array(items) => Some(items),
            other => {
                violations.push(
                    self.path_of(field),
                    format!("must be an array, found {}", kind(other)),
                );
                None
            }
        }
    }
}

/// The JSON type of a value, as a client would name it in an error message.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_every_violation_with_its_path() {
        let mut v = Violations::default();
        v.push("", "must be a JSON object, found an array");
        v.push("/items/0/sku", "must not be empty");
        assert_eq!(
            v.to_string(),
            "(document) must be a JSON object, found an array; /items/0/sku must not be empty"
        );
    }

    #[test]
    fn into_result_is_ok_only_without_violations() {
        assert_eq!(Violations::default().into_result(|| 1), Ok(1));
        let mut v = Violations::default();
        v.push("/a", "is required");
        assert!(v.into_result(|| 1).is_err());
    }
}
