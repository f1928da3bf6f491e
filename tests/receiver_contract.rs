//! The receiver's contract over real HTTP on loopback, one test per row of the table in `receiver.rs`: a handler
//! that succeeds, fails, panics, runs too long or is asked twice; a body that is not an event; the answers Knock
//! sees and how often the handler runs.
//!
//! The handler's behaviour is chosen by the payload itself: `message.sent` bodies carry a `mode` and an `id` (two
//! properties the schema does not name, which the envelope keeps).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use knock_webhooks::receiver::{MemoryStore, Receiver};
use knock_webhooks::signature::{SIGNATURE_HEADER, Verifier, sign};
use knock_webhooks::{Event, EventHandler, InvalidMessage, MessageEnvelope, ParseError};

const SECRET: &str = "whsec_contract_secret";

/// A handler whose every call is counted, by the payload's `id`.
#[derive(Default)]
struct Scripted {
    calls: Mutex<HashMap<String, usize>>,
    finished: AtomicUsize,
    dropped_while_running: AtomicBool,
    /// Keep bodies that do not parse (a dead-letter table), rather than refuse them.
    keep_invalid: bool,
    kept: Mutex<Vec<Vec<u8>>>,
}

#[derive(Debug)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the store refused it: {}", self.0)
    }
}

/// Sets a flag when the future holding it is dropped before it finished.
struct DropWatch<'a> {
    flag: &'a AtomicBool,
    done: bool,
}

impl Drop for DropWatch<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.flag.store(true, Ordering::SeqCst);
        }
    }
}

impl Scripted {
    fn calls(&self, id: &str) -> usize {
        self.calls.lock().expect("not poisoned").get(id).copied().unwrap_or(0)
    }
}

impl EventHandler for Scripted {
    type Error = Failed;

    async fn on_message_sent(&self, payload: MessageEnvelope) -> Result<(), Failed> {
        let text = |key: &str| payload.additional_properties.get(key).and_then(|v| v.as_str()).unwrap_or("").to_owned();
        let (id, mode) = (text("id"), text("mode"));
        let call = {
            let mut calls = self.calls.lock().expect("not poisoned");
            let count = calls.entry(id.clone()).or_default();
            *count += 1;
            *count
        };
        let mut watch = DropWatch { flag: &self.dropped_while_running, done: false };
        let result = match mode.as_str() {
            "fail" => Err(Failed(id)),
            "fail-first" if call == 1 => Err(Failed(id)),
            "panic" => panic!("the handler panicked on purpose"),
            "slow" => {
                tokio::time::sleep(Duration::from_millis(600)).await;
                Ok(())
            }
            "stuck" => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }
            _ => Ok(()),
        };
        watch.done = true;
        self.finished.fetch_add(1, Ordering::SeqCst);
        result
    }

    async fn on_invalid(&self, body: &[u8], _: &ParseError) -> Result<InvalidMessage, Failed> {
        if self.keep_invalid {
            self.kept.lock().expect("not poisoned").push(body.to_vec());
            Ok(InvalidMessage::Kept)
        } else {
            Ok(InvalidMessage::Refused)
        }
    }
}

