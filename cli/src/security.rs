//! Everything secret the command line takes, and how it stays secret.
//!
//! Kafka's security settings (protocol, SASL, TLS files) become librdkafka properties;
//! the services' HTTP access (admin token, API keys, rate limit, HTTPS) becomes their
//! configuration; the commands that call the services send the token and keys they are
//! given. Every secret can be given as a file instead of a value (`…_FILE`), which keeps
//! it out of the process list and the environment, and none is ever shown: clap is told
//! not to print their environment values in `--help`, and [`Secret`] prints as
//! `<redacted>`.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use orders_http::{Credentials, HttpListener, RateLimit, ServerTls};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// A secret value: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret in the file at `path`, without its final line break. The error names
    /// the file, never its content.
    pub fn read_file(path: &str) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the secret file {path}: {e}"))?;
        let secret = text.trim_end_matches(['\r', '\n']);
        if secret.is_empty() {
            return Err(format!("the secret file {path} is empty"));
        }
        Ok(Self(secret.to_owned()))
    }

    fn parse(value: &str) -> Result<Self, String> {
        Ok(Self(value.to_owned()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// librdkafka's `security.protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SecurityProtocol {
    /// No TLS, no authentication.
    Plaintext,
    /// TLS.
    Ssl,
    /// SASL without TLS (the password crosses the network in the clear with PLAIN).
    SaslPlaintext,
    /// SASL over TLS: what managed clusters ask for.
    SaslSsl,
}

impl SecurityProtocol {
    fn property(self) -> &'static str {
        match self {
            Self::Plaintext => "PLAINTEXT",
            Self::Ssl => "SSL",
            Self::SaslPlaintext => "SASL_PLAINTEXT",
            Self::SaslSsl => "SASL_SSL",
        }
    }
}

/// librdkafka's `sasl.mechanisms` (GSSAPI/Kerberos is not built in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SaslMechanism {
    #[value(name = "PLAIN")]
    Plain,
    #[value(name = "SCRAM-SHA-256")]
    ScramSha256,
    #[value(name = "SCRAM-SHA-512")]
    ScramSha512,
}

impl SaslMechanism {
    fn property(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// How to authenticate to Kafka and encrypt the connection. `-X` properties given as
/// well are applied after these, so they win.
#[derive(Debug, Clone, Default, Args)]
pub struct KafkaSecurityArgs {
    /// PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL
    /// credentials are given, SSL when only TLS files are, else PLAINTEXT].
    #[arg(
        long,
        env = "KAFKA_SECURITY_PROTOCOL",
        value_enum,
        value_name = "PROTOCOL"
    )]
    pub security_protocol: Option<SecurityProtocol>,
    /// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username).
    #[arg(
        long,
        env = "KAFKA_SASL_MECHANISM",
        value_enum,
        value_name = "MECHANISM"
    )]
    pub sasl_mechanism: Option<SaslMechanism>,
    /// The SASL user name.
    #[arg(
        long,
        env = "KAFKA_SASL_USERNAME",
        value_name = "USER",
        requires = "sasl_mechanism"
    )]
    pub sasl_username: Option<String>,
    /// The SASL password. Prefer --sasl-password-file: a value on the command line is
    /// visible to every user of the machine.
    #[arg(long, env = "KAFKA_SASL_PASSWORD", hide_env_values = true, value_name = "PASSWORD", value_parser = Secret::parse, requires = "sasl_username")]
    pub sasl_password: Option<Secret>,
    /// A file holding the SASL password (wins over --sasl-password).
    #[arg(long, env = "KAFKA_SASL_PASSWORD_FILE", value_name = "FILE", value_parser = Secret::read_file, requires = "sasl_username")]
    pub sasl_password_file: Option<Secret>,
    /// The CA certificate(s) (PEM) that issued the brokers' certificates [default: the
    /// system's CA certificates].
    #[arg(long, env = "KAFKA_SSL_CA_LOCATION", value_name = "PEM")]
    pub ssl_ca_location: Option<PathBuf>,
    /// This client's certificate (PEM), for brokers that require mutual TLS.
    #[arg(
        long,
        env = "KAFKA_SSL_CERTIFICATE_LOCATION",
        value_name = "PEM",
        requires = "ssl_key_location"
    )]
    pub ssl_certificate_location: Option<PathBuf>,
    /// This client's private key (PEM), for mutual TLS.
    #[arg(
        long,
        env = "KAFKA_SSL_KEY_LOCATION",
        value_name = "PEM",
        requires = "ssl_certificate_location"
    )]
    pub ssl_key_location: Option<PathBuf>,
    /// The password of an encrypted private key.
    #[arg(long, env = "KAFKA_SSL_KEY_PASSWORD", hide_env_values = true, value_name = "PASSWORD", value_parser = Secret::parse)]
    pub ssl_key_password: Option<Secret>,
    /// A file holding the private key's password (wins over --ssl-key-password).
    #[arg(long, env = "KAFKA_SSL_KEY_PASSWORD_FILE", value_name = "FILE", value_parser = Secret::read_file)]
    pub ssl_key_password_file: Option<Secret>,
}

