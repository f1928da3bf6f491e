//! An HTTP endpoint for Knock's webhooks (feature `axum`): it reads the raw body, verifies the signature, parses
//! the event and awaits the [`EventHandler`]'s method for it. It answers 200 only for an event that was handled
//! (or a body the handler chose to keep), so that Knock's retries (any non-2xx answer, 8 attempts) work for you:
//!
//! | situation | answer | handler |
//! |---|---|---|
//! | the handler returned `Ok` | 200 | called once |
//! | the handler returned `Err` | 500; the error is logged, not sent | Knock retries later |
//! | the handler panicked | 500; the server keeps serving | Knock retries later |
//! | the handler ran past the timeout (10 s by default) | 503; its future is dropped | Knock retries later |
//! | the same delivery (timestamp and signature) again, after a 200 | 200 | not called again |
//! | the same delivery while the first is still being handled | 409 | not called (Knock retries later) |
//! | the same delivery after a 5xx | handled again | called |
//! | authentic, but not a valid event | 400 (logged at error level with its `type` and the failing path), or 200 if [`EventHandler::on_invalid`] kept it | `on_invalid` |
//! | signature missing, malformed, wrong or outside the time tolerance | 401 (the reason is logged, not sent) | |
//! | body over the limit (1 MiB by default) | 413 | |
//!
//! A delivery is remembered only after its handler succeeded, and only for as long as its signature can still
//! verify (the verifier's tolerance: nothing older is accepted anyway), so the memory of the default
//! [`MemoryStore`] is bounded by that window. Several receiver instances behind a load balancer need a shared
//! [`DeliveryStore`] (a database table or Redis with the same claim / complete / release rules); with the
//! in-memory default, a redelivery that reaches another instance is handled again (at-least-once).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use std::sync::Arc;
//! use knock_webhooks::{EventHandler, MessageEnvelope, receiver::Receiver, signature::Verifier};
//!
//! struct Audit;
//! impl EventHandler for Audit {
//!     type Error = std::io::Error;
//!
//!     async fn on_message_delivered(&self, payload: MessageEnvelope) -> Result<(), std::io::Error> {
//!         println!("delivered at {:?}", payload.created_at); // or: write it somewhere, `?` on failure
//!         Ok(())
//!     }
//! }
//!
//! let verifier = Verifier::new(std::env::var("KNOCK_WEBHOOK_SECRET").unwrap_or_default());
//! let app = Receiver::new(verifier, Arc::new(Audit)).router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::signature::{EVENT_HEADER, SIGNATURE_HEADER, SignatureHeader, Verifier};
use crate::{Event, EventHandler, InvalidMessage};

/// The path the router serves.
pub const ROUTE: &str = "/webhooks/knock";
/// The largest body accepted by default: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// How long a handler may run by default before the receiver answers 503 and drops it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// One signed delivery: Knock sends the same timestamp and signature again when it retries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delivery {
    /// The signed timestamp, Unix time in milliseconds.
    pub timestamp_ms: u64,
    /// The signature's bytes.
    pub signature: Vec<u8>,
    /// Until when (Unix milliseconds) a redelivery can still verify: after that it need not be remembered.
    pub verifies_until_ms: u64,
}

/// What a [`DeliveryStore`] says of a delivery it is asked to claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not seen, or seen and failed: the caller handles it now.
    New,
    /// Another request is handling it now.
    InFlight,
    /// Handled already.
    Done,
}

/// A store's own failure (a database that cannot be reached): the receiver answers 503.
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Remembers deliveries, so that each is handled once: claimed before it is handled, then completed (remembered
/// until it can no longer verify) when the handler succeeded, or released (forgotten, so a retry handles it)
/// when it failed. Share one store between receiver instances to detect duplicates across them.
pub trait DeliveryStore: Send + Sync + 'static {
    fn claim(&self, delivery: &Delivery, now: SystemTime) -> impl Future<Output = Result<Claim, StoreError>> + Send;
    fn complete(&self, delivery: &Delivery) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn release(&self, delivery: &Delivery) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The default [`DeliveryStore`]: in this process's memory, each delivery kept until it can no longer verify.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    /// Claimed deliveries: `true` once completed.
    deliveries: HashMap<Key, bool>,
    /// Completed deliveries by when they can be forgotten, soonest first.
    expiries: BinaryHeap<Reverse<(u64, Key)>>,
}

/// A delivery as the store keeps it: its timestamp and the 32 bytes of its HMAC-SHA256 signature, inline (no
/// allocation per delivery: at thousands of deliveries a second, the window holds millions).
type Key = (u64, [u8; 32]);

