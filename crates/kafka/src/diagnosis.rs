//! Why a secured cluster refuses this client, in one line that says what to fix.
//!
//! librdkafka treats a wrong password, an untrusted certificate or a TLS/plaintext
//! mismatch like any broker it cannot reach: it logs a line, reconnects a second later
//! and, for a metadata request, ends in a time-out that names none of it. Those causes
//! never fix themselves, so this module picks them out of librdkafka's errors and log
//! lines, keeps the newest one for the process (its clients all talk to one cluster),
//! and lets the callers fail at once (the one-shot commands), report not ready (the
//! services) and log it once rather than every second.

use rdkafka::error::RDKafkaErrorCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What kind of refusal, each with its own advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Credentials,
    Mechanism,
    UntrustedCertificate,
    NotTls,
    ExpectsTls,
    Tls,
}

impl Cause {
    /// The cause a librdkafka error or log line names, if it is one of ours.
    fn of(code: Option<RDKafkaErrorCode>, text: &str) -> Option<Self> {
        let broker = strip_thread(text);
        let tls_client = broker.starts_with("ssl://") || broker.starts_with("sasl_ssl://");
        if text.contains("connecting to a PLAINTEXT broker listener?") {
            Some(Self::NotTls)
        } else if text.contains("connecting to a SSL listener?")
            // librdkafka 2.12 no longer says so itself: a plaintext client whose very
            // first request is answered by a closed connection.
            || (!tls_client
                && text.contains("Disconnected")
                && text.contains("in state APIVERSION_QUERY"))
        {
            Some(Self::ExpectsTls)
        } else if tls_client
            && text.contains("Disconnected")
            && text.contains("in state SSL_HANDSHAKE")
            && !text.contains("certificate")
        {
            // A plaintext listener reads the ClientHello as a request of absurd size and
            // drops the connection; librdkafka names the cause only on a later attempt.
            Some(Self::NotTls)
        } else if text.contains("Local: Broker transport failure") && text.contains("in state DOWN")
        {
            // A SASL request on a connection that was already down (a client closing while
            // it connects, a coordinator connection dropped mid-handshake) is no answer
            // from the broker about mechanisms or credentials; the next connection retries.
            None
        } else if text.contains("mechanism handshake failed") {
            Some(Self::Mechanism)
        } else if text.contains("certificate verify failed") || text.contains("0A000086") {
            Some(Self::UntrustedCertificate)
        } else if code == Some(RDKafkaErrorCode::Authentication)
            || text.contains("SASL authentication error")
            || text.contains("SASL SCRAM")
            || text.contains("Authentication failed")
            || text.contains("Unsupported SASL mechanism")
        {
            Some(Self::Credentials)
        } else if code == Some(RDKafkaErrorCode::SSL) || text.contains("SSL handshake failed") {
            Some(Self::Tls)
        } else {
            None
        }
    }

    fn advice(self) -> &'static str {
        match self {
            Self::Credentials => {
                "the broker refused the SASL credentials: check KAFKA_SASL_USERNAME, \
                 KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM"
            }
            Self::Mechanism => {
                "the broker does not take this SASL mechanism (it lists the ones it takes; \
                 none means that listener takes no SASL): check KAFKA_SASL_MECHANISM and \
                 KAFKA_SECURITY_PROTOCOL"
            }
            Self::UntrustedCertificate => {
                "the broker's TLS certificate is not trusted: KAFKA_SSL_CA_LOCATION must name \
                 the CA that issued it"
            }
            Self::NotTls => {
                "the broker does not speak TLS on this port: use KAFKA_SECURITY_PROTOCOL=\
                 PLAINTEXT (or SASL_PLAINTEXT), or the broker's TLS listener"
            }
            Self::ExpectsTls => {
                "the broker closed the connection before answering, as a TLS listener does \
                 with a plaintext client: use KAFKA_SECURITY_PROTOCOL=SSL (or SASL_SSL)"
            }
            Self::Tls => "the TLS handshake with the broker failed",
        }
    }

    /// Transport hints can also come from one unlucky disconnect (a broker restarting
    /// mid-handshake): those count once they repeat; the others are certain at once.
    fn needs_repeat(self) -> bool {
        // A refused password, certificate or mechanism is certain at once.
        matches!(self, Self::NotTls | Self::ExpectsTls)
    }
}

/// One diagnosed refusal.
#[derive(Debug, Clone)]
struct Seen {
    cause: Cause,
    line: String,
    last: Instant,
    count: u32,
    /// When it was last logged above debug.
    logged: Option<Instant>,
}

static NEWEST: Mutex<Option<Seen>> = Mutex::new(None);

/// How long a diagnosis stands without being seen again. librdkafka retries about every
/// second but logs an identical failure only once in 30 s, so a cause that persists is
/// seen again within this; one that is fixed is cleared sooner, by the first request a
/// broker answers ([`clear`]).
const STANDS_FOR: Duration = Duration::from_secs(40);
/// How often a cause that persists is logged again above debug.
const RELOG_EVERY: Duration = Duration::from_secs(60);

/// What [`observe`] made of an error or log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Observed {
    /// Not a refusal this module knows.
    Other,
    /// A refusal, already logged recently: keep it at debug.
    Repeat,
    /// A refusal to log now, with this one-line explanation.
    Report(String),
}

