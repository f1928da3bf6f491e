//! A bounded load run against a Knock webhook receiver on loopback (BENCHMARKS.md has the figures):
//!
//! ```text
//! cargo run --release --example load -- --receiver rust --seconds 10 --connections 64 --duplicates 5000
//! cargo run --release --example load -- --receiver node   # benches/load/node-receiver.js, for comparison
//! ```
//!
//! It starts the receiver as a process of its own (`rust`: this binary's `serve` mode, our `Receiver` with a
//! handler that counts; `node`: a minimal Node receiver following Knock's documented verification), sends
//! signed `message.sent` events (the sample payload, 1.2 KB, each with its own id and timestamp) over many
//! concurrent connections for the given time, then a burst of exact redeliveries of events already answered,
//! and stops by itself. It prints the requests per second, p50/p99 latency, every status seen, the receiver's
//! peak memory, and how often the receiver's handler ran for each distinct delivery.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use clap::{Parser, Subcommand, ValueEnum};
use knock_webhooks::signature::{SIGNATURE_HEADER, Verifier, sign};
use knock_webhooks::{EventHandler, MessageEnvelope, receiver};

const SECRET: &str = "whsec_load_test_secret";
/// The stream and subject prefix of `--receiver relay` and `drain`, deleted at the end.
const LOAD_STREAM: &str = "KNOCK_LOAD";
const LOAD_PREFIX: &str = "knockload";