fn key(delivery: &Delivery) -> Key {
    let mut signature = [0u8; 32];
    // A verified signature is exactly 32 bytes; any other length is folded in, as a key only.
    for (i, byte) in delivery.signature.iter().enumerate() {
        signature[i % 32] ^= byte;
    }
    (delivery.timestamp_ms, signature)
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// How many deliveries it holds (claimed or remembered).
    pub fn len(&self) -> usize {
        self.lock().deliveries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        // A panic while holding the lock leaves the maps consistent (each change is one call).
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DeliveryStore for MemoryStore {
    async fn claim(&self, delivery: &Delivery, now: SystemTime) -> Result<Claim, StoreError> {
        let mut state = self.lock();
        let now_ms = unix_ms(now);
        // Forget what can no longer verify: the memory is bounded by the tolerance window.
        while let Some(Reverse((until, _))) = state.expiries.peek() {
            if *until >= now_ms {
                break;
            }
            if let Some(Reverse((_, old))) = state.expiries.pop() {
                state.deliveries.remove(&old);
            }
        }
        let key = key(delivery);
        Ok(match state.deliveries.get(&key) {
            Some(true) => Claim::Done,
            Some(false) => Claim::InFlight,
            None => {
                state.deliveries.insert(key, false);
                Claim::New
            }
        })
    }

    async fn complete(&self, delivery: &Delivery) -> Result<(), StoreError> {
        let mut state = self.lock();
        let key = key(delivery);
        state.deliveries.insert(key, true);
        state.expiries.push(Reverse((delivery.verifies_until_ms, key)));
        Ok(())
    }

    async fn release(&self, delivery: &Delivery) -> Result<(), StoreError> {
        self.lock().deliveries.remove(&key(delivery));
        Ok(())
    }
}

/// The endpoint, configured: a verifier, a handler, and the store, timeout and body limit.
pub struct Receiver<H, S = MemoryStore> {
    verifier: Verifier,
    handler: Arc<H>,
    store: Arc<S>,
    timeout: Duration,
    body_limit: usize,
}

impl<H: EventHandler + 'static> Receiver<H> {
    /// A receiver with the defaults: an in-memory [`MemoryStore`], [`DEFAULT_TIMEOUT`], [`DEFAULT_BODY_LIMIT`].
    pub fn new(verifier: Verifier, handler: Arc<H>) -> Receiver<H> {
        Receiver {
            verifier,
            handler,
            store: Arc::new(MemoryStore::new()),
            timeout: DEFAULT_TIMEOUT,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

impl<H: EventHandler + 'static, S: DeliveryStore> Receiver<H, S> {
    /// How long a handler may run before the receiver answers 503 (Knock retries) and drops it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest body accepted; a larger one is answered 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Where deliveries are remembered (a store shared by several instances, say).
    pub fn store<T: DeliveryStore>(self, store: Arc<T>) -> Receiver<H, T> {
        Receiver {
            verifier: self.verifier,
            handler: self.handler,
            store,
            timeout: self.timeout,
            body_limit: self.body_limit,
        }
    }

    /// A router with `POST /webhooks/knock`.
    pub fn router(self) -> Router {
        let body_limit = self.body_limit;
        Router::new()
            .route(ROUTE, post(receive::<H, S>))
            .layer(DefaultBodyLimit::max(body_limit))
            .with_state(Arc::new(self))
    }
}

/// A router with `POST /webhooks/knock`, verifying with `verifier` and dispatching to `handler`, with the
/// default store and timeout.
pub fn router<H: EventHandler + 'static>(verifier: Verifier, handler: Arc<H>, body_limit: usize) -> Router {
    Receiver::new(verifier, handler).body_limit(body_limit).router()
}

async fn receive<H, S>(State(receiver): State<Arc<Receiver<H, S>>>, headers: HeaderMap, body: Bytes) -> StatusCode
where
    H: EventHandler + 'static,
    S: DeliveryStore,
{
    let now = SystemTime::now();
    let header = match verified(&receiver.verifier, &headers, &body, now) {
        Ok(header) => header,
        Err(status) => return status,
    };
    let delivery = delivery(&header, receiver.verifier.tolerance());
    let declared = headers.get(EVENT_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // The delivery is claimed, handled and completed (or released) in a task of its own, so that it runs to
    // the end even when Knock hangs up: a claim is never left behind.
    let task = tokio::spawn(async move { receiver.process(delivery, declared, body, now).await });
    task.await.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The signature header of a delivery whose signature verifies, or 401 (the reason logged, not sent): the first
/// step of the receiver and of the JetStream relay.
pub(crate) fn verified(
    verifier: &Verifier,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<SignatureHeader, StatusCode> {
    let signature = match headers.get(SIGNATURE_HEADER).map(|value| value.to_str()) {
        None => None,
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            tracing::warn!(reason = "the signature header is not visible ASCII", "rejected a Knock webhook");
            return Err(StatusCode::UNAUTHORIZED);
        }
    };
    verifier.verify_signature(signature, body, now).map_err(|err| {
        tracing::warn!(reason = %err, "rejected a Knock webhook");
        StatusCode::UNAUTHORIZED
    })
}

/// The delivery a verified signature header names.
fn delivery(header: &SignatureHeader, tolerance: Duration) -> Delivery {
    let tolerance_ms = u64::try_from(tolerance.as_millis()).unwrap_or(u64::MAX);
    Delivery {
        timestamp_ms: header.timestamp_ms,
        signature: header.signature.clone(),
        verifies_until_ms: header.timestamp_ms.saturating_add(tolerance_ms),
    }
}

/// How a handler's run ended.
enum Run<T> {
    Finished(T),
    Panicked,
    TimedOut,
}

impl<H: EventHandler + 'static, S: DeliveryStore> Receiver<H, S> {
    async fn process(&self, delivery: Delivery, declared: Option<String>, body: Bytes, now: SystemTime) -> StatusCode {
        match self.store.claim(&delivery, now).await {
            Ok(Claim::New) => {}
            Ok(Claim::Done) => {
                tracing::info!("a Knock webhook delivered again after it was handled; answered 200");
                return StatusCode::OK;
            }
            Ok(Claim::InFlight) => {
                tracing::info!("a Knock webhook delivered again while it is being handled; answered 409");
                return StatusCode::CONFLICT;
            }
            Err(err) => {
                tracing::error!(error = %err, "the delivery store failed; answered 503");
                return StatusCode::SERVICE_UNAVAILABLE;
            }
        }
        let status = self.handle(declared, body).await;
        let stored = if status.is_success() {
            self.store.complete(&delivery).await
        } else {
            self.store.release(&delivery).await
        };
        if let Err(err) = stored {
            tracing::warn!(error = %err, "the delivery store failed to record a delivery's outcome");
        }
        status
    }

    /// Parses the body and runs the handler on it; the answer for the outcome.
    async fn handle(&self, declared: Option<String>, body: Bytes) -> StatusCode {
        let handler = Arc::clone(&self.handler);
        match Event::from_json(&body) {
            Ok(event) => {
                let event_type = event.event_type().to_owned();
                if declared.as_deref().is_some_and(|declared| declared != event_type) {
                    tracing::warn!(header = declared, body = event_type, "{EVENT_HEADER} differs from the body's type");
                }
                let variant = event.variant_name();
                match self.run(async move { event.dispatch(&*handler).await }).await {
                    Run::Finished(Ok(())) => {
                        tracing::info!(event_type, variant, "handled a Knock webhook");
                        StatusCode::OK
                    }
                    Run::Finished(Err(err)) => {
                        tracing::error!(event_type, error = %err, "the handler failed; answered 500 so that Knock retries");
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                    Run::Panicked => {
                        tracing::error!(event_type, "the handler panicked; answered 500 so that Knock retries");
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                    Run::TimedOut => {
                        tracing::error!(event_type, timeout = ?self.timeout, "the handler ran past its timeout; answered 503");
                        StatusCode::SERVICE_UNAVAILABLE
                    }
                }
            }
            Err(error) => {
                let event_type = body_type(&body);
                let path = error.path().map(str::to_owned);
                let message = error.to_string();
                let kept = self.run(async move { handler.on_invalid(&body, &error).await }).await;
                match kept {
                    Run::Finished(Ok(InvalidMessage::Kept)) => {
                        tracing::warn!(
                            event_type,
                            path,
                            error = message,
                            "kept a signed Knock webhook that is not a valid event"
                        );
                        StatusCode::OK
                    }
                    Run::Finished(Ok(InvalidMessage::Refused)) => {
                        tracing::error!(
                            event_type,
                            path,
                            error = message,
                            "a signed Knock webhook is not a valid event; answered 400"
                        );
                        StatusCode::BAD_REQUEST
                    }
                    Run::Finished(Err(err)) => {
                        tracing::error!(event_type, error = %err, "on_invalid failed; answered 500");
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                    Run::Panicked => StatusCode::INTERNAL_SERVER_ERROR,
                    Run::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
                }
            }
        }
    }

    /// Runs `work`, catching a panic, and drops it at the timeout. (It runs inside the request's own task, so
    /// a panic here is caught without spawning another.)
    async fn run<T: Send + 'static>(&self, work: impl Future<Output = T> + Send + 'static) -> Run<T> {
        use futures_util::FutureExt as _;
        match tokio::time::timeout(self.timeout, std::panic::AssertUnwindSafe(work).catch_unwind()).await {
            Ok(Ok(output)) => Run::Finished(output),
            Ok(Err(_)) => Run::Panicked,
            Err(_) => Run::TimedOut,
        }
    }
}

/// The `type` of a body that did not parse as an event, if it has one (for the log).
fn body_type(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Typed {
        #[serde(rename = "type")]
        event_type: Option<String>,
    }
    serde_json::from_slice::<Typed>(body).ok().and_then(|typed| typed.event_type)
}

fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
