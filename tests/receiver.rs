//! The receiver end to end: a real axum server on loopback, real HTTP requests signed with the real HMAC,
//! and the example binary started as users start it.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use knock_webhooks::signature::{SIGNATURE_HEADER, Verifier, sign};
use knock_webhooks::*;

const SECRET: &str = "whsec_e2e_test_secret";

/// Counts the calls of each handler method.
#[derive(Default)]
struct Recorder {
    seen: Mutex<BTreeMap<String, usize>>,
}

impl Recorder {
    fn record(&self, what: &str) {
        *self.seen.lock().expect("not poisoned").entry(what.to_owned()).or_default() += 1;
    }
}

macro_rules! recording_handler {
    ($($method:ident($payload:ty) => $wire:literal,)*) => {
        impl EventHandler for Recorder {
            type Error = std::convert::Infallible;
            $(async fn $method(&self, _: $payload) -> Result<(), Self::Error> { self.record($wire); Ok(()) })*
            async fn on_unknown(&self, event: UnknownEvent) -> Result<(), Self::Error> {
                self.record(&format!("unknown {}", event.event_type));
                Ok(())
            }
        }
    };
}

recording_handler! {
    on_message_sent(MessageEnvelope) => "message.sent",
    on_message_delivered(MessageEnvelope) => "message.delivered",
    on_message_delivery_attempted(MessageDeliveryAttemptedEnvelope) => "message.delivery_attempted",
    on_message_undelivered(MessageFailureEnvelope) => "message.undelivered",
    on_message_bounced(MessageBounceEnvelope) => "message.bounced",
    on_message_seen(MessageEnvelope) => "message.seen",
    on_message_unseen(MessageEnvelope) => "message.unseen",
    on_message_read(MessageEnvelope) => "message.read",
    on_message_unread(MessageEnvelope) => "message.unread",
    on_message_archived(MessageEnvelope) => "message.archived",
    on_message_unarchived(MessageEnvelope) => "message.unarchived",
    on_message_interacted(MessageEnvelope) => "message.interacted",
    on_message_link_clicked(MessageLinkClickedEnvelope) => "message.link_clicked",
    on_workflow_updated(WorkflowEnvelope) => "workflow.updated",
    on_workflow_committed(WorkflowCommitEnvelope) => "workflow.committed",
    on_email_layout_updated(EmailLayoutEnvelope) => "email_layout.updated",
    on_email_layout_committed(EmailLayoutCommitEnvelope) => "email_layout.committed",
    on_translation_updated(TranslationEnvelope) => "translation.updated",
    on_translation_committed(TranslationCommitEnvelope) => "translation.committed",
    on_partial_updated(PartialEnvelope) => "partial.updated",
    on_partial_committed(PartialCommitEnvelope) => "partial.committed",
    on_source_event_action_updated(SourceEventActionEnvelope) => "source_event_action.updated",
    on_source_event_action_committed(SourceEventActionCommitEnvelope) => "source_event_action.committed",
}

