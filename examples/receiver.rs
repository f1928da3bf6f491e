//! A Knock webhook receiver: `POST /webhooks/knock` verifies the signature, parses the event and logs it.
//!
//! ```text
//! KNOCK_WEBHOOK_SECRET=... cargo run --example receiver -- --bind 127.0.0.1:3000
//! ```
//!
//! Point Knock at it from the dashboard (Developers → Webhooks → your endpoint's URL, e.g. through a tunnel
//! to `http://127.0.0.1:3000/webhooks/knock`), and copy the webhook's signing secret into
//! `KNOCK_WEBHOOK_SECRET`. Logs go to stderr through `tracing` (`RUST_LOG=debug` for more).
//!
//! On SIGTERM or Ctrl-C it stops accepting connections, lets the handlers in flight finish (for at most
//! `--drain-seconds`), then exits 0: a deploy loses nothing.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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
    /// How long a handler may run before the receiver answers 503 (Knock retries), in seconds.
    #[arg(long, default_value_t = 10)]
    timeout_seconds: u64,
    /// On shutdown, how long the handlers in flight may take to finish, in seconds.
    #[arg(long, default_value_t = 30)]
    drain_seconds: u64,
}

/// Logs the events a service most often acts on; the rest are logged by the receiver itself.
struct LoggingHandler;

impl EventHandler for LoggingHandler {
    // Logging cannot fail; a handler that writes to a database would use its error type and `?`.
    type Error = Infallible;

    async fn on_message_delivery_attempted(&self, payload: MessageDeliveryAttemptedEnvelope) -> Result<(), Infallible> {
        let data = payload.event_data.unwrap_or_default();
        tracing::info!(attempt = data.attempt, max_attempts = data.max_attempts, "delivery attempted");
        Ok(())
    }

    async fn on_message_undelivered(&self, payload: MessageFailureEnvelope) -> Result<(), Infallible> {
        let data = payload.event_data.unwrap_or_default();
        tracing::warn!(reason = data.failure_reason, details = data.failure_details, "message undelivered");
        Ok(())
    }

    async fn on_message_bounced(&self, payload: MessageBounceEnvelope) -> Result<(), Infallible> {
        let data = payload.event_data.unwrap_or_default();
        tracing::warn!(reason = data.failure_reason, token = data.token, "message bounced");
        Ok(())
    }

    async fn on_unknown(&self, event: UnknownEvent) -> Result<(), Infallible> {
        tracing::info!(event_type = %event.event_type, "an event type the spec does not list yet");
        Ok(())
    }
}

/// Resolves on SIGTERM (what a deploy sends) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
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
    let app = receiver::Receiver::new(Verifier::new(secret), Arc::new(LoggingHandler))
        .body_limit(args.body_limit)
        .timeout(Duration::from_secs(args.timeout_seconds))
        .router();
    let listener = match tokio::net::TcpListener::bind(args.bind).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", args.bind);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().map_or_else(|_| args.bind.to_string(), |a| a.to_string());
    tracing::info!("listening on http://{address}{}", receiver::ROUTE);
    // Stop accepting on the signal; the requests in flight finish, for at most the drain time.
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: no new connections; letting the handlers in flight finish");
        let _ = stopping.send(());
    });
    let drain = Duration::from_secs(args.drain_seconds);
    let deadline = async move {
        let _ = stopped.await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        served = server => match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: the server stopped: {err}");
                ExitCode::FAILURE
            }
        },
        () = deadline => {
            tracing::warn!(?drain, "handlers still running after the drain time; exiting (Knock retries what was not answered)");
            ExitCode::SUCCESS
        }
    }
}
