//! TLS to Postgres as libpq users expect it from `sslmode` and `sslrootcert`.
//!
//! sqlx reads both from the URL, but with rustls it differs from libpq in two ways that
//! matter: `sslmode=require` with an `sslrootcert` does not verify the server (libpq
//! then behaves as `verify-ca`), and `verify-ca`/`verify-full` trust the public web's
//! CAs *beside* `sslrootcert` (libpq trusts that file alone, so with sqlx's `verify-ca`
//! any publicly trusted certificate would pass). So before sqlx connects, [`prepare`]
//! upgrades `require` as libpq does, and [`verify`] makes one TLS handshake of its own
//! that trusts only `sslrootcert`, checking the host name for `verify-full`: a server
//! whose certificate the file does not vouch for is refused at start-up, with a line
//! that says which check failed. (`sslrootcert=system`, libpq 16's word for the
//! platform's CAs, is passed to sqlx as its own default: the public web's roots.)

use crate::error::{Error, Result};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What [`verify`] checks: set when the URL asks for a verified server and names the
/// CA to trust.
#[derive(Debug, Clone)]
pub(crate) struct Pinned {
    root: PathBuf,
    full: bool,
}

/// Applies libpq's reading of `sslmode` and `sslrootcert` to `options` (parsed from
/// `url`), and says what to verify before connecting.
pub(crate) fn prepare(url: &str, options: PgConnectOptions) -> (PgConnectOptions, Option<Pinned>) {
    // The URL's, else libpq's variable (which sqlx reads too).
    let root = parameter(url, "sslrootcert").or_else(|| {
        std::env::var("PGSSLROOTCERT")
            .ok()
            .filter(|v| !v.is_empty())
    });
    let mode = options.get_ssl_mode();
    if root.as_deref() == Some("system") {
        // Not a file: sqlx's own roots are the system's here.
        let options = without_parameter(url, "sslrootcert").unwrap_or(options);
        let mode = match mode {
            // libpq 16: `system` implies verify-full unless a weaker mode is explicit.
            PgSslMode::Prefer => PgSslMode::VerifyFull,
            other => other,
        };
        return (options.ssl_mode(mode), None);
    }
    let Some(root) = root else {
        return (options, None);
    };
    let mode = match mode {
        PgSslMode::Require => PgSslMode::VerifyCa,
        other => other,
    };
    let pinned = match mode {
        PgSslMode::VerifyCa => Some(false),
        PgSslMode::VerifyFull => Some(true),
        _ => None,
    }
    .map(|full| Pinned {
        root: PathBuf::from(root),
        full,
    });
    (options.ssl_mode(mode), pinned)
}

/// `url` without the query parameter `name`, parsed.
fn without_parameter(url: &str, name: &str) -> Option<PgConnectOptions> {
    let (base, query) = url.split_once('?')?;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| pair.split('=').next() != Some(name))
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    url.parse().ok()
}

/// A query parameter of `url`, percent-decoded enough for a path.
fn parameter(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.replace("%2F", "/").replace("%2f", "/"))
}

/// One TLS handshake with the server of `options`, trusting only the pinned CA.
pub(crate) async fn verify(
    options: &PgConnectOptions,
    pinned: &Pinned,
    timeout: Duration,
) -> Result<()> {
    let host = options.get_host().to_owned();
    if host.starts_with('/') {
        // A Unix socket: no TLS there.
        return Ok(());
    }
    match tokio::time::timeout(timeout, handshake(&host, options.get_port(), pinned)).await {
        Ok(result) => result,
        Err(_) => Err(Error::Tls {
            reason: format!("no TLS handshake with {host} within {timeout:?}"),
        }),
    }
}

async fn handshake(host: &str, port: u16, pinned: &Pinned) -> Result<()> {
    let fail = |reason: String| Error::Tls { reason };
    let roots = roots(pinned)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| fail(format!("sslrootcert {}: {e}", pinned.root.display())))?;
    let verifier: Arc<dyn ServerCertVerifier> = if pinned.full {
        verifier
    } else {
        Arc::new(AnyName(verifier))
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| fail(format!("{host} is not a host name: {e}")))?;

    let mut tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| Error::Connect {
            backend: crate::Backend::Postgres,
            source: orders_core::StoreError::Unavailable(format!(
                "postgres connect: {host}:{port}: {e}"
            )),
        })?;
    // SSLRequest: length 8, code 80877103.
    tcp.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
        .await
        .map_err(|e| fail(format!("{host}:{port}: {e}")))?;
    let mut answer = [0u8; 1];
    tcp.read_exact(&mut answer)
        .await
        .map_err(|e| fail(format!("{host}:{port}: {e}")))?;
    if answer[0] != b'S' {
        return Err(fail(format!(
            "the server at {host}:{port} does not support TLS (sslmode asks for it)"
        )));
    }
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match connector.connect(name, tcp).await {
        Ok(mut stream) => {
            let _ = stream.shutdown().await;
            Ok(())
        }
        Err(e) => Err(fail(explain(&e, host, pinned))),
    }
}

fn roots(pinned: &Pinned) -> Result<RootCertStore> {
    let path = &pinned.root;
    let fail = |reason: String| Error::Tls {
        reason: format!("sslrootcert {}: {reason}", path.display()),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<std::result::Result<_, _>>())
        .map_err(|e| fail(e.to_string()))?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(fail("it holds no CA certificate".into()));
    }
    Ok(roots)
}

/// The handshake's failure as a reader needs it: which check, against what.
fn explain(error: &std::io::Error, host: &str, pinned: &Pinned) -> String {
    let tls = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
        | Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            ..
        })) => format!(
            "the server's certificate is not valid for the host name {host} \
             (sslmode=verify-full)"
        ),
        Some(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => format!(
            "the server's certificate is not signed by the CA in sslrootcert ({})",
            pinned.root.display()
        ),
        Some(rustls::Error::InvalidCertificate(other)) => {
            format!("the server's certificate is refused: {other:?}")
        }
        _ => format!("TLS handshake with {host} failed: {error}"),
    }
}

/// `verify-ca`: the chain must lead to the pinned CA; the name is not checked.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The mode as its URL spelling, and whether the name is checked.
    fn prepared(url: &str) -> (String, Option<bool>) {
        let options = PgConnectOptions::from_str(url).expect("a valid URL");
        let (options, pinned) = prepare(url, options);
        let mode = format!("{:?}", options.get_ssl_mode());
        (mode, pinned.map(|p| p.full))
    }

    #[test]
    fn sslmode_and_sslrootcert_read_as_libpq_reads_them() {
        let base = "postgres://u@db.example/orders";
        assert_eq!(prepared(base), ("Prefer".into(), None));
        assert_eq!(
            prepared(&format!("{base}?sslmode=require")),
            ("Require".into(), None)
        );
        assert_eq!(
            prepared(&format!("{base}?sslmode=require&sslrootcert=/ca.pem")),
            ("VerifyCa".into(), Some(false)),
            "require with a root CA verifies the chain, as libpq does"
        );
        assert_eq!(
            prepared(&format!("{base}?sslmode=verify-full&sslrootcert=/ca.pem")),
            ("VerifyFull".into(), Some(true))
        );
        assert_eq!(
            prepared(&format!("{base}?sslrootcert=system")),
            ("VerifyFull".into(), None)
        );
    }
}
