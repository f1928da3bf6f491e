//! Every AsyncAPI document of the corpus (`../shared/corpus/asyncapi`) in, a compiling crate out.
//!
//! Each entry document (a file with an `asyncapi` field; referenced fragments are not) is generated into
//! its own crate, all of them members of one temporary workspace under `target/corpus/`, and one
//! `cargo clippy -- -D warnings` checks them all. The outcome of every document is written to
//! `target/corpus/outcomes.txt` (and printed). Only the documents in [`UNSUPPORTED`] may fail to generate,
//! each with the error the README documents; every generated crate must compile without warnings.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use std::process::Command;

/// Documents that are expected to fail, and a part of the error they must fail with.
const UNSUPPORTED: &[(&str, &str)] = &[];

/// Examples that contradict their own schema, so that the generated types rightly reject them: (crate, test
/// of the example, why). Every other example must read and write back unchanged.
const INVALID_EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "generator-packages-templates-clients-websocket-test-fixtures-asyncapi-slack-client",
        "message_event_1_payload",
        "`payload.event.channel` is not a property of channelJoin, which has additionalProperties: false",
    ),
    (
        "generator-packages-templates-clients-websocket-test-fixtures-asyncapi-slack-client",
        "message_event_2_payload",
        "`payload.is_ext_shared_channel` is not a property of the payload, which has additionalProperties: false",
    ),
    (
        "generator-packages-templates-clients-websocket-test-fixtures-asyncapi-slack-client",
        "message_event_3_payload",
        "`payload.event.hidden` is not a property of messageDeleted, which has additionalProperties: false",
    ),
    (
        "spec-examples-kraken-websocket-request-reply-message-filter-in-reply-asyncapi",
        "message_subscription_status_1_payload",
        "`pair` is the string \"XBT/EUR\"; the schema says an array of strings",
    ),
    (
        "spec-examples-kraken-websocket-request-reply-message-filter-in-reply-asyncapi",
        "message_subscription_status_2_payload",
        "`pair` is the string \"XBT/USD\"; the schema says an array of strings",
    ),
    (
        "spec-examples-kraken-websocket-request-reply-multiple-channels-asyncapi",
        "message_subscription_status_1_payload",
        "`pair` is the string \"XBT/EUR\"; the schema says an array of strings",
    ),
    (
        "spec-examples-kraken-websocket-request-reply-multiple-channels-asyncapi",
        "message_subscription_status_2_payload",
        "`pair` is the string \"XBT/USD\"; the schema says an array of strings",
    ),
];

fn corpus_dir() -> PathBuf {
    common::root().join("../shared/corpus/asyncapi")
}

/// Every entry document under `dir`, sorted.
fn entry_documents(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml" || e == "json") {
                let text = std::fs::read_to_string(&path).expect("readable");
                let value = generator::internals::parse_value(&path, &text).unwrap_or_default();
                if value.get("asyncapi").is_some() {
                    found.push(path);
                }
            }
        }
    }
    found.sort();
    found
}

/// A crate directory and package name for the document at `path` (relative to the corpus).
fn slug(relative: &Path) -> String {
    let text = relative.with_extension("").to_string_lossy().to_lowercase();
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

/// The golden documents of the generator's own tests, compiled here with the corpus: (name, spec).
fn golden_documents() -> Vec<(String, PathBuf)> {
    let dir = common::root().join("generator/tests/golden");
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .map(|e| e.expect("entry").path())
        .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), p.join("spec.yaml")))
        .collect();
    found.sort();
    found
}

/// The options a golden case sets in its `options` file (one per line), none for a corpus document.
fn golden_options(spec: &Path) -> Vec<String> {
    let options = spec.with_file_name("options");
    std::fs::read_to_string(options).unwrap_or_default().lines().map(|l| l.trim().to_owned()).collect()
}