async fn post(client: &reqwest::Client, url: &str, signature: Option<String>, body: Vec<u8>) -> u16 {
    let mut request = client.post(url).header("content-type", "application/json").body(body);
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    request.send().await.expect("the server answers").status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_verifies_parses_and_dispatches_over_http() {
    let recorder = Arc::new(Recorder::default());
    let app = receiver::router(Verifier::new(SECRET), recorder.clone(), receiver::DEFAULT_BODY_LIMIT);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}{}", listener.local_addr().expect("bound"), receiver::ROUTE);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();

    let samples = common::sample_events();
    assert_eq!(samples.len(), 24);
    for (wire_type, _, text) in &samples {
        let body = text.clone().into_bytes();
        let signature = sign(SECRET, SystemTime::now(), &body);
        assert_eq!(post(&client, &url, Some(signature), body).await, 200, "{wire_type}");
    }
    let seen = recorder.seen.lock().expect("not poisoned").clone();
    let mut expected: BTreeMap<String, usize> = Event::EVENT_TYPES.iter().map(|t| (t.to_string(), 1)).collect();
    expected.insert("unknown workflow_recipient_run.started".to_owned(), 1);
    assert_eq!(seen, expected, "each of the 23 types once, and the unknown one");

    let body = samples[0].2.clone().into_bytes();
    assert_eq!(post(&client, &url, None, body.clone()).await, 401, "unsigned");
    let signature = sign(SECRET, SystemTime::now(), &body);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(post(&client, &url, Some(signature.clone()), tampered).await, 401, "tampered");
    assert_eq!(post(&client, &url, Some(sign("wrong", SystemTime::now(), &body)), body.clone()).await, 401);

    let oversized = vec![b' '; receiver::DEFAULT_BODY_LIMIT + 1];
    let signature = sign(SECRET, SystemTime::now(), &oversized);
    assert_eq!(post(&client, &url, Some(signature), oversized).await, 413, "oversized");

    let not_an_event = br#"{"type": "message.sent", "created_at": "not a date"}"#.to_vec();
    let signature = sign(SECRET, SystemTime::now(), &not_an_event);
    assert_eq!(post(&client, &url, Some(signature), not_an_event).await, 400, "signed but invalid");

    assert_eq!(recorder.seen.lock().expect("not poisoned").clone(), expected, "rejected requests reach no handler");
    server.abort();
}

#[tokio::test]
async fn the_example_receiver_answers_a_signed_request() {
    let mut child = Command::new(common::example_binary("receiver"))
        .args(["--bind", "127.0.0.1:0"])
        .env("KNOCK_WEBHOOK_SECRET", SECRET)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the receiver starts");
    let stderr = child.stderr.take().expect("stderr");
    let url = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stderr).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.split_once("listening on ").map(|(_, url)| url.trim().to_owned()));
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        url
    })
    .await
    .expect("reader")
    .expect("the receiver logs its address");

    let client = reqwest::Client::new();
    let body = std::fs::read(common::root().join("tests/fixtures/events/message.bounced.json")).expect("fixture");
    let status = post(&client, &url, Some(sign(SECRET, SystemTime::now(), &body)), body.clone()).await;
    let unsigned = post(&client, &url, None, body).await;
    child.kill().expect("stop the receiver");
    let _ = child.wait();
    assert_eq!((status, unsigned), (200, 401));
}

#[test]
fn the_example_receiver_refuses_to_start_without_a_secret() {
    let out = Command::new(common::example_binary("receiver"))
        .args(["--bind", "127.0.0.1:0"])
        .env_remove("KNOCK_WEBHOOK_SECRET")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: KNOCK_WEBHOOK_SECRET is not set"), "{stderr}");
}

#[cfg(unix)]
#[tokio::test]
async fn the_example_receiver_shuts_down_gracefully_on_sigterm() {
    let mut child = Command::new(common::example_binary("receiver"))
        .args(["--bind", "127.0.0.1:0", "--drain-seconds", "5"])
        .env("KNOCK_WEBHOOK_SECRET", SECRET)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the receiver starts");
    let stderr = child.stderr.take().expect("stderr");
    let (url, log) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stderr).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.split_once("listening on ").map(|(_, url)| url.trim().to_owned()));
        let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
        (url, log)
    })
    .await
    .expect("reader");
    let url = url.expect("the receiver logs its address");
    let client = reqwest::Client::new();
    let body = std::fs::read(common::root().join("tests/fixtures/events/message.sent.json")).expect("fixture");
    assert_eq!(post(&client, &url, Some(sign(SECRET, SystemTime::now(), &body)), body).await, 200);
    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(terminated.success());
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("waiter").expect("exits");
    assert_eq!(status.code(), Some(0), "a deploy's SIGTERM is a clean exit");
    let log = log.join().expect("log reader").join("\n");
    assert!(log.contains("shutting down"), "{log}");
}
