//! The served OpenAPI document against the code: it is OpenAPI 3.1, it names exactly the
//! routes the router is built from (`orders_gateway::routes`), and what the gateway really answers validates against the
//! schemas and status codes it documents.

use super::{Answer, RecordingPublisher, app, request, send};
use axum::http::{Method, StatusCode};
use orders_core::PublishError;
use orders_gateway::GatewayConfig;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const JSON: (&str, &[u8]) = ("content-type", b"application/json");

async fn served_document() -> Value {
    let app = app(Arc::default(), &GatewayConfig::default());
    let answer = send(&app, request(Method::GET, "/openapi.json", &[], Vec::new())).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/json");
    answer.json()
}

/// (path, METHOD) of every operation in the document.
fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert((path.clone(), method.to_ascii_uppercase()));
        }
    }
    operations
}

/// (path, METHOD) of every route the router is built from.
fn routed() -> BTreeSet<(String, String)> {
    orders_gateway::routes()
        .into_iter()
        .map(|route| (route.path.to_owned(), route.method.to_string()))
        .collect()
}

/// Paths a router might serve from outside its route table (a layer, a nested router):
/// none of them may answer unless the table has it.
const LIKELY_PATHS: &[&str] = &[
    "/",
    "/metrics",
    "/stats",
    "/health",
    "/ready",
    "/docs",
    "/openapi.yaml",
    "/orders/x",
];

#[tokio::test]
async fn the_served_document_is_openapi_3_1() {
    let document = served_document().await;
    let version = document["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "openapi: {version}");
    assert_eq!(
        document,
        serde_json::to_value(orders_gateway::openapi::document()).unwrap()
    );
}

#[tokio::test]
async fn the_document_names_exactly_the_routes_of_the_router() {
    let documented = documented(&served_document().await);
    let routed = routed();
    assert_eq!(documented, routed, "documented (left) vs routed (right)");

    let app = app(Arc::default(), &GatewayConfig::default());
    for path in LIKELY_PATHS {
        let answer = send(&app, request(Method::GET, path, &[], Vec::new())).await;
        let listed = routed.iter().any(|(p, _)| p == path);
        assert_eq!(
            answer.status != StatusCode::NOT_FOUND,
            listed,
            "GET {path} answered {} but the route table {} it",
            answer.status,
            if listed { "lists" } else { "does not list" }
        );
    }
}

#[tokio::test]
async fn every_documented_operation_answers_and_no_other_method_does() {
    let document = served_document().await;
    let app = app(Arc::default(), &GatewayConfig::default());
    let operations = documented(&document);
    let paths: BTreeSet<_> = operations.iter().map(|(p, _)| p.clone()).collect();
    for path in paths {
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ] {
            let answer = send(&app, request(method.clone(), &path, &[], Vec::new())).await;
            if operations.contains(&(path.clone(), method.to_string())) {
                assert!(
                    ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED]
                        .contains(&answer.status),
                    "{method} {path} is documented but answered {}",
                    answer.status
                );
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}"
                );
            }
        }
    }
}

/// Checks `answer` to `method path` against the document: its status is documented for
/// the operation, and its body validates against the schema documented for that status.
fn assert_documented(document: &Value, method: &str, path: &str, answer: &Answer) {
    let status = answer.status.as_u16().to_string();
    let response = &document["paths"][path][method]["responses"][&status];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which the document does not list"
    );
    let Some(content) = response["content"].as_object() else {
        assert!(
            answer.body.is_empty(),
            "{status} has a body but no documented content"
        );
        return;
    };
    let content_type = answer.headers["content-type"].to_str().unwrap();
    let essence = content_type.split(';').next().unwrap().trim();
    assert!(
        content.contains_key(essence),
        "{method} {path} {status} answered {content_type}, documented: {:?}",
        content.keys()
    );
    if essence != "application/json" {
        return;
    }
    let schema = &content[essence]["schema"];
    // The operation's schema, with the document's components beside it so that its
    // `$ref`s resolve.
    let mut schema = schema.clone();
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    schema["components"] = document["components"].clone();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let body = answer.json();
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {body} breaks its documented schema: {errors:#?}"
    );
    for header in response["headers"]
        .as_object()
        .into_iter()
        .flat_map(|h| h.keys())
    {
        assert!(
            answer.headers.contains_key(header.as_str()),
            "{method} {path} {status} lacks its documented header {header}"
        );
    }
}

