//! Who may submit orders, and how often: API keys (`GATEWAY_API_KEYS_FILE`) and a
//! per-client rate limit (`--rate-limit N/s`), both off unless configured, so the
//! seed's contract holds out of the box. The checks themselves live in `orders-http`;
//! this module only puts them in front of the gateway's routes, the key check first
//! (a request without a valid key costs no client's budget) and the limit counting per
//! key when there are keys. Probes, `/metrics` and `/openapi.json` stay open.

use crate::GatewayConfig;
use axum::Router;
use orders_http::Scheme;

/// `routes` behind the API key check and the rate limit `config` asks for.
pub(crate) fn secure(routes: Router, config: &GatewayConfig) -> Router {
    let limited = orders_http::limit::rate_limit(routes, config.rate_limit);
    orders_http::auth::protect(limited, config.api_keys.clone(), Scheme::ApiKey)
}

/// The OpenAPI document's account of both: the two ways to present a key, that
/// `POST /orders` takes one when keys are configured (or none, as by default), and the
/// `401` and `429` answers.
pub(crate) struct Documented;

impl utoipa::Modify for Documented {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
        };
        use utoipa::openapi::{HeaderBuilder, Ref, ResponseBuilder, content::Content};

        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-api-key",
                "An API key from the gateway's GATEWAY_API_KEYS_FILE.",
            ))),
        );
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some("The same API key as `Authorization: Bearer KEY`.".into());
        components.add_security_scheme("bearerKey", SecurityScheme::Http(bearer));

        let Some(submit) = openapi
            .paths
            .paths
            .get_mut("/orders")
            .and_then(|item| item.post.as_mut())
        else {
            return;
        };
        submit.security = Some(vec![
            SecurityRequirement::new("apiKey", Vec::<String>::new()),
            SecurityRequirement::new("bearerKey", Vec::<String>::new()),
            // Keys are off by default: then no key is needed.
            SecurityRequirement::default(),
        ]);
        let error_body = || Content::new(Some(Ref::from_schema_name("ErrorBody")));
        let unauthorized = ResponseBuilder::new()
            .description(
                "The gateway requires API keys (GATEWAY_API_KEYS_FILE) and the request has \
                 none, or one that is not valid. Nothing was published.",
            )
            .content("application/json", error_body())
            .header(
                "WWW-Authenticate",
                HeaderBuilder::new()
                    .schema(String::schema_ref())
                    .description(Some("`Bearer realm=\"orders-gateway\"`, with `error=\"invalid_token\"` for a wrong key."))
                    .build(),
            )
            .build();
        let too_many = ResponseBuilder::new()
            .description(
                "The client (its API key, or its address without keys) sent more than the \
                 gateway's --rate-limit. Nothing was published.",
            )
            .content("application/json", error_body())
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(u32::schema_ref())
                    .description(Some("Seconds to wait before retrying."))
                    .build(),
            )
            .build();
        submit
            .responses
            .responses
            .insert("401".into(), unauthorized.into());
        submit
            .responses
            .responses
            .insert("429".into(), too_many.into());
    }
}

/// The schema of a plain type, for a header.
trait SchemaRef {
    fn schema_ref() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>;
}

impl<T: utoipa::PartialSchema> SchemaRef for T {
    fn schema_ref() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        T::schema()
    }
}
