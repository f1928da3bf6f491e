//! Parsing a Knock webhook body, side by side, for each of the 23 event types and an unknown one:
//! - `event`: `Event` from bytes (ours: lossless, forward compatible, duplicate-checking);
//! - `floor`: serde's derive of one flat struct of the right shape (`data` typed as ours is), type known in
//!   advance, unknown fields ignored (the least work any typed parse can do);
//! - `tagged_enum`: serde's derived internally tagged enum over such structs (what other generators emit);
//! - `value`: `serde_json::Value`;
//! - `untyped_event` (in the user build only): `Event` generated without the overlay, its `data` an untyped map,
//!   as the bindings were before `data` was typed.
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

// The floor: one flat struct per payload shape, with the same field types as the generated ones (typed `data`
// included: the objects of spec/knock/objects.yaml), unknown fields ignored.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Envelope<D, E> {
    r#type: String,
    created_at: Option<DateTime<Utc>>,
    data: Option<D>,
    event_data: Option<E>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Message {
    #[serde(rename = "__typename")]
    typename: String,
    id: String,
    channel_id: uuid::Uuid,
    channel: Option<Channel>,
    recipient: Recipient,
    actors: Option<Vec<Recipient>>,
    workflow: Option<String>,
    tenant: Option<String>,
    status: Status,
    engagement_statuses: Vec<Engagement>,
    inserted_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    seen_at: Option<DateTime<Utc>>,
    read_at: Option<DateTime<Utc>>,
    archived_at: Option<DateTime<Utc>>,
    clicked_at: Option<DateTime<Utc>>,
    interacted_at: Option<DateTime<Utc>>,
    link_clicked_at: Option<DateTime<Utc>>,
    scheduled_at: Option<DateTime<Utc>>,
    data: Option<Object>,
    metadata: Option<Object>,
    recipient_snapshot: Option<Object>,
    source: Source,
}

#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Recipient {
    UserId(String),
    Object { id: String, collection: String },
}

