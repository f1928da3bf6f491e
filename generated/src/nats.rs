//! Durable hand-off to NATS JetStream (feature `nats`): store first, work later.
//!
//! - The [`Relay`] is an HTTP endpoint like [`crate::receiver`]'s: it verifies the signature, checks that the
//!   body is an event, publishes the raw body unchanged to JetStream on `<prefix>.events.<type>`, and answers 200
//!   only once JetStream acknowledged the write (its PubAck). The message id JetStream de-duplicates by is the
//!   delivery's signature, so a redelivery of the same webhook is stored once. JetStream unreachable, or no
//!   acknowledgement in time: 503, and Knock retries. Nothing is answered 200 that is not stored.
//! - A [`Worker`] consumes the stream through a durable pull consumer: it parses each message into the same
//!   [`Event`], awaits the user's [`EventHandler`], acks on `Ok`, naks with a delay on `Err` (or a panic), and
//!   after the configured number of deliveries moves the message to `<prefix>.dead.<type>` instead of retrying
//!   forever. Any number of workers (on any number of machines) sharing one durable consumer share the work.
//!
//! [`ensure_stream`] creates the stream if it is missing, with the settings of [`StreamSettings`] (file storage,
//! subjects `<prefix>.events.>` and `<prefix>.dead.>`, a duplicate window at least the signature tolerance).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_nats::HeaderMap;
use async_nats::jetstream::context::Publish;
use async_nats::jetstream::{self, AckKind};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap as HttpHeaders, StatusCode};
use axum::routing::post;
use futures_util::{FutureExt as _, StreamExt as _};

use crate::signature::Verifier;
use crate::{Event, EventHandler, InvalidMessage};

/// The header a stored message carries its event type in.
pub const TYPE_HEADER: &str = "Knock-Event-Type";
/// Knock's header naming the environment, copied onto the stored message when the request had it.
pub const ENVIRONMENT_HEADER: &str = "x-knock-environment-id";
/// On a dead letter: why it was moved there.
pub const DEAD_REASON_HEADER: &str = "Knock-Dead-Reason";

/// Any failure talking to NATS.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The stream the relay writes and the workers read.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// The stream's name.
    pub name: String,
    /// Subjects are `<prefix>.events.<type>` and `<prefix>.dead.<type>`.
    pub prefix: String,
    /// How long JetStream remembers a message id to drop a duplicate: at least the signature tolerance, since no
    /// older delivery can verify.
    pub duplicate_window: Duration,
}

impl StreamSettings {
    /// `KNOCK_EVENTS`, prefix `knock`, a duplicate window of 10 minutes (the default tolerance is 5).
    pub fn new() -> StreamSettings {
        StreamSettings {
            name: "KNOCK_EVENTS".to_owned(),
            prefix: "knock".to_owned(),
            duplicate_window: Duration::from_secs(600),
        }
    }

    /// The subject an event of `event_type` is stored on.
    pub fn event_subject(&self, event_type: &str) -> String {
        format!("{}.events.{}", self.prefix, subject_token(event_type))
    }

    /// The subject a dead letter of `event_type` is moved to.
    pub fn dead_subject(&self, event_type: &str) -> String {
        format!("{}.dead.{}", self.prefix, subject_token(event_type))
    }
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings::new()
    }
}

/// A type as subject tokens: NATS subjects cannot hold spaces or wildcards (Knock's types are `a.b`, kept).
fn subject_token(event_type: &str) -> String {
    let token: String =
        event_type.chars().map(|c| if c.is_whitespace() || c == '*' || c == '>' { '_' } else { c }).collect();
    let token = token.trim_matches('.').to_owned();
    if token.is_empty() || token.contains("..") { "unknown".to_owned() } else { token }
}

/// Creates the stream if it is missing: file storage, the settings' subjects and duplicate window.
pub async fn ensure_stream(
    js: &jetstream::Context,
    settings: &StreamSettings,
) -> Result<jetstream::stream::Stream, Error> {
    let config = jetstream::stream::Config {
        name: settings.name.clone(),
        subjects: vec![format!("{}.events.>", settings.prefix), format!("{}.dead.>", settings.prefix)],
        storage: jetstream::stream::StorageType::File,
        duplicate_window: settings.duplicate_window,
        ..Default::default()
    };
    Ok(js.get_or_create_stream(config).await?)
}

