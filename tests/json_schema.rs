//! The `schemars` feature: `Event`'s exported JSON Schema accepts every sample payload and rejects
//! payloads the Rust types reject.

mod common;

use knock_webhooks::Event;
use serde_json::json;

fn validator() -> jsonschema::Validator {
    let schema = serde_json::to_value(schemars::schema_for!(Event)).expect("schema serializes");
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("exported schema is invalid: {e}\n{schema:#}"))
}

#[test]
fn every_sample_payload_validates_against_the_exported_schema() {
    let validator = validator();
    for (wire_type, value, _) in common::sample_events() {
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{wire_type} does not validate: {errors:#?}");
    }
}

#[test]
fn the_schema_rejects_what_the_types_reject() {
    let validator = validator();
    let mut wrong = common::sample("message.delivery_attempted");
    wrong["event_data"]["attempt"] = json!("two");
    assert!(serde_json::from_value::<Event>(wrong.clone()).is_err());
    assert!(!validator.is_valid(&wrong), "a string attempt must not validate");

    let mut null_refined = common::sample("message.delivery_attempted");
    null_refined["event_data"] = serde_json::Value::Null;
    assert!(!validator.is_valid(&null_refined), "the allOf refinement forbids null");

    let mut null_base = common::sample("message.sent");
    null_base["event_data"] = serde_json::Value::Null;
    assert!(validator.is_valid(&null_base), "the base envelope allows null");

    assert!(!validator.is_valid(&json!({"data": {}})), "the type is required");
    assert!(!validator.is_valid(&json!({"type": 7})), "the type is a string");
    assert!(validator.is_valid(&json!({"type": "workflow_recipient_run.started"})), "unknown types are events");
}

#[test]
fn the_schema_of_message_sent_shows_the_typed_message() {
    let schema = serde_json::to_value(schemars::schema_for!(Event)).expect("schema serializes");
    let branch = schema["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .find(|b| b["allOf"][0]["properties"]["type"]["const"] == "message.sent")
        .expect("a branch for message.sent");
    // The envelope, then its `data`, through their references.
    let resolve = |node: &serde_json::Value| -> serde_json::Value {
        match node["$ref"].as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
            Some(name) => schema["$defs"][name].clone(),
            None => node.clone(),
        }
    };
    let envelope = resolve(&branch["allOf"][1]);
    let data = resolve(&envelope["properties"]["data"]);
    assert_eq!(data["type"], "object", "{data:#}");
    for property in ["status", "recipient", "engagement_statuses", "source"] {
        assert!(data["properties"].get(property).is_some(), "`{property}` is among data's properties: {data:#}");
    }
}

#[test]
fn every_sample_payload_passes_validate() {
    for (wire_type, _, text) in common::sample_events() {
        let event = Event::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{wire_type}: {e}"));
        if let Err(violations) = event.validate() {
            panic!("{wire_type} breaks its schema: {violations}");
        }
    }
}

#[test]
fn validate_lists_every_violation_with_its_path_and_keyword() {
    let mut clicked = common::sample("message.link_clicked");
    clicked["event_data"]["url"] = json!("not a uri");
    clicked["data"]["status"] = json!("teleported");
    let event = Event::from_json(clicked.to_string().as_bytes()).expect("the shape is right: it parses");
    let violations = event.validate().expect_err("a url that is no URI, a status the spec does not list");
    let found: Vec<(&str, &str)> = violations.iter().map(|v| (v.path.as_str(), v.keyword.as_str())).collect();
    assert!(found.contains(&("/event_data/url", "format")), "{violations}");
    assert!(found.contains(&("/data/status", "enum")), "{violations}");
    assert_eq!(found.len(), 2, "{violations}");
}
