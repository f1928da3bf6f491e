//! A worker: consumes the events the relay stored in NATS JetStream, typed, and prints one line per event it
//! handles: `<type> <Variant>`. Run as many as needed, on as many machines: they share the durable consumer.
//!
//! ```text
//! cargo run --example worker -- --nats 127.0.0.1:4222
//! ```

use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use knock_webhooks::nats::{StreamSettings, Worker};
use knock_webhooks::*;

/// Handle the Knock events stored in NATS JetStream.
#[derive(Parser, Debug)]
struct Args {
    /// The NATS server.
    #[arg(long, default_value = "127.0.0.1:4222")]
    nats: String,
    /// The JetStream stream (as the relay's `--stream`).
    #[arg(long, default_value = "KNOCK_EVENTS")]
    stream: String,
    /// The subject prefix (as the relay's `--prefix`).
    #[arg(long, default_value = "knock")]
    prefix: String,
    /// The durable consumer the workers share.
    #[arg(long, default_value = "knock-workers")]
    durable: String,
    /// Deliveries of a failing event before it moves to the dead letters.
    #[arg(long, default_value_t = 5)]
    max_deliveries: i64,
}

/// Prints each event it handles.
struct Printer;

/// One method per event type, each printing the event's type and variant.
macro_rules! printing_handler {
    ($($method:ident($payload:ty) => $variant:ident,)*) => {
        impl EventHandler for Printer {
            type Error = Infallible;
            $(async fn $method(&self, payload: $payload) -> Result<(), Infallible> {
                print(&Event::$variant(payload));
                Ok(())
            })*
            async fn on_unknown(&self, event: UnknownEvent) -> Result<(), Infallible> {
                print(&Event::Unknown(event));
                Ok(())
            }
        }
    };
}

fn print(event: &Event) {
    println!("{} {}", event.event_type(), event.variant_name());
}

printing_handler! {
    on_message_sent(MessageEnvelope) => MessageSent,
    on_message_delivered(MessageEnvelope) => MessageDelivered,
    on_message_delivery_attempted(MessageDeliveryAttemptedEnvelope) => MessageDeliveryAttempted,
    on_message_undelivered(MessageFailureEnvelope) => MessageUndelivered,
    on_message_bounced(MessageBounceEnvelope) => MessageBounced,
    on_message_seen(MessageEnvelope) => MessageSeen,
    on_message_unseen(MessageEnvelope) => MessageUnseen,
    on_message_read(MessageEnvelope) => MessageRead,
    on_message_unread(MessageEnvelope) => MessageUnread,
    on_message_archived(MessageEnvelope) => MessageArchived,
    on_message_unarchived(MessageEnvelope) => MessageUnarchived,
    on_message_interacted(MessageEnvelope) => MessageInteracted,
    on_message_link_clicked(MessageLinkClickedEnvelope) => MessageLinkClicked,
    on_workflow_updated(WorkflowEnvelope) => WorkflowUpdated,
    on_workflow_committed(WorkflowCommitEnvelope) => WorkflowCommitted,
    on_email_layout_updated(EmailLayoutEnvelope) => EmailLayoutUpdated,
    on_email_layout_committed(EmailLayoutCommitEnvelope) => EmailLayoutCommitted,
    on_translation_updated(TranslationEnvelope) => TranslationUpdated,
    on_translation_committed(TranslationCommitEnvelope) => TranslationCommitted,
    on_partial_updated(PartialEnvelope) => PartialUpdated,
    on_partial_committed(PartialCommitEnvelope) => PartialCommitted,
    on_source_event_action_updated(SourceEventActionEnvelope) => SourceEventActionUpdated,
    on_source_event_action_committed(SourceEventActionCommitEnvelope) => SourceEventActionCommitted,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = match async_nats::connect(&args.nats).await {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: cannot connect to NATS at {}: {err}", args.nats);
            return ExitCode::FAILURE;
        }
    };
    let js = async_nats::jetstream::new(client);
    let settings = StreamSettings { name: args.stream, prefix: args.prefix, ..StreamSettings::new() };
    let worker = Worker::new(js, settings, args.durable, Arc::new(Printer)).max_deliveries(args.max_deliveries);
    tokio::select! {
        result = worker.run() => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