impl KafkaSecurityArgs {
    /// The librdkafka properties these settings stand for.
    pub fn options(&self) -> Vec<(String, String)> {
        let password = self
            .sasl_password_file
            .as_ref()
            .or(self.sasl_password.as_ref());
        let key_password = self
            .ssl_key_password_file
            .as_ref()
            .or(self.ssl_key_password.as_ref());
        let sasl = self.sasl_username.is_some() || self.sasl_mechanism.is_some();
        let tls_files = self.ssl_ca_location.is_some() || self.ssl_certificate_location.is_some();
        let protocol = self.security_protocol.or(match (sasl, tls_files) {
            (true, _) => Some(SecurityProtocol::SaslSsl),
            (false, true) => Some(SecurityProtocol::Ssl),
            (false, false) => None,
        });
        let path = |p: &Path| p.display().to_string();
        let mut options = Vec::new();
        let mut set = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                options.push((key.to_owned(), value));
            }
        };
        set(
            "security.protocol",
            protocol.map(|p| p.property().to_owned()),
        );
        set(
            "sasl.mechanisms",
            self.sasl_mechanism.map(|m| m.property().to_owned()),
        );
        set("sasl.username", self.sasl_username.clone());
        set("sasl.password", password.map(|p| p.expose().to_owned()));
        set("ssl.ca.location", self.ssl_ca_location.as_deref().map(path));
        set(
            "ssl.certificate.location",
            self.ssl_certificate_location.as_deref().map(path),
        );
        set(
            "ssl.key.location",
            self.ssl_key_location.as_deref().map(path),
        );
        set(
            "ssl.key.password",
            key_password.map(|p| p.expose().to_owned()),
        );
        options
    }
}

/// HTTPS on a service's listener, for deployments without a TLS-terminating proxy.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "HTTPS")]
pub struct HttpsArgs {
    /// Serve HTTPS with this certificate chain (PEM, leaf first).
    #[arg(long, env = "TLS_CERT", value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "TLS_KEY", value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl HttpsArgs {
    /// `tcp`, serving HTTPS when a certificate is given.
    pub fn listener(&self, tcp: tokio::net::TcpListener) -> anyhow::Result<HttpListener> {
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(ServerTls::from_pem_files(cert, key)?),
            _ => None,
        };
        Ok(HttpListener::new(tcp, tls))
    }
}

/// Who may read a service's admin HTTP.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Admin access")]
pub struct AdminAccessArgs {
    /// Require this bearer token for the admin data (/orders…, /stats); /healthz,
    /// /readyz and /metrics stay open. Prefer --admin-token-file.
    #[arg(long, env = "ADMIN_TOKEN", hide_env_values = true, value_name = "TOKEN", value_parser = Secret::parse)]
    pub admin_token: Option<Secret>,
    /// A file holding the admin token (wins over --admin-token).
    #[arg(long, env = "ADMIN_TOKEN_FILE", value_name = "FILE", value_parser = Secret::read_file)]
    pub admin_token_file: Option<Secret>,
    /// Serve the admin HTTP on a non-loopback address without a token: anyone who can
    /// reach it reads every order.
    #[arg(long, env = "ADMIN_PUBLIC_WITHOUT_TOKEN")]
    pub admin_public_without_token: bool,
}

impl AdminAccessArgs {
    pub fn token(&self) -> Option<Credentials> {
        self.admin_token_file
            .as_ref()
            .or(self.admin_token.as_ref())
            .map(|t| Credentials::token(t.expose()))
    }

    /// Where the admin HTTP listens: `requested`, or port `default_port` on every
    /// address with a token and on loopback without. A non-loopback address without a
    /// token is refused unless --admin-public-without-token says so.
    pub fn address(
        &self,
        requested: Option<SocketAddr>,
        default_port: u16,
    ) -> anyhow::Result<SocketAddr> {
        let protected = self.token().is_some();
        let address = requested.unwrap_or_else(|| match protected {
            true => SocketAddr::from((Ipv4Addr::UNSPECIFIED, default_port)),
            false => SocketAddr::from((Ipv4Addr::LOCALHOST, default_port)),
        });
        if protected {
            return Ok(address);
        }
        if address.ip().is_loopback() {
            if requested.is_none() {
                tracing::info!(
                    %address,
                    "no ADMIN_TOKEN: the admin HTTP listens on loopback only (set ADMIN_TOKEN \
                     or --admin-token-file to serve it on every address)"
                );
            }
            return Ok(address);
        }
        if !self.admin_public_without_token {
            bail!(
                "refusing to serve the admin HTTP (every order) on {address} without a token: \
                 set ADMIN_TOKEN or --admin-token-file, listen on loopback, or pass \
                 --admin-public-without-token"
            );
        }
        tracing::warn!(
            %address,
            "the admin HTTP is served without a token on a non-loopback address"
        );
        Ok(address)
    }
}

