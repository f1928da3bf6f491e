//! The relay: verifies Knock's webhooks and stores each in NATS JetStream before answering 200.
//!
//! ```text
//! KNOCK_WEBHOOK_SECRET=... cargo run --example relay -- --bind 127.0.0.1:3000 --nats 127.0.0.1:4222
//! ```
//!
//! It creates the stream if it is missing (`--stream`, subjects `<prefix>.events.>` and `<prefix>.dead.>`, file
//! storage, a duplicate window of twice the signature tolerance). Run workers with `--example worker`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use knock_webhooks::nats::{Relay, StreamSettings, ensure_stream};
use knock_webhooks::signature::Verifier;

/// Store Knock's outbound webhooks in NATS JetStream.
#[derive(Parser, Debug)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// The NATS server.
    #[arg(long, default_value = "127.0.0.1:4222")]
    nats: String,
    /// The JetStream stream.
    #[arg(long, default_value = "KNOCK_EVENTS")]
    stream: String,
    /// The subject prefix: events on `<prefix>.events.<type>`, dead letters on `<prefix>.dead.<type>`.
    #[arg(long, default_value = "knock")]
    prefix: String,
    /// How long to wait for JetStream's acknowledgement before answering 503, in seconds.
    #[arg(long, default_value_t = 5)]
    publish_timeout_seconds: u64,
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
            eprintln!("error: KNOCK_WEBHOOK_SECRET is not set; set it to the signing secret of your Knock webhook");
            return ExitCode::FAILURE;
        }
    };
    let client = match async_nats::connect(&args.nats).await {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: cannot connect to NATS at {}: {err}", args.nats);
            return ExitCode::FAILURE;
        }
    };
    let js = async_nats::jetstream::new(client);
    let verifier = Verifier::new(secret);
    let settings =
        StreamSettings { name: args.stream, prefix: args.prefix, duplicate_window: verifier.tolerance() * 2 };
    if let Err(err) = ensure_stream(&js, &settings).await {
        eprintln!("error: cannot create the stream {}: {err}", settings.name);
        return ExitCode::FAILURE;
    }
    let app =
        Relay::new(verifier, js, settings).publish_timeout(Duration::from_secs(args.publish_timeout_seconds)).router();
    let listener = match tokio::net::TcpListener::bind(args.bind).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", args.bind);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().map_or_else(|_| args.bind.to_string(), |a| a.to_string());
    tracing::info!("listening on http://{address}{}", knock_webhooks::receiver::ROUTE);
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
