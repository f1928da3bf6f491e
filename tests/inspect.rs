//! `examples/inspect.rs`, run as a real process on every sample payload, an unknown type and bad input.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run_inspect(arg: &str, stdin: &[u8]) -> Output {
    let mut child = Command::new(common::example_binary("inspect"))
        .arg(arg)
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("inspect starts");
    child.stdin.take().expect("stdin").write_all(stdin).expect("stdin is written");
    child.wait_with_output().expect("inspect finishes")
}

#[test]
fn prints_type_variant_and_the_event_again_for_every_sample() {
    for (wire_type, value, _) in common::sample_events() {
        let out = run_inspect(&format!("tests/fixtures/events/{wire_type}.json"), b"");
        assert!(out.status.success(), "{wire_type}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("UTF-8");
        let (first, json) = stdout.split_once('\n').expect("two parts");
        let variant = first.strip_prefix(&format!("{wire_type} ")).expect("first line starts with the wire type");
        let expected = if wire_type == "workflow_recipient_run.started" {
            "Unknown".to_owned()
        } else {
            wire_type.split(['.', '_']).map(|w| w[..1].to_uppercase() + &w[1..]).collect::<String>()
        };
        assert_eq!(variant, expected);
        let reserialized: serde_json::Value = serde_json::from_str(json).expect("the rest is JSON");
        assert_eq!(reserialized, value, "{wire_type}");
    }
}

#[test]
fn a_payload_that_breaks_its_constraints_is_printed_with_a_warning_per_violation() {
    let mut clicked = common::sample("message.link_clicked");
    clicked["event_data"]["url"] = serde_json::json!("not a uri");
    clicked["data"]["status"] = serde_json::json!("teleported");
    let out = run_inspect("-", &serde_json::to_vec(&clicked).expect("JSON"));
    assert!(out.status.success(), "it parses: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("message.link_clicked MessageLinkClicked\n"));
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    let mut warnings: Vec<&str> = stderr.lines().collect();
    warnings.sort_unstable();
    assert_eq!(
        warnings,
        [
            "warning: /data/status: \"teleported\" is not one of \"queued\", \"sent\" or 5 other candidates (enum)",
            "warning: /event_data/url: \"not a uri\" is not a \"uri\" (format)",
        ]
    );
}

#[test]
fn reads_stdin_when_given_a_dash() {
    let body = std::fs::read(common::root().join("tests/fixtures/events/message.sent.json")).expect("fixture");
    let out = run_inspect("-", &body);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("message.sent MessageSent\n"));
}

#[test]
fn bad_input_is_one_clear_line_and_a_failure_status() {
    let mut wrong = common::sample("message.delivery_attempted");
    wrong["event_data"]["attempt"] = serde_json::json!("three");
    // Each message names the field, then where in the body it is.
    let cases: [(&[u8], &str); 5] = [
        (
            &serde_json::to_vec(&wrong).expect("JSON"),
            "error: event_data.attempt: invalid type: string \"three\", expected i64 at line 1 column ",
        ),
        (
            b"{\"type\": \"message.sent\", \"created_at\": \"noon\"}",
            "error: created_at: input contains invalid characters at line 1 column 45",
        ),
        (b"{\"data\": {}}", "error: missing field `type` at line 1 column 12"),
        (b"{\"type\": \"message.sent\"", "error: EOF while parsing an object at line 1 column 23"),
        (b"\xff\xfe", "error: expected value at line 1 column 1"),
    ];
    for (input, expected) in cases {
        let out = run_inspect("-", input);
        assert_eq!(out.status.code(), Some(1), "{expected}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(expected), "{stderr:?} should start with {expected:?}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
        assert!(out.stdout.is_empty());
    }
    let out = run_inspect("no/such/file.json", b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: cannot read no/such/file.json: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn typed_data_keeps_an_unlisted_status_and_names_a_bad_date_time() {
    // A status the spec does not list: the event is printed, and the same JSON comes back.
    let mut value = common::sample("message.sent");
    value["data"]["status"] = "held_for_review".into();
    let out = run_inspect("-", value.to_string().as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let (first, json) = stdout.split_once('\n').expect("two parts");
    assert_eq!(first, "message.sent MessageSent");
    assert_eq!(serde_json::from_str::<serde_json::Value>(json).expect("JSON"), value);

    // `data.seen_at` that is no date-time: one line naming the field, and a failure status.
    let mut value = common::sample("message.sent");
    value["data"]["seen_at"] = "last tuesday".into();
    let out = run_inspect("-", value.to_string().as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(stderr.starts_with("error: data.seen_at: "), "{stderr}");
}