// serde's closest to an open enum: `other` keeps no string, so it costs less than ours on unknown values.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Status {
    Queued,
    Sent,
    Delivered,
    DeliveryAttempted,
    Undelivered,
    NotSent,
    Bounced,
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Engagement {
    Seen,
    Read,
    Interacted,
    LinkClicked,
    Archived,
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Kind {
    Broadcast,
    Workflow,
    Guide,
    Email,
    InApp,
    InAppFeed,
    InAppGuide,
    Sms,
    Push,
    Chat,
    Http,
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Source {
    #[serde(rename = "__typename")]
    typename: String,
    key: String,
    version_id: uuid::Uuid,
    categories: Vec<String>,
    step_ref: Option<String>,
    r#type: Option<Kind>,
    workflow_run_id: Option<uuid::Uuid>,
    workflow_recipient_run_id: Option<uuid::Uuid>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Channel {
    id: uuid::Uuid,
    r#type: Kind,
    provider: Option<String>,
    key: Option<String>,
    name: Option<String>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Workflow {
    key: Option<String>,
    name: Option<String>,
    description: Option<String>,
    active: Option<bool>,
    valid: Option<bool>,
    environment: Option<String>,
    sha: Option<String>,
    categories: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    steps: Option<Vec<Object>>,
    conditions: Option<Object>,
    goal_attachment: Option<Object>,
    settings: Option<Object>,
    trigger_data_json_schema: Option<Object>,
    trigger_frequency: Option<Kind>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct EmailLayout {
    key: Option<String>,
    name: Option<String>,
    environment: Option<String>,
    sha: Option<String>,
    html_layout: Option<String>,
    text_layout: Option<String>,
    is_mjml: Option<bool>,
    footer_links: Option<Vec<Object>>,
    branding_overrides: Option<Object>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Translation {
    locale_code: Option<String>,
    namespace: Option<String>,
    format: Option<Kind>,
    content: Option<String>,
    tenant: Option<String>,
    inserted_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Partial {
    key: Option<String>,
    name: Option<String>,
    description: Option<String>,
    r#type: Option<Kind>,
    content: Option<String>,
    environment: Option<String>,
    icon_name: Option<String>,
    input_schema: Option<Vec<Object>>,
    valid: Option<bool>,
    visual_block_enabled: Option<bool>,
    inserted_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SourceEventAction {
    event_type: Option<String>,
    action_type: Option<Kind>,
    action_parameters: Option<Object>,
    active: Option<bool>,
    is_deleted: Option<bool>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
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
struct Payload<D, E> {
    created_at: Option<DateTime<Utc>>,
    data: Option<D>,
    event_data: Option<E>,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
#[allow(dead_code)]
enum Tagged {
    #[serde(rename = "message.sent")]
    MessageSent(Payload<Message, Object>),
    #[serde(rename = "message.delivered")]
    MessageDelivered(Payload<Message, Object>),
    #[serde(rename = "message.delivery_attempted")]
    MessageDeliveryAttempted(Payload<Message, Attempted>),
    #[serde(rename = "message.undelivered")]
    MessageUndelivered(Payload<Message, Failure>),
    #[serde(rename = "message.bounced")]
    MessageBounced(Payload<Message, Failure>),
    #[serde(rename = "message.seen")]
    MessageSeen(Payload<Message, Object>),
    #[serde(rename = "message.unseen")]
    MessageUnseen(Payload<Message, Object>),
    #[serde(rename = "message.read")]
    MessageRead(Payload<Message, Object>),
    #[serde(rename = "message.unread")]
    MessageUnread(Payload<Message, Object>),
    #[serde(rename = "message.archived")]
    MessageArchived(Payload<Message, Object>),
    #[serde(rename = "message.unarchived")]
    MessageUnarchived(Payload<Message, Object>),
    #[serde(rename = "message.interacted")]
    MessageInteracted(Payload<Message, Object>),
    #[serde(rename = "message.link_clicked")]
    MessageLinkClicked(Payload<Message, LinkClicked>),
    #[serde(rename = "workflow.updated")]
    WorkflowUpdated(Payload<Workflow, Object>),
    #[serde(rename = "workflow.committed")]
    WorkflowCommitted(Payload<Workflow, Commit>),
    #[serde(rename = "email_layout.updated")]
    EmailLayoutUpdated(Payload<EmailLayout, Object>),
    #[serde(rename = "email_layout.committed")]
    EmailLayoutCommitted(Payload<EmailLayout, Commit>),
    #[serde(rename = "translation.updated")]
    TranslationUpdated(Payload<Translation, Object>),
    #[serde(rename = "translation.committed")]
    TranslationCommitted(Payload<Translation, Commit>),
    #[serde(rename = "partial.updated")]
    PartialUpdated(Payload<Partial, Object>),
    #[serde(rename = "partial.committed")]
    PartialCommitted(Payload<Partial, Commit>),
    #[serde(rename = "source_event_action.updated")]
    SourceEventActionUpdated(Payload<SourceEventAction, Object>),
    #[serde(rename = "source_event_action.committed")]
    SourceEventActionCommitted(Payload<SourceEventAction, Commit>),
    // serde cannot keep an unknown type's payload in an internally tagged enum: `other` takes no data.
    #[serde(other)]
    Unknown,
}

/// The floor parse for a payload of `event_type`: its flat struct, chosen in advance.
fn floor(event_type: &str, body: &[u8]) -> bool {
    fn parses<D: for<'de> Deserialize<'de>, E: for<'de> Deserialize<'de>>(body: &[u8]) -> bool {
        serde_json::from_slice::<Envelope<D, E>>(body).is_ok()
    }
    let parsed = match event_type {
        "message.delivery_attempted" => parses::<Message, Attempted>(body),
        "message.undelivered" | "message.bounced" => parses::<Message, Failure>(body),
        "message.link_clicked" => parses::<Message, LinkClicked>(body),
        t if t.starts_with("message.") => parses::<Message, Object>(body),
        "workflow.updated" => parses::<Workflow, Object>(body),
        "workflow.committed" => parses::<Workflow, Commit>(body),
        "email_layout.updated" => parses::<EmailLayout, Object>(body),
        "email_layout.committed" => parses::<EmailLayout, Commit>(body),
        "translation.updated" => parses::<Translation, Object>(body),
        "translation.committed" => parses::<Translation, Commit>(body),
        "partial.updated" => parses::<Partial, Object>(body),
        "partial.committed" => parses::<Partial, Commit>(body),
        "source_event_action.updated" => parses::<SourceEventAction, Object>(body),
        "source_event_action.committed" => parses::<SourceEventAction, Commit>(body),
        // A type no spec lists: the floor knows no more than that it is an object.
        _ => parses::<Object, Object>(body),
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
            group.bench_function(*parser, |b| b.iter(|| parse(parser, &event_type, &body)));
        }
        group.finish();
    }
}

/// `Event::validate` on an event already parsed (its schema compiled by the first call, in the warm-up): what
/// checking everything the spec says costs beyond parsing.
fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    for (event_type, body) in fixtures() {
        let event: Event = serde_json::from_slice(&body).expect("parses");
        group.bench_function(&event_type, |b| b.iter(|| black_box(&event).validate().expect("valid")));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(40);
    targets = dispatch, validate
}
/// The parsers, by the names the benchmark and the environment variables below use. `untyped_event` (the
/// bindings without the overlay, `data` an untyped map) is there only in the user build of
/// `benches/count_dispatch.sh --user-build`, which generates that crate.
#[cfg(not(untyped_baseline))]
const PARSERS: &[&str] = &["event", "floor", "tagged_enum", "value"];
#[cfg(untyped_baseline)]
const PARSERS: &[&str] = &["event", "floor", "tagged_enum", "value", "untyped_event"];

/// Parses `body` (a payload of `event_type`) once with `parser`.
fn parse(parser: &str, event_type: &str, body: &[u8]) {
    match parser {
        "event" => drop(black_box(serde_json::from_slice::<Event>(black_box(body)).expect("parses"))),
        "floor" => drop(black_box(floor(event_type, black_box(body)))),
        "tagged_enum" => drop(black_box(serde_json::from_slice::<Tagged>(black_box(body)).expect("parses"))),
        #[cfg(untyped_baseline)]
        "untyped_event" => {
            drop(black_box(serde_json::from_slice::<knock_webhooks_untyped::Event>(black_box(body)).expect("parses")))
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
    // A column of medians per parser, then `event`'s ratio to each of the others.
    let mut header = String::from("| payload | bytes | event µs (MiB/s) |");
    for parser in &PARSERS[1..] {
        header.push_str(&format!(" {parser} µs |"));
    }
    for parser in &PARSERS[1..] {
        header.push_str(&format!(" event/{parser} |"));
    }
    println!("{header}");
    println!("|{}", "---|".repeat(2 + 2 * PARSERS.len() - 1));
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
        let ratios: Vec<f64> = (1..PARSERS.len())
            .map(|other| median(micros[0].iter().zip(&micros[other]).map(|(e, o)| e / o).collect()))
            .collect();
        let medians: Vec<f64> = micros.into_iter().map(median).collect();
        let mib_per_s = body.len() as f64 / medians[0] / 1.048576;
        let mut row = format!("| {event_type} | {} | {:.2} ({mib_per_s:.0}) |", body.len(), medians[0]);
        for median in &medians[1..] {
            row.push_str(&format!(" {median:.2} |"));
        }
        for ratio in ratios {
            row.push_str(&format!(" {ratio:.2}× |"));
        }
        println!("{row}");
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
