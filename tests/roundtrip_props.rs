//! Property tests: any payload that the JSON Schema of `Event` allows, for every event type, reads into `Event`
//! and is written back as the same JSON. The strategies are derived from the schema the bindings export (the
//! `schemars` feature), not written per type, so they follow the generated types when the spec changes; and
//! arbitrary JSON never panics the parser.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use knock_webhooks::Event;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, TestRunner};
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

/// The values a JSON Schema allows, as the bindings' exported schemas use it: `$ref`s into `defs`, `allOf` of
/// objects, `oneOf`, `const`, `enum`, a `not` list of strings, `type` (one or several), `format`s the types
/// read (`date-time`, `date`, `uuid`, `int32`), `properties` with `required`, and `additionalProperties`.
/// `reserved` are property names other parts of an `allOf` own: extra properties avoid them.
fn values_of(schema: &Value, defs: &Map<String, Value>, reserved: &BTreeSet<String>) -> BoxedStrategy<Value> {
    let Some(object) = schema.as_object() else {
        // `true`: anything.
        return json_value().boxed();
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("a $ref outside $defs: {reference}"));
        let target = defs.get(name).unwrap_or_else(|| panic!("no $defs/{name}"));
        return values_of(target, defs, reserved);
    }
    if let Some(constant) = object.get("const") {
        return Just(constant.clone()).boxed();
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        return prop::sample::select(values.clone()).boxed();
    }
    if let Some(Value::Array(parts)) = object.get("allOf") {
        // Each part describes some properties of one object; together they are the object.
        let mut owned = reserved.clone();
        for part in parts {
            owned.extend(property_names(part, defs));
        }
        let parts: Vec<BoxedStrategy<Value>> = parts.iter().map(|part| values_of(part, defs, &owned)).collect();
        return parts
            .prop_map(|objects| {
                let mut merged = Map::new();
                for object in objects {
                    merged.extend(object.as_object().cloned().unwrap_or_default());
                }
                Value::Object(merged)
            })
            .boxed();
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(Value::Array(alternatives)) = object.get(keyword) {
            // Each alternative holds together with the schema's other keywords (`{type: string, anyOf: [...]}`).
            let mut rest = object.clone();
            rest.remove(keyword);
            return Union::new(alternatives.iter().map(|alternative| match alternative {
                Value::Object(own) if !own.contains_key("$ref") => {
                    let mut both = rest.clone();
                    both.extend(own.clone());
                    values_of(&Value::Object(both), defs, reserved)
                }
                other if rest.keys().all(|k| k == "description" || k == "title") => values_of(other, defs, reserved),
                other => panic!("a reference beside other keywords: {other} in {rest:?}"),
            }))
            .boxed();
        }
    }
    if let Some(Value::Array(excluded)) = object.get("not").and_then(|not| not.get("enum")) {
        let excluded = excluded.clone();
        return "[a-z_]{1,12}\\.[a-z_]{1,12}"
            .prop_filter("a value the schema excludes", move |s| !excluded.contains(&Value::from(s.as_str())))
            .prop_map(Value::from)
            .boxed();
    }
    let types: Vec<&str> = match object.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(several)) => several.iter().filter_map(Value::as_str).collect(),
        _ => return json_value().boxed(),
    };
    let format = object.get("format").and_then(Value::as_str);
    Union::new(types.into_iter().map(|ty| {
        match (ty, format) {
            ("null", _) => Just(Value::Null).boxed(),
            ("boolean", _) => any::<bool>().prop_map(Value::Bool).boxed(),
            ("integer", Some("int32")) => any::<i32>().prop_map(Value::from).boxed(),
            ("integer", _) => any::<i64>().prop_map(Value::from).boxed(),
            ("number", _) => (-1e12f64..1e12).prop_map(Value::from).boxed(),
            // As chrono writes them back: RFC 3339 in UTC with `Z`, fractions only where there are any.
            ("string", Some("date-time")) => (0i64..4_102_444_800, prop_oneof![Just(0u32), 0u32..1_000_000_000])
                .prop_map(|(secs, nanos)| {
                    let time = Utc.timestamp_opt(secs, nanos).single().expect("in range");
                    Value::from(time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                })
                .boxed(),
            ("string", Some("date")) => (0i64..4_102_444_800)
                .prop_map(|secs| {
                    Value::from(Utc.timestamp_opt(secs, 0).single().expect("in range").format("%Y-%m-%d").to_string())
                })
                .boxed(),
            ("string", Some("uuid")) => {
                any::<u128>().prop_map(|n| Value::from(uuid::Uuid::from_u128(n).to_string())).boxed()
            }
            ("string", _) => ".{0,12}".prop_map(Value::from).boxed(),
            ("array", _) => {
                let items = object
                    .get("items")
                    .map_or_else(|| json_value().boxed(), |items| values_of(items, defs, &BTreeSet::new()));
                prop::collection::vec(items, 0..3).prop_map(Value::Array).boxed()
            }
            ("object", _) => objects_of(object, defs, reserved),
            (other, _) => panic!("a type the exported schemas do not use: {other}"),
        }
    }))
    .boxed()
}

