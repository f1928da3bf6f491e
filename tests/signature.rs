//! Knock signature verification: known-answer vectors computed by OpenSSL, and one test per way a request
//! can fail, each with its own error.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use knock_webhooks::signature::{DEFAULT_TOLERANCE, SignatureHeader, Verifier, VerifyError, sign, sign_at_ms};

const SECRET: &str = "whsec_3b8e0f9a1c";

fn at_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn body() -> Vec<u8> {
    std::fs::read(common::root().join("tests/fixtures/events/message.delivery_attempted.json")).expect("fixture")
}

/// (secret, timestamp, body, header) from `tests/fixtures/signatures/known_answers.tsv`.
fn known_answers() -> Vec<(String, u64, Vec<u8>, String)> {
    let fixtures = common::root().join("tests/fixtures");
    let table = std::fs::read_to_string(fixtures.join("signatures/known_answers.tsv")).expect("vectors");
    table
        .lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [secret, ms, file, header] = cols.as_slice() else { panic!("bad vector line {line:?}") };
            let body = std::fs::read(fixtures.join(file)).expect("vector body");
            (secret.to_string(), ms.parse().expect("timestamp"), body, header.to_string())
        })
        .collect()
}

#[test]
fn known_answer_vectors_from_openssl() {
    let vectors = known_answers();
    assert_eq!(vectors.len(), 5);
    for (secret, ms, body, header) in vectors {
        assert_eq!(sign_at_ms(&secret, ms, &body), header, "signing with {secret:?} at {ms}");
        let event = Verifier::new(&secret).verify(Some(&header), &body, at_ms(ms)).expect("the vector verifies");
        let expected: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(event.event_type(), expected["type"]);
    }
}

fn verify_err(header: Option<&str>, body: &[u8], now: SystemTime) -> VerifyError {
    Verifier::new(SECRET).verify(header, body, now).expect_err("must be rejected")
}

#[test]
fn tampered_body_and_wrong_secret_do_not_match() {
    let now = at_ms(1_769_879_580_001);
    let body = body();
    let header = sign(SECRET, now, &body);
    let mut tampered = body.clone();
    let at = tampered.iter().position(|&b| b == b'2').expect("a digit to change");
    tampered[at] = b'3';
    assert!(matches!(verify_err(Some(&header), &tampered, now), VerifyError::SignatureMismatch));
    let wrong_secret = sign("whsec_not_this_one", now, &body);
    let err = verify_err(Some(&wrong_secret), &body, now);
    assert!(matches!(err, VerifyError::SignatureMismatch));
    assert_eq!(err.to_string(), "the signature does not match the body (wrong secret, or the body was changed)");
    // Re-serialized JSON is not the raw body, and does not verify (Knock's own docs once got this wrong).
    let reserialized =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&body).expect("JSON")).expect("JSON");
    assert!(matches!(verify_err(Some(&header), &reserialized, now), VerifyError::SignatureMismatch));
}

#[test]
fn header_problems_each_have_their_own_error() {
    let now = at_ms(1_769_879_580_001);
    let body = body();
    let header = sign(SECRET, now, &body);
    let (t, s) = header.split_once(',').expect("two fields");

    assert!(matches!(verify_err(None, &body, now), VerifyError::MissingHeader));
    // Cut short: the base64 loses its padding.
    let truncated = &header[..header.len() - 1];
    assert!(matches!(verify_err(Some(truncated), &body, now), VerifyError::InvalidBase64));
    let err = verify_err(Some(t), &body, now);
    assert_eq!(err.to_string(), "the x-knock-signature header is malformed: the `s=<signature>` field is missing");
    let err = verify_err(Some(&format!("{s},{t}")), &body, now);
    assert_eq!(
        err.to_string(),
        "the x-knock-signature header is malformed: fields out of order: expected `t=<timestamp>,s=<signature>`"
    );
    let err = verify_err(Some(&format!("{t},{s},v=1")), &body, now);
    assert!(matches!(err, VerifyError::MalformedHeader(_)), "{err}");
    let err = verify_err(Some(&format!("t=,{s}")), &body, now);
    assert!(matches!(&err, VerifyError::InvalidTimestamp(t) if t.is_empty()), "{err}");
    let err = verify_err(Some(&format!("t=17698795800O1,{s}")), &body, now);
    assert_eq!(err.to_string(), "the signature timestamp `17698795800O1` is not a number of milliseconds");
    let err = verify_err(Some(&format!("t=+1769879580001,{s}")), &body, now);
    assert!(matches!(err, VerifyError::InvalidTimestamp(_)), "a sign is not a digit: {err}");
    let err = verify_err(Some(&format!("{t},s=not*base64!")), &body, now);
    assert!(matches!(err, VerifyError::InvalidBase64), "{err}");
    let err = verify_err(Some(&format!("{t},s=")), &body, now);
    assert_eq!(err.to_string(), "the x-knock-signature header is malformed: the signature is empty");
    assert!(matches!(verify_err(Some(""), &body, now), VerifyError::MalformedHeader(_)));
}

