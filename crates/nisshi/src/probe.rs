//! Asks an address whether a Kafka broker answers there, with one raw ApiVersions v0 request.
//!
//! A TCP connect only proves that something listens; `orders up` has to know whether the broker
//! at `KAFKA_BROKERS` is Kafka before it decides not to start its own, and readiness should
//! mean "answers Kafka requests". ApiVersions v0 is the one request every Kafka broker answers
//! before anything else (clients send it first), and it is small enough to write by hand,
//! which keeps this crate free of rdkafka.

use std::{
    io::{Read, Write as _},
    net::{TcpStream, ToSocketAddrs as _},
    sync::atomic::{AtomicI32, Ordering},
    time::Duration,
};

use crate::{Error, Result};

const API_VERSIONS: i16 = 18;
const CLIENT_ID: &[u8] = b"orders-nisshi";
/// More than any real ApiVersions answer (a few hundred bytes); a bigger size means the peer
/// is not speaking Kafka.
const MAX_RESPONSE: usize = 1 << 20;

/// A broker's answer to ApiVersions v0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersions {
    /// Kafka's error code; 0 when the broker accepted the request.
    pub error_code: i16,
    /// The requests the broker serves, with their version ranges.
    pub apis: Vec<ApiVersionRange>,
}

/// One request type a broker serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersionRange {
    /// Kafka's API key (0 Produce, 1 Fetch, 3 Metadata, 18 ApiVersions, …).
    pub api_key: i16,
    /// The oldest version served.
    pub min_version: i16,
    /// The newest version served.
    pub max_version: i16,
}

/// Sends ApiVersions v0 to `addr` (`host:port`) and returns the broker's answer, or
/// [`Error::Probe`] when nothing answers like a Kafka broker within `timeout` (applied to the
/// connect and to each read and write).
pub fn probe(addr: &str, timeout: Duration) -> Result<ApiVersions> {
    let fail = |reason: String| Error::Probe {
        addr: addr.to_owned(),
        reason,
    };
    let mut stream = connect(addr, timeout).map_err(fail)?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|error| fail(error.to_string()))?;

    static NEXT: AtomicI32 = AtomicI32::new(1);
    let correlation_id = NEXT.fetch_add(1, Ordering::Relaxed);
    stream
        .write_all(&request(correlation_id))
        .map_err(|error| fail(format!("sending ApiVersions failed: {error}")))?;

    let mut size = [0; 4];
    stream
        .read_exact(&mut size)
        .map_err(|error| fail(format!("no answer to ApiVersions: {error}")))?;
    let size = usize::try_from(i32::from_be_bytes(size))
        .ok()
        .filter(|size| (6..=MAX_RESPONSE).contains(size))
        .ok_or_else(|| fail("the answer's size is not a Kafka response's".to_owned()))?;
    let mut body = vec![0; size];
    stream
        .read_exact(&mut body)
        .map_err(|error| fail(format!("the answer to ApiVersions was cut short: {error}")))?;

    parse(&body, correlation_id).map_err(|reason| fail(reason.to_owned()))
}

fn connect(addr: &str, timeout: Duration) -> std::result::Result<TcpStream, String> {
    let mut last = format!("{addr} resolves to no address");
    for socket in addr
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve it: {error}"))?
    {
        match TcpStream::connect_timeout(&socket, timeout) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = format!("cannot connect to {socket}: {error}"),
        }
    }
    Err(last)
}

fn request(correlation_id: i32) -> Vec<u8> {
    let mut body = Vec::with_capacity(32);
    body.extend_from_slice(&API_VERSIONS.to_be_bytes());
    body.extend_from_slice(&0_i16.to_be_bytes());
    body.extend_from_slice(&correlation_id.to_be_bytes());
    // The client id is a Kafka STRING: an i16 length, then the bytes.
    body.extend_from_slice(&(CLIENT_ID.len() as i16).to_be_bytes());
    body.extend_from_slice(CLIENT_ID);

    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(&(body.len() as i32).to_be_bytes());
    frame.extend_from_slice(&body);
    frame
}

fn parse(body: &[u8], correlation_id: i32) -> std::result::Result<ApiVersions, &'static str> {
    let mut reader = body;
    if read_i32(&mut reader)? != correlation_id {
        return Err("the answer carries another correlation id");
    }
    let error_code = read_i16(&mut reader)?;
    let count = read_i32(&mut reader)?;
    let count = usize::try_from(count).map_err(|_| "the answer's API count is negative")?;
    if count > reader.len() / 6 {
        return Err("the answer's API count exceeds its size");
    }
    let mut apis = Vec::with_capacity(count);
    for _ in 0..count {
        apis.push(ApiVersionRange {
            api_key: read_i16(&mut reader)?,
            min_version: read_i16(&mut reader)?,
            max_version: read_i16(&mut reader)?,
        });
    }
    Ok(ApiVersions { error_code, apis })
}

fn read_i16(reader: &mut &[u8]) -> std::result::Result<i16, &'static str> {
    let mut bytes = [0; 2];
    reader
        .read_exact(&mut bytes)
        .map_err(|_| "the answer is shorter than an ApiVersions response")?;
    Ok(i16::from_be_bytes(bytes))
}

fn read_i32(reader: &mut &[u8]) -> std::result::Result<i32, &'static str> {
    let mut bytes = [0; 4];
    reader
        .read_exact(&mut bytes)
        .map_err(|_| "the answer is shorter than an ApiVersions response")?;
    Ok(i32::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::{ApiVersionRange, parse, request};

    #[test]
    fn the_request_is_a_sized_api_versions_v0_frame() {
        let frame = request(7);

        assert_eq!(&frame[..4], &(frame.len() as i32 - 4).to_be_bytes());
        assert_eq!(&frame[4..6], &18_i16.to_be_bytes());
        assert_eq!(&frame[6..8], &0_i16.to_be_bytes());
        assert_eq!(&frame[8..12], &7_i32.to_be_bytes());
        assert_eq!(&frame[14..], b"orders-nisshi");
    }

    #[test]
    fn an_answer_with_another_correlation_id_is_refused() {
        let mut body = 8_i32.to_be_bytes().to_vec();
        body.extend_from_slice(&0_i16.to_be_bytes());
        body.extend_from_slice(&0_i32.to_be_bytes());

        assert!(parse(&body, 7).is_err());
        assert_eq!(parse(&body, 8).unwrap().apis, Vec::<ApiVersionRange>::new());
    }

    #[test]
    fn an_answer_that_claims_more_apis_than_it_holds_is_refused() {
        let mut body = 1_i32.to_be_bytes().to_vec();
        body.extend_from_slice(&0_i16.to_be_bytes());
        body.extend_from_slice(&1000_i32.to_be_bytes());

        assert!(parse(&body, 1).is_err());
    }
}
