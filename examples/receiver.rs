//! A Knock webhook receiver: `POST /webhooks/knock` verifies the signature, parses the event and logs it.
//!
//! ```text
//! KNOCK_WEBHOOK_SECRET=... cargo run --example receiver -- --bind 127.0.0.1:3000
//! ```
//!
//! Point Knock at it from the dashboard (Developers → Webhooks → your endpoint's URL, e.g. through a tunnel
//! to `http://127.0.0.1:3000/webhooks/knock`), and copy the webhook's signing secret into
//! `KNOCK_WEBHOOK_SECRET`. Logs go to stderr through `tracing` (`RUST_LOG=debug` for more).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use knock_webhooks::signature::Verifier;
use knock_webhooks::{
    EventHandler, MessageBounceEnvelope, MessageDeliveryAttemptedEnvelope, MessageFailureEnvelope, UnknownEvent,
    receiver,
};

/// Receive Knock's outbound webhooks.
#[derive(Parser, Debug)]
struct Args {
    /// The address to listen on (port 0 picks a free port; the log says which).
    #[arg(long, default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// The largest request body accepted, in bytes (larger ones get 413).
    #[arg(long, default_value_t = receiver::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
}

/// Logs the events a service most often acts on; the rest are logged by the receiver itself.
struct LoggingHandler;

impl EventHandler for LoggingHandler {
    fn on_message_delivery_attempted(&self, payload: MessageDeliveryAttemptedEnvelope) {
        let data = payload.event_data.unwrap_or_default();
        tracing::info!(attempt = data.attempt, max_attempts = data.max_attempts, "delivery attempted");
    }

    fn on_message_undelivered(&self, payload: MessageFailureEnvelope) {
        let data = payload.event_data.unwrap_or_default();
        tracing::warn!(reason = data.failure_reason, details = data.failure_details, "message undelivered");
    }

    fn on_message_bounced(&self, payload: MessageBounceEnvelope) {
        let data = payload.event_data.unwrap_or_default();
        tracing::warn!(reason = data.failure_reason, token = data.token, "message bounced");
    }

    fn on_unknown(&self, event: UnknownEvent) {
        tracing::info!(event_type = %event.event_type, "an event type the spec does not list yet");
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let secret = match std::env::var("KNOCK_WEBHOOK_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        _ => {
            eprintln!(
                "error: KNOCK_WEBHOOK_SECRET is not set; set it to the signing secret of your Knock webhook \
                 (dashboard → Developers → Webhooks)"
            );
            return ExitCode::FAILURE;
        }
    };
    let app = receiver::router(Verifier::new(secret), Arc::new(LoggingHandler), args.body_limit);
    let listener = match tokio::net::TcpListener::bind(args.bind).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", args.bind);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().map_or_else(|_| args.bind.to_string(), |a| a.to_string());
    tracing::info!("listening on http://{address}{}", receiver::ROUTE);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: the server stopped: {err}");
            ExitCode::FAILURE
        }
    }
}