/// The relay endpoint: verify, store in JetStream, then answer.
pub struct Relay {
    verifier: Verifier,
    js: jetstream::Context,
    settings: StreamSettings,
    publish_timeout: Duration,
    body_limit: usize,
}

impl Relay {
    /// A relay writing to the stream of `settings` through `js` (the stream must exist: [`ensure_stream`]).
    pub fn new(verifier: Verifier, js: jetstream::Context, settings: StreamSettings) -> Relay {
        Relay {
            verifier,
            js,
            settings,
            publish_timeout: Duration::from_secs(5),
            body_limit: crate::receiver::DEFAULT_BODY_LIMIT,
        }
    }

    /// How long to wait for JetStream's acknowledgement before answering 503 (default 5 s).
    pub fn publish_timeout(mut self, timeout: Duration) -> Relay {
        self.publish_timeout = timeout;
        self
    }

    /// The largest body accepted (default 1 MiB); a larger one is answered 413.
    pub fn body_limit(mut self, bytes: usize) -> Relay {
        self.body_limit = bytes;
        self
    }

    /// A router with `POST /webhooks/knock`.
    pub fn router(self) -> Router {
        let limit = self.body_limit;
        Router::new()
            .route(crate::receiver::ROUTE, post(relay))
            .layer(DefaultBodyLimit::max(limit))
            .with_state(Arc::new(self))
    }
}

