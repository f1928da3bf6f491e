//! Stages 2 and 3 (reference resolution): `$ref` resolution inside the document of stage 1, for the stages that
//! read it (the AsyncAPI view and schema reading). JSON pointers with `~0`/`~1` escapes and percent-encoded
//! fragments; chains of references are followed and cycles refused.

use crate::json::Value;
use percent_encoding::percent_decode_str;

use crate::document::Document;
use crate::error::Result;
use crate::pointer::{child, tokens};

/// Turns the text of a `$ref` into the JSON pointer it names in this document.
///
/// `ref_text` is read at `at` (for error messages). Only references into the same document
/// (`#/...`) are supported here.
pub fn ref_to_pointer(doc: &Document, at: &str, ref_text: &str) -> Result<String> {
    let Some(fragment) = ref_text.strip_prefix('#') else {
        let what = if ref_text.contains("://") {
            "a URL reference; the generator resolves no network references (there is no network at build time)"
        } else {
            "a reference to another file, which this generator does not resolve yet"
        };
        return Err(doc.error(at, format!("`$ref: {ref_text}` is {what}")));
    };
    let pointer = percent_decode_str(fragment)
        .decode_utf8()
        .map_err(|_| doc.error(at, format!("`$ref: {ref_text}` is not valid UTF-8 once percent-decoded")))?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(
            doc.error(at, format!("`$ref: {ref_text}` is not a JSON pointer (it must be `#` or start with `#/`)"))
        );
    }
    Ok(pointer.into_owned())
}

/// Looks up `pointer` in the document; returns the node and its canonical pointer.
///
/// Two leniencies, both needed by real documents: a pointer may step through a node that is itself a
/// `$ref` (`#/channels/echo/messages/x` where `/channels/echo` refers to another file), and a key that
/// contains `/` may be written unescaped (`#/components/messages/a/b` for the key `a/b`) when no
/// escaped reading exists.
pub fn lookup<'a>(doc: &'a Document, pointer: &str) -> Option<(String, &'a Value)> {
    let tokens: Vec<String> = tokens(pointer).collect();
    walk(doc, &tokens, 0)
}

/// How many references a single lookup may step through before it gives up (cycles).
const MAX_REF_STEPS: usize = 64;

fn walk<'a>(doc: &'a Document, tokens: &[String], depth: usize) -> Option<(String, &'a Value)> {
    let mut node = &doc.root;
    let mut at = String::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(reference) = ref_text(node).filter(|_| node.get(&tokens[i]).is_none()) {
            if depth >= MAX_REF_STEPS {
                return None;
            }
            let target: Vec<String> = tokens_of_ref(reference)?;
            (at, node) = walk(doc, &target, depth + 1)?;
            continue;
        }
        match node {
            Value::Object(map) => {
                if let Some(next) = map.get(&tokens[i]) {
                    at = child(&at, &tokens[i]);
                    node = next;
                    i += 1;
                } else {
                    let mut key = tokens[i].clone();
                    let (next, end) = tokens[i + 1..].iter().enumerate().find_map(|(j, token)| {
                        key.push('/');
                        key.push_str(token);
                        map.get(&key).map(|next| (next, i + j + 2))
                    })?;
                    at = child(&at, &key);
                    node = next;
                    i = end;
                }
            }
            Value::Array(items) => {
                node = items.get(tokens[i].parse::<usize>().ok()?)?;
                at = child(&at, &tokens[i]);
                i += 1;
            }
            _ => return None,
        }
    }
    Some((at, node))
}

/// The tokens of a local `$ref` (`#/a/b`), percent-decoded; `None` for any other reference.
fn tokens_of_ref(reference: &str) -> Option<Vec<String>> {
    let fragment = reference.strip_prefix('#')?;
    let pointer = percent_decode_str(fragment).decode_utf8().ok()?;
    Some(tokens(&pointer).collect())
}

/// The `$ref` text of `value`, if it is a reference object.
pub fn ref_text(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// Follows `$ref`s from `value` (found at `pointer`) to the node they finally name.
///
/// Returns the pointer of the final node (the original pointer when `value` is no reference).
/// A chain of references that comes back to itself with no schema in between is an error.
pub fn follow<'a>(doc: &'a Document, pointer: &str, value: &'a Value) -> Result<(String, &'a Value)> {
    let mut current_pointer = pointer.to_owned();
    let mut current = value;
    let mut seen: Vec<String> = Vec::new();
    while let Some(text) = ref_text(current) {
        let target = ref_to_pointer(doc, &current_pointer, text)?;
        let (target, next) = lookup(doc, &target)
            .ok_or_else(|| doc.error(&current_pointer, format!("`$ref: {text}` points to nothing in this document")))?;
        let cycle = seen.contains(&target) || target == pointer;
        seen.push(target.clone());
        if cycle {
            return Err(doc.error(pointer, format!("`$ref` cycle with no schema in between: {}", seen.join(" -> "))));
        }
        current_pointer = target;
        current = next;
    }
    Ok((current_pointer, current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Follows `{"$ref": target}` written at `/x`; the target node is cloned out.
    fn resolve(d: &Document, target: &str) -> Result<(String, Value)> {
        let reference = crate::json::object([("$ref", target.into())]);
        follow(d, "/x", &reference).map(|(pointer, value)| (pointer, value.clone()))
    }

    fn doc(yaml: &str) -> Document {
        crate::document::parse(Path::new("test.yaml"), yaml, &Default::default()).expect("test document parses")
    }

    #[test]
    fn follows_escaped_and_percent_encoded_pointers() {
        let d = doc(
            "asyncapi: 2.6.0\ncomponents:\n  schemas:\n    'a/b': {type: string}\n    'c~d': {type: integer}\n    'e f': {type: boolean}\n",
        );
        let (p, v) = resolve(&d, "#/components/schemas/a~1b").unwrap();
        assert_eq!(p, "/components/schemas/a~1b");
        assert_eq!(v["type"], "string");
        let (_, v) = resolve(&d, "#/components/schemas/c~0d").unwrap();
        assert_eq!(v["type"], "integer");
        let (_, v) = resolve(&d, "#/components/schemas/e%20f").unwrap();
        assert_eq!(v["type"], "boolean");
    }

    #[test]
    fn follows_chains_of_references() {
        let d = doc(
            "asyncapi: 2.6.0\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {type: string}\n",
        );
        let (p, v) = resolve(&d, "#/components/schemas/A").unwrap();
        assert_eq!(p, "/components/schemas/B");
        assert_eq!(v["type"], "string");
    }

    #[test]
    fn reports_missing_targets_cycles_and_external_refs() {
        let d = doc(
            "asyncapi: 2.6.0\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
        );
        let err = resolve(&d, "#/components/schemas/Nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.yaml at #/x: `$ref: #/components/schemas/Nope` points to nothing in this document"
        );
        let err = resolve(&d, "#/components/schemas/A").unwrap_err();
        assert!(err.message.contains("cycle"), "{err}");
        assert!(
            err.message.contains("/components/schemas/A -> /components/schemas/B -> /components/schemas/A"),
            "{err}"
        );
        let err = resolve(&d, "https://example.com/s.json").unwrap_err();
        assert!(err.message.contains("no network"), "{err}");
        let err = resolve(&d, "#components").unwrap_err();
        assert!(err.message.contains("not a JSON pointer"), "{err}");
    }
}