/// The objects an object schema allows: every required property, each optional one or not, and extra
/// properties where `additionalProperties` allows them (named apart from the others and from `reserved`).
fn objects_of(
    object: &Map<String, Value>,
    defs: &Map<String, Value>,
    reserved: &BTreeSet<String>,
) -> BoxedStrategy<Value> {
    let required: BTreeSet<&str> =
        object.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let mut taken = reserved.clone();
    let mut named: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, schema) in object.get("properties").and_then(Value::as_object).into_iter().flatten() {
        taken.insert(name.clone());
        let name = name.clone();
        let value = values_of(schema, defs, &BTreeSet::new());
        named.push(if required.contains(name.as_str()) {
            value.prop_map(move |v| Some((name.clone(), v))).boxed()
        } else {
            prop::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
        });
    }
    let extra_values = match object.get("additionalProperties") {
        Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) | None => Some(json_value().boxed()),
        Some(schema) => Some(values_of(schema, defs, &BTreeSet::new())),
    };
    let extra = match extra_values {
        Some(values) => prop::collection::btree_map("[a-z_]{1,10}", values, 0..3)
            .prop_map(move |m| m.into_iter().filter(|(k, _)| !taken.contains(k)).collect::<Vec<_>>())
            .boxed(),
        None => Just(Vec::new()).boxed(),
    };
    (named, extra).prop_map(|(named, extra)| Value::Object(named.into_iter().flatten().chain(extra).collect())).boxed()
}

/// The property names an object schema (or a `$ref` to one) declares.
fn property_names(schema: &Value, defs: &Map<String, Value>) -> Vec<String> {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        return defs.get(name).map(|target| property_names(target, defs)).unwrap_or_default();
    }
    schema.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

/// The exported schema of `Event`: one `oneOf` branch per event type, and one for the types the spec does not list.
fn event_schema() -> (Vec<Value>, Map<String, Value>) {
    let schema = serde_json::to_value(schemars::schema_for!(Event)).expect("the schema is JSON");
    let branches = schema["oneOf"].as_array().cloned().expect("Event's schema is a oneOf");
    let defs = schema["$defs"].as_object().cloned().unwrap_or_default();
    (branches, defs)
}

/// The event type a branch fixes (`None` for the branch of unknown types).
fn branch_type(branch: &Value) -> Option<&str> {
    branch["allOf"][0]["properties"]["type"]["const"].as_str()
}

#[test]
fn every_event_type_survives_a_round_trip() {
    let (branches, defs) = event_schema();
    let listed: Vec<&str> = branches.iter().filter_map(branch_type).collect();
    assert_eq!(listed, Event::EVENT_TYPES, "a branch per event type, in order, then the unknown one");
    assert_eq!(branches.len(), Event::EVENT_TYPES.len() + 1);
    for branch in &branches {
        let expected = branch_type(branch);
        let mut runner = TestRunner::new(Config { cases: 96, failure_persistence: None, ..Config::default() });
        let result = runner.run(&values_of(branch, &defs, &BTreeSet::new()), |value| {
            let json = serde_json::to_vec(&value).expect("serializes");
            let event = Event::from_json(&json)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&json))))?;
            match expected {
                Some(event_type) => prop_assert_eq!(event.event_type(), event_type),
                None => prop_assert!(matches!(event, Event::Unknown(_)), "{event:?}"),
            }
            prop_assert_eq!(&serde_json::to_value(&event).expect("serializes"), &value, "written back the same");
            let again = Event::from_json(&serde_json::to_vec(&event).expect("serializes")).expect("reads back");
            prop_assert_eq!(again, event);
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{}: {failure}", expected.unwrap_or("an unknown type"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

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
