//! The JetStream hand-off against the real NATS server on 127.0.0.1:4222 (`.ci/run` starts it if it is down):
//! deliveries through the relay are stored and consumed by typed workers; duplicates are stored once; failures
//! are retried, then dead-lettered; an unreachable server is a 503, never a 200; a worker that dies mid-message
//! leaves it to another. Each test has a stream and subject prefix of its own, deleted at the end; the
//! unreachable case runs a second `nats-server` on another port, never stopping the shared one.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_nats::jetstream;
use knock_webhooks::nats::{self, Relay, StreamSettings, Worker};
use knock_webhooks::signature::{SIGNATURE_HEADER, Verifier, sign};
use knock_webhooks::{Event, EventHandler, MessageEnvelope, UnknownEvent};

const SECRET: &str = "whsec_nats_test_secret";
const NATS: &str = "127.0.0.1:4222";

/// A stream and prefix of the test's own, deleted at the end (by `cleanup`, or when dropped: a failing test
/// leaves nothing behind either).
struct Scratch {
    js: jetstream::Context,
    settings: StreamSettings,
    deleted: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.deleted {
            return;
        }
        // Drop cannot await: delete from a thread with a runtime of its own.
        let name = self.settings.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                if let Ok(client) = async_nats::connect(NATS).await {
                    let _ = jetstream::new(client).delete_stream(&name).await;
                }
            });
        })
        .join();
    }
}

impl Scratch {
    async fn new() -> Scratch {
        let client =
            async_nats::connect(NATS).await.expect("the NATS server on 127.0.0.1:4222 is up (.ci/run starts it)");
        let js = jetstream::new(client);
        // Unique enough for concurrent test runs: the process, the time, and a counter.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let id = format!("{}x{nanos}x{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let settings = StreamSettings {
            name: format!("KNOCKTEST_{id}"),
            prefix: format!("knocktest{id}"),
            duplicate_window: Duration::from_secs(600),
        };
        nats::ensure_stream(&js, &settings).await.expect("the stream is created");
        Scratch { js, settings, deleted: false }
    }

    /// Whether the stream holds a message on `subject`.
    async fn has_message_on(&self, subject: &str) -> bool {
        let stream = self.js.get_stream(&self.settings.name).await.expect("stream");
        stream.get_last_raw_message_by_subject(subject).await.is_ok()
    }

    async fn stream_messages(&self) -> u64 {
        let mut stream = self.js.get_stream(&self.settings.name).await.expect("stream");
        stream.info().await.expect("info").state.messages
    }

    async fn cleanup(mut self) {
        let _ = self.js.delete_stream(&self.settings.name).await;
        self.deleted = true;
    }
}

/// Records what it handles; fails the first `fail_first` deliveries of each payload `id`, or every one.
#[derive(Default)]
struct Recorder {
    handled: Mutex<Vec<(String, serde_json::Value)>>,
    calls: Mutex<HashMap<String, usize>>,
    fail_first: usize,
    always_fail: bool,
    block_forever: bool,
}

#[derive(Debug)]
struct Failed;

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failed on purpose")
    }
}

impl Recorder {
    async fn record(&self, event: Event) -> Result<(), Failed> {
        let id = match &event {
            Event::MessageSent(e) => {
                e.additional_properties.get("test_id").and_then(|v| v.as_str()).unwrap_or("").to_owned()
            }
            _ => String::new(),
        };
        let call = {
            let mut calls = self.calls.lock().expect("lock");
            let n = calls.entry(id).or_default();
            *n += 1;
            *n
        };
        if self.block_forever {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        if self.always_fail || call <= self.fail_first {
            return Err(Failed);
        }
        let json = serde_json::to_value(&event).expect("serializes");
        self.handled.lock().expect("lock").push((event.event_type().to_owned(), json));
        Ok(())
    }

    fn handled(&self) -> Vec<(String, serde_json::Value)> {
        self.handled.lock().expect("lock").clone()
    }
}

impl EventHandler for Recorder {
    type Error = Failed;

    async fn on_message_sent(&self, payload: MessageEnvelope) -> Result<(), Failed> {
        self.record(Event::MessageSent(payload)).await
    }

    async fn on_message_delivered(&self, payload: MessageEnvelope) -> Result<(), Failed> {
        self.record(Event::MessageDelivered(payload)).await
    }

    async fn on_unknown(&self, event: UnknownEvent) -> Result<(), Failed> {
        self.record(Event::Unknown(event)).await
    }
}

/// Serves `router` on a free loopback port; returns its URL.
async fn serve(router: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}{}", listener.local_addr().expect("bound"), knock_webhooks::receiver::ROUTE);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, task)
}

