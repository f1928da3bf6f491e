//! The official JSON Schema Test Suite, draft 7 (`../shared/json-schema-test-suite/draft7/`), through the
//! generator: what a payload schema means, as the generated types read, write and validate it.
//!
//! Each group's schema becomes the payload of one message (`g0`, `g1`, ...) of an AsyncAPI 2.6 document, one
//! document and one crate per keyword file; a message without a payload is added so that `Event` is
//! dispatched by name. All crates are members of one temporary workspace under `target/corpus/`, built with
//! the corpus test's target directory, and one runner program reads every instance through its crate:
//! `Event::parse`, written back with `serde_json`, then `Event::validate`. The per-keyword table is printed
//! and written to `target/corpus/json-schema-suite.txt`; the test fails below the targets (issue 15):
//! every expressible group generates and compiles, every valid instance is accepted, written back as the
//! same JSON and passes `validate` but for the [`DEVIATIONS`] (at most 5), and at least 98% of invalid
//! instances are caught by parsing or by `validate`.
//!
//! Wrapping a group's schema: it goes under `components/schemas/G<n>`, its local `$ref`s (`#...`) are
//! rebased there, and a root `$id` is dropped (it would set the base URI of a document it no longer roots).
//! A group whose `$ref` leaves the schema (a remote document, a URN, an `$id`-relative or `#anchor`
//! reference) is skipped, with its reference as the reason: it needs a resolver this test does not have.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// Groups whose valid instances the generated code may refuse, each with why; README.md lists them too
/// ("JSON Schema fidelity"). (keyword file, group description, why).
const DEVIATIONS: &[(&str, &str, &str)] = &[
    ("additionalProperties", "additionalProperties being false does not allow other properties", UNTYPED_OBJECT),
    ("properties", "object properties validation", UNTYPED_OBJECT),
    ("properties", "properties whose names are Javascript object property names", UNTYPED_OBJECT),
    ("ref", "root pointer ref", UNTYPED_OBJECT),
    ("required", "required validation", UNTYPED_OBJECT),
];

/// Why: the schema has object keywords (`properties`, `additionalProperties`) but no `type`.
const UNTYPED_OBJECT: &str = "object keywords without `type` make a struct, which refuses a value that is not an \
    object (JSON Schema would let it through); that is what specs almost always mean";

/// The share of invalid instances that must be caught (by parsing or by `validate`).
const INVALID_CAUGHT_TARGET: f64 = 0.98;

fn suite_dir() -> PathBuf {
    common::root().join("../shared/json-schema-test-suite/draft7")
}

struct Group {
    description: String,
    schema: Value,
    tests: Vec<Instance>,
}

struct Instance {
    description: String,
    data: Value,
    valid: bool,
}

fn read_groups(path: &Path) -> Vec<Group> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let groups: Vec<Value> = serde_json::from_str(&text).expect("a suite file is a JSON list");
    groups
        .into_iter()
        .map(|g| Group {
            description: g["description"].as_str().expect("description").to_owned(),
            schema: g["schema"].clone(),
            tests: g["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .map(|t| Instance {
                    description: t["description"].as_str().expect("description").to_owned(),
                    data: t["data"].clone(),
                    valid: t["valid"].as_bool().expect("valid"),
                })
                .collect(),
        })
        .collect()
}

/// The first `$ref` that leaves the schema, if any: the reason to skip its group.
fn non_local_ref(schema: &Value) -> Option<String> {
    match schema {
        Value::Object(map) => map.iter().find_map(|(key, value)| match (key.as_str(), value) {
            ("$ref", Value::String(r)) if r != "#" && !r.starts_with("#/") => Some(r.clone()),
            _ => non_local_ref(value),
        }),
        Value::Array(items) => items.iter().find_map(non_local_ref),
        _ => None,
    }
}

/// `schema` as the schema at `base` (a JSON pointer fragment) of another document: local `$ref`s rebased
/// (not in values: an `enum` may list an object with a `$ref` property).
fn rebase(schema: &Value, base: &str) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| match (key.as_str(), value) {
                    ("$ref", Value::String(r)) if r.starts_with('#') => {
                        (key.clone(), Value::String(format!("{base}{}", &r[1..])))
                    }
                    ("enum" | "const" | "default" | "examples", _) => (key.clone(), value.clone()),
                    _ => (key.clone(), rebase(value, base)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| rebase(v, base)).collect()),
        other => other.clone(),
    }
}

