//! An in-memory registry that speaks the part of the Confluent REST API this crate uses,
//! on a real socket, for tests here and in the CLI (feature `fake`).
//!
//! It behaves as Confluent's does where a client could tell: ids are registry-wide and
//! reused for the same schema, registering a schema twice returns its id without a new
//! version, schemas are kept in a compact canonical form (so the text read back is not
//! the text sent), `schemaType` defaults to Avro and is left out of answers for Avro,
//! and errors are `{"error_code", "message"}` with Confluent's codes.

use crate::SchemaType;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running fake registry; it stops when dropped.
#[derive(Debug)]
pub struct FakeRegistry {
    url: String,
    state: Arc<Mutex<Registry>>,
    task: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Registry {
    /// Every distinct schema; its id is its index + 1.
    schemas: Vec<(SchemaType, String)>,
    /// Each subject's versions, oldest first, as schema ids.
    subjects: BTreeMap<String, Vec<i32>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegisterRequest {
    schema: String,
    #[serde(default)]
    schema_type: SchemaType,
    #[serde(default)]
    references: Vec<Value>,
}

impl FakeRegistry {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(Registry::default()));
        let app = Router::new()
            .route("/subjects/{subject}/versions", post(register))
            .route("/subjects/{subject}/versions/latest", get(latest))
            .fallback(|| async { error(StatusCode::NOT_FOUND, 404, "HTTP 404 Not Found") })
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            // Serving ends only with the task, when the registry is dropped.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { url, state, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The subjects that have at least one version.
    pub fn subjects(&self) -> Vec<String> {
        let registry = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        registry.subjects.keys().cloned().collect()
    }

    /// How many versions `subject` has.
    pub fn versions(&self, subject: &str) -> usize {
        let registry = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        registry.subjects.get(subject).map_or(0, Vec::len)
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn register(
    State(state): State<Arc<Mutex<Registry>>>,
    Path(subject): Path<String>,
    body: String,
) -> Response {
    let request: RegisterRequest = match serde_json::from_str(&body) {
        Ok(request) => request,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, 422, &e.to_string()),
    };
    if !request.references.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
            "Invalid schema: references are not supported by this fake",
        );
    }
    let Some(canonical) = canonical(request.schema_type, &request.schema) else {
        let message = format!(
            "Invalid schema {{schemaType={}, schema={}}}",
            request.schema_type, request.schema
        );
        return error(StatusCode::UNPROCESSABLE_ENTITY, 42201, &message);
    };
    let mut registry = state.lock().unwrap_or_else(PoisonError::into_inner);
    let key = (request.schema_type, canonical);
    let id = match registry.schemas.iter().position(|schema| *schema == key) {
        Some(index) => index + 1,
        None => {
            registry.schemas.push(key);
            registry.schemas.len()
        }
    };
    let id = i32::try_from(id).unwrap_or(i32::MAX);
    let versions = registry.subjects.entry(subject).or_default();
    if !versions.contains(&id) {
        versions.push(id);
    }
    answer(StatusCode::OK, json!({ "id": id }))
}

async fn latest(
    State(state): State<Arc<Mutex<Registry>>>,
    Path(subject): Path<String>,
) -> Response {
    let registry = state.lock().unwrap_or_else(PoisonError::into_inner);
    let latest = registry
        .subjects
        .get(&subject)
        .and_then(|versions| Some((versions.len(), *versions.last()?)));
    let Some((version, id)) = latest else {
        let message = format!("Subject '{subject}' not found.");
        return error(StatusCode::NOT_FOUND, 40401, &message);
    };
    let Some((schema_type, schema)) = usize::try_from(id - 1)
        .ok()
        .and_then(|index| registry.schemas.get(index))
    else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            50001,
            "Error in the backend data store",
        );
    };
    let mut body = json!({
        "subject": subject,
        "version": version,
        "id": id,
        "schema": schema,
    });
    if *schema_type != SchemaType::Avro {
        body["schemaType"] = json!(schema_type);
    }
    answer(StatusCode::OK, body)
}

/// The compact form a registry keeps, or `None` when the text is not a schema of its
/// type (JSON Schema: an object or a boolean; Avro: any JSON; Protobuf: not empty).
fn canonical(schema_type: SchemaType, text: &str) -> Option<String> {
    match schema_type {
        SchemaType::Json => match serde_json::from_str(text).ok()? {
            value @ (Value::Object(_) | Value::Bool(_)) => Some(value.to_string()),
            _ => None,
        },
        SchemaType::Avro => serde_json::from_str::<Value>(text)
            .ok()
            .map(|value| value.to_string()),
        SchemaType::Protobuf => (!text.trim().is_empty()).then(|| text.trim().to_owned()),
    }
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    answer(status, json!({ "error_code": code, "message": message }))
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            "application/vnd.schemaregistry.v1+json",
        )],
        Json(body),
    )
        .into_response()
}