#[derive(Parser, Debug)]
struct Args {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// Which receiver to start.
    #[arg(long, value_enum, default_value_t = Target::Rust)]
    receiver: Target,
    /// How long to send new events, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections (each sends one request after the other).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// How many redeliveries of events already answered to send at the end, all at once.
    #[arg(long, default_value_t = 5000)]
    duplicates: usize,
    /// Pin the receiver to CPU 1 and this load generator to CPU 0 (`taskset`), so that each has one core of its
    /// own: the receiver's work per core, without the two competing for both.
    #[arg(long)]
    pin: bool,
    /// The most requests per second the run can send (they are all prepared before it starts).
    #[arg(long, default_value_t = 40_000)]
    rate_cap: u64,
    /// What sends the load: this program (reqwest), or wrk (C; it costs the shared machine less per request).
    #[arg(long, value_enum, default_value_t = Driver::Reqwest)]
    driver: Driver,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Driver {
    Reqwest,
    Wrk,
}

/// wrk's script: each of its threads sends its share of the prepared requests (`<signature>\t<body>` lines), each
/// once, and counts what was not 200.
const WRK_SCRIPT: &str = r#"
local file, threads = os.getenv("LOAD_REQUESTS"), tonumber(os.getenv("LOAD_THREADS"))
local counter, all = 0, {}
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(all, thread)
end
function init(args)
  requests, next = {}, 1
  local n = 0
  for line in io.lines(file) do
    if n % threads == index then
      local signature, body = line:match("^([^	]+)	(.*)$")
      table.insert(requests, wrk.format("POST", nil, {["x-knock-signature"] = signature, ["content-type"] = "application/json"}, body))
    end
    n = n + 1
  end
  not_ok = 0
end
function request()
  local r = requests[next]
  next = next + 1
  if r == nil then wrk.thread:stop() end
  return r or requests[1]
end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(all) do bad = bad + thread:get("not_ok") end
  io.write(string.format("LOAD requests %d seconds %.3f p50 %.3f p99 %.3f not_ok %d errors %d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"#;

/// Runs wrk with the prepared requests; its summary: (requests, seconds, p50 ms, p99 ms, not 200, socket errors).
fn run_wrk(args: &Args, url: &str, prepared: &[(axum::body::Bytes, String)]) -> (u64, f64, f64, f64, u64, u64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let requests = dir.path().join("requests.tsv");
    let mut text = Vec::new();
    for (body, signature) in prepared {
        text.extend_from_slice(signature.as_bytes());
        text.push(b'\t');
        text.extend_from_slice(body);
        text.push(b'\n');
    }
    std::fs::write(&requests, text).expect("requests written");
    let script = dir.path().join("load.lua");
    std::fs::write(&script, WRK_SCRIPT).expect("script written");
    let threads = 2;
    let mut command = if args.pin {
        let mut command = Command::new("taskset");
        command.args(["-c", "0", "wrk"]);
        command
    } else {
        Command::new("wrk")
    };
    let out = command
        .args(["-t", &threads.to_string(), "-c", &args.connections.to_string(), "-d", &format!("{}s", args.seconds)])
        .arg("-s")
        .arg(&script)
        .arg(url)
        .env("LOAD_REQUESTS", &requests)
        .env("LOAD_THREADS", threads.to_string())
        .output()
        .expect("wrk runs (Debian's package `wrk`)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("LOAD ")).unwrap_or_else(|| panic!("wrk's summary:\n{stdout}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    let number = |name: &str| -> f64 {
        let at = fields.iter().position(|f| *f == name).expect("a field");
        fields[at + 1].parse().expect("a number")
    };
    (
        number("requests") as u64,
        number("seconds"),
        number("p50"),
        number("p99"),
        number("not_ok") as u64,
        number("errors") as u64,
    )
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Run our receiver with a counting handler (what `--receiver rust` starts).
    Serve,
    /// Fill a JetStream stream of its own with a backlog of events, then time workers draining it.
    Drain {
        /// How many events.
        #[arg(long, default_value_t = 100_000)]
        messages: u64,
        /// How many workers share the durable consumer.
        #[arg(long, default_value_t = 1)]
        workers: usize,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Rust,
    Node,
    /// `--example relay` (build it first), storing in a JetStream stream of its own on 127.0.0.1:4222.
    Relay,
}

/// Counts how often each delivery (by its `load_id`) reached the handler.
#[derive(Default)]
struct Counter {
    calls: Mutex<HashMap<u64, u32>>,
}

impl EventHandler for Counter {
    type Error = std::convert::Infallible;

    async fn on_message_sent(&self, payload: MessageEnvelope) -> Result<(), Self::Error> {
        let id = payload.additional_properties.get("load_id").and_then(serde_json::Value::as_u64).unwrap_or(u64::MAX);
        *self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(id).or_default() += 1;
        Ok(())
    }
}

/// `serve`: our receiver on a free loopback port, until SIGTERM; then it prints what its handler saw.
async fn serve() -> ExitCode {
    let counter = Arc::new(Counter::default());
    let app = receiver::Receiver::new(Verifier::new(SECRET), Arc::clone(&counter)).router();
    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
        eprintln!("error: cannot listen on loopback");
        return ExitCode::FAILURE;
    };
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    eprintln!("listening on http://{address}{}", receiver::ROUTE);
    let shutdown = async {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            term.recv().await;
        }
    };
    if axum::serve(listener, app).with_graceful_shutdown(shutdown).await.is_err() {
        return ExitCode::FAILURE;
    }
    let calls = counter.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let twice = calls.values().filter(|&&n| n > 1).count();
    println!(
        "handled {} distinct deliveries, {} calls, {twice} handled more than once",
        calls.len(),
        calls.values().sum::<u32>()
    );
    ExitCode::SUCCESS
}

/// `drain`: a backlog of `messages` events in a stream of its own, then workers draining it; the rate.
async fn drain(messages: u64, workers: usize) -> ExitCode {
    use knock_webhooks::nats::{StreamSettings, Worker, ensure_stream};
    let Ok(client) = async_nats::connect("127.0.0.1:4222").await else {
        eprintln!("error: cannot connect to NATS at 127.0.0.1:4222");
        return ExitCode::FAILURE;
    };
    let js = async_nats::jetstream::new(client);
    let settings =
        StreamSettings { name: LOAD_STREAM.to_owned(), prefix: LOAD_PREFIX.to_owned(), ..StreamSettings::new() };
    let _ = js.delete_stream(LOAD_STREAM).await;
    if let Err(err) = ensure_stream(&js, &settings).await {
        eprintln!("error: cannot create the stream: {err}");
        return ExitCode::FAILURE;
    }
    let template = template();
    let subject = settings.event_subject("message.sent");
    let filled = Instant::now();
    let mut pending = Vec::with_capacity(1000);
    for id in 0..messages {
        let publish = async_nats::jetstream::context::Publish::build()
            .payload(body(&template, id).into())
            .message_id(id.to_string());
        match js.send_publish(subject.clone(), publish).await {
            Ok(ack) => pending.push(ack),
            Err(err) => {
                eprintln!("error: publish: {err}");
                return ExitCode::FAILURE;
            }
        }
        if pending.len() == 1000 {
            for ack in pending.drain(..) {
                let _ = ack.await;
            }
        }
    }
    for ack in pending.drain(..) {
        let _ = ack.await;
    }
    let fill = filled.elapsed();
    let counter = Arc::new(Counter::default());
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| tokio::spawn(Worker::new(js.clone(), settings.clone(), "drain", Arc::clone(&counter)).run()))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(600);
    while counter.calls.lock().map_or(0, |c| c.len() as u64) < messages && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    let handled = counter.calls.lock().map_or(0, |c| c.len());
    let _ = js.delete_stream(LOAD_STREAM).await;
    println!(
        "backlog: {messages} events stored in {:.1} s ({:.0}/s)",
        fill.as_secs_f64(),
        messages as f64 / fill.as_secs_f64()
    );
    println!(
        "drained by {workers} worker(s): {handled} events in {:.1} s, {:.0} events/s",
        elapsed.as_secs_f64(),
        handled as f64 / elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// The receiver process, and the URL it listens on.
fn start(target: Target) -> (Child, String) {
    let mut command = match target {
        Target::Rust => {
            let mut command = Command::new(std::env::current_exe().expect("this binary"));
            command.arg("serve");
            command
        }
        Target::Node => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/load/node-receiver.js");
            let mut command = Command::new("node");
            command.args([script, "127.0.0.1:0"]);
            command
        }
        Target::Relay => {
            let exe = std::env::current_exe().expect("this binary");
            let mut command = Command::new(exe.with_file_name("relay"));
            command.args(["--bind", "127.0.0.1:0", "--stream", LOAD_STREAM, "--prefix", LOAD_PREFIX]);
            command
        }
    };
    // The relay's one log line is its address; nothing per request.
    let log = if target == Target::Relay { "relay=info" } else { "off" };
    let mut child = command
        .env("KNOCK_WEBHOOK_SECRET", SECRET)
        .env("RUST_LOG", log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the receiver starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.split_once("listening on ").map(|(_, url)| url.trim().to_owned()))
        .expect("the receiver prints its address");
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// The peak and current resident memory of process `pid`, in MB (Linux).
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Sends `replays` all at once; how many got each answer.
async fn redeliver(
    client: &reqwest::Client,
    url: &str,
    replays: Vec<(axum::body::Bytes, String)>,
) -> BTreeMap<String, u64> {
    let burst: Vec<_> = replays
        .into_iter()
        .map(|(body, signature)| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move { post(&client, &url, body, signature).await })
        })
        .collect();
    let mut statuses = BTreeMap::new();
    for request in burst {
        let status = request.await.expect("a request");
        *statuses.entry(status.map_or_else(|| "connection error".to_owned(), |s| s.to_string())).or_default() += 1;
    }
    statuses
}

/// Stops the receiver (SIGTERM) and returns what it printed of its handler's count (for the relay: how many
/// events its stream holds, which is then deleted).
fn stop(child: &mut Child) -> String {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let mut report = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut report);
    }
    let _ = child.wait();
    report
}