struct Server {
    url: String,
    client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(receiver: Receiver<Scripted, MemoryStore>) -> Server {
        let app = receiver.router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}{}", listener.local_addr().expect("bound"), knock_webhooks::receiver::ROUTE);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { url, client: reqwest::Client::new(), task }
    }

    /// Posts `body` signed at `at` (the same `at` and body give the same delivery, as Knock's retries do).
    async fn post(&self, body: &[u8], at: SystemTime) -> u16 {
        let signature = sign(SECRET, at, body);
        self.post_with(body, Some(signature)).await
    }

    async fn post_with(&self, body: &[u8], signature: Option<String>) -> u16 {
        let mut request = self.client.post(&self.url).body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        request.send().await.expect("the server answers").status().as_u16()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn sent(id: &str, mode: &str) -> Vec<u8> {
    format!(r#"{{"type":"message.sent","id":"{id}","mode":"{mode}"}}"#).into_bytes()
}

fn receiver(handler: &Arc<Scripted>) -> Receiver<Scripted, MemoryStore> {
    Receiver::new(Verifier::new(SECRET), Arc::clone(handler))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_is_200_once_and_a_redelivery_after_it_is_200_without_a_call() {
    let handler = Arc::new(Scripted::default());
    let server = Server::start(receiver(&handler)).await;
    let (body, at) = (sent("a", "ok"), SystemTime::now());
    assert_eq!(server.post(&body, at).await, 200);
    assert_eq!(server.post(&body, at).await, 200, "the same delivery again");
    assert_eq!(handler.calls("a"), 1, "handled once");
    // A new delivery of the same body (another timestamp) is another delivery.
    assert_eq!(server.post(&body, at + Duration::from_millis(1)).await, 200);
    assert_eq!(handler.calls("a"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn err_is_500_and_the_retry_is_handled_again() {
    let handler = Arc::new(Scripted::default());
    let server = Server::start(receiver(&handler)).await;
    let (body, at) = (sent("b", "fail-first"), SystemTime::now());
    assert_eq!(server.post(&body, at).await, 500, "the handler failed: Knock must retry");
    assert_eq!(server.post(&body, at).await, 200, "the retry is handled");
    assert_eq!(server.post(&body, at).await, 200, "and then remembered");
    assert_eq!(handler.calls("b"), 2);
    let (always, at) = (sent("c", "fail"), SystemTime::now());
    for _ in 0..3 {
        assert_eq!(server.post(&always, at).await, 500);
    }
    assert_eq!(handler.calls("c"), 3, "every retry reaches the handler");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_500_and_the_server_keeps_serving() {
    let handler = Arc::new(Scripted::default());
    let server = Server::start(receiver(&handler)).await;
    let (body, at) = (sent("d", "panic"), SystemTime::now());
    assert_eq!(server.post(&body, at).await, 500);
    assert_eq!(server.post(&body, at).await, 500, "not remembered: the retry runs again");
    assert_eq!(handler.calls("d"), 2);
    assert_eq!(server.post(&sent("e", "ok"), SystemTime::now()).await, 200, "other requests are served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_timeout_is_503_and_the_handler_is_dropped() {
    let handler = Arc::new(Scripted::default());
    let server = Server::start(receiver(&handler).timeout(Duration::from_millis(200))).await;
    let started = std::time::Instant::now();
    let (body, at) = (sent("f", "stuck"), SystemTime::now());
    assert_eq!(server.post(&body, at).await, 503);
    assert!(started.elapsed() < Duration::from_secs(5), "answered at the timeout, not when the handler ended");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(handler.dropped_while_running.load(Ordering::SeqCst), "the handler's future was dropped");
    assert_eq!(handler.finished.load(Ordering::SeqCst), 0);
    assert_eq!(server.post(&body, at).await, 503, "the retry is handled again (and times out again)");
    assert_eq!(handler.calls("f"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_while_the_first_is_handled_is_409() {
    let handler = Arc::new(Scripted::default());
    let server = Arc::new(Server::start(receiver(&handler)).await);
    let (body, at) = (sent("g", "slow"), SystemTime::now());
    let first = {
        let (server, body) = (Arc::clone(&server), body.clone());
        tokio::spawn(async move { server.post(&body, at).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let concurrent: Vec<u16> = post_at_once(&server, &body, at, 4).await;
    assert_eq!(concurrent, [409, 409, 409, 409], "Knock retries later");
    assert_eq!(first.await.expect("the first request"), 200);
    assert_eq!(handler.calls("g"), 1, "the duplicates reached no handler");
    assert_eq!(server.post(&body, at).await, 200, "after the first succeeded");
    assert_eq!(handler.calls("g"), 1);
}

/// Posts the same delivery `n` times at once.
async fn post_at_once(server: &Arc<Server>, body: &[u8], at: SystemTime, n: usize) -> Vec<u16> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (server, body) = (Arc::clone(server), body.to_vec());
            tokio::spawn(async move { server.post(&body, at).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("a request"));
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_event_is_400_unless_the_handler_keeps_it() {
    let invalid = br#"{"type":"message.sent","created_at":"not a date"}"#;
    let refusing = Arc::new(Scripted::default());
    let server = Server::start(receiver(&refusing)).await;
    assert_eq!(server.post(invalid, SystemTime::now()).await, 400, "retries will not fix it");
    drop(server);

    let keeping = Arc::new(Scripted { keep_invalid: true, ..Scripted::default() });
    let server = Server::start(receiver(&keeping)).await;
    assert_eq!(server.post(invalid, SystemTime::now()).await, 200, "kept: Knock is told it was received");
    assert_eq!(keeping.kept.lock().expect("not poisoned").as_slice(), [invalid.to_vec()], "the raw body, as sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_413_and_401() {
    let handler = Arc::new(Scripted::default());
    let server = Server::start(receiver(&handler).body_limit(1024)).await;
    let oversized = vec![b' '; 1025];
    assert_eq!(server.post(&oversized, SystemTime::now()).await, 413);
    let body = sent("h", "ok");
    assert_eq!(server.post_with(&body, None).await, 401, "unsigned");
    assert_eq!(server.post_with(&body, Some(sign("wrong secret", SystemTime::now(), &body))).await, 401);
    let old = SystemTime::now() - Duration::from_secs(3600);
    assert_eq!(server.post(&body, old).await, 401, "outside the tolerance");
    assert_eq!(handler.calls("h"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_remembered_only_while_they_can_verify() {
    let handler = Arc::new(Scripted::default());
    let store = Arc::new(MemoryStore::new());
    let tolerance = Duration::from_millis(400);
    let receiver =
        Receiver::new(Verifier::new(SECRET).with_tolerance(tolerance), Arc::clone(&handler)).store(Arc::clone(&store));
    let server = Server::start(receiver).await;
    for i in 0..20 {
        assert_eq!(server.post(&sent(&format!("m{i}"), "ok"), SystemTime::now()).await, 200);
    }
    assert_eq!(store.len(), 20, "each delivery remembered");
    tokio::time::sleep(tolerance + Duration::from_millis(100)).await;
    assert_eq!(server.post(&sent("later", "ok"), SystemTime::now()).await, 200);
    assert_eq!(store.len(), 1, "those that can no longer verify are forgotten: memory is bounded by the window");
}

#[tokio::test]
async fn dispatch_without_http_returns_the_handlers_result() {
    let handler = Scripted::default();
    let ok = Event::from_json(&sent("x", "ok")).expect("parses");
    assert!(ok.dispatch(&handler).await.is_ok());
    let failing = Event::from_json(&sent("y", "fail")).expect("parses");
    assert_eq!(failing.dispatch(&handler).await.map_err(|e| e.to_string()), Err("the store refused it: y".to_owned()));
}