async fn post(url: &str, body: &[u8], at: SystemTime) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header(SIGNATURE_HEADER, sign(SECRET, at, body))
        .header("x-knock-environment-id", "env_test")
        .body(body.to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Waits until `check` holds, for at most `limit`.
async fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}

fn sent(id: &str) -> Vec<u8> {
    let mut value = common::sample("message.sent");
    value["test_id"] = id.into();
    serde_json::to_vec(&value).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_through_the_relay_reach_a_typed_worker_exactly_as_sent() {
    let scratch = Scratch::new().await;
    let (url, server) =
        serve(Relay::new(Verifier::new(SECRET), scratch.js.clone(), scratch.settings.clone()).router()).await;
    let bodies: Vec<Vec<u8>> = ["message.sent", "message.delivered", "workflow_recipient_run.started"]
        .iter()
        .map(|t| std::fs::read(common::root().join(format!("tests/fixtures/events/{t}.json"))).expect("fixture"))
        .collect();
    for body in &bodies {
        assert_eq!(post(&url, body, SystemTime::now()).await, 200, "stored, then answered");
    }
    let recorder = Arc::new(Recorder::default());
    let worker =
        tokio::spawn(Worker::new(scratch.js.clone(), scratch.settings.clone(), "workers", recorder.clone()).run());
    assert!(
        eventually(Duration::from_secs(10), || recorder.handled().len() == 3).await,
        "handled: {:?}",
        recorder.handled()
    );
    let mut handled = recorder.handled();
    handled.sort_by(|a, b| a.0.cmp(&b.0));
    let expected: Vec<(String, serde_json::Value)> = {
        let mut e: Vec<_> = bodies
            .iter()
            .map(|b| {
                let v: serde_json::Value = serde_json::from_slice(b).expect("JSON");
                (v["type"].as_str().expect("type").to_owned(), v)
            })
            .collect();
        e.sort_by(|a, b| a.0.cmp(&b.0));
        e
    };
    assert_eq!(handled, expected, "typed, and the same JSON back");
    worker.abort();
    server.abort();
    scratch.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_is_stored_once_and_handled_once() {
    let scratch = Scratch::new().await;
    let (url, server) =
        serve(Relay::new(Verifier::new(SECRET), scratch.js.clone(), scratch.settings.clone()).router()).await;
    let (body, at) = (sent("dup"), SystemTime::now());
    assert_eq!(post(&url, &body, at).await, 200);
    assert_eq!(post(&url, &body, at).await, 200, "a redelivery is answered 200");
    assert_eq!(scratch.stream_messages().await, 1, "and stored once");
    let recorder = Arc::new(Recorder::default());
    let worker =
        tokio::spawn(Worker::new(scratch.js.clone(), scratch.settings.clone(), "workers", recorder.clone()).run());
    assert!(eventually(Duration::from_secs(10), || recorder.handled().len() == 1).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(recorder.handled().len(), 1, "handled once");
    worker.abort();
    server.abort();
    scratch.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_then_moved_to_the_dead_letters() {
    let scratch = Scratch::new().await;
    let (url, server) =
        serve(Relay::new(Verifier::new(SECRET), scratch.js.clone(), scratch.settings.clone()).router()).await;
    assert_eq!(post(&url, &sent("flaky"), SystemTime::now()).await, 200);
    let recorder = Arc::new(Recorder { fail_first: 2, ..Recorder::default() });
    let worker = Worker::new(scratch.js.clone(), scratch.settings.clone(), "flaky", recorder.clone())
        .nak_delay(Duration::from_millis(100))
        .max_deliveries(5);
    let task = tokio::spawn(worker.run());
    assert!(
        eventually(Duration::from_secs(10), || recorder.handled().len() == 1).await,
        "handled on the third delivery"
    );
    assert_eq!(recorder.calls.lock().expect("lock")["flaky"], 3);
    task.abort();
    server.abort();
    scratch.cleanup().await;

    // One that always fails ends on the dead-letter subject after the configured deliveries.
    let scratch = Scratch::new().await;
    let (url, server) =
        serve(Relay::new(Verifier::new(SECRET), scratch.js.clone(), scratch.settings.clone()).router()).await;
    assert_eq!(post(&url, &sent("doomed"), SystemTime::now()).await, 200);
    let recorder = Arc::new(Recorder { always_fail: true, ..Recorder::default() });
    let worker = Worker::new(scratch.js.clone(), scratch.settings.clone(), "doomed", recorder.clone())
        .nak_delay(Duration::from_millis(100))
        .max_deliveries(3);
    let task = tokio::spawn(worker.run());
    let dead = scratch.settings.dead_subject("message.sent");
    let mut found = false;
    for _ in 0..100 {
        if scratch.has_message_on(&dead).await {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !found && task.is_finished() {
        panic!("the worker stopped: {:?}", task.await);
    }
    assert!(found, "a dead letter on {dead}; calls {:?}", recorder.calls.lock().expect("lock"));
    assert_eq!(recorder.calls.lock().expect("lock")["doomed"], 3, "three deliveries, then no more");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(recorder.calls.lock().expect("lock")["doomed"], 3, "not retried forever");
    task.abort();
    server.abort();
    scratch.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_dies_mid_message_leaves_it_to_another() {
    let scratch = Scratch::new().await;
    let (url, server) =
        serve(Relay::new(Verifier::new(SECRET), scratch.js.clone(), scratch.settings.clone()).router()).await;
    assert_eq!(post(&url, &sent("orphan"), SystemTime::now()).await, 200);
    let stuck = Arc::new(Recorder { block_forever: true, ..Recorder::default() });
    let first = tokio::spawn(
        Worker::new(scratch.js.clone(), scratch.settings.clone(), "shared", stuck.clone())
            .ack_wait(Duration::from_secs(1))
            .run(),
    );
    assert!(eventually(Duration::from_secs(10), || stuck.calls.lock().expect("lock").contains_key("orphan")).await);
    first.abort(); // killed while handling: no ack
    let second = Arc::new(Recorder::default());
    let task = tokio::spawn(
        Worker::new(scratch.js.clone(), scratch.settings.clone(), "shared", second.clone())
            .ack_wait(Duration::from_secs(1))
            .run(),
    );
    assert!(
        eventually(Duration::from_secs(10), || second.handled().len() == 1).await,
        "redelivered after the ack wait"
    );
    task.abort();
    server.abort();
    scratch.cleanup().await;
}

/// A `nats-server` of the test's own on a free port, stopped when dropped (the shared one is never touched).
struct OwnServer {
    child: std::process::Child,
}

impl OwnServer {
    fn start(port: u16, store: &std::path::Path) -> OwnServer {
        let child = std::process::Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server starts (Debian's package, as on this machine)");
        OwnServer { child }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_jetstream_is_503_never_200_and_then_recovers() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
    let store = tempfile::tempdir().expect("a store dir");
    let server = OwnServer::start(port, store.path());
    let address = format!("127.0.0.1:{port}");
    let mut client = None;
    for _ in 0..50 {
        if let Ok(c) = async_nats::connect(&address).await {
            client = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let js = jetstream::new(client.expect("our own nats-server accepts connections"));
    let settings = StreamSettings {
        name: "KNOCKTEST_OWN".to_owned(),
        prefix: "knocktestown".to_owned(),
        duplicate_window: Duration::from_secs(600),
    };
    nats::ensure_stream(&js, &settings).await.expect("stream");
    let relay = Relay::new(Verifier::new(SECRET), js.clone(), settings.clone()).publish_timeout(Duration::from_secs(1));
    let (url, http) = serve(relay.router()).await;
    assert_eq!(post(&url, &sent("before"), SystemTime::now()).await, 200);

    drop(server); // JetStream goes away
    for id in ["during-1", "during-2"] {
        assert_eq!(post(&url, &sent(id), SystemTime::now()).await, 503, "not stored: never 200");
    }

    let _server = OwnServer::start(port, store.path()); // back, with its store
    let mut status = 0;
    for _ in 0..100 {
        status = post(&url, &sent("after"), SystemTime::now()).await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, 200, "deliveries succeed again once the client reconnected");
    http.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_and_worker_examples_work_as_written() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let scratch = Scratch::new().await;
    let (stream, prefix) = (scratch.settings.name.clone(), scratch.settings.prefix.clone());
    let mut relay = Command::new(common::example_binary("relay"))
        .args(["--bind", "127.0.0.1:0", "--nats", NATS, "--stream", &stream, "--prefix", &prefix])
        .env("KNOCK_WEBHOOK_SECRET", SECRET)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the relay starts");
    let stderr = relay.stderr.take().expect("stderr");
    let url = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stderr).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split_once("listening on ").map(|(_, u)| u.trim().to_owned()));
        std::thread::spawn(move || lines.for_each(drop));
        url
    })
    .await
    .expect("reader")
    .expect("the relay logs its address");
    let body = std::fs::read(common::root().join("tests/fixtures/events/message.bounced.json")).expect("fixture");
    assert_eq!(post(&url, &body, SystemTime::now()).await, 200);
    let _ = relay.kill();
    let _ = relay.wait();

    let mut worker = Command::new(common::example_binary("worker"))
        .args(["--nats", NATS, "--stream", &stream, "--prefix", &prefix, "--durable", "example"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the worker starts");
    let stdout = worker.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || BufReader::new(stdout).lines().next().and_then(Result::ok))
        .await
        .expect("reader");
    let _ = worker.kill();
    let _ = worker.wait();
    assert_eq!(line.as_deref(), Some("message.bounced MessageBounced"));
    scratch.cleanup().await;
}
