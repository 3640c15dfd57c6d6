//! Broker-side schema enforcement: nisshi can refuse a record whose value breaks a topic's
//! JSON Schema before it writes anything, which Apache Kafka does not do (Confluent
//! Server's validation is a commercial feature).
//!
//! Started with `--schema-registry file://DIR`, nisshi 0.8.1 checks every record produced
//! to topic `T` against `DIR/T.json`, a JSON Schema whose `properties.value` is the schema
//! of the record value and `properties.key` that of the key (either may be left out, and
//! is then not checked; topics without a file are not checked at all). `file://` URLs are
//! resolved against nisshi's working directory, so the files live in the broker's data
//! directory, rewritten at every start so that a restarted broker enforces the schemas of
//! the program that started it.

use std::ffi::OsString;
use std::io;
use std::path::Path;

use crate::{Error, Result};

/// The schema directory's name inside nisshi's working directory.
pub const SCHEMA_DIR: &str = "schemas";

/// Writes `<working_dir>/schemas/<topic>.json` for each `(topic, value schema)`.
pub(crate) fn write(working_dir: &Path, value_schemas: &[(String, String)]) -> Result<()> {
    let dir = working_dir.join(SCHEMA_DIR);
    std::fs::create_dir_all(&dir)
        .map_err(|source| Error::io(format!("create {}", dir.display()), source))?;
    for (topic, schema) in value_schemas {
        if topic.is_empty() || topic.contains(['/', '\\']) || topic == "." || topic == ".." {
            return Err(Error::io(
                format!("write the schema of topic {topic:?}"),
                io::Error::new(io::ErrorKind::InvalidInput, "it cannot name a file"),
            ));
        }
        let file = dir.join(format!("{topic}.json"));
        std::fs::write(&file, wrap(schema))
            .map_err(|source| Error::io(format!("write {}", file.display()), source))?;
    }
    Ok(())
}

/// The file nisshi reads for a topic whose record values must match `value_schema`: the
/// key is left unchecked.
fn wrap(value_schema: &str) -> String {
    format!(
        r#"{{"type":"object","properties":{{"value":{}}}}}"#,
        value_schema.trim()
    )
}

/// The `nisshi broker` arguments that make it enforce the schemas [`write`] wrote.
///
/// Without a cache expiry, nisshi 0.8.1 reads and compiles the schema file again for
/// every produce request (2.5 times the broker's CPU under `orders bench`); its cache
/// check is inverted, so an expiry of 0s keeps the schema it loaded first. Should that
/// be fixed, 0s means "read it every time", today's behaviour, so nothing breaks.
pub(crate) fn args() -> Vec<OsString> {
    vec![
        "--schema-registry".into(),
        format!("file://./{SCHEMA_DIR}").into(),
        "--schema-registry-cache-expiry".into(),
        "0s".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_schema_is_wrapped_and_the_key_left_unchecked() {
        let dir = tempfile::tempdir().unwrap();
        let schema = "{\"type\": \"object\", \"required\": [\"a\"]}\n";
        write(dir.path(), &[("order_created".into(), schema.into())]).unwrap();
        let text = std::fs::read_to_string(dir.path().join("schemas/order_created.json")).unwrap();
        assert_eq!(
            text,
            r#"{"type":"object","properties":{"value":{"type": "object", "required": ["a"]}}}"#
        );
        let escape = write(dir.path(), &[("../escape".into(), schema.into())]);
        assert!(escape.is_err());
    }
}
