//! Stage 1, document (overlays): the OpenAPI Overlay Specification 1.0.0, applied to the entry document after it
//! is read and before its references are followed. An overlay is a separate document of targeted changes laid
//! over the vendor's (`overlay: 1.0.0`, `info`, optional `extends`, `actions`); each action's `target` is an
//! RFC 9535 JSONPath (serde_json_path), and it `update`s what the target selects (objects merged recursively,
//! arrays appended to) or `remove`s it. The format knows nothing of OpenAPI, so AsyncAPI documents take it as
//! they are. Overlays apply in order; a target that selects nothing is an error unless asked to warn.

use std::path::{Path, PathBuf};

use serde_json_path::JsonPath;

use crate::error::{Error, Result};
use crate::json::{Map, Value};
use crate::pointer::child;

/// What to do when an overlay action's target selects nothing.
///
/// ```
/// let mut options = generator::Options::new("../spec/knock.asyncapi.yaml", "unused").overlay("../spec/knock.overlay.yaml");
/// options.unmatched_overlay_targets = generator::Unmatched::Warn; // print a warning, and go on
/// assert!(generator::generate(&options).is_ok());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unmatched {
    /// Fail (the default): when the vendor renames what an overlay names, regeneration must not silently
    /// lose the overlay's types.
    #[default]
    Error,
    /// Go on, and report it as a warning.
    Warn,
}

/// An overlay file, read and checked: its actions in order.
#[derive(Clone, Debug)]
pub struct Overlay {
    pub path: PathBuf,
    /// The overlay's directory, absolute: file `$ref`s in updates are relative to it.
    dir: PathBuf,
    actions: Vec<Action>,
}

#[derive(Clone, Debug)]
struct Action {
    /// Where the action is in the overlay file (`/actions/3`).
    pointer: String,
    target_text: String,
    target: JsonPath,
    update: Option<Value>,
    remove: bool,
}

/// Reads the overlay at `path`.
pub fn read(path: &Path) -> Result<Overlay> {
    let text = crate::load::read_text(path, "read the overlay")?;
    let root = crate::load::parse_value(path, &text)?;
    parse(path, &root)
}

/// Checks that `root` (read from `path`) is an Overlay 1.0 document, and reads its actions.
fn parse(path: &Path, root: &Value) -> Result<Overlay> {
    let not_an_overlay =
        |pointer: &str, what: String| Error::at(path, pointer, format!("not an Overlay 1.0 document: {what}"));
    let Value::Object(map) = root else {
        return Err(not_an_overlay("", format!("the document is {}, expected a mapping", root.kind())));
    };
    match map.get("overlay") {
        Some(Value::String(version)) if version.starts_with("1.0") => {}
        Some(Value::String(version)) => {
            return Err(Error::at(
                path,
                "/overlay",
                format!("unsupported Overlay version `{version}`; this generator reads 1.0"),
            ));
        }
        Some(other) => {
            return Err(not_an_overlay("/overlay", format!("expected a version string, found {}", other.kind())));
        }
        None => return Err(not_an_overlay("", "the `overlay` version field is missing".to_owned())),
    }
    match map.get("info") {
        Some(Value::Object(info)) => {
            for field in ["title", "version"] {
                if !info.get(field).is_some_and(Value::is_string) {
                    return Err(not_an_overlay("/info", format!("`info.{field}` must be a string")));
                }
            }
        }
        _ => return Err(not_an_overlay("", "`info` (with `title` and `version`) is missing".to_owned())),
    }
    let actions = match map.get("actions") {
        Some(Value::Array(actions)) if !actions.is_empty() => actions,
        Some(Value::Array(_)) => return Err(not_an_overlay("/actions", "`actions` is empty".to_owned())),
        _ => return Err(not_an_overlay("", "`actions` (a list) is missing".to_owned())),
    };
    let base = absolute(path.parent().unwrap_or(Path::new("")));
    let mut read = Vec::with_capacity(actions.len());
    for (index, action) in actions.iter().enumerate() {
        let pointer = child("/actions", &index.to_string());
        let Value::Object(action) = action else {
            return Err(not_an_overlay(&pointer, format!("action {index} is {}, expected a mapping", action.kind())));
        };
        let Some(Value::String(target_text)) = action.get("target") else {
            return Err(not_an_overlay(&pointer, format!("action {index} has no `target` string")));
        };
        let target = JsonPath::parse(target_text).map_err(|e| {
            Error::at(
                path,
                &child(&pointer, "target"),
                format!("action {index}: `{target_text}` is not a valid JSONPath (RFC 9535): {}", e.message()),
            )
        })?;
        let remove = match action.get("remove") {
            None => false,
            Some(Value::Bool(remove)) => *remove,
            Some(other) => {
                return Err(not_an_overlay(
                    &child(&pointer, "remove"),
                    format!("`remove` is {}, expected a boolean", other.kind()),
                ));
            }
        };
        let update = action.get("update").cloned();
        if !remove && update.is_none() {
            return Err(not_an_overlay(
                &pointer,
                format!("action {index} (`{target_text}`) has neither `update` nor `remove`"),
            ));
        }
        read.push(Action { pointer, target_text: target_text.clone(), target, update, remove });
    }
    Ok(Overlay { path: path.to_path_buf(), dir: base, actions: read })
}

