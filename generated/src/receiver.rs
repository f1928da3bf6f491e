//! An HTTP endpoint for Knock's webhooks (feature `axum`): it reads the raw body, verifies the signature,
//! parses the event and hands it to an [`EventHandler`].
//!
//! | request | answer |
//! |---|---|
//! | body over the limit (1 MiB by default) | 413 |
//! | signature missing, malformed, wrong or outside the time tolerance | 401 (the reason is logged, not sent) |
//! | authentic, but not a valid event | 400 |
//! | a valid event, of a known or an unknown type | 200, after the handler ran |
//!
//! Knock retries on any 3xx, 4xx or 5xx and gives up after 8 attempts, so answer quickly: handlers should
//! queue slow work rather than do it inline.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use std::sync::Arc;
//! use knock_webhooks::{EventHandler, MessageEnvelope, receiver, signature::Verifier};
//!
//! struct Audit;
//! impl EventHandler for Audit {
//!     fn on_message_delivered(&self, payload: MessageEnvelope) {
//!         println!("delivered at {:?}", payload.created_at);
//!     }
//! }
//!
//! let verifier = Verifier::new(std::env::var("KNOCK_WEBHOOK_SECRET").unwrap_or_default());
//! let app = receiver::router(verifier, Arc::new(Audit), receiver::DEFAULT_BODY_LIMIT);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::EventHandler;
use crate::signature::{EVENT_HEADER, SIGNATURE_HEADER, Verifier, VerifyError};

/// The path the router serves.
pub const ROUTE: &str = "/webhooks/knock";
/// The largest body accepted by default: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

struct Receiver<H: ?Sized> {
    verifier: Verifier,
    handler: Arc<H>,
}

/// A router with `POST /webhooks/knock`, verifying with `verifier` and dispatching to `handler`.
pub fn router<H>(verifier: Verifier, handler: Arc<H>, body_limit: usize) -> Router
where
    H: EventHandler + Send + Sync + ?Sized + 'static,
{
    let state = Arc::new(Receiver { verifier, handler });
    Router::new().route(ROUTE, post(receive::<H>)).layer(DefaultBodyLimit::max(body_limit)).with_state(state)
}

async fn receive<H>(State(receiver): State<Arc<Receiver<H>>>, headers: HeaderMap, body: Bytes) -> StatusCode
where
    H: EventHandler + Send + Sync + ?Sized + 'static,
{
    let signature = match headers.get(SIGNATURE_HEADER).map(|value| value.to_str()) {
        None => None,
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            tracing::warn!(reason = "the signature header is not visible ASCII", "rejected a Knock webhook");
            return StatusCode::UNAUTHORIZED;
        }
    };
    match receiver.verifier.verify(signature, &body, SystemTime::now()) {
        Ok(event) => {
            let declared = headers.get(EVENT_HEADER).and_then(|v| v.to_str().ok());
            if declared.is_some_and(|declared| declared != event.event_type()) {
                tracing::warn!(
                    header = declared,
                    body = event.event_type(),
                    "{EVENT_HEADER} differs from the body's type"
                );
            }
            tracing::info!(event_type = event.event_type(), variant = event.variant_name(), "received a Knock webhook");
            event.dispatch(&*receiver.handler);
            StatusCode::OK
        }
        Err(err) if err.is_authentication_failure() => {
            tracing::warn!(reason = %err, "rejected a Knock webhook");
            StatusCode::UNAUTHORIZED
        }
        Err(err @ (VerifyError::EmptyBody | VerifyError::BodyNotUtf8 { .. } | VerifyError::InvalidPayload(_))) => {
            tracing::warn!(reason = %err, "a signed Knock webhook is not a valid event");
            StatusCode::BAD_REQUEST
        }
        Err(err) => {
            tracing::warn!(reason = %err, "rejected a Knock webhook");
            StatusCode::UNAUTHORIZED
        }
    }
}