/// Who may submit orders to the gateway, and how often.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Gateway access")]
pub struct GatewayAccessArgs {
    /// Require an API key for POST /orders (`x-api-key: KEY` or `Authorization: Bearer
    /// KEY`): a file with one key per line, each the key itself or `sha256:` and its hex
    /// SHA-256 (`printf %s KEY | sha256sum`). Probes, /metrics and /openapi.json stay
    /// open.
    #[arg(long, env = "GATEWAY_API_KEYS_FILE", value_name = "FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// At most this many requests per client (its API key, or its address without
    /// keys), as N/s or N/m; past it the client gets 429 with Retry-After.
    #[arg(long, env = "GATEWAY_RATE_LIMIT", value_name = "N/s", value_parser = RateLimit::parse)]
    pub rate_limit: Option<RateLimit>,
}

impl GatewayAccessArgs {
    pub fn api_keys(&self) -> anyhow::Result<Option<Credentials>> {
        let Some(path) = &self.api_keys_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the API keys file {}", path.display()))?;
        let keys = Credentials::parse_keys(&text)
            .with_context(|| format!("the API keys file {} is not valid", path.display()))?;
        Ok(Some(keys))
    }
}

/// The secret of a variable or, when `<NAME>_FILE` is set, of the file it names.
fn secret_from_env(name: &str) -> anyhow::Result<Option<Secret>> {
    if let Some(path) = std::env::var_os(format!("{name}_FILE")).filter(|p| !p.is_empty()) {
        let path = path.to_string_lossy().into_owned();
        return Secret::read_file(&path)
            .map(Some)
            .map_err(anyhow::Error::msg);
    }
    Ok(std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret))
}

/// What the commands that call the services present: the admin token (`ADMIN_TOKEN` or
/// `ADMIN_TOKEN_FILE`, as the services read them) to the admin HTTP, the API key
/// (`ORDERS_API_KEY` or `ORDERS_API_KEY_FILE`) to the gateway, and trust in the CA at
/// `ORDERS_HTTP_CA_CERT` for services that serve HTTPS with a private CA.
#[derive(Debug, Clone, Default)]
pub struct ClientSecrets {
    pub admin_token: Option<Secret>,
    pub api_key: Option<Secret>,
}

impl ClientSecrets {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            admin_token: secret_from_env("ADMIN_TOKEN")?,
            api_key: secret_from_env("ORDERS_API_KEY")?,
        })
    }
}

/// `builder` with the gateway's API key as a default header (the admin HTTP ignores
/// it) and the CA of `ORDERS_HTTP_CA_CERT` trusted.
pub fn client_builder(builder: reqwest::ClientBuilder) -> anyhow::Result<reqwest::ClientBuilder> {
    let mut builder = builder;
    if let Some(key) = ClientSecrets::from_env()?.api_key {
        let mut value = reqwest::header::HeaderValue::from_str(key.expose())
            .map_err(|_| anyhow::anyhow!("ORDERS_API_KEY is not a valid header value"))?;
        value.set_sensitive(true);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-api-key", value);
        builder = builder.default_headers(headers);
    }
    if let Some(path) = std::env::var_os("ORDERS_HTTP_CA_CERT").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        let pem = std::fs::read(&path)
            .with_context(|| format!("cannot read ORDERS_HTTP_CA_CERT {}", path.display()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)
            .with_context(|| format!("ORDERS_HTTP_CA_CERT {} is not PEM", path.display()))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder)
}

/// `request` with the admin token, when one is configured.
pub fn with_admin_token(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    match ClientSecrets::from_env() {
        Ok(ClientSecrets {
            admin_token: Some(token),
            ..
        }) => request.bearer_auth(token.expose()),
        _ => request,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_imply_sasl_over_tls() {
        let args = KafkaSecurityArgs {
            sasl_mechanism: Some(SaslMechanism::ScramSha512),
            sasl_username: Some("alice".into()),
            sasl_password: Some(Secret("s3cret".into())),
            ssl_ca_location: Some("/ca.pem".into()),
            ..KafkaSecurityArgs::default()
        };
        let options = args.options();
        let get = |key: &str| {
            options
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("security.protocol"), Some("SASL_SSL"));
        assert_eq!(get("sasl.mechanisms"), Some("SCRAM-SHA-512"));
        assert_eq!(get("sasl.password"), Some("s3cret"));
        assert_eq!(get("ssl.ca.location"), Some("/ca.pem"));
        assert!(!format!("{args:?}").contains("s3cret"));
        assert!(KafkaSecurityArgs::default().options().is_empty());
    }
}
