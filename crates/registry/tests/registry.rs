//! The client against a real HTTP server in this process: the crate's fake registry for
//! the Confluent API, and bare axum servers for answers no registry should give.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::http::StatusCode;
use axum::routing::any;
use orders_registry::fake::FakeRegistry;
use orders_registry::{Comparison, Error, RegistryClient, Schema, SchemaType, subject_for_topic};
use std::time::Duration;

const SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["correlationId"],
  "properties": { "correlationId": { "type": "string", "minLength": 1 } }
}"#;

async fn registry() -> (FakeRegistry, RegistryClient) {
    let fake = FakeRegistry::start().await.unwrap();
    let client = RegistryClient::new(fake.url()).unwrap();
    (fake, client)
}

/// A server that answers every request with `status` and `body`.
async fn answering(
    status: StatusCode,
    body: &'static str,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(any(move || async move { (status, body) }));
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, task)
}

#[tokio::test]
async fn registering_returns_an_id_and_the_latest_version_reads_it_back() {
    let (fake, client) = registry().await;
    let subject = subject_for_topic("order_created");
    assert_eq!(subject, "order_created-value");

    let id = client
        .register(&subject, &Schema::json(SCHEMA))
        .await
        .unwrap();
    let latest = client.latest(&subject).await.unwrap();

    assert_eq!(latest.id, id);
    assert_eq!(latest.version, 1);
    assert_eq!(latest.subject, subject);
    assert_eq!(latest.schema.schema_type, SchemaType::Json);
    assert_ne!(
        latest.schema.text, SCHEMA,
        "the registry keeps its own canonical form"
    );
    assert!(latest.schema.same_as(&Schema::json(SCHEMA)));
    assert_eq!(fake.subjects(), [subject]);
}

#[tokio::test]
async fn registering_the_same_schema_again_is_harmless() {
    let (fake, client) = registry().await;
    let first = client
        .register("a-value", &Schema::json(SCHEMA))
        .await
        .unwrap();
    let reformatted: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let again = client
        .register("a-value", &Schema::json(reformatted.to_string()))
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(fake.versions("a-value"), 1);

    // Ids belong to the registry, not the subject: the same schema elsewhere shares it.
    let other = client
        .register("b-value", &Schema::json(SCHEMA))
        .await
        .unwrap();
    assert_eq!(other, first);
}

#[tokio::test]
async fn a_changed_schema_is_a_new_version_and_compares_as_different() {
    let (fake, client) = registry().await;
    let subject = "order_created-value";
    let first = client
        .register(subject, &Schema::json(SCHEMA))
        .await
        .unwrap();
    let changed = SCHEMA.replace("\"minLength\": 1", "\"minLength\": 2");
    let second = client
        .register(subject, &Schema::json(&changed))
        .await
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(fake.versions(subject), 2);

    match client
        .compare(subject, &Schema::json(SCHEMA))
        .await
        .unwrap()
    {
        Comparison::Different(latest) => {
            assert_eq!((latest.version, latest.id), (2, second));
        }
        other => panic!("expected a difference, got {other:?}"),
    }
    assert!(matches!(
        client
            .compare(subject, &Schema::json(changed))
            .await
            .unwrap(),
        Comparison::Same(_)
    ));
}

#[tokio::test]
async fn a_missing_subject_is_told_apart_from_other_failures() {
    let (_fake, client) = registry().await;
    let error = client.latest("nobody-value").await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(
        error.to_string(),
        "subject nobody-value is not registered: Subject 'nobody-value' not found."
    );
    assert_eq!(
        client
            .compare("nobody-value", &Schema::json(SCHEMA))
            .await
            .unwrap(),
        Comparison::Missing
    );
}

#[tokio::test]
async fn an_invalid_schema_is_refused_with_the_registry_s_code_and_message() {
    let (fake, client) = registry().await;
    let error = client
        .register("bad-value", &Schema::json("{not json"))
        .await
        .unwrap_err();
    match &error {
        Error::Refused {
            status,
            code,
            message,
        } => {
            assert_eq!((*status, *code), (422, 42201));
            assert!(message.starts_with("Invalid schema"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(fake.subjects().is_empty());
}

#[tokio::test]
async fn a_registry_behind_a_path_prefix_or_with_a_trailing_slash_is_reached() {
    let (fake, _) = registry().await;
    let client = RegistryClient::new(&format!("{}/", fake.url())).unwrap();
    client
        .register("x-value", &Schema::json(SCHEMA))
        .await
        .unwrap();

    // The fake serves no prefix: a prefixed URL reaches its 404, in the registry's format.
    let prefixed = RegistryClient::new(&format!("{}/registry", fake.url())).unwrap();
    let error = prefixed.latest("x-value").await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Refused {
                status: 404,
                code: 404,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn nothing_listening_is_unreachable_and_names_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = RegistryClient::with_timeout(&url, Duration::from_secs(2)).unwrap();
    let error = client.latest("order_created-value").await.unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("cannot reach the schema registry at {url}/")
    );
}

#[tokio::test]
async fn something_that_is_not_a_registry_is_quoted_not_misread() {
    let (url, task) = answering(
        StatusCode::BAD_GATEWAY,
        "<html>\n<h1>502 Bad Gateway</h1>\n</html>",
    )
    .await;
    let client = RegistryClient::new(&url).unwrap();
    let error = client
        .register("x-value", &Schema::json(SCHEMA))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"unexpected answer from the schema registry (HTTP 502): "<html> <h1>502 Bad Gateway</h1> </html>""#
    );
    task.abort();

    // A 200 without the fields of a version is no version.
    let (url, task) = answering(StatusCode::OK, r#"{"status":"ok"}"#).await;
    let client = RegistryClient::new(&url).unwrap();
    let error = client.latest("x-value").await.unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 200, .. }),
        "{error:?}"
    );
    task.abort();
}

#[tokio::test]
async fn a_slow_registry_times_out_instead_of_hanging_a_deploy() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(any(|| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "too late"
    }));
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let client = RegistryClient::with_timeout(&url, Duration::from_millis(300)).unwrap();
    let started = std::time::Instant::now();
    let error = client.latest("x-value").await.unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    task.abort();
}