/// For the relay: how many events its stream holds; the stream is deleted.
async fn stored() -> String {
    let Ok(client) = async_nats::connect("127.0.0.1:4222").await else { return "NATS unreachable".to_owned() };
    let js = async_nats::jetstream::new(client);
    let count = match js.get_stream(LOAD_STREAM).await {
        Ok(mut stream) => stream.info().await.map(|info| info.state.messages).unwrap_or(0),
        Err(_) => 0,
    };
    let _ = js.delete_stream(LOAD_STREAM).await;
    format!("stored {count} distinct events in JetStream")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// The sample `message.sent` body, compact, cut where each request's `load_id` goes: `{"load_id":<id>,...`.
/// (Splicing the id in keeps the load generator's own work small: it shares the machine with the receiver.)
fn template() -> (Vec<u8>, Vec<u8>) {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/events/message.sent.json"))
        .expect("fixture");
    let value: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
    let compact = serde_json::to_vec(&value).expect("JSON");
    (br#"{"load_id":"#.to_vec(), [b",".as_slice(), &compact[1..]].concat())
}

/// A `message.sent` body with its own `load_id`.
fn body((prefix, suffix): &(Vec<u8>, Vec<u8>), id: u64) -> Vec<u8> {
    let mut body = Vec::with_capacity(prefix.len() + 20 + suffix.len());
    body.extend_from_slice(prefix);
    body.extend_from_slice(id.to_string().as_bytes());
    body.extend_from_slice(suffix);
    body
}

async fn post(client: &reqwest::Client, url: &str, body: axum::body::Bytes, signature: String) -> Option<u16> {
    let response = client.post(url).header(SIGNATURE_HEADER, signature).body(body).send().await.ok()?;
    Some(response.status().as_u16())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match args.mode {
        Some(Mode::Serve) => return serve().await,
        Some(Mode::Drain { messages, workers }) => return drain(messages, workers).await,
        None => {}
    }
    if args.receiver == Target::Relay
        && let Ok(client) = async_nats::connect("127.0.0.1:4222").await
    {
        let _ = async_nats::jetstream::new(client).delete_stream(LOAD_STREAM).await;
    }
    let (mut child, url) = start(args.receiver);
    if args.pin {
        let pin = |cpu: &str, pid: u32| {
            let pinned =
                Command::new("taskset").args(["-a", "-p", "-c", cpu, &pid.to_string()]).stdout(Stdio::null()).status();
            assert!(pinned.is_ok_and(|s| s.success()), "taskset pins process {pid} to CPU {cpu}");
        };
        pin("1", child.id());
        pin("0", std::process::id());
    }
    let template = Arc::new(template());
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.connections).build().expect("a client");
    // Every request is made (its body and signature) before the clock starts, so that the load generator's
    // work while timing is only sending: it shares the machine with the receiver.
    let budget = (args.seconds * args.rate_cap) as usize;
    let prepared: Arc<Vec<(axum::body::Bytes, String)>> = Arc::new(
        (0..budget as u64)
            .map(|id| {
                let body = body(&template, id);
                let signature = sign(SECRET, SystemTime::now(), &body);
                (axum::body::Bytes::from(body), signature)
            })
            .collect(),
    );
    let next = Arc::new(AtomicU64::new(0));
    let statuses: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
    // Indexes of the requests answered 200, for the redeliveries.
    let answered: Arc<Mutex<Vec<usize>>> = Arc::default();
    if args.driver == Driver::Wrk {
        let (requests, seconds, p50, p99, not_ok, errors) = run_wrk(&args, &url, &prepared);
        let (peak_after_load, _) = memory(child.id());
        // The burst: redeliveries of the first events sent (wrk counts what was not 200, not which).
        let replays = prepared.iter().take(args.duplicates.min(requests as usize)).cloned().collect();
        let burst_statuses = redeliver(&client, &url, replays).await;
        let (peak, rss) = memory(child.id());
        drop(client);
        let mut report = stop(&mut child);
        if args.receiver == Target::Relay {
            report = stored().await;
        }
        let pinning = if args.pin { ", receiver pinned to CPU 1 and wrk to CPU 0" } else { "" };
        println!("receiver: {:?} at {url}{pinning}, load sent by wrk", args.receiver);
        println!(
            "load: {} s, {} connections: {requests} requests, {:.0} requests/s, latency p50 {p50:.2} ms, p99 {p99:.2} ms",
            args.seconds,
            args.connections,
            requests as f64 / seconds,
        );
        println!("answers: {not_ok} not 200, {errors} socket errors");
        println!("redeliveries of answered events: {burst_statuses:?}");
        println!(
            "receiver memory: peak {peak_after_load:.0} MB after the load, peak {peak:.0} MB / now {rss:.0} MB after the burst"
        );
        println!("receiver's own count: {}", report.trim());
        return ExitCode::SUCCESS;
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..args.connections)
        .map(|_| {
            let (client, url, prepared, next) = (client.clone(), url.clone(), prepared.clone(), next.clone());
            let (statuses, answered) = (statuses.clone(), answered.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let index = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some((body, signature)) = prepared.get(index) else { break };
                    let sent = Instant::now();
                    let status = post(&client, &url, body.clone(), signature.clone()).await;
                    latencies.push(sent.elapsed());
                    let key = status.map_or_else(|| "connection error".to_owned(), |s| s.to_string());
                    *statuses.lock().expect("not poisoned").entry(key).or_default() += 1;
                    if status == Some(200) {
                        answered.lock().expect("not poisoned").push(index);
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("a worker"));
    }
    let elapsed = started.elapsed();
    let (peak_after_load, _) = memory(child.id());
    latencies.sort_unstable();
    let requests = latencies.len();

    // The burst: redeliveries of answered events (the same body and signature, as Knock's retries), all at once.
    let replays: Vec<(axum::body::Bytes, String)> = {
        let answered = answered.lock().expect("not poisoned");
        answered.iter().rev().take(args.duplicates).map(|&index| prepared[index].clone()).collect()
    };
    let burst_statuses = redeliver(&client, &url, replays).await;
    let (peak, rss) = memory(child.id());
    // Its idle connections closed, so that the receiver can stop.
    drop(client);

    let mut report = stop(&mut child);
    if args.receiver == Target::Relay {
        report = stored().await;
    }

    let pinning = if args.pin { ", receiver pinned to CPU 1 and the load to CPU 0" } else { "" };
    println!("receiver: {:?} at {url}{pinning}", args.receiver);
    println!(
        "load: {} s, {} connections: {requests} requests, {:.0} requests/s, latency p50 {:.2} ms, p99 {:.2} ms",
        args.seconds,
        args.connections,
        requests as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );
    println!("answers: {:?}", statuses.lock().expect("not poisoned"));
    println!("redeliveries of answered events: {burst_statuses:?}");
    println!(
        "receiver memory: peak {peak_after_load:.0} MB after the load, peak {peak:.0} MB / now {rss:.0} MB after the burst"
    );
    println!("receiver's own count: {}", report.trim());
    ExitCode::SUCCESS
}