/// The AsyncAPI document whose messages `g<n>` carry the given groups' schemas (by index).
fn document(title: &str, groups: &[(usize, &Group)]) -> Value {
    let mut schemas = serde_json::Map::new();
    let mut messages = serde_json::Map::new();
    for (index, group) in groups {
        let mut schema = rebase(&group.schema, &format!("#/components/schemas/G{index}"));
        if let Value::Object(map) = &mut schema {
            map.remove("$id");
        }
        schemas.insert(format!("G{index}"), schema);
        messages.insert(
            format!("g{index}"),
            json!({"name": format!("g{index}"), "payload": {"$ref": format!("#/components/schemas/G{index}")}}),
        );
    }
    // A message without a payload: nothing can tell the messages apart, so `Event` is dispatched by name.
    messages.insert("none".to_owned(), json!({"name": "none"}));
    let refs: Vec<Value> =
        messages.keys().map(|name| json!({"$ref": format!("#/components/messages/{name}")})).collect();
    json!({
        "asyncapi": "2.6.0",
        "info": {"title": title, "version": "1.0.0"},
        "channels": {"suite": {"subscribe": {"message": {"oneOf": refs}}}},
        "components": {"schemas": schemas, "messages": messages},
    })
}

/// Equality as JSON Schema defines it: numbers by value (`1.0` is `1`), objects regardless of order.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(x), Some(y), _, _) => x == y,
            (_, _, Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// One keyword file's row of the table.
#[derive(Default)]
struct Row {
    groups: usize,
    skipped: usize,
    generated: usize,
    valid: usize,
    accepted: usize,
    same: usize,
    passes_validate: usize,
    invalid: usize,
    caught_parsing: usize,
    caught_validate: usize,
}

impl Row {
    fn add(&mut self, other: &Row) {
        self.groups += other.groups;
        self.skipped += other.skipped;
        self.generated += other.generated;
        self.valid += other.valid;
        self.accepted += other.accepted;
        self.same += other.same;
        self.passes_validate += other.passes_validate;
        self.invalid += other.invalid;
        self.caught_parsing += other.caught_parsing;
        self.caught_validate += other.caught_validate;
    }
}

const RUNNER: &str = r#"
use std::io::BufRead;

/// What became of one instance: parsed or not, written back, and `validate`'s violations.
fn outcome<E: serde::Serialize>(
    parsed: Result<E, impl std::fmt::Display>,
    validate: impl Fn(&E) -> Vec<String>,
) -> serde_json::Value {
    match parsed {
        Err(error) => serde_json::json!({"error": error.to_string()}),
        Ok(event) => serde_json::json!({
            "back": serde_json::to_value(&event).unwrap_or_else(|e| serde_json::json!({"serialize error": e.to_string()})),
            "violations": validate(&event),
        }),
    }
}

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("a line");
        let (krate, message, data): (String, String, serde_json::Value) = serde_json::from_str(&line).expect("a case");
        let text = serde_json::to_string(&data).expect("JSON");
        let result = match krate.as_str() {
            __ARMS__
            other => panic!("no crate {other}"),
        };
        println!("{result}");
    }
}
"#;

