//! Knock's webhook signatures: `x-knock-signature: t=<timestamp>,s=<signature>`, where `<timestamp>` is
//! Unix time in milliseconds and `<signature>` is the standard base64 of HMAC-SHA256, keyed with the
//! webhook's secret, over `<timestamp>` + `.` + the raw request body.
//!
//! ```
//! use std::time::SystemTime;
//! use knock_webhooks::signature::{Verifier, sign};
//!
//! let body = br#"{"type":"message.sent","created_at":"2026-01-31T17:12:59Z"}"#;
//! let now = SystemTime::now();
//! let header = sign(b"whsec_example", now, body); // what Knock sends
//!
//! let verifier = Verifier::new("whsec_example");
//! let event = verifier.verify(Some(&header), body, now).expect("signed by Knock");
//! assert_eq!(event.event_type(), "message.sent");
//! ```

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Event, ParseError};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-knock-signature";
/// The header that repeats the payload's `type`.
pub const EVENT_HEADER: &str = "x-knock-event";
/// The header that names the Knock environment.
pub const ENVIRONMENT_HEADER: &str = "x-knock-environment-id";
/// How far the signed timestamp may be from now, either way, by default (Knock suggests five minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

type HmacSha256 = Hmac<Sha256>;

/// Why a request was not accepted. Each check has its own variant.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the {SIGNATURE_HEADER} header is missing")]
    MissingHeader,
    #[error("the {SIGNATURE_HEADER} header is malformed: {0}")]
    MalformedHeader(&'static str),
    #[error("the signature timestamp `{0}` is not a number of milliseconds")]
    InvalidTimestamp(String),
    #[error("the signature is not valid base64")]
    InvalidBase64,
    #[error("the signature does not match the body (wrong secret, or the body was changed)")]
    SignatureMismatch,
    #[error("the signature timestamp is {age:?} old, more than the {tolerance:?} allowed")]
    TimestampTooOld { age: Duration, tolerance: Duration },
    #[error("the signature timestamp is {ahead:?} in the future, more than the {tolerance:?} allowed")]
    TimestampInFuture { ahead: Duration, tolerance: Duration },
    #[error("the body is empty")]
    EmptyBody,
    #[error("the body is not UTF-8 (invalid byte at offset {valid_up_to})")]
    BodyNotUtf8 { valid_up_to: usize },
    #[error("the body is not a valid event: {0}")]
    InvalidPayload(#[from] ParseError),
}

impl VerifyError {
    /// Whether the request failed authentication (as opposed to being authentic but not a valid event).
    pub fn is_authentication_failure(&self) -> bool {
        !matches!(self, VerifyError::EmptyBody | VerifyError::BodyNotUtf8 { .. } | VerifyError::InvalidPayload(_))
    }
}

/// The two fields of an `x-knock-signature` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// Unix time in milliseconds.
    pub timestamp_ms: u64,
    /// The raw HMAC-SHA256 bytes (decoded from base64).
    pub signature: Vec<u8>,
}

impl SignatureHeader {
    /// Parses `t=<timestamp>,s=<signature>`, the format Knock documents (in that order).
    pub fn parse(value: &str) -> Result<SignatureHeader, VerifyError> {
        let mut fields = value.split(',').map(str::trim);
        let (first, second) = (fields.next().unwrap_or_default(), fields.next());
        if fields.next().is_some() {
            return Err(VerifyError::MalformedHeader("expected exactly two fields, `t=<timestamp>,s=<signature>`"));
        }
        if first.starts_with("s=") && second.is_some_and(|s| s.starts_with("t=")) {
            return Err(VerifyError::MalformedHeader("fields out of order: expected `t=<timestamp>,s=<signature>`"));
        }
        let timestamp = first.strip_prefix("t=").ok_or(VerifyError::MalformedHeader("it must start with `t=`"))?;
        let signature = second
            .ok_or(VerifyError::MalformedHeader("the `s=<signature>` field is missing"))?
            .strip_prefix("s=")
            .ok_or(VerifyError::MalformedHeader("the second field must be `s=<signature>`"))?;
        if signature.is_empty() {
            return Err(VerifyError::MalformedHeader("the signature is empty"));
        }
        let timestamp_ms = match timestamp.parse::<u64>() {
            Ok(ms) if timestamp.bytes().all(|b| b.is_ascii_digit()) => ms,
            _ => return Err(VerifyError::InvalidTimestamp(timestamp.to_owned())),
        };
        let signature = BASE64.decode(signature).map_err(|_| VerifyError::InvalidBase64)?;
        Ok(SignatureHeader { timestamp_ms, signature })
    }
}