fn order() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "customerId": "06F3BBF9-24AD-4D18-9D0D-7FAD5B5F5CBF",
        "items": [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 1}],
        "totalAmount": 149.99
    }))
    .unwrap()
}

#[tokio::test]
async fn every_answer_of_post_orders_is_documented_with_its_body_and_headers() {
    let document = served_document().await;
    let config = GatewayConfig {
        max_body_bytes: 1024,
        ..GatewayConfig::default()
    };
    let ok = app(Arc::default(), &config);
    let post =
        |headers: &[(&str, &[u8])], body: Vec<u8>| request(Method::POST, "/orders", headers, body);

    let cases = [
        (StatusCode::ACCEPTED, post(&[JSON], order())),
        (
            StatusCode::ACCEPTED,
            post(&[JSON, ("x-correlation-id", b"client-id/1")], order()),
        ),
        (
            StatusCode::BAD_REQUEST,
            post(&[JSON], b"{not json".to_vec()),
        ),
        (
            StatusCode::BAD_REQUEST,
            post(&[JSON], b"{\"items\":[]}".to_vec()),
        ),
        (
            StatusCode::BAD_REQUEST,
            post(&[JSON, ("x-correlation-id", b"has space")], order()),
        ),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            post(&[JSON], vec![b' '; 2048]),
        ),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            post(&[("content-type", b"text/plain")], order()),
        ),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, post(&[], order())),
    ];
    for (expected, request) in cases {
        let answer = send(&ok, request).await;
        assert_eq!(
            answer.status,
            expected,
            "{:?}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_documented(&document, "post", "/orders", &answer);
    }

    let accepted = send(&ok, post(&[JSON, ("x-correlation-id", b"c-42")], order())).await;
    assert_eq!(accepted.headers["x-correlation-id"], "c-42");
    assert_eq!(accepted.json()["correlationId"], "c-42");

    let unavailable = app(
        Arc::new(RecordingPublisher::failing(PublishError::Timeout)),
        &config,
    );
    let answer = send(&unavailable, post(&[JSON], order())).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_documented(&document, "post", "/orders", &answer);

    let slow = app(
        Arc::new(RecordingPublisher::slow(Duration::from_secs(5))),
        &GatewayConfig {
            request_timeout: Duration::from_millis(50),
            ..config.clone()
        },
    );
    let answer = send(&slow, post(&[JSON], order())).await;
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
    assert_documented(&document, "post", "/orders", &answer);
}

#[tokio::test]
async fn the_probes_and_the_document_answer_as_documented() {
    let document = served_document().await;
    let config = GatewayConfig::default();
    let ok = app(Arc::default(), &config);
    let down = app(
        Arc::new(RecordingPublisher::failing(PublishError::Broker(
            "down".into(),
        ))),
        &config,
    );
    for (app, path, expected) in [
        (&ok, "/healthz", StatusCode::OK),
        (&ok, "/readyz", StatusCode::OK),
        (&down, "/readyz", StatusCode::SERVICE_UNAVAILABLE),
        (&ok, "/openapi.json", StatusCode::OK),
        (&ok, "/metrics", StatusCode::OK),
    ] {
        let answer = send(app, request(Method::GET, path, &[], Vec::new())).await;
        assert_eq!(answer.status, expected, "{path}");
        assert_documented(&document, "get", path, &answer);
    }
}