#[test]
fn timestamps_outside_the_tolerance_are_rejected_both_ways() {
    let signed_at = at_ms(1_769_879_580_001);
    let body = body();
    let header = sign(SECRET, signed_at, &body);
    let verifier = Verifier::new(SECRET);
    assert_eq!(verifier.tolerance(), DEFAULT_TOLERANCE);
    assert_eq!(DEFAULT_TOLERANCE, Duration::from_secs(300));

    // Right at the edge is accepted, one millisecond past it is not.
    verifier.verify(Some(&header), &body, signed_at + DEFAULT_TOLERANCE).expect("5 minutes old is fine");
    verifier.verify(Some(&header), &body, signed_at - DEFAULT_TOLERANCE).expect("5 minutes ahead is fine");
    let late = signed_at + DEFAULT_TOLERANCE + Duration::from_millis(1);
    match verifier.verify(Some(&header), &body, late) {
        Err(VerifyError::TimestampTooOld { age, tolerance }) => {
            assert_eq!((age, tolerance), (Duration::from_millis(300_001), DEFAULT_TOLERANCE));
        }
        other => panic!("expected TimestampTooOld, got {other:?}"),
    }
    let early = signed_at - DEFAULT_TOLERANCE - Duration::from_millis(1);
    assert!(matches!(verifier.verify(Some(&header), &body, early), Err(VerifyError::TimestampInFuture { .. })));

    // Configurable: a minute allows less.
    let strict = Verifier::new(SECRET).with_tolerance(Duration::from_secs(60));
    let err = strict.verify(Some(&header), &body, signed_at + Duration::from_secs(61)).expect_err("too old");
    assert_eq!(err.to_string(), "the signature timestamp is 61s old, more than the 60s allowed");
    // Milliseconds, not seconds: a header in seconds is ~55 years old.
    let in_seconds = format!("t=1769879580,{}", header.split_once(',').expect("two fields").1);
    assert!(matches!(verifier.verify(Some(&in_seconds), &body, signed_at), Err(VerifyError::SignatureMismatch)));
}

#[test]
fn authentic_bodies_that_are_not_events_are_told_apart() {
    let now = at_ms(1_769_879_580_001);
    let verifier = Verifier::new(SECRET);

    let err = verifier.verify(Some(&sign(SECRET, now, b"")), b"", now).expect_err("empty");
    assert!(matches!(err, VerifyError::EmptyBody));
    assert!(!err.is_authentication_failure());

    let latin1 = b"{\"type\": \"message.sent\", \"x\": \"caf\xe9\"}";
    let err = verifier.verify(Some(&sign(SECRET, now, latin1)), latin1, now).expect_err("not UTF-8");
    assert!(matches!(err, VerifyError::BodyNotUtf8 { valid_up_to: 34 }), "{err:?}");

    let mut wrong = serde_json::from_slice::<serde_json::Value>(&body()).expect("JSON");
    wrong["event_data"]["attempt"] = serde_json::json!("two");
    let wrong = serde_json::to_vec(&wrong).expect("JSON");
    let err = verifier.verify(Some(&sign(SECRET, now, &wrong)), &wrong, now).expect_err("invalid event");
    let message = err.to_string();
    assert!(
        message.starts_with(
            "the body is not a valid event: event_data.attempt: invalid type: string \"two\", expected i64 at line 1"
        ),
        "{message}"
    );

    // Unsigned garbage is an authentication failure first: nothing about the body is revealed.
    let err = verifier.verify(Some(&sign("other", now, b"{")), b"{", now).expect_err("unsigned");
    assert!(err.is_authentication_failure());
}

#[test]
fn header_parsing_and_debug_output() {
    let parsed = SignatureHeader::parse("t=42,s=AAEC").expect("valid");
    assert_eq!(parsed, SignatureHeader { timestamp_ms: 42, signature: vec![0, 1, 2] });
    let debug = format!("{:?}", Verifier::new("super-secret-value"));
    assert!(!debug.contains("super-secret-value"), "{debug}");
}
