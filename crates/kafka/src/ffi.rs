//! The only code that calls librdkafka directly, for what rdkafka's safe API cannot do:
//! read header keys that are not UTF-8 without panicking; read the errors of a client
//! nobody polls (an admin client's main queue), so that a refused connection is diagnosed
//! rather than waited out; and, for tests, write a header key that is not UTF-8 (as any
//! client can) and inject a fatal producer error (librdkafka's own test hook).
#![allow(unsafe_code)]

use rdkafka::ClientContext;
use rdkafka::bindings as rd;
use rdkafka::client::Client;
use rdkafka::message::{BorrowedMessage, OwnedHeaders};
use rdkafka::types::RDKafkaRespErr;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};
use std::ptr;

/// The message's headers in order, keys and values as bytes (a header with a null value
/// reads as empty).
pub(crate) fn headers(message: &BorrowedMessage<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut headers = Vec::new();
    let mut hdrs: *mut rd::rd_kafka_headers_t = ptr::null_mut();
    // SAFETY: `message.ptr()` is a valid message for the lifetime of `message`;
    // librdkafka parses its headers on the first call and keeps them owned by the
    // message, so `hdrs` lives as long as `message` and is never freed here.
    let found = unsafe { rd::rd_kafka_message_headers(message.ptr(), &mut hdrs) };
    if found != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR || hdrs.is_null() {
        return headers;
    }
    // SAFETY: `hdrs` is the valid header list obtained above.
    let count = unsafe { rd::rd_kafka_header_cnt(hdrs) };
    for idx in 0..count {
        let mut name: *const c_char = ptr::null();
        let mut value: *const c_void = ptr::null();
        let mut size = 0usize;
        // SAFETY: `idx` is below the count; the out-pointers point to locals.
        let got =
            unsafe { rd::rd_kafka_header_get_all(hdrs, idx, &mut name, &mut value, &mut size) };
        if got != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR || name.is_null() {
            continue;
        }
        // SAFETY: librdkafka returns a NUL-terminated name and, when the value is not
        // null, `size` readable bytes at `value`, both owned by the header list.
        let (key, value) = unsafe {
            let key = CStr::from_ptr(name).to_bytes().to_vec();
            let value = if value.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(value.cast::<u8>(), size).to_vec()
            };
            (key, value)
        };
        headers.push((key, value));
    }
    headers
}

/// Makes `client` fail as on a fatal idempotent-producer error (out-of-order sequence).
pub(crate) fn inject_fatal_error<C: ClientContext>(client: &Client<C>, reason: &str) {
    let reason = CString::new(reason.replace('\0', " ")).unwrap_or_default();
    // SAFETY: the client pointer is valid while `client` is borrowed; librdkafka copies
    // the reason string before returning.
    unsafe {
        rd::rd_kafka_test_fatal_error(
            client.native_ptr(),
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
            reason.as_ptr(),
        );
    }
}

/// Appends a header whose key is `key`'s bytes, whatever they are.
pub(crate) fn add_raw_header(headers: &OwnedHeaders, key: &[u8], value: &[u8]) {
    let list = std::ptr::from_ref(headers.as_borrowed())
        .cast_mut()
        .cast::<rd::rd_kafka_headers_t>();
    // SAFETY: `as_borrowed` is the header list's own pointer (rdkafka casts it the same
    // way), valid while `headers` is; librdkafka copies the name (with its explicit size,
    // so any bytes) and the value before returning.
    unsafe {
        rd::rd_kafka_header_add(
            list,
            key.as_ptr().cast::<c_char>(),
            isize::try_from(key.len()).unwrap_or(0),
            value.as_ptr().cast::<c_void>(),
            isize::try_from(value.len()).unwrap_or(0),
        );
    }
}

/// The errors and log lines waiting on the main queue of `client`, oldest first, as
/// (error code, text). Only for clients whose main queue nobody else polls (admin
/// clients, consumers before they read): a producer's queue also holds its delivery
/// reports, which must not be taken from it.
pub(crate) fn drain_main_queue<C: ClientContext>(
    client: &Client<C>,
) -> Vec<(Option<RDKafkaRespErr>, String)> {
    let mut drained = Vec::new();
    // SAFETY: the client pointer is valid while `client` is borrowed; the queue handle
    // is released below; each event is read while it exists and destroyed once, and the
    // strings librdkafka returns for it are copied before that.
    unsafe {
        let queue = rd::rd_kafka_queue_get_main(client.native_ptr());
        if queue.is_null() {
            return drained;
        }
        loop {
            let event = rd::rd_kafka_queue_poll(queue, 0);
            if event.is_null() {
                break;
            }
            match rd::rd_kafka_event_type(event) {
                rd::RD_KAFKA_EVENT_ERROR => {
                    let code = rd::rd_kafka_event_error(event);
                    let text = rd::rd_kafka_event_error_string(event);
                    if !text.is_null() {
                        let text = CStr::from_ptr(text).to_string_lossy().into_owned();
                        drained.push((Some(code), text));
                    }
                }
                rd::RD_KAFKA_EVENT_LOG => {
                    let mut facility: *const c_char = ptr::null();
                    let mut text: *const c_char = ptr::null();
                    let mut level = 0;
                    let read = rd::rd_kafka_event_log(event, &mut facility, &mut text, &mut level);
                    if read == 0 && !text.is_null() {
                        let text = CStr::from_ptr(text).to_string_lossy().into_owned();
                        drained.push((None, text));
                    }
                }
                _ => {}
            }
            rd::rd_kafka_event_destroy(event);
        }
        rd::rd_kafka_queue_destroy(queue);
    }
    drained
}
