//! The HTTP calls: `POST /subjects/{subject}/versions` and
//! `GET /subjects/{subject}/versions/latest`, with the registry's error bodies
//! (`{"error_code": 40401, "message": "…"}`) turned into [`Error`] variants.

use crate::{Error, RegisteredSchema, Result, Schema, SchemaType};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{RequestBuilder, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long one call may take, connection included, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The media type of the Confluent API, version 1.
const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";
/// What Confluent's own clients accept, so that registries that negotiate answer alike.
const ACCEPTED: &str = "application/vnd.schemaregistry.v1+json, \
                        application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
/// The registry's "subject not found" and "version not found" error codes.
const SUBJECT_NOT_FOUND: i64 = 40401;
const VERSION_NOT_FOUND: i64 = 40402;
/// How much of an unexpected body to quote in an error.
const SNIPPET: usize = 200;

/// A registry at one base URL, e.g. `http://localhost:8081` or
/// `https://KEY:SECRET@psrc-xxxx.confluent.cloud` (credentials in the URL are sent as
/// HTTP basic authentication and never printed).
#[derive(Debug, Clone)]
pub struct RegistryClient {
    base: Url,
    http: reqwest::Client,
}

/// What the registry holds for a subject, compared with a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// The latest version is the same schema.
    Same(RegisteredSchema),
    /// The latest version is another schema.
    Different(RegisteredSchema),
    /// The subject has no version.
    Missing,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegisterRequest<'a> {
    schema: &'a str,
    schema_type: SchemaType,
}

#[derive(Deserialize)]
struct RegisterResponse {
    id: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionResponse {
    subject: String,
    version: i32,
    id: i32,
    #[serde(default)]
    schema_type: SchemaType,
    schema: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error_code: i64,
    message: String,
}

impl RegistryClient {
    /// A client for the registry at `url`, with [`DEFAULT_TIMEOUT`]. Does not contact it.
    pub fn new(url: &str) -> Result<Self> {
        Self::with_timeout(url, DEFAULT_TIMEOUT)
    }

    /// A client whose calls give up after `timeout`.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidUrl {
            url: redact(url),
            reason: reason.to_owned(),
        };
        let mut base = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if base.cannot_be_a_base() || base.host_str().is_none() {
            return Err(invalid("it has no host"));
        }
        base.set_query(None);
        base.set_fragment(None);
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .build()
            .map_err(Error::Client)?;
        Ok(Self { base, http })
    }

    /// The base URL without its credentials, for messages.
    pub fn url(&self) -> String {
        let mut url = self.base.clone();
        // Cannot fail: the URL was checked to have a host.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.to_string()
    }

    /// Registers `schema` under `subject` and returns its registry-wide id. Registering
    /// a schema that the subject already has returns the id it has, so a deploy step can
    /// run this every time.
    pub async fn register(&self, subject: &str, schema: &Schema) -> Result<i32> {
        let body = RegisterRequest {
            schema: &schema.text,
            schema_type: schema.schema_type,
        };
        let request = self
            .http
            .post(self.endpoint(&["subjects", subject, "versions"]))
            .header(CONTENT_TYPE, MEDIA_TYPE)
            .body(serde_json::to_vec(&body).unwrap_or_default());
        let registered: RegisterResponse = self.call(request, subject).await?;
        Ok(registered.id)
    }

    /// The latest version of `subject`.
    pub async fn latest(&self, subject: &str) -> Result<RegisteredSchema> {
        let request = self
            .http
            .get(self.endpoint(&["subjects", subject, "versions", "latest"]));
        let version: VersionResponse = self.call(request, subject).await?;
        Ok(RegisteredSchema {
            subject: version.subject,
            version: version.version,
            id: version.id,
            schema: Schema {
                schema_type: version.schema_type,
                text: version.schema,
            },
        })
    }

    /// Compares the latest version of `subject` with `schema` (see [`Schema::same_as`]).
    pub async fn compare(&self, subject: &str, schema: &Schema) -> Result<Comparison> {
        match self.latest(subject).await {
            Ok(registered) if registered.schema.same_as(schema) => Ok(Comparison::Same(registered)),
            Ok(registered) => Ok(Comparison::Different(registered)),
            Err(error) if error.is_not_found() => Ok(Comparison::Missing),
            Err(error) => Err(error),
        }
    }

    /// The base URL with `segments` appended, each percent-encoded (a subject may hold
    /// any character), after whatever path the base has (a registry behind a prefix).
    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    async fn call<T: DeserializeOwned>(&self, request: RequestBuilder, subject: &str) -> Result<T> {
        let unreachable = |source| Error::Unreachable {
            url: self.url(),
            source,
        };
        let response = request
            .header(ACCEPT, ACCEPTED)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| Error::UnexpectedResponse {
                status: status.as_u16(),
                detail: format!("{e} in {}", snippet(&body)),
            });
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(ErrorBody {
                error_code: SUBJECT_NOT_FOUND | VERSION_NOT_FOUND,
                message,
            }) => Err(Error::SubjectNotFound {
                subject: subject.to_owned(),
                message,
            }),
            Ok(ErrorBody {
                error_code,
                message,
            }) => Err(Error::Refused {
                status: status.as_u16(),
                code: error_code,
                message,
            }),
            Err(_) => Err(Error::UnexpectedResponse {
                status: status.as_u16(),
                detail: snippet(&body),
            }),
        }
    }
}

/// The start of a body, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.len() > SNIPPET {
        let mut end = SNIPPET;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line.truncate(end);
        line.push('…');
    }
    if line.is_empty() {
        "an empty body".to_owned()
    } else {
        format!("{line:?}")
    }
}

/// `url` without a password, for an error about a URL that may not even parse.
fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Unparsable: keep at most what precedes a possible `user:password@`.
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(base: &str, segments: &[&str]) -> String {
        RegistryClient::new(base)
            .unwrap()
            .endpoint(segments)
            .to_string()
    }

    #[test]
    fn endpoints_follow_the_base_path_and_encode_the_subject() {
        assert_eq!(
            endpoint(
                "http://localhost:8081",
                &["subjects", "order_created-value"]
            ),
            "http://localhost:8081/subjects/order_created-value"
        );
        assert_eq!(
            endpoint(
                "https://proxy/registry/",
                &["subjects", "a/b c", "versions"]
            ),
            "https://proxy/registry/subjects/a%2Fb%20c/versions"
        );
    }

    #[test]
    fn urls_that_cannot_be_a_registry_are_refused_up_front() {
        for url in ["localhost:8081", "ftp://host", "not a url", "http://"] {
            let error = RegistryClient::new(url).unwrap_err();
            assert!(matches!(error, Error::InvalidUrl { .. }), "{url}: {error}");
        }
    }

    #[test]
    fn credentials_never_show_in_messages() {
        let client = RegistryClient::new("https://key:secret@registry.example/").unwrap();
        assert_eq!(client.url(), "https://registry.example/");
        let error = RegistryClient::new("https://key:secret@").unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn snippets_are_short_and_on_one_line() {
        assert_eq!(
            snippet(b"<html>\n <b>502</b>\n</html>"),
            r#""<html> <b>502</b> </html>""#
        );
        assert_eq!(snippet(b""), "an empty body");
        assert!(snippet("é".repeat(300).as_bytes()).chars().count() < 210);
    }
}