/// A `$ref` to another file inside an update is written relative to the overlay; laid over the document it is
/// read relative to the document. Each such reference's file part is rewritten by `rebase`.
fn rebase_file_references(value: &mut Value, rebase: &dyn Fn(&str) -> String) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && !reference.starts_with('#')
                && !reference.contains("://")
            {
                let (file, fragment) = reference.split_once('#').map_or((reference.as_str(), ""), |(f, p)| (f, p));
                let file = rebase(file);
                *reference = if fragment.is_empty() { file } else { format!("{file}#{fragment}") };
            }
            for (key, item) in map.iter_mut() {
                if key != "$ref" {
                    rebase_file_references(item, rebase);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rebase_file_references(item, rebase)),
        _ => {}
    }
}

/// Applies `overlay` to `root`, the document read from `spec`. Returns the warnings (unmatched targets, when
/// they are allowed).
pub fn apply(root: &mut Value, spec: &Path, overlay: &Overlay, unmatched: Unmatched) -> Result<Vec<Error>> {
    let spec_dir = absolute(spec.parent().unwrap_or(Path::new("")));
    let mut warnings = Vec::new();
    // The JSONPath crate queries serde_json's value: a mirror of the document, kept equal to it (in content,
    // not key order, which selection by name does not depend on) by replaying each change on it.
    let mut mirror = serde_json::Value::from(&*root);
    for (index, action) in overlay.actions.iter().enumerate() {
        let selected: Vec<String> =
            action.target.query_located(&mirror).locations().map(|location| location.to_json_pointer()).collect();
        let at_target = child(&action.pointer, "target");
        if selected.is_empty() {
            let error = Error::at(
                &overlay.path,
                &at_target,
                format!("action {index}: the target `{}` selects nothing in {}", action.target_text, spec.display()),
            );
            match unmatched {
                Unmatched::Error => return Err(error),
                Unmatched::Warn => {
                    warnings.push(error);
                    continue;
                }
            }
        }
        if action.remove {
            // Last first, so that removing an item leaves the places of those before it as they were, and a
            // node inside another is removed before the other.
            for pointer in selected.iter().rev() {
                if pointer.is_empty() {
                    return Err(Error::at(
                        &overlay.path,
                        &at_target,
                        format!("action {index}: cannot remove the whole document"),
                    ));
                }
                remove(root, pointer);
                remove(&mut mirror, pointer);
            }
            continue;
        }
        let Some(update) = &action.update else { continue };
        let mut update = update.clone();
        rebase_file_references(&mut update, &|file| crate::load::relative_path(&spec_dir, &overlay.dir.join(file)));
        for pointer in &selected {
            let Some(node) = root.pointer_mut(pointer) else { continue };
            merge(node, &update).map_err(|found| {
                Error::at(
                    &overlay.path,
                    &child(&action.pointer, "update"),
                    format!(
                        "action {index}: the target `{}` selects {found} at #{pointer}, which an update cannot be merged into (it needs a mapping or a list)",
                        action.target_text
                    ),
                )
            })?;
            if let Some(mirrored) = mirror.pointer_mut(pointer) {
                *mirrored = serde_json::Value::from(&*node);
            }
        }
    }
    Ok(warnings)
}

