//! Who may ask: a bearer token for the services' admin HTTP, API keys for the gateway.
//!
//! Both are the same check: the request's `Authorization: Bearer …` (or, for API keys,
//! `x-api-key`) must match one of the configured secrets. Secrets are kept only as
//! SHA-256 digests and the presented one is compared with every digest in constant
//! time, so neither its length nor how many leading bytes match, nor which key matched,
//! shows in the answer's timing. Probes and scrapers (`/healthz`, `/readyz`, `/metrics`,
//! the gateway's `/openapi.json`) stay open: orchestrators call them without secrets.
//! A refused request gets `401` with `WWW-Authenticate` and the usual JSON error body.

use crate::ApiError;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The secrets a service accepts. `Debug` shows how many, never what.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("secrets", &self.digests.len())
            .finish()
    }
}

/// Why a keys file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("line {line}: a hashed key is `sha256:` and 64 hexadecimal digits")]
    BadHash { line: usize },
    #[error("it holds no key (one key per line; `#` starts a comment)")]
    Empty,
}

impl Credentials {
    /// One secret, such as the admin token.
    pub fn token(secret: &str) -> Self {
        Self {
            digests: vec![digest(secret)],
        }
    }

    /// A keys file: one key per line, either the key itself or `sha256:` and the hex
    /// SHA-256 of the key (`printf %s KEY | sha256sum`), so that the file need not hold
    /// the keys. Blank lines and lines starting with `#` are skipped. Errors name the
    /// line, never its content.
    pub fn parse_keys(text: &str) -> Result<Self, CredentialsError> {
        let mut digests = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.strip_prefix("sha256:") {
                Some(hex) => digests.push(
                    parse_hex(hex.trim()).ok_or(CredentialsError::BadHash { line: index + 1 })?,
                ),
                None => digests.push(digest(line)),
            }
        }
        if digests.is_empty() {
            return Err(CredentialsError::Empty);
        }
        Ok(Self { digests })
    }

    /// Which secret `presented` is (its position), looking at every one of them.
    fn find(&self, presented: &str) -> Option<usize> {
        let presented = digest(presented);
        let mut found = None;
        for (index, known) in self.digests.iter().enumerate() {
            if bool::from(known.ct_eq(&presented)) {
                found = Some(index);
            }
        }
        found
    }
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// Which client a request came from, once its secret matched: the position of its key.
/// The rate limit counts per key when there are keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(pub usize);

/// What a protected service calls its secret, for the answers and the realm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// The admin HTTP: `Authorization: Bearer TOKEN`.
    AdminToken,
    /// The gateway: `Authorization: Bearer KEY` or `x-api-key: KEY`.
    ApiKey,
}

impl Scheme {
    fn realm(self) -> &'static str {
        match self {
            Self::AdminToken => "orders-admin",
            Self::ApiKey => "orders-gateway",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::AdminToken => "admin token",
            Self::ApiKey => "API key",
        }
    }
}

/// Paths nobody needs a secret for: probes, scrapers and the API's own description.
pub const OPEN_PATHS: [&str; 4] = ["/healthz", "/readyz", "/metrics", "/openapi.json"];

#[derive(Debug)]
struct Guard {
    credentials: Credentials,
    scheme: Scheme,
}

/// `router` with every route but [`OPEN_PATHS`] requiring one of `credentials`; the
/// router unchanged when there are none (authentication off).
pub fn protect(router: Router, credentials: Option<Credentials>, scheme: Scheme) -> Router {
    match credentials {
        None => router,
        Some(credentials) => router.layer(middleware::from_fn_with_state(
            Arc::new(Guard {
                credentials,
                scheme,
            }),
            guard,
        )),
    }
}

async fn guard(State(guard): State<Arc<Guard>>, mut request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let Some(presented) = presented(request.headers(), guard.scheme) else {
        return refuse(guard.scheme, false);
    };
    match guard.credentials.find(presented) {
        Some(index) => {
            request.extensions_mut().insert(ClientKey(index));
            next.run(request).await
        }
        None => refuse(guard.scheme, true),
    }
}

/// The secret a request carries, if any.
fn presented(headers: &HeaderMap, scheme: Scheme) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (kind, secret) = v.trim().split_once(' ')?;
            kind.eq_ignore_ascii_case("bearer").then_some(secret.trim())
        });
    match scheme {
        Scheme::AdminToken => bearer,
        Scheme::ApiKey => bearer.or_else(|| {
            headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        }),
    }
}

fn refuse(scheme: Scheme, wrong: bool) -> Response {
    let (message, challenge) = if wrong {
        (
            format!("the {} is not valid", scheme.what()),
            format!(
                "Bearer realm=\"{}\", error=\"invalid_token\"",
                scheme.realm()
            ),
        )
    } else {
        (
            format!(
                "this endpoint requires an {} (Authorization: Bearer …)",
                scheme.what()
            ),
            format!("Bearer realm=\"{}\"", scheme.realm()),
        )
    };
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_plain_or_hashed_and_nothing_else() {
        let file = "# comment\n\nkey-one\nsha256:9d1e6c9b0b5f5c2f7a3ab6b3ef6ca1b5d0e86b4bd5a3b0f6d3ac1f2cf9b5e6b1\n";
        let hashed = format!(
            "key-one\nsha256:{}\n",
            digest("key-two")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let keys = Credentials::parse_keys(&hashed).expect("valid");
        assert_eq!(keys.find("key-one"), Some(0));
        assert_eq!(keys.find("key-two"), Some(1));
        assert_eq!(keys.find("key-three"), None);
        assert_eq!(keys.find(""), None);
        assert!(Credentials::parse_keys(file).is_ok());
        assert_eq!(
            Credentials::parse_keys("sha256:zz"),
            Err(CredentialsError::BadHash { line: 1 })
        );
        assert_eq!(
            Credentials::parse_keys("# nothing\n"),
            Err(CredentialsError::Empty)
        );
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let shown = format!("{:?}", Credentials::token("hunter2"));
        assert_eq!(shown, "Credentials { secrets: 1 }");
    }

    #[test]
    fn the_secret_is_read_from_either_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer  abc "),
        );
        assert_eq!(presented(&headers, Scheme::AdminToken), Some("abc"));
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        assert_eq!(presented(&headers, Scheme::ApiKey), Some("k"));
        assert_eq!(presented(&headers, Scheme::AdminToken), None);
    }
}
