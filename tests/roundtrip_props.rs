//! Property tests: any value of the generated Knock types, for every event type, is written as JSON and read
//! back unchanged. The one invariant a value must keep (the wire could not carry it otherwise): its
//! `additional_properties` do not repeat a named property or the `type` tag.

use chrono::{DateTime, TimeZone, Utc};
use knock_webhooks::*;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object whose keys avoid `reserved` (the named properties and the tag).
fn extra_properties(reserved: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-z_]{1,10}", json_value(), 0..4)
        .prop_map(move |m| m.into_iter().filter(|(k, _)| !reserved.contains(&k.as_str())).collect())
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    extra_properties(&[])
}

fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| Utc.timestamp_opt(secs, nanos).single().expect("in range"))
}

const ENVELOPE: &[&str] = &["type", "created_at", "data", "event_data"];
const ENV_OBJECT: &[&str] = &["type", "created_at", "data"];

fn message_envelope() -> impl Strategy<Value = MessageEnvelope> {
    (
        prop::option::of(timestamp()),
        prop::option::of(json_object()),
        prop::option::of(prop::option::of(json_object())),
        extra_properties(ENVELOPE),
    )
        .prop_map(|(created_at, data, event_data, additional_properties)| MessageEnvelope {
            created_at,
            data,
            event_data,
            additional_properties,
        })
}

fn delivery_attempted() -> impl Strategy<Value = MessageDeliveryAttemptedEnvelope> {
    let event_data = (
        prop::option::of(any::<i64>()),
        prop::option::of(any::<i64>()),
        prop::option::of(any::<bool>()),
        extra_properties(&["attempt", "max_attempts", "retryable"]),
    )
        .prop_map(|(attempt, max_attempts, retryable, additional_properties)| {
            MessageDeliveryAttemptedEnvelopeEventData { attempt, max_attempts, retryable, additional_properties }
        });
    (
        prop::option::of(timestamp()),
        prop::option::of(json_object()),
        prop::option::of(event_data),
        extra_properties(ENVELOPE),
    )
        .prop_map(|(created_at, data, event_data, additional_properties)| MessageDeliveryAttemptedEnvelope {
            created_at,
            data,
            event_data,
            additional_properties,
        })
}

fn failure() -> impl Strategy<Value = MessageFailureEnvelope> {
    let event_data =
        (
            prop::option::of(".{0,10}"),
            prop::option::of(".{0,10}"),
            extra_properties(&["failure_reason", "failure_details"]),
        )
            .prop_map(|(failure_reason, failure_details, additional_properties)| {
                MessageFailureEnvelopeEventData { failure_reason, failure_details, additional_properties }
            });
    (
        prop::option::of(timestamp()),
        prop::option::of(json_object()),
        prop::option::of(event_data),
        extra_properties(ENVELOPE),
    )
        .prop_map(|(created_at, data, event_data, additional_properties)| MessageFailureEnvelope {
            created_at,
            data,
            event_data,
            additional_properties,
        })
}

fn bounce() -> impl Strategy<Value = MessageBounceEnvelope> {
    let event_data = (
        prop::option::of(".{0,10}"),
        prop::option::of(".{0,10}"),
        prop::option::of(".{0,10}"),
        extra_properties(&["failure_reason", "failure_details", "token"]),
    )
        .prop_map(|(failure_reason, failure_details, token, additional_properties)| {
            MessageBounceEnvelopeEventData { failure_reason, failure_details, token, additional_properties }
        });
    (
        prop::option::of(timestamp()),
        prop::option::of(json_object()),
        prop::option::of(event_data),
        extra_properties(ENVELOPE),
    )
        .prop_map(|(created_at, data, event_data, additional_properties)| MessageBounceEnvelope {
            created_at,
            data,
            event_data,
            additional_properties,
        })
}

