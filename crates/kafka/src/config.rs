//! Client configuration: the seed's environment (`KAFKA_BROKERS`, `KAFKA_CLIENT_ID`) plus
//! any librdkafka property, so that a production cluster with TLS, SASL or tuned
//! batching needs no code change (`-X security.protocol=SASL_SSL`, like kcat).

use rdkafka::ClientConfig;

/// How to reach the cluster. Plain data; the CLI fills it from flags and environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaConfig {
    /// Comma-separated bootstrap servers (`localhost:9094`).
    pub brokers: String,
    /// `client.id`, which names this process in broker logs and group listings.
    pub client_id: String,
    /// librdkafka properties applied last, so they override every default set here.
    pub options: Vec<(String, String)>,
}

impl KafkaConfig {
    pub fn new(brokers: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            brokers: brokers.into(),
            client_id: client_id.into(),
            options: Vec::new(),
        }
    }

    /// The same cluster under another client id.
    pub fn with_client_id(&self, client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            ..self.clone()
        }
    }

    /// The librdkafka configuration: `defaults` first, then the user's options.
    pub(crate) fn client_config(&self, defaults: &[(&str, &str)]) -> ClientConfig {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.brokers)
            .set("client.id", &self.client_id)
            // Both of these matter on laptops, where `localhost` resolves to ::1 first
            // and a broker restarted in a test comes back within a second.
            .set("reconnect.backoff.ms", "50")
            .set("reconnect.backoff.max.ms", "1000");
        for (key, value) in defaults {
            config.set(*key, *value);
        }
        for (key, value) in &self.options {
            config.set(key, value);
        }
        config
    }
}

/// Parses one `KEY=VALUE` librdkafka property, as given to `-X`.
pub fn parse_option(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!(
            "expected KEY=VALUE (a librdkafka property), got {s:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_override_defaults() {
        let mut config = KafkaConfig::new("b:1", "me");
        config.options.push(("linger.ms".into(), "7".into()));
        let client = config.client_config(&[("linger.ms", "1"), ("acks", "all")]);
        assert_eq!(client.get("linger.ms"), Some("7"));
        assert_eq!(client.get("acks"), Some("all"));
        assert_eq!(client.get("bootstrap.servers"), Some("b:1"));
        assert_eq!(client.get("client.id"), Some("me"));
    }

    #[test]
    fn options_are_key_value_pairs() {
        assert_eq!(
            parse_option("linger.ms = 5"),
            Ok(("linger.ms".into(), "5".into()))
        );
        assert_eq!(
            parse_option("sasl.password=a=b"),
            Ok(("sasl.password".into(), "a=b".into()))
        );
        assert!(parse_option("linger.ms").unwrap_err().contains("KEY=VALUE"));
        assert!(parse_option("=5").is_err());
    }
}
