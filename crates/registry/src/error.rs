//! Why talking to the registry failed, told apart so that the CLI can say whether to fix
//! the URL, start the registry, register the subject or look at the schema.

/// A failed registry call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The registry URL does not parse or is not HTTP(S).
    #[error("invalid schema registry URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The HTTP client could not be built (its TLS backend failed to start).
    #[error("cannot set up an HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// Nothing answered, or the connection broke before a whole answer came back.
    #[error("cannot reach the schema registry at {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The subject has no version: never registered, or every version was deleted.
    #[error("subject {subject} is not registered: {message}")]
    SubjectNotFound { subject: String, message: String },
    /// The registry answered with one of its own errors (`{"error_code", "message"}`):
    /// an invalid schema (42201), an incompatible one (409), its own failure (50001…).
    #[error("the schema registry refused the request (HTTP {status}, error {code}): {message}")]
    Refused {
        status: u16,
        code: i64,
        message: String,
    },
    /// Something answered, but not the way a schema registry does (a proxy's error
    /// page, a different service on that port).
    #[error("unexpected answer from the schema registry (HTTP {status}): {detail}")]
    UnexpectedResponse { status: u16, detail: String },
}

impl Error {
    /// Whether the subject (or its latest version) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::SubjectNotFound { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