fn link_clicked() -> impl Strategy<Value = MessageLinkClickedEnvelope> {
    let event_data = (prop::option::of(".{0,20}"), extra_properties(&["url"]))
        .prop_map(|(url, additional_properties)| MessageLinkClickedEnvelopeEventData { url, additional_properties });
    (
        prop::option::of(timestamp()),
        prop::option::of(json_object()),
        prop::option::of(event_data),
        extra_properties(ENVELOPE),
    )
        .prop_map(|(created_at, data, event_data, additional_properties)| MessageLinkClickedEnvelope {
            created_at,
            data,
            event_data,
            additional_properties,
        })
}

fn env_object() -> impl Strategy<Value = EnvObjectEnvelope> {
    (prop::option::of(timestamp()), prop::option::of(json_object()), extra_properties(ENV_OBJECT)).prop_map(
        |(created_at, data, additional_properties)| EnvObjectEnvelope { created_at, data, additional_properties },
    )
}

fn commit() -> impl Strategy<Value = CommitEnvelope> {
    let event_data = (prop::option::of(".{0,12}"), extra_properties(&["commit_id"]))
        .prop_map(|(commit_id, additional_properties)| CommitEnvelopeEventData { commit_id, additional_properties });
    (
        prop::option::of(timestamp()),
        prop::option::of(json_object()),
        prop::option::of(event_data),
        extra_properties(ENVELOPE),
    )
        .prop_map(|(created_at, data, event_data, additional_properties)| CommitEnvelope {
            created_at,
            data,
            event_data,
            additional_properties,
        })
}

fn unknown() -> impl Strategy<Value = UnknownEvent> {
    ("[a-z_]{1,12}\\.[a-z_]{1,12}", extra_properties(&["type"]))
        .prop_filter("not a listed type", |(event_type, _)| !Event::EVENT_TYPES.contains(&event_type.as_str()))
        .prop_map(|(event_type, payload)| UnknownEvent { event_type, payload })
}

/// Every variant of `Event`, each with an arbitrary payload.
fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        message_envelope().prop_map(Event::MessageSent),
        message_envelope().prop_map(Event::MessageDelivered),
        delivery_attempted().prop_map(Event::MessageDeliveryAttempted),
        failure().prop_map(Event::MessageUndelivered),
        bounce().prop_map(Event::MessageBounced),
        message_envelope().prop_map(Event::MessageSeen),
        message_envelope().prop_map(Event::MessageUnseen),
        message_envelope().prop_map(Event::MessageRead),
        message_envelope().prop_map(Event::MessageUnread),
        message_envelope().prop_map(Event::MessageArchived),
        message_envelope().prop_map(Event::MessageUnarchived),
        message_envelope().prop_map(Event::MessageInteracted),
        link_clicked().prop_map(Event::MessageLinkClicked),
        env_object().prop_map(Event::WorkflowUpdated),
        commit().prop_map(Event::WorkflowCommitted),
        env_object().prop_map(Event::EmailLayoutUpdated),
        commit().prop_map(Event::EmailLayoutCommitted),
        env_object().prop_map(Event::TranslationUpdated),
        commit().prop_map(Event::TranslationCommitted),
        env_object().prop_map(Event::PartialUpdated),
        commit().prop_map(Event::PartialCommitted),
        env_object().prop_map(Event::SourceEventActionUpdated),
        commit().prop_map(Event::SourceEventActionCommitted),
        unknown().prop_map(Event::Unknown),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_event_survives_a_round_trip(event in event()) {
        let json = serde_json::to_vec(&event).expect("serializes");
        let again = Event::from_json(&json).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&json))))?;
        prop_assert_eq!(again, event);
    }

    #[test]
    fn arbitrary_json_never_panics_the_parser(value in json_value(), tag in prop::option::of(prop::sample::select(Event::EVENT_TYPES))) {
        let mut value = value;
        if let (Some(tag), Value::Object(map)) = (tag, &mut value) {
            map.insert("type".to_owned(), Value::from(tag));
        }
        let json = serde_json::to_vec(&value).expect("serializes");
        if let Ok(event) = Event::from_json(&json) {
            let written = serde_json::to_vec(&event).expect("serializes");
            prop_assert_eq!(Event::from_json(&written).expect("reads back"), event);
        }
    }
}