#[test]
fn the_draft7_suite_reads_writes_and_validates_as_json_schema_says() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .expect("the suite is beside the repository")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 37, "the draft-7 suite has 37 keyword files");

    let work = common::root().join("target/corpus");
    let workspace = work.join("suite");
    let _ = std::fs::remove_dir_all(&workspace);
    std::fs::create_dir_all(&workspace).expect("workspace dir");

    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut failed_generation = Vec::new();
    // (keyword, crate, group index, group) of every group generated.
    let mut members = Vec::new();
    let mut generated_groups: Vec<(String, String, usize)> = Vec::new();
    let mut all_groups: BTreeMap<(String, usize), Group> = BTreeMap::new();
    for file in &files {
        let keyword = file.file_stem().expect("name").to_string_lossy().into_owned();
        let krate = format!("suite-{}", keyword.to_lowercase().replace(['_', '.'], "-"));
        let groups = read_groups(file);
        let row = rows.entry(keyword.clone()).or_default();
        row.groups = groups.len();
        let mut expressible = Vec::new();
        for (index, group) in groups.iter().enumerate() {
            if let Some(reference) = non_local_ref(&group.schema) {
                row.skipped += 1;
                skipped.push(format!("{keyword}: {}: `$ref: {reference}` leaves the schema", group.description));
                continue;
            }
            // Each group alone first: one that fails to generate is reported, the others still tested.
            let text = serde_json::to_string(&document(&keyword, &[(index, group)])).expect("JSON");
            let options = generator::Options::new(workspace.join(format!("{krate}.json")), workspace.join(&krate));
            match generator::generate_text(&text, &options) {
                Ok(_) => expressible.push((index, group)),
                Err(e) => failed_generation.push(format!("{keyword}: {}: {e}", group.description)),
            }
        }
        if expressible.is_empty() {
            continue;
        }
        let spec = workspace.join(format!("{krate}.json"));
        let text = serde_json::to_string_pretty(&document(&keyword, &expressible)).expect("JSON");
        std::fs::write(&spec, text).expect("spec");
        let mut options = generator::Options::new(&spec, workspace.join(&krate));
        options.crate_name = Some(krate.clone());
        match generator::run(&options) {
            Ok(_) => {
                row.generated = expressible.len();
                members.push(krate.clone());
                for (index, _) in &expressible {
                    generated_groups.push((keyword.clone(), krate.clone(), *index));
                }
            }
            Err(e) => failed_generation.push(format!("{keyword}: the file's document: {e}")),
        }
        for (index, group) in groups.into_iter().enumerate() {
            all_groups.insert((keyword.clone(), index), group);
        }
    }

    // The runner: one program over every generated crate.
    let runner = workspace.join("suite-runner");
    std::fs::create_dir_all(runner.join("src")).expect("runner dir");
    let dependencies: String = members.iter().map(|m| format!("{m} = {{ path = \"../{m}\" }}\n")).collect();
    std::fs::write(
        runner.join("Cargo.toml"),
        format!(
            "[package]\nname = \"suite-runner\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nserde = \"1\"\nserde_json = {{ version = \"1\", features = [\"float_roundtrip\"] }}\n\
             {dependencies}"
        ),
    )
    .expect("runner manifest");
    let arms: String = members
        .iter()
        .map(|m| {
            let lib = m.replace('-', "_");
            format!(
                "\"{m}\" => outcome({lib}::Event::parse(&message, text.as_bytes()), |event| match event.validate() {{ \
                 Ok(()) => Vec::new(), Err(errors) => errors.iter().map(|v| v.to_string()).collect() }}),\n"
            )
        })
        .collect();
    std::fs::write(runner.join("src/main.rs"), RUNNER.replace("__ARMS__", &arms)).expect("runner source");
    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [\n{}    \"suite-runner\",\n]\n",
        members.iter().map(|m| format!("    \"{m}\",\n")).collect::<String>()
    );
    std::fs::write(workspace.join("Cargo.toml"), manifest).expect("workspace manifest");
    std::fs::copy(common::root().join("Cargo.lock"), workspace.join("Cargo.lock")).expect("lock file");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let build = Command::new(&cargo)
        .current_dir(&workspace)
        .args(["build", "--quiet", "--workspace", "--message-format", "short"])
        .arg("--target-dir")
        .arg(work.join("target"))
        .output()
        .expect("cargo runs");
    assert!(build.status.success(), "the suite's crates do not compile:\n{}", String::from_utf8_lossy(&build.stderr));

    // Every instance of every generated group, one line each.
    let mut cases = Vec::new();
    let mut input = String::new();
    for (keyword, krate, index) in &generated_groups {
        let group = &all_groups[&(keyword.clone(), *index)];
        for (t, instance) in group.tests.iter().enumerate() {
            cases.push((keyword.clone(), *index, t));
            writeln!(input, "{}", json!([krate, format!("g{index}"), instance.data])).expect("write");
        }
    }
    let mut child = Command::new(work.join("target/debug/suite-runner"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the runner starts");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("cases written");
    let output = child.wait_with_output().expect("the runner ends");
    assert!(output.status.success(), "the runner failed");
    let results: Vec<Value> =
        String::from_utf8_lossy(&output.stdout).lines().map(|l| serde_json::from_str(l).expect("a result")).collect();
    assert_eq!(results.len(), cases.len(), "one result per case");

    let mut deviations = Vec::new();
    let mut missed = Vec::new();
    for ((keyword, index, t), result) in cases.iter().zip(&results) {
        let group = &all_groups[&(keyword.clone(), *index)];
        let instance = &group.tests[*t];
        let row = rows.get_mut(keyword).expect("row");
        let parsed = result.get("back").is_some();
        let violations = result["violations"].as_array().map_or(0, Vec::len);
        let place = format!("{keyword}: {}: {}", group.description, instance.description);
        if instance.valid {
            row.valid += 1;
            let same = parsed && same_json(&result["back"], &instance.data);
            row.accepted += usize::from(parsed);
            row.same += usize::from(same);
            row.passes_validate += usize::from(parsed && violations == 0);
            if !(same && violations == 0) {
                let listed = DEVIATIONS.iter().any(|(k, g, _)| k == keyword && *g == group.description);
                deviations.push((listed, format!("{place}: {result}")));
            }
        } else {
            row.invalid += 1;
            if !parsed {
                row.caught_parsing += 1;
            } else if violations > 0 {
                row.caught_validate += 1;
            } else {
                missed.push(format!("{place}: {}", instance.data));
            }
        }
    }
    // Groups that failed to generate count against every valid instance they have.
    let mut total = Row::default();
    let mut table = String::from(
        "| keyword | groups | skipped | generated and compiled | valid | accepted | written back unchanged \
         | pass validate | invalid | caught parsing | caught by validate |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (keyword, row) in &rows {
        total.add(row);
        let r = row;
        writeln!(
            table,
            "| {keyword} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.groups,
            r.skipped,
            r.generated,
            r.valid,
            r.accepted,
            r.same,
            r.passes_validate,
            r.invalid,
            r.caught_parsing,
            r.caught_validate
        )
        .expect("write");
    }
    let t = &total;
    writeln!(
        table,
        "| **all** | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        t.groups,
        t.skipped,
        t.generated,
        t.valid,
        t.accepted,
        t.same,
        t.passes_validate,
        t.invalid,
        t.caught_parsing,
        t.caught_validate
    )
    .expect("write");
    let caught = (t.caught_parsing + t.caught_validate) as f64 / t.invalid.max(1) as f64;
    let mut report = table.clone();
    writeln!(report, "\ninvalid instances caught: {:.1}%", caught * 100.0).expect("write");
    writeln!(report, "\nskipped groups ({}):", skipped.len()).expect("write");
    for s in &skipped {
        writeln!(report, "  {s}").expect("write");
    }
    writeln!(report, "\ngroups that failed to generate ({}):", failed_generation.len()).expect("write");
    for s in &failed_generation {
        writeln!(report, "  {s}").expect("write");
    }
    writeln!(report, "\nvalid instances refused, changed or failing validate ({}):", deviations.len()).expect("write");
    for (listed, s) in &deviations {
        writeln!(report, "  {}{s}", if *listed { "(listed) " } else { "" }).expect("write");
    }
    writeln!(report, "\ninvalid instances not caught ({}):", missed.len()).expect("write");
    for s in &missed {
        writeln!(report, "  {s}").expect("write");
    }
    std::fs::write(work.join("json-schema-suite.txt"), &report).expect("report");
    println!("{report}");

    assert!(failed_generation.is_empty(), "every expressible group generates\n{report}");
    assert!(DEVIATIONS.len() <= 5, "at most 5 groups may deviate");
    for (keyword, group, _) in DEVIATIONS {
        let place = format!("{keyword}: {group}: ");
        assert!(
            deviations.iter().any(|(_, s)| s.starts_with(&place)),
            "{keyword}: {group} is listed but does not deviate"
        );
    }
    let unlisted: Vec<&String> = deviations.iter().filter(|(listed, _)| !listed).map(|(_, s)| s).collect();
    assert!(unlisted.is_empty(), "valid instances refused, changed or failing validate: {unlisted:#?}\n{report}");
    assert!(caught >= INVALID_CAUGHT_TARGET, "{:.1}% of invalid instances caught\n{report}", caught * 100.0);
}