#[test]
fn every_corpus_document_generates_a_crate_that_compiles() {
    let corpus = corpus_dir();
    let documents = entry_documents(&corpus);
    assert!(documents.len() >= 57, "the corpus has {} entry documents, expected at least 57", documents.len());
    // (display name, spec, crate directory, package name)
    let mut inputs: Vec<(String, PathBuf, String, String)> = documents
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(&corpus).expect("inside the corpus");
            let name = slug(relative);
            (relative.display().to_string(), path.clone(), name.clone(), format!("corpus-{name}"))
        })
        .collect();
    for (name, spec) in golden_documents() {
        // The package name the golden test generates with, so its examples test finds the crate.
        inputs.push((format!("golden/{name}"), spec, format!("golden-{name}"), format!("golden-{name}")));
    }

    let work = common::root().join("target/corpus");
    let workspace = work.join("ws");
    let _ = std::fs::remove_dir_all(&workspace);
    std::fs::create_dir_all(&workspace).expect("workspace dir");

    let mut report = String::new();
    let mut members: Vec<(String, String)> = Vec::new();
    let mut unexpected = Vec::new();
    let mut closed = 0;
    for (display, spec, dir, package) in &inputs {
        let mut options = generator::Options::new(spec, workspace.join(dir));
        options.crate_name = Some(package.clone());
        options.model.closed_enums = golden_options(spec).iter().any(|o| o == "closed-enums");
        let expected_failure = UNSUPPORTED.iter().find(|(doc, _)| doc == display);
        match (generator::run(&options), expected_failure) {
            (Ok(files), None) => {
                writeln!(report, "generated    {display}").expect("write");
                members.push((dir.clone(), package.clone()));
                // A document with open string enums is generated with closed ones too: both modes compile.
                if files.iter().any(|f| f.contents.contains("open_string_enum! {")) {
                    let closed_dir = format!("closed-{dir}");
                    let mut options = generator::Options::new(spec, workspace.join(&closed_dir));
                    options.crate_name = Some(format!("closed-{package}"));
                    options.model.closed_enums = true;
                    generator::run(&options).unwrap_or_else(|e| panic!("{display} with closed enums: {e}"));
                    members.push((closed_dir, format!("closed-{package}")));
                    closed += 1;
                }
            }
            (Ok(_), Some(_)) => {
                writeln!(report, "GENERATED    {display} (listed as unsupported: update the list)").expect("write");
                unexpected.push(display.clone());
            }
            (Err(err), Some((_, reason))) if err.to_string().contains(reason) => {
                writeln!(report, "unsupported  {display}: {err}").expect("write");
            }
            (Err(err), _) => {
                writeln!(report, "FAILED       {display}: {err}").expect("write");
                unexpected.push(display.clone());
            }
        }
    }

    // Hand-written tests of how some golden crates behave (tests/fixtures/golden-behaviour/<name>.rs).
    let behaviour_dir = common::root().join("tests/fixtures/golden-behaviour");
    let mut behaviour_tests = Vec::new();
    for (name, _) in golden_documents() {
        let test = behaviour_dir.join(format!("{name}.rs"));
        if test.exists() {
            let tests_dir = workspace.join(format!("golden-{name}/tests"));
            std::fs::create_dir_all(&tests_dir).expect("tests dir");
            std::fs::copy(&test, tests_dir.join("behaviour.rs")).expect("behaviour test");
            behaviour_tests.push(format!("golden-{name}"));
        }
    }
    assert!(!behaviour_tests.is_empty(), "the behaviour tests are in {}", behaviour_dir.display());

    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n",
        members.iter().map(|(dir, _)| format!("    \"{dir}\",\n")).collect::<String>()
    );
    std::fs::write(workspace.join("Cargo.toml"), manifest).expect("workspace manifest");
    // Start from the repository's lock file, so the crates build with the versions the project tests.
    std::fs::copy(common::root().join("Cargo.lock"), workspace.join("Cargo.lock")).expect("lock file");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(&workspace)
        .args(["clippy", "--quiet", "--workspace", "--all-targets", "--all-features", "--message-format", "short"])
        .arg("--target-dir")
        .arg(work.join("target"))
        .args(["--", "-D", "warnings"])
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    writeln!(
        report,
        "\n{} of {} documents generated (the corpus's {} and {} golden ones), {closed} of them with closed enums \
         too; cargo clippy of all of them: {}",
        members.len() - closed,
        inputs.len(),
        documents.len(),
        inputs.len() - documents.len(),
        if out.status.success() { "clean" } else { "FAILED" }
    )
    .expect("write");
    assert!(out.status.success(), "the generated crates do not all compile cleanly:\n{stderr}\n{report}");
    // Without their default features (`validate`) too: the golden crates, which have every kind of item.
    let mut without_defaults = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    without_defaults.current_dir(&workspace).args([
        "clippy",
        "--quiet",
        "--no-default-features",
        "--message-format",
        "short",
    ]);
    for (name, _) in golden_documents() {
        without_defaults.args(["-p", &format!("golden-{name}")]);
    }
    let out = without_defaults
        .arg("--target-dir")
        .arg(work.join("target"))
        .args(["--", "-D", "warnings"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the golden crates without default features do not compile cleanly:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Every example in the documents, read and written back by the generated crates' own tests (one test
    // per example). Build them all at once, then run each crate's to know which examples it rejected.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let build = Command::new(&cargo)
        .current_dir(&workspace)
        .args(["test", "--quiet", "--workspace", "--no-run"])
        .arg("--target-dir")
        .arg(work.join("target"))
        .output()
        .expect("cargo runs");
    assert!(build.status.success(), "the example tests do not build:\n{}", String::from_utf8_lossy(&build.stderr));
    let mut examples_run = 0;
    let mut rejected: Vec<(String, String)> = Vec::new();
    for (member, package) in members.iter().filter(|(dir, _)| workspace.join(dir).join("tests/examples.rs").exists()) {
        let run = Command::new(&cargo)
            .current_dir(&workspace)
            .args(["test", "-p", package, "--test", "examples"])
            .arg("--target-dir")
            .arg(work.join("target"))
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("cargo runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        for line in stdout.lines() {
            if let Some(test) = line.strip_prefix("test ") {
                examples_run += 1;
                if let Some(name) = test.strip_suffix(" ... FAILED") {
                    // The closed-enum copy of a document rejects what its open crate rejects, and no more.
                    let member = member.strip_prefix("closed-").unwrap_or(member);
                    if !rejected.iter().any(|(m, t)| m == member && t == name) {
                        rejected.push((member.to_owned(), name.to_owned()));
                    }
                }
            }
        }
    }
    for package in &behaviour_tests {
        let run = Command::new(&cargo)
            .current_dir(&workspace)
            .args(["test", "--quiet", "-p", package, "--test", "behaviour"])
            .arg("--target-dir")
            .arg(work.join("target"))
            .output()
            .expect("cargo runs");
        let output = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success(), "the behaviour tests of {package} fail:\n{output}");
        writeln!(report, "behaviour tests of {package}: passed").expect("write");
    }
    rejected.sort();
    let expected: Vec<(String, String)> =
        INVALID_EXAMPLES.iter().map(|(member, test, _)| (member.to_string(), test.to_string())).collect();
    writeln!(report, "{examples_run} examples read and written back; {} rejected:", rejected.len()).expect("write");
    for (member, test) in &rejected {
        let reason =
            INVALID_EXAMPLES.iter().find(|(m, t, _)| m == member && t == test).map_or("UNEXPECTED", |(_, _, r)| r);
        writeln!(report, "  {member}: {test}: {reason}").expect("write");
    }
    std::fs::write(work.join("outcomes.txt"), &report).expect("report");
    println!("{report}");
    assert_eq!(rejected, expected, "only the examples that contradict their own schema may be rejected\n{report}");
    assert!(unexpected.is_empty(), "unexpected outcomes: {unexpected:?}\n{report}");
}
