//! The YAML loader (`generator::yaml`) against serde_yaml, the reference: the same JSON value for every
//! real document we have, and located errors for broken ones.

use std::path::{Path, PathBuf};

use generator::internals::Value;
use generator::internals::{MAX_ALIAS_COPIES, MAX_DEPTH, parse_yaml as parse};
use serde_json::json;

fn yaml_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![root.join("spec/knock.asyncapi.yaml")];
    for dir in [root.join("../shared/corpus/asyncapi"), root.join("generator/tests/golden")] {
        let mut pending = vec![dir];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_real_document_reads_as_serde_yaml_reads_it() {
    let files = yaml_files();
    assert!(files.len() >= 50, "the corpus is beside the repository: {} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        // Read by serde_yaml into the generator's value type, which keeps the order of keys.
        let expected: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let ours = parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(ours == expected, "{} reads differently", path.display());
        // Same order of keys, too (the generator keeps the spec's order).
        assert_eq!(serde_json::to_string(&ours).ok(), serde_json::to_string(&expected).ok(), "{}", path.display());
    }
}

#[test]
fn scalars_resolve_by_the_yaml_1_2_core_schema() {
    let value = parse(
        "a: on\nb: yes\nc: true\nd: ~\ne: null\nf: 12\ng: -3\nh: 1.5\ni: 0x1F\nj: '12'\nk: \"true\"\n\
         l: .inf\nm: 18446744073709551615\nn: !!str 7\no: |\n  text\n200: ok\n",
    )
    .expect("parses");
    assert_eq!(
        value,
        Value::from(
            json!({"a": "on", "b": "yes", "c": true, "d": null, "e": null, "f": 12, "g": -3, "h": 1.5, "i": 31,
               "j": "12", "k": "true", "l": null, "m": 18446744073709551615u64, "n": "7", "o": "text\n",
               "200": "ok"})
        )
    );
}

#[test]
fn a_block_scalar_at_the_end_of_the_file_keeps_only_the_line_breaks_it_has() {
    assert_eq!(parse("a: >\n  folded\n  text").expect("parses"), Value::from(json!({"a": "folded text"})));
    assert_eq!(parse("a: |\n  text\n").expect("parses"), Value::from(json!({"a": "text\n"})));
    assert_eq!(parse("a: |\n  text\nb: 1").expect("parses"), Value::from(json!({"a": "text\n", "b": 1})));
}

#[test]
fn anchors_and_aliases_copy_values() {
    let value = parse("base: &b {x: 1}\nother: *b\nlist: [&v 2, *v]\n").expect("parses");
    assert_eq!(value, Value::from(json!({"base": {"x": 1}, "other": {"x": 1}, "list": [2, 2]})));
}

#[test]
fn errors_are_located() {
    let err = parse("asyncapi: [unclosed\n").expect_err("unclosed");
    assert_eq!((err.line, err.column), (2, 1), "{err:?}");
    let err = parse("a: 1\n? [x]\n: 2\n").expect_err("a sequence as a key");
    assert!(err.message.contains("a mapping key must be a scalar"), "{err:?}");
    assert_eq!(err.line, 2, "{err:?}");
    let err = parse("a: *nowhere\n").expect_err("unknown alias");
    assert_eq!(err.line, 1, "{err:?}");
    let err = parse("a: 1\n---\nb: 2\n").expect_err("two documents");
    assert!(err.message.contains("more than one YAML document"), "{err:?}");
}

#[test]
fn deep_nesting_and_alias_bombs_are_refused() {
    let deep = format!("x: {}{}\n", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let err = parse(&deep).expect_err("too deep");
    assert!(err.message.contains("nested more than 128 levels"), "{err:?}");
    let fine = format!("x: {}{}\n", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
    parse(&fine).expect("deep but within the limit");

    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h"].iter().zip(["a", "b", "c", "d", "e", "f", "g"]) {
        bomb.push_str(&format!("{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
    }
    let err = parse(&bomb).expect_err("an alias bomb");
    assert!(err.message.contains(&format!("aliases repeat more than {MAX_ALIAS_COPIES} values")), "{err:?}");
}