/// Lays `update` over `target`: an object's properties are merged into a mapping (recursively where both are
/// mappings, appended where both are lists, replaced otherwise), and a list gets the update appended as one
/// more entry. Any other target takes no update; its kind is the error.
fn merge(target: &mut Value, update: &Value) -> Result<(), &'static str> {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            merge_objects(target, update);
            Ok(())
        }
        (Value::Object(_), other) => Err(match other {
            Value::Array(_) => "a mapping, and the update is a list,",
            _ => "a mapping, and the update is no mapping,",
        }),
        (Value::Array(items), update) => {
            items.push(update.clone());
            Ok(())
        }
        (other, _) => Err(other.kind()),
    }
}

fn merge_objects(target: &mut Map, update: &Map) {
    for (key, value) in update {
        match (target.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(value)) => merge_objects(existing, value),
            (Some(Value::Array(existing)), Value::Array(value)) => existing.extend(value.iter().cloned()),
            (Some(existing), value) => *existing = value.clone(),
            (None, value) => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Removes the node at `pointer` (not the root) from its parent.
fn remove(root: &mut impl RemoveChild, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    root.remove_child(parent, &last.replace("~1", "/").replace("~0", "~"));
}

/// A JSON tree a node can be removed from: the document, and the mirror that JSONPath queries run on.
trait RemoveChild {
    /// Removes the member `key`, or the item at index `key`, of the node at `parent`, if there is one.
    fn remove_child(&mut self, parent: &str, key: &str);
}

impl RemoveChild for Value {
    fn remove_child(&mut self, parent: &str, key: &str) {
        match self.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.shift_remove(key);
            }
            Some(Value::Array(items)) => remove_item(items, key),
            _ => {}
        }
    }
}

impl RemoveChild for serde_json::Value {
    fn remove_child(&mut self, parent: &str, key: &str) {
        match self.pointer_mut(parent) {
            Some(serde_json::Value::Object(map)) => {
                map.remove(key);
            }
            Some(serde_json::Value::Array(items)) => remove_item(items, key),
            _ => {}
        }
    }
}

fn remove_item<T>(items: &mut Vec<T>, index: &str) {
    if let Ok(index) = index.parse::<usize>()
        && index < items.len()
    {
        items.remove(index);
    }
}

/// `dir` made absolute (against the working directory), as written: `..` stays for [`crate::load::relative_path`].
fn absolute(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// The nodes `target` selects in `document`, as JSON pointers, in the order RFC 9535 gives them; an invalid
/// JSONPath is an error. (For the compliance suite; overlays select the same way.)
#[doc(hidden)]
pub fn select(target: &str, document: &Value) -> Result<Vec<String>, String> {
    let path = JsonPath::parse(target).map_err(|e| e.message().to_owned())?;
    let mirror = serde_json::Value::from(document);
    Ok(path.query_located(&mirror).locations().map(|location| location.to_json_pointer()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).expect("test JSON")
    }

    #[test]
    fn update_merges_objects_recursively_and_appends_to_lists() {
        let mut target = json(r#"{"a": {"b": 1, "c": [1]}, "d": "x"}"#);
        merge(&mut target, &json(r#"{"a": {"c": [2], "e": true}, "d": "y"}"#)).expect("merges");
        assert_eq!(target, json(r#"{"a": {"b": 1, "c": [1, 2], "e": true}, "d": "y"}"#));
        let mut list = json("[1]");
        merge(&mut list, &json(r#"{"x": 1}"#)).expect("appends");
        assert_eq!(list, json(r#"[1, {"x": 1}]"#));
        assert_eq!(merge(&mut json(r#""text""#), &json("{}")), Err("a string"));
    }

    #[test]
    fn remove_takes_the_node_from_its_parent() {
        let mut root = json(r#"{"a": {"b": 1, "c/d": 2}, "list": [0, 1, 2]}"#);
        remove(&mut root, "/a/c~1d");
        remove(&mut root, "/list/1");
        assert_eq!(root, json(r#"{"a": {"b": 1}, "list": [0, 2]}"#));
    }
}