/// Checks Knock's signatures with one webhook secret.
#[derive(Clone)]
pub struct Verifier {
    /// The HMAC keyed with the secret, cloned for each request (keying is done once).
    keyed: HmacSha256,
    tolerance: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.debug_struct("Verifier").field("tolerance", &self.tolerance).finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the webhook secret shown on the webhook's page in the Knock dashboard.
    pub fn new(secret: impl AsRef<[u8]>) -> Verifier {
        Verifier { keyed: keyed(secret.as_ref()), tolerance: DEFAULT_TOLERANCE }
    }

    /// How far the signed timestamp may be from now, in the past or the future.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Verifier {
        self.tolerance = tolerance;
        self
    }

    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Verifies the signature of `body` (the raw request body, exactly as received) and parses it.
    ///
    /// `header` is the value of the `x-knock-signature` header, `None` when the request had none; `now`
    /// is the current time (a parameter so that tests and replays can pin it).
    pub fn verify(&self, header: Option<&str>, body: &[u8], now: SystemTime) -> Result<Event, VerifyError> {
        self.verify_signature(header, body, now)?;
        if body.is_empty() {
            return Err(VerifyError::EmptyBody);
        }
        if let Err(err) = std::str::from_utf8(body) {
            return Err(VerifyError::BodyNotUtf8 { valid_up_to: err.valid_up_to() });
        }
        Ok(Event::from_json(body)?)
    }

    /// Checks only the signature and its timestamp; returns the parsed header.
    pub fn verify_signature(
        &self,
        header: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<SignatureHeader, VerifyError> {
        let header = SignatureHeader::parse(header.ok_or(VerifyError::MissingHeader)?)?;
        let mut mac = self.keyed.clone();
        signed_content(&mut mac, header.timestamp_ms, body);
        // `verify_slice` compares in constant time.
        mac.verify_slice(&header.signature).map_err(|_| VerifyError::SignatureMismatch)?;
        let now_ms = unix_ms(now);
        let signed_ms = i128::from(header.timestamp_ms);
        let tolerance = self.tolerance;
        if now_ms - signed_ms > tolerance.as_millis() as i128 {
            return Err(VerifyError::TimestampTooOld { age: millis(now_ms - signed_ms), tolerance });
        }
        if signed_ms - now_ms > tolerance.as_millis() as i128 {
            return Err(VerifyError::TimestampInFuture { ahead: millis(signed_ms - now_ms), tolerance });
        }
        Ok(header)
    }
}

/// The `x-knock-signature` value Knock would send for `body` at `timestamp`: for tests, and for replaying
/// stored events to your own endpoint.
pub fn sign(secret: impl AsRef<[u8]>, timestamp: SystemTime, body: &[u8]) -> String {
    sign_at_ms(secret, u64::try_from(unix_ms(timestamp)).unwrap_or(0), body)
}

/// [`sign`] with the timestamp given in Unix milliseconds.
pub fn sign_at_ms(secret: impl AsRef<[u8]>, timestamp_ms: u64, body: &[u8]) -> String {
    let mut mac = keyed(secret.as_ref());
    signed_content(&mut mac, timestamp_ms, body);
    format!("t={timestamp_ms},s={}", BASE64.encode(mac.finalize().into_bytes()))
}

fn keyed(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// Feeds `<timestamp>.<body>` to the MAC.
fn signed_content(mac: &mut HmacSha256, timestamp_ms: u64, body: &[u8]) {
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
}

/// Milliseconds since the Unix epoch, negative before it.
fn unix_ms(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_millis() as i128,
        Err(before) => -(before.duration().as_millis() as i128),
    }
}

fn millis(ms: i128) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}
