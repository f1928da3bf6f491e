//! The JSONPath that overlay targets are written in, against RFC 9535's compliance suite
//! (`../shared/jsonpath-compliance-test-suite/cts.json`, beside the repository): every valid selector selects
//! exactly the suite's nodes, at the suite's locations and in one of its orders, and every invalid selector is
//! refused. Nothing is skipped.

use std::path::Path;

use generator::internals::Value;

/// A normalized path of the suite (`$['a'][0]['it\'s']`) as a JSON pointer (`/a/0/it's`).
fn pointer_of(normalized: &str) -> String {
    let mut chars = normalized.strip_prefix('$').expect("a normalized path starts with $").chars().peekable();
    let mut pointer = String::new();
    while let Some(open) = chars.next() {
        assert_eq!(open, '[', "in {normalized}");
        let mut token = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\'' => break,
                    '\\' => match chars.next() {
                        Some('b') => token.push('\u{8}'),
                        Some('f') => token.push('\u{c}'),
                        Some('n') => token.push('\n'),
                        Some('r') => token.push('\r'),
                        Some('t') => token.push('\t'),
                        Some('u') => {
                            let hex: String = chars.by_ref().take(4).collect();
                            let code = u32::from_str_radix(&hex, 16).expect("hex");
                            token.push(
                                char::from_u32(code).expect("a scalar value (normalized paths escape only controls)"),
                            );
                        }
                        Some(other) => token.push(other),
                        None => panic!("unterminated escape in {normalized}"),
                    },
                    c => token.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ']' {
                    break;
                }
                token.push(c);
                chars.next();
            }
        }
        assert_eq!(chars.next(), Some(']'), "in {normalized}");
        pointer.push('/');
        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
    }
    pointer
}

#[test]
fn overlay_targets_follow_rfc_9535() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/jsonpath-compliance-test-suite/cts.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} (../shared/ must be beside the repository): {e}", path.display()));
    let suite: serde_json::Value = serde_json::from_str(&text).expect("the suite is JSON");
    let tests = suite["tests"].as_array().expect("a list of tests");
    assert!(tests.len() >= 700, "the suite has {} tests", tests.len());
    let (mut valid, mut invalid) = (0, 0);
    let mut failures = Vec::new();
    for test in tests {
        let name = test["name"].as_str().unwrap_or("?");
        let selector = test["selector"].as_str().expect("a selector");
        if test["invalid_selector"].as_bool() == Some(true) {
            invalid += 1;
            if generator::internals::select(selector, &Value::Null).is_ok() {
                failures.push(format!("{name}: `{selector}` is invalid, but was accepted"));
            }
            continue;
        }
        valid += 1;
        let document = Value::from(test["document"].clone());
        let selected = match generator::internals::select(selector, &document) {
            Ok(selected) => selected,
            Err(e) => {
                failures.push(format!("{name}: `{selector}` was refused: {e}"));
                continue;
            }
        };
        // The suite gives one order, or (where RFC 9535 leaves object members unordered) every allowed one.
        let orders: Vec<&serde_json::Value> = match (&test["result_paths"], &test["results_paths"]) {
            (serde_json::Value::Array(_), _) => vec![&test["result_paths"]],
            (_, serde_json::Value::Array(orders)) => orders.iter().collect(),
            _ => panic!("{name}: no expected paths"),
        };
        let matches = orders.iter().any(|paths| {
            let expected: Vec<String> =
                paths.as_array().expect("paths").iter().map(|p| pointer_of(p.as_str().expect("a path"))).collect();
            expected == selected
        });
        // And the nodes at those places are the suite's values.
        let values: Vec<serde_json::Value> = selected
            .iter()
            .map(|pointer| document.pointer(pointer).map(serde_json::Value::from).unwrap_or(serde_json::Value::Null))
            .collect();
        let value_orders: Vec<&serde_json::Value> = match (&test["result"], &test["results"]) {
            (serde_json::Value::Array(_), _) => vec![&test["result"]],
            (_, serde_json::Value::Array(orders)) => orders.iter().collect(),
            _ => panic!("{name}: no expected values"),
        };
        let values_match = value_orders.iter().any(|expected| expected.as_array() == Some(&values));
        if !matches || !values_match {
            failures.push(format!("{name}: `{selector}` selected {selected:?}"));
        }
    }
    println!("RFC 9535 compliance suite: {valid} valid selectors, {invalid} invalid ones, 0 skipped");
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), tests.len(), failures.join("\n"));
}
