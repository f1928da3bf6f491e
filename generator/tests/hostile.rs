//! Hostile and broken input, one test per case of the "hostile input" issue: each is a clear error that
//! names the place (or the documented behaviour), exit status 1 for a bad spec or failed write, 2 for bad
//! usage, and never a panic.

use std::path::{Path, PathBuf};
use std::process::Output;

struct Run {
    code: Option<i32>,
    stderr: String,
}

fn generate(spec_name: &str, spec: &[u8]) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(spec_name), spec).expect("spec written");
    let out = run(dir.path(), &["--spec", spec_name, "--out", "out"]);
    (out, dir)
}

fn run(cwd: &Path, args: &[&str]) -> Run {
    let Output { status, stderr, .. } = std::process::Command::new(env!("CARGO_BIN_EXE_generator"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the generator runs");
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert!(!stderr.contains("panicked"), "the generator panicked:\n{stderr}");
    Run { code: status.code(), stderr }
}

/// Runs the generator on `spec` and expects exit status 1 with every one of `expected` in its message.
fn fails_with(spec_name: &str, spec: &str, expected: &[&str]) -> String {
    let (run, _dir) = generate(spec_name, spec.as_bytes());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    for part in expected {
        assert!(run.stderr.contains(part), "expected {part:?} in:\n{}", run.stderr);
    }
    run.stderr
}

const HEAD: &str = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\n";

fn with_payload(payload: &str, components: &str) -> String {
    format!(
        "{HEAD}channels:\n  c:\n    publish:\n      message:\n        payload: {payload}\ncomponents:\n{components}"
    )
}

#[test]
fn case_1_not_yaml_not_json_empty_or_not_a_mapping() {
    fails_with("spec.yaml", "asyncapi: [unclosed\n", &["error: invalid YAML", "spec.yaml:2:1"]);
    fails_with("spec.json", "{\"asyncapi\": \"2.6.0\",}", &["error: invalid JSON: trailing comma", "spec.json:1:22"]);
    fails_with("spec.yaml", "", &["spec.yaml: the file is empty; expected an AsyncAPI document"]);
    fails_with("spec.yaml", "   \n\n", &["the file is empty"]);
    fails_with(
        "spec.yaml",
        "- asyncapi\n- 2.6.0\n",
        &["the document is a list, expected a mapping with an `asyncapi` field"],
    );
    fails_with("spec.yaml", "just a string\n", &["the document is a string, expected a mapping"]);
    let (run, _dir) = generate("spec.yaml", b"asyncapi: \xff\xfe\n");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("stream did not contain valid UTF-8"), "{}", run.stderr);
}

#[test]
fn case_2_missing_or_unsupported_version() {
    fails_with(
        "spec.yaml",
        "info: {title: T}\n",
        &["not an AsyncAPI document: the `asyncapi` version field is missing"],
    );
    fails_with(
        "spec.yaml",
        "asyncapi: 1.2.0\n",
        &["unsupported AsyncAPI version `1.2.0`; this generator reads 2.x and 3.x", "spec.yaml:1:11"],
    );
    fails_with("spec.yaml", "asyncapi: '4.0.0'\n", &["unsupported AsyncAPI version `4.0.0`"]);
    fails_with("spec.yaml", "asyncapi: 2\n", &["expected a version string, found a number"]);
}

#[test]
fn case_3_bad_references() {
    let missing = with_payload("{$ref: '#/components/schemas/Nope'}", "  schemas: {}\n");
    fails_with(
        "spec.yaml",
        &missing,
        &["`$ref: #/components/schemas/Nope` points to nothing in this document", "spec.yaml:7:19"],
    );
    let file = with_payload("{$ref: './other.yaml#/Thing'}", "  schemas: {}\n");
    fails_with(
        "spec.yaml",
        &file,
        &["`$ref: ./other.yaml`: cannot read", "other.yaml", "#/channels/c/publish/message/payload/$ref"],
    );
    let url = with_payload("{$ref: 'https://example.com/schemas.json#/Thing'}", "  schemas: {}\n");
    fails_with(
        "spec.yaml",
        &url,
        &["is a URL reference; the generator resolves no network references (there is no network at build time)"],
    );
    let malformed = with_payload("{$ref: '#components/schemas/X'}", "  schemas: {}\n");
    fails_with("spec.yaml", &malformed, &["is not a JSON pointer (it must be `#` or start with `#/`)"]);
}

#[test]
fn case_4_reference_cycles_without_structure_fail_but_recursion_generates() {
    let cycle = with_payload(
        "{$ref: '#/components/schemas/A'}",
        "  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
    );
    fails_with(
        "spec.yaml",
        &cycle,
        &["`$ref` cycle with no schema in between", "/components/schemas/A -> /components/schemas/B"],
    );
    let recursion = with_payload(
        "{$ref: '#/components/schemas/Tree'}",
        "  schemas:\n    Tree: {type: object, properties: {left: {$ref: '#/components/schemas/Tree'}, kids: {type: array, items: {$ref: '#/components/schemas/Tree'}}}}\n",
    );
    let (run, dir) = generate("spec.yaml", recursion.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let types = std::fs::read_to_string(dir.path().join("out/src/types.rs")).expect("types.rs");
    assert!(types.contains("pub left: Option<Box<Tree>>"), "{types}");
    assert!(types.contains("pub kids: Option<Vec<Tree>>"), "{types}");
}

#[test]
fn case_5_allof_branches_that_cannot_both_hold() {
    let conflict = with_payload(
        "{$ref: '#/components/schemas/C'}",
        "  schemas:\n    A: {properties: {id: {type: string}}}\n    C:\n      allOf:\n        - $ref: '#/components/schemas/A'\n        - properties: {id: {type: integer}}\n",
    );
    fails_with(
        "spec.yaml",
        &conflict,
        &[
            "in property `id`: allOf branches cannot both hold: type `string` and type `integer` share no value",
            "one from #/components/schemas/A/properties/id",
            "the other from #/components/schemas/C/allOf/1/properties/id",
        ],
    );
}

#[test]
fn case_6_same_tag_value_and_colliding_names() {
    let spec = format!(
        "{HEAD}channels:\n  c:\n    publish:\n      message:\n        oneOf:\n          - {{name: a, payload: {{type: object, properties: {{kind: {{const: same}}}}}}}}\n          - {{name: b, payload: {{type: object, properties: {{kind: {{const: same}}}}}}}}\n"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("spec.yaml"), &spec).expect("spec");
    let explicit = run(dir.path(), &["--spec", "spec.yaml", "--out", "out", "--tag-property", "kind"]);
    assert_eq!(explicit.code, Some(1));
    assert!(explicit.stderr.contains("two messages have the same `kind` value `same`"), "{}", explicit.stderr);
    // Without the flag, `kind` cannot be the tag: the documented fallback dispatches by message name.
    let detected = run(dir.path(), &["--spec", "spec.yaml", "--out", "out"]);
    assert_eq!(detected.code, Some(0), "{}", detected.stderr);
    let event = std::fs::read_to_string(dir.path().join("out/src/event.rs")).expect("event.rs");
    assert!(event.contains("pub fn parse(message: &str"), "dispatched by name");

    let collide = with_payload(
        "{type: object, properties: {foo-bar: {type: string}, foo_bar: {type: integer}, Foo Bar: {type: boolean}}}",
        "  schemas: {}\n",
    );
    let (run, dir) = generate("spec.yaml", collide.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let types = std::fs::read_to_string(dir.path().join("out/src/types.rs")).expect("types.rs");
    for field in ["pub foo_bar: Option<String>", "pub foo_bar2: Option<i64>", "pub foo_bar3: Option<bool>"] {
        assert!(types.contains(field), "{field} in {types}");
    }
    for rename in ["rename = \"foo-bar\"", "rename = \"foo_bar\"", "rename = \"Foo Bar\""] {
        assert!(types.contains(rename), "{rename} in {types}");
    }
}

#[test]
fn case_7_unusual_names_become_identifiers_with_renames() {
    let names = ["type", "match", "self", "Self", "crate", "1st", "with space", "a.b", "dash-ed", "café", "日本", ""];
    let properties: Vec<String> = names.iter().map(|n| format!("'{n}': {{type: string}}")).collect();
    let spec = with_payload(&format!("{{type: object, properties: {{{}}}}}", properties.join(", ")), "  schemas: {}\n");
    let (run, dir) = generate("spec.yaml", spec.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let types = std::fs::read_to_string(dir.path().join("out/src/types.rs")).expect("types.rs");
    for field in [
        "pub type_:",
        "pub match_:",
        "pub self_:",
        "pub self_2:",
        "pub crate_:",
        "pub _1st:",
        "pub with_space:",
        "pub a_b:",
        "pub dash_ed:",
        "pub cafe:",
        "pub ri_ben:",
        "pub field:",
    ] {
        assert!(types.contains(field), "{field} in {types}");
    }
    for name in names {
        assert!(types.contains(&format!("rename = \"{name}\"")), "rename of {name:?}");
    }
    // The generated file is valid Rust: the generator parses all it writes (and the corpus test compiles
    // a golden document with such names).
    syn::parse_file(&types).expect("valid Rust");
}

#[test]
fn case_8_deep_nesting_large_documents_and_alias_bombs() {
    let depth = 10_000;
    let deep_yaml = format!("asyncapi: 2.6.0\nx: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    fails_with("spec.yaml", &deep_yaml, &["invalid YAML: recursion limit exceeded", "spec.yaml:2:"]);
    let deep_json = format!("{{\"asyncapi\": \"2.6.0\", \"x\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    fails_with("spec.json", &deep_json, &["invalid JSON: recursion limit exceeded"]);

    let mut bomb = String::from("asyncapi: 2.6.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ('a'..='i').zip('b'..='j') {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    fails_with("spec.yaml", &bomb, &["invalid YAML: aliases repeat more than 1000000 values", "spec.yaml:"]);

    let mut large = String::from("asyncapi: 2.6.0\ndescription: |\n");
    while large.len() < 50 * 1024 * 1024 {
        large.push_str("  lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n");
    }
    fails_with("spec.yaml", &large, &["the file is larger than 32 MiB, the most this generator reads"]);

    // A schema nested through allOf and $ref deeper than the limit is an error, not a stack overflow.
    let mut chain = format!(
        "{HEAD}channels:\n  c:\n    publish:\n      message:\n        payload: {{$ref: '#/components/schemas/S0'}}\ncomponents:\n  schemas:\n"
    );
    for i in 0..1000 {
        chain.push_str(&format!("    S{i}: {{allOf: [{{$ref: '#/components/schemas/S{}'}}]}}\n", i + 1));
    }
    chain.push_str("    S1000: {type: object}\n");
    fails_with("spec.yaml", &chain, &["schemas nest more than 256 levels deep here"]);

    // Just within the limit, in the payloads of several messages: payloads are read on several threads,
    // and each has the generator's deep stack.
    let mut deep = format!("{HEAD}channels:\n");
    for m in 0..8 {
        deep.push_str(&format!(
            "  c{m}:\n    publish:\n      message:\n        name: m{m}\n        payload: {{$ref: '#/components/schemas/S0'}}\n"
        ));
    }
    deep.push_str("components:\n  schemas:\n");
    for i in 0..250 {
        deep.push_str(&format!("    S{i}: {{allOf: [{{$ref: '#/components/schemas/S{}'}}]}}\n", i + 1));
    }
    deep.push_str("    S250: {type: object, properties: {id: {type: string}}}\n");
    let (run, _dir) = generate("spec.yaml", deep.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);

    // A long chain of distinct types is no error at all: types are built from a queue, not by recursion.
    let mut types = format!(
        "{HEAD}channels:\n  c:\n    publish:\n      message:\n        payload: {{$ref: '#/components/schemas/S0'}}\ncomponents:\n  schemas:\n"
    );
    for i in 0..5000 {
        types.push_str(&format!(
            "    S{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/S{}'}}}}}}\n",
            i + 1
        ));
    }
    types.push_str("    S5000: {type: string}\n");
    let (run, _dir) = generate("spec.yaml", types.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn case_9_an_output_directory_that_cannot_be_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/knock.asyncapi.yaml");
    // A regular file where a directory should be (permissions do not stop root, this does).
    std::fs::write(dir.path().join("blocker"), "not a directory").expect("file");
    let out = dir.path().join("blocker/crate");
    let run = run(dir.path(), &["--spec", spec.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("cannot create the output directory"), "{}", run.stderr);
    assert!(run.stderr.contains("blocker/crate"), "{}", run.stderr);
}

#[test]
fn bad_usage_exits_with_status_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(run(dir.path(), &["--spec"]).code, Some(2));
    assert_eq!(run(dir.path(), &["--frobnicate"]).code, Some(2));
}

/// Inputs the fuzzer found (`fuzz/run.sh`): each must finish, with files or a clear error, and no panic.
#[test]
fn fuzz_regressions_finish_without_panicking() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut inputs: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("regressions").map(|e| e.expect("entry").path()).collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    for input in inputs {
        let out = tempfile::tempdir().expect("temp dir");
        let run = run(out.path(), &["--spec", input.to_str().expect("utf-8"), "--out", "out"]);
        assert!(matches!(run.code, Some(0 | 1)), "{}: {}", input.display(), run.stderr);
    }
}