async fn relay(State(relay): State<Arc<Relay>>, headers: HttpHeaders, body: Bytes) -> StatusCode {
    let header = match crate::receiver::verified(&relay.verifier, &headers, &body, SystemTime::now()) {
        Ok(header) => header,
        Err(status) => return status,
    };
    let event_type = match Event::from_json(&body) {
        Ok(event) => event.event_type().to_owned(),
        Err(err) => {
            tracing::error!(error = %err, "a signed Knock webhook is not a valid event; answered 400");
            return StatusCode::BAD_REQUEST;
        }
    };
    let mut stored = HeaderMap::new();
    stored.insert(TYPE_HEADER, event_type.as_str());
    if let Some(environment) = headers.get(ENVIRONMENT_HEADER).and_then(|v| v.to_str().ok()) {
        stored.insert(ENVIRONMENT_HEADER, environment);
    }
    // The delivery's signature (with its timestamp): the same webhook delivered again has the same id.
    let id = format!("{}-{}", header.timestamp_ms, hex(&header.signature));
    let publish = Publish::build().payload(body).headers(stored).message_id(id);
    let subject = relay.settings.event_subject(&event_type);
    let stored =
        tokio::time::timeout(relay.publish_timeout, async { relay.js.send_publish(subject, publish).await?.await })
            .await;
    match stored {
        Ok(Ok(ack)) => {
            tracing::info!(event_type, sequence = ack.sequence, duplicate = ack.duplicate, "stored a Knock webhook");
            StatusCode::OK
        }
        Ok(Err(err)) => {
            tracing::error!(event_type, error = %err, "JetStream did not store a Knock webhook; answered 503");
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(_) => {
            tracing::error!(event_type, timeout = ?relay.publish_timeout, "JetStream did not acknowledge in time; answered 503");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A typed consumer of the stream: the user's handler, called for each stored event.
pub struct Worker<H> {
    js: jetstream::Context,
    settings: StreamSettings,
    durable: String,
    handler: Arc<H>,
    max_deliveries: i64,
    nak_delay: Duration,
    ack_wait: Duration,
}

impl<H: EventHandler + 'static> Worker<H> {
    /// A worker on the durable pull consumer `durable` of the settings' stream (created if missing). Workers with
    /// the same `durable` share the work.
    pub fn new(
        js: jetstream::Context,
        settings: StreamSettings,
        durable: impl Into<String>,
        handler: Arc<H>,
    ) -> Worker<H> {
        Worker {
            js,
            settings,
            durable: durable.into(),
            handler,
            max_deliveries: 5,
            nak_delay: Duration::from_secs(5),
            ack_wait: Duration::from_secs(30),
        }
    }

    /// After this many deliveries that failed, a message is moved to the dead-letter subject (default 5).
    pub fn max_deliveries(mut self, deliveries: i64) -> Self {
        self.max_deliveries = deliveries.max(1);
        self
    }

    /// How long a failed message waits before it is delivered again (default 5 s).
    pub fn nak_delay(mut self, delay: Duration) -> Self {
        self.nak_delay = delay;
        self
    }

    /// How long a message may go unacknowledged (a worker that died) before another worker gets it (default 30 s).
    pub fn ack_wait(mut self, wait: Duration) -> Self {
        self.ack_wait = wait;
        self
    }

    /// Consumes until the connection ends (run it in a task; drop or abort the task to stop).
    pub async fn run(self) -> Result<(), Error> {
        let stream = self.js.get_stream(&self.settings.name).await?;
        let config = jetstream::consumer::pull::Config {
            durable_name: Some(self.durable.clone()),
            filter_subject: format!("{}.events.>", self.settings.prefix),
            ack_wait: self.ack_wait,
            // The worker counts deliveries itself and moves the message aside; the server never gives up first.
            max_deliver: -1,
            ..Default::default()
        };
        let consumer = stream.get_or_create_consumer(&self.durable, config).await?;
        let mut messages = consumer.messages().await?;
        while let Some(message) = messages.next().await {
            let message = message?;
            self.handle(message).await?;
        }
        Ok(())
    }

    async fn handle(&self, message: jetstream::Message) -> Result<(), Error> {
        let delivered = message.info()?.delivered;
        let event_type = message
            .headers
            .as_ref()
            .and_then(|h| h.get(TYPE_HEADER))
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        let outcome: Result<(), String> = match Event::from_json(&message.payload) {
            Ok(event) => {
                let handler = Arc::clone(&self.handler);
                match std::panic::AssertUnwindSafe(async move { event.dispatch(&*handler).await }).catch_unwind().await
                {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(err)) => Err(err.to_string()),
                    Err(_) => Err("the handler panicked".to_owned()),
                }
            }
            Err(error) => match self.handler.on_invalid(&message.payload, &error).await {
                Ok(InvalidMessage::Kept) => Ok(()),
                // Retries will not fix it: straight to the dead letters.
                Ok(InvalidMessage::Refused) => {
                    return self.dead_letter(&message, &event_type, &error.to_string()).await;
                }
                Err(err) => Err(err.to_string()),
            },
        };
        match outcome {
            Ok(()) => message.ack().await?,
            Err(reason) if delivered >= self.max_deliveries => {
                tracing::error!(event_type, delivered, reason, "moved to the dead letters");
                return self.dead_letter(&message, &event_type, &reason).await;
            }
            Err(reason) => {
                tracing::warn!(event_type, delivered, reason, "the handler failed; delivered again later");
                message.ack_with(AckKind::Nak(Some(self.nak_delay))).await?;
            }
        }
        Ok(())
    }

    /// Stores the message on the dead-letter subject, then stops its redelivery.
    async fn dead_letter(&self, message: &jetstream::Message, event_type: &str, reason: &str) -> Result<(), Error> {
        // The original headers, but not its message id: JetStream would drop the copy as a duplicate of it.
        let mut headers = HeaderMap::new();
        for (name, values) in message.headers.iter().flat_map(HeaderMap::iter) {
            let name: &str = name.as_ref();
            if !name.eq_ignore_ascii_case("Nats-Msg-Id") {
                for value in values {
                    headers.append(name, value.as_str());
                }
            }
        }
        headers.insert(DEAD_REASON_HEADER, reason.replace(['\r', '\n'], " ").as_str());
        let subject = self.settings.dead_subject(event_type);
        self.js.publish_with_headers(subject, headers, message.payload.clone()).await?.await?;
        message.ack_with(AckKind::Term).await?;
        Ok(())
    }
}