/// Records `text` (a librdkafka error or log line) if it names a refusal.
pub(crate) fn observe(code: Option<RDKafkaErrorCode>, text: &str) -> Observed {
    let Some(cause) = Cause::of(code, text) else {
        return Observed::Other;
    };
    let now = Instant::now();
    let line = format!("{}: {}", cause.advice(), strip_thread(text));
    let mut newest = NEWEST.lock().unwrap_or_else(|p| p.into_inner());
    let seen = match newest.as_mut() {
        Some(seen) if seen.cause == cause && now - seen.last < STANDS_FOR => {
            seen.count += 1;
            seen.last = now;
            seen.line = line;
            seen
        }
        _ => newest.insert(Seen {
            cause,
            line,
            last: now,
            count: 1,
            logged: None,
        }),
    };
    let certain = !cause.needs_repeat() || seen.count >= 2;
    let due = seen.logged.is_none_or(|at| now - at >= RELOG_EVERY);
    if certain && due {
        seen.logged = Some(now);
        Observed::Report(seen.line.clone())
    } else {
        Observed::Repeat
    }
}

/// Why this process's Kafka clients are being refused right now, if they are: a
/// refusal seen within [`STANDS_FOR`] and not cleared by an answer since. Services
/// answer not ready with it.
pub fn refused() -> Option<String> {
    let newest = NEWEST.lock().unwrap_or_else(|p| p.into_inner());
    newest
        .as_ref()
        .filter(|seen| seen.last.elapsed() < STANDS_FOR)
        .filter(|seen| !seen.cause.needs_repeat() || seen.count >= 2)
        .map(|seen| seen.line.clone())
}

/// Forgets the refusal: a broker has answered since.
pub(crate) fn clear() {
    let mut newest = NEWEST.lock().unwrap_or_else(|p| p.into_inner());
    if newest.take().is_some_and(|seen| seen.logged.is_some()) {
        tracing::info!(target: "orders_kafka", "Kafka accepts the connection again");
    }
}

/// librdkafka prefixes lines with its thread (`[thrd:sasl_ssl://host:port/bootstrap]: `),
/// which says nothing a reader needs twice.
fn strip_thread(text: &str) -> &str {
    match text.strip_prefix("[thrd:") {
        Some(rest) => rest.split_once("]: ").map_or(text, |(_, message)| message),
        None => text,
    }
    .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_librdkafka_reports_has_its_advice() {
        let cases = [
            (
                "[thrd:sasl_ssl://127.0.0.1:1/bootstrap]: sasl_ssl://127.0.0.1:1/bootstrap: \
                 SASL authentication error: SaslAuthenticateRequest failed: Local: Broker \
                 handle destroyed",
                Cause::Credentials,
            ),
            (
                "ssl://127.0.0.1:1/bootstrap: SSL handshake failed: error:0A000086:SSL \
                 routines::certificate verify failed: broker certificate could not be verified",
                Cause::UntrustedCertificate,
            ),
            (
                "ssl://127.0.0.1:1/bootstrap: SSL handshake failed: Disconnected: connecting to \
                 a PLAINTEXT broker listener?",
                Cause::NotTls,
            ),
            (
                "[thrd:ssl://127.0.0.1:1/bootstrap]: ssl://127.0.0.1:1/bootstrap: Disconnected: \
                 connection reset by peer (after 0ms in state SSL_HANDSHAKE)",
                Cause::NotTls,
            ),
            (
                "127.0.0.1:1/bootstrap: Disconnected while requesting ApiVersion: might be \
                 caused by incorrect security.protocol configuration (connecting to a SSL \
                 listener?) or broker version is < 0.10 (see api.version.request)",
                Cause::ExpectsTls,
            ),
            (
                "[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Disconnected: connection \
                 closed by peer: receive 0 after POLLIN (after 2ms in state APIVERSION_QUERY)",
                Cause::ExpectsTls,
            ),
            (
                "sasl_plaintext://127.0.0.1:1/bootstrap: SASL SCRAM-SHA-512 mechanism handshake \
                 failed: Broker: Request not valid in current SASL state: broker's supported \
                 mechanisms:  (after 1ms in state AUTH_HANDSHAKE)",
                Cause::Mechanism,
            ),
        ];
        for (text, cause) in cases {
            assert_eq!(Cause::of(None, text), Some(cause), "{text}");
        }
        for not_a_refusal in [
            "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed",
            // Seen when a client is closed while it connects to a SCRAM listener.
            "GroupCoordinator: SASL SCRAM-SHA-512 mechanism handshake failed: Local: Broker \
             transport failure: broker's supported mechanisms: (n/a) (after 0ms in state DOWN)",
            // Seen on a group coordinator connection of a client with the right password.
            "GroupCoordinator: SASL authentication error: SaslAuthenticateRequest failed: \
             Local: Broker transport failure (after 0ms in state DOWN)",
        ] {
            assert_eq!(Cause::of(None, not_a_refusal), None, "{not_a_refusal}");
        }
    }

    #[test]
    fn the_thread_prefix_is_dropped() {
        assert_eq!(
            strip_thread("[thrd:a://b:1/c]: a://b:1/c: boom"),
            "a://b:1/c: boom"
        );
        assert_eq!(strip_thread("plain"), "plain");
    }
}
