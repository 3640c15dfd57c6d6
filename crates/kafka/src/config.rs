//! Client configuration: the seed's environment (`KAFKA_BROKERS`, `KAFKA_CLIENT_ID`) plus
//! any librdkafka property, so that a production cluster with TLS, SASL or tuned
//! batching needs no code change (`-X security.protocol=SASL_SSL`, like kcat).
//!
//! Properties can hold secrets (`sasl.password`, `ssl.key.password`): the configuration's
//! `Debug` shows them as `<redacted>`, so that no log or panic message can carry them.

use rdkafka::ClientConfig;
use rdkafka::config::RDKafkaLogLevel;

/// How to reach the cluster. Plain data; the CLI fills it from flags and environment.
#[derive(Clone, PartialEq, Eq)]
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
        // librdkafka's OpenSSL is built into the binary and looks for the system's CA
        // certificates where its build put them, not where this machine keeps them:
        // without a CA given, probe the usual places (as librdkafka's own
        // `ssl.ca.location=probe` does), so a cluster with a public certificate works.
        let tls = config
            .get("security.protocol")
            .is_some_and(|p| p.eq_ignore_ascii_case("ssl") || p.eq_ignore_ascii_case("sasl_ssl"));
        let ca_given = ["ssl.ca.location", "ssl.ca.pem", "ssl.ca.certificate.stores"]
            .iter()
            .any(|key| config.get(key).is_some());
        if tls && !ca_given {
            config.set("ssl.ca.location", "probe");
        }
        // librdkafka logs a closed connection at info: with a quieter RUST_LOG it would
        // not say so at all, and `diagnosis` could not tell a plaintext client at a TLS
        // listener. `tracing` still filters what is shown.
        if (config.log_level as i32) < (RDKafkaLogLevel::Info as i32) {
            config.set_log_level(RDKafkaLogLevel::Info);
        }
        config
    }
}

impl std::fmt::Debug for KafkaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let options: Vec<(&str, &str)> = self
            .options
            .iter()
            .map(|(key, value)| {
                let shown = if is_secret(key) { "<redacted>" } else { value };
                (key.as_str(), shown)
            })
            .collect();
        f.debug_struct("KafkaConfig")
            .field("brokers", &self.brokers)
            .field("client_id", &self.client_id)
            .field("options", &options)
            .finish()
    }
}

/// Whether a librdkafka property holds a secret (passwords, private keys, OAuth client
/// secrets and configurations).
pub fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("password")
        || key.contains("secret")
        || key.contains("key.pem")
        || key.ends_with(".key")
        || key == "sasl.oauthbearer.config"
        || key.contains("jaas")
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
    fn secrets_are_redacted_from_debug() {
        let mut config = KafkaConfig::new("b:1", "me");
        config.options = vec![
            ("sasl.password".into(), "hunter2".into()),
            ("ssl.key.password".into(), "hunter3".into()),
            ("sasl.username".into(), "alice".into()),
        ];
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter"), "{shown}");
        assert!(shown.contains("alice"), "{shown}");
    }

    #[test]
    fn tls_without_a_ca_probes_the_system_certificates() {
        let mut config = KafkaConfig::new("b:1", "me");
        config.options = vec![("security.protocol".into(), "SASL_SSL".into())];
        assert_eq!(
            config.client_config(&[]).get("ssl.ca.location"),
            Some("probe")
        );
        config
            .options
            .push(("ssl.ca.location".into(), "/ca.pem".into()));
        assert_eq!(
            config.client_config(&[]).get("ssl.ca.location"),
            Some("/ca.pem")
        );
        assert_eq!(
            KafkaConfig::new("b:1", "me")
                .client_config(&[])
                .get("ssl.ca.location"),
            None
        );
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
