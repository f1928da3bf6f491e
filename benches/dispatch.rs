//! Parsing a Knock webhook body, side by side, for each of the 23 event types and an unknown one:
//! - `event`: `Event` from bytes (ours: lossless, forward compatible, duplicate-checking);
//! - `floor`: serde's derive of one flat struct of the right shape, type known in advance, unknown fields
//!   ignored (the least work any typed parse can do);
//! - `tagged_enum`: serde's derived internally tagged enum over such structs (what other generators emit);
//! - `tagged_lossless` (for reference): the same enum keeping unknown properties with `#[serde(flatten)]`;
//! - `value`: `serde_json::Value`.
//!
//! Run with `cargo bench --bench dispatch`; figures and targets are in BENCHMARKS.md.

#[path = "median.rs"]
mod median;

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group};
use knock_webhooks::Event;
use serde::Deserialize;
use serde_json::{Map, Value};

type Object = Map<String, Value>;

// The floor: one flat struct per payload shape, with the same field types as the generated ones.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Envelope<E> {
    r#type: String,
    created_at: Option<DateTime<Utc>>,
    data: Option<Object>,
    event_data: Option<E>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Attempted {
    attempt: Option<i64>,
    max_attempts: Option<i64>,
    retryable: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Failure {
    failure_reason: Option<String>,
    failure_details: Option<String>,
    token: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct LinkClicked {
    url: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Commit {
    commit_id: Option<String>,
}

// What other generators emit: serde's internally tagged enum over the same structs, without the tag field.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Payload<E> {
    created_at: Option<DateTime<Utc>>,
    data: Option<Object>,
    event_data: Option<E>,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
#[allow(dead_code)]
enum Tagged {
    #[serde(rename = "message.sent")]
    MessageSent(Payload<Object>),
    #[serde(rename = "message.delivered")]
    MessageDelivered(Payload<Object>),
    #[serde(rename = "message.delivery_attempted")]
    MessageDeliveryAttempted(Payload<Attempted>),
    #[serde(rename = "message.undelivered")]
    MessageUndelivered(Payload<Failure>),
    #[serde(rename = "message.bounced")]
    MessageBounced(Payload<Failure>),
    #[serde(rename = "message.seen")]
    MessageSeen(Payload<Object>),
    #[serde(rename = "message.unseen")]
    MessageUnseen(Payload<Object>),
    #[serde(rename = "message.read")]
    MessageRead(Payload<Object>),
    #[serde(rename = "message.unread")]
    MessageUnread(Payload<Object>),
    #[serde(rename = "message.archived")]
    MessageArchived(Payload<Object>),
    #[serde(rename = "message.unarchived")]
    MessageUnarchived(Payload<Object>),
    #[serde(rename = "message.interacted")]
    MessageInteracted(Payload<Object>),
    #[serde(rename = "message.link_clicked")]
    MessageLinkClicked(Payload<LinkClicked>),
    #[serde(rename = "workflow.updated")]
    WorkflowUpdated(Payload<Object>),
    #[serde(rename = "workflow.committed")]
    WorkflowCommitted(Payload<Commit>),
    #[serde(rename = "email_layout.updated")]
    EmailLayoutUpdated(Payload<Object>),
    #[serde(rename = "email_layout.committed")]
    EmailLayoutCommitted(Payload<Commit>),
    #[serde(rename = "translation.updated")]
    TranslationUpdated(Payload<Object>),
    #[serde(rename = "translation.committed")]
    TranslationCommitted(Payload<Commit>),
    #[serde(rename = "partial.updated")]
    PartialUpdated(Payload<Object>),
    #[serde(rename = "partial.committed")]
    PartialCommitted(Payload<Commit>),
    #[serde(rename = "source_event_action.updated")]
    SourceEventActionUpdated(Payload<Object>),
    #[serde(rename = "source_event_action.committed")]
    SourceEventActionCommitted(Payload<Commit>),
    #[serde(other)]
    Unknown,
}

// For reference, not a target: the same tagged enum keeping unknown properties, as `event` does, the way
// serde offers (`#[serde(flatten)]` into a map), over structs of the same shape.
#[derive(Deserialize)]
#[allow(dead_code)]
struct LosslessPayload<E> {
    created_at: Option<DateTime<Utc>>,
    data: Option<Object>,
    event_data: Option<E>,
    #[serde(flatten)]
    unnamed: Object,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Lossless<T> {
    #[serde(flatten)]
    known: T,
    #[serde(flatten)]
    unnamed: Object,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
#[allow(dead_code)]
enum TaggedLossless {
    #[serde(rename = "message.sent")]
    MessageSent(LosslessPayload<Object>),
    #[serde(rename = "message.delivered")]
    MessageDelivered(LosslessPayload<Object>),
    #[serde(rename = "message.delivery_attempted")]
    MessageDeliveryAttempted(LosslessPayload<Lossless<Attempted>>),
    #[serde(rename = "message.undelivered")]
    MessageUndelivered(LosslessPayload<Lossless<Failure>>),
    #[serde(rename = "message.bounced")]
    MessageBounced(LosslessPayload<Lossless<Failure>>),
    #[serde(rename = "message.seen")]
    MessageSeen(LosslessPayload<Object>),
    #[serde(rename = "message.unseen")]
    MessageUnseen(LosslessPayload<Object>),
    #[serde(rename = "message.read")]
    MessageRead(LosslessPayload<Object>),
    #[serde(rename = "message.unread")]
    MessageUnread(LosslessPayload<Object>),
    #[serde(rename = "message.archived")]
    MessageArchived(LosslessPayload<Object>),
    #[serde(rename = "message.unarchived")]
    MessageUnarchived(LosslessPayload<Object>),
    #[serde(rename = "message.interacted")]
    MessageInteracted(LosslessPayload<Object>),
    #[serde(rename = "message.link_clicked")]
    MessageLinkClicked(LosslessPayload<Lossless<LinkClicked>>),
    #[serde(rename = "workflow.updated")]
    WorkflowUpdated(LosslessPayload<Object>),
    #[serde(rename = "workflow.committed")]
    WorkflowCommitted(LosslessPayload<Lossless<Commit>>),
    #[serde(rename = "email_layout.updated")]
    EmailLayoutUpdated(LosslessPayload<Object>),
    #[serde(rename = "email_layout.committed")]
    EmailLayoutCommitted(LosslessPayload<Lossless<Commit>>),
    #[serde(rename = "translation.updated")]
    TranslationUpdated(LosslessPayload<Object>),
    #[serde(rename = "translation.committed")]
    TranslationCommitted(LosslessPayload<Lossless<Commit>>),
    #[serde(rename = "partial.updated")]
    PartialUpdated(LosslessPayload<Object>),
    #[serde(rename = "partial.committed")]
    PartialCommitted(LosslessPayload<Lossless<Commit>>),
    #[serde(rename = "source_event_action.updated")]
    SourceEventActionUpdated(LosslessPayload<Object>),
    #[serde(rename = "source_event_action.committed")]
    SourceEventActionCommitted(LosslessPayload<Lossless<Commit>>),
    // serde cannot keep an unknown type's payload in an internally tagged enum: `other` takes no data.
    #[serde(other)]
    Unknown,
}

/// The floor parse for a payload of `event_type`: its flat struct, chosen in advance.
fn floor(event_type: &str, body: &[u8]) -> bool {
    let parsed = match event_type {
        "message.delivery_attempted" => serde_json::from_slice::<Envelope<Attempted>>(body).is_ok(),
        "message.undelivered" | "message.bounced" => serde_json::from_slice::<Envelope<Failure>>(body).is_ok(),
        "message.link_clicked" => serde_json::from_slice::<Envelope<LinkClicked>>(body).is_ok(),
        t if t.ends_with(".committed") => serde_json::from_slice::<Envelope<Commit>>(body).is_ok(),
        _ => serde_json::from_slice::<Envelope<Object>>(body).is_ok(),
    };
    assert!(parsed, "the floor parses {event_type}");
    parsed
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    // `DISPATCH_REPO`: where the fixtures are when this file is built outside the workspace
    // (`benches/count_dispatch.sh --user-build`).
    let repo = std::env::var_os("DISPATCH_REPO").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    let dir = std::path::Path::new(&repo).join("tests/fixtures/events");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            // Compacted as Knock sends it, properties in their order: going through `Value` would sort them
            // (serde_json's maps are sorted unless its `preserve_order` feature is on) and put `type` last.
            let pretty = std::fs::read(&p).expect("fixture");
            let mut body = Vec::new();
            serde_transcode::transcode(
                &mut serde_json::Deserializer::from_slice(&pretty),
                &mut serde_json::Serializer::new(&mut body),
            )
            .expect("JSON");
            (p.file_stem().expect("name").to_string_lossy().into_owned(), body)
        })
        .collect();
    found.sort();
    found
}

fn dispatch(c: &mut Criterion) {
    for (event_type, body) in fixtures() {
        let mut group = c.benchmark_group(&event_type);
        group.throughput(Throughput::Bytes(body.len() as u64));
        for parser in PARSERS {
            group.bench_function(parser, |b| b.iter(|| parse(parser, &event_type, &body)));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(40);
    targets = dispatch
}
/// The parsers, by the names the benchmark and the environment variables below use.
const PARSERS: [&str; 5] = ["event", "floor", "tagged_enum", "tagged_lossless", "value"];

/// Parses `body` (a payload of `event_type`) once with `parser`.
fn parse(parser: &str, event_type: &str, body: &[u8]) {
    match parser {
        "event" => drop(black_box(serde_json::from_slice::<Event>(black_box(body)).expect("parses"))),
        "floor" => drop(black_box(floor(event_type, black_box(body)))),
        "tagged_enum" => drop(black_box(serde_json::from_slice::<Tagged>(black_box(body)).expect("parses"))),
        "tagged_lossless" => {
            drop(black_box(serde_json::from_slice::<TaggedLossless>(black_box(body)).expect("parses")))
        }
        "value" => drop(black_box(serde_json::from_slice::<Value>(black_box(body)).expect("parses"))),
        other => panic!("unknown parser {other}; the parsers are {PARSERS:?}"),
    }
}

/// `DISPATCH_REPEAT=<payload>:<parser>:<count>` parses that payload `count` times with that parser and exits:
/// for counting instructions with callgrind, which gives the same figure on every run
/// (`bash benches/count_dispatch.sh`), where timings on a shared machine vary.
fn repeat(spec: &str) {
    let mut parts = spec.split(':');
    let (Some(payload), Some(parser), Some(count)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("DISPATCH_REPEAT is <payload>:<parser>:<count>, not {spec}");
    };
    let count: usize = count.parse().expect("a count");
    let (event_type, body) = fixtures().into_iter().find(|(name, _)| name == payload).expect("a fixture of that name");
    for _ in 0..count {
        parse(parser, &event_type, &body);
    }
}

/// `DISPATCH_INTERLEAVED=<rounds>` times the parsers in turns, and prints a Markdown table of the medians and of
/// the ratios. criterion times one parser for seconds, then the next; on a machine whose speed drifts by a
/// third from one minute to the next, the ratio of two such medians carries the drift. Here every round times
/// each parser for about a millisecond, one after the other (in an order that rotates), and a ratio is the
/// median over the rounds of that round's ratio.
fn interleaved(rounds: usize) {
    use median::median;
    use std::time::Instant;
    println!(
        "| payload | bytes | event µs (MiB/s) | floor µs | tagged_enum µs | tagged_lossless µs | value µs | event/floor | event/tagged |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (event_type, body) in fixtures() {
        // Parses per turn: about a millisecond of `event`.
        let started = Instant::now();
        let mut batch = 0u32;
        while started.elapsed() < Duration::from_millis(1) {
            parse("event", &event_type, &body);
            batch += 1;
        }
        let mut micros: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); PARSERS.len()];
        for round in 0..rounds {
            for turn in 0..PARSERS.len() {
                let which = (round + turn) % PARSERS.len();
                let started = Instant::now();
                for _ in 0..batch {
                    parse(PARSERS[which], &event_type, &body);
                }
                micros[which].push(started.elapsed().as_secs_f64() * 1e6 / f64::from(batch));
            }
        }
        let ratio = |other: usize| median(micros[0].iter().zip(&micros[other]).map(|(e, o)| e / o).collect());
        let (to_floor, to_tagged) = (ratio(1), ratio(2));
        let medians: Vec<f64> = micros.into_iter().map(median).collect();
        let mib_per_s = body.len() as f64 / medians[0] / 1.048576;
        println!(
            "| {event_type} | {} | {:.2} ({mib_per_s:.0}) | {:.2} | {:.2} | {:.2} | {:.2} | {to_floor:.2}× | {to_tagged:.2}× |",
            body.len(),
            medians[0],
            medians[1],
            medians[2],
            medians[3],
            medians[4]
        );
    }
}

fn main() {
    if let Ok(spec) = std::env::var("DISPATCH_REPEAT") {
        repeat(&spec);
        return;
    }
    if let Ok(rounds) = std::env::var("DISPATCH_INTERLEAVED") {
        interleaved(rounds.parse().expect("DISPATCH_INTERLEAVED is a number of rounds"));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
