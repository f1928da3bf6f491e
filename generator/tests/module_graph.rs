//! The generator's modules form a one-way pipeline: no module uses another that uses it back, directly or
//! through others, and each module's first comment says which stage (or foundation) it belongs to.
//!
//! The graph is read from the source: a module uses another when its code names it (`crate::schema::...`,
//! `super::types::...` from a sibling, `dispatch::...` from the parent of `dispatch`). Comments, string
//! literals and `quote!`d paths of generated code (`crate::types`, which is no generator module) are not uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module file under `src/`, by module path (`model::types`); the crate root and the binary are left out.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src").with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|last| last == "mod") {
                parts.pop();
            }
            let name = parts.join("::");
            if name != "lib" && name != "main" {
                found.insert(name, path);
            }
        }
    }
    found
}

/// The code of a Rust file without its comments and the contents of its string and char literals.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !is_ident(chars.get(i.wrapping_sub(1))) {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal: '\n', '\'', '\u{..}'.
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The identifiers of a path written after `prefix` (`crate::`, `super::`, `name::`), braces expanded one level:
/// `a::b` gives `[["a", "b"]]`, `{a, b::c}` gives `[["a"], ["b", "c"]]`.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(prefix) {
        let start = from + at;
        from = start + prefix.len();
        if start > 0 && code[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[from..];
        let segments = |text: &str| -> Vec<String> {
            text.split("::")
                .map(|s| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
                .take_while(|s| !s.is_empty())
                .collect()
        };
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(inner.split(',').map(|item| segments(item.trim())).filter(|s| !s.is_empty()));
        } else {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            let path = segments(&rest[..end]);
            if !path.is_empty() {
                found.push(path);
            }
        }
    }
    found
}

/// The longest module of `modules` that `path` (relative to `base`, a module path or "" for the crate) names.
fn module_named(modules: &BTreeMap<String, PathBuf>, base: &str, path: &[String]) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let name = path[..n].join("::");
        let full = if base.is_empty() { name } else { format!("{base}::{name}") };
        modules.contains_key(&full).then_some(full)
    })
}

/// Which modules each module uses.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules(src);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &modules {
        let code = code_only(&std::fs::read_to_string(path).expect("module is readable"));
        let parent = module.rsplit_once("::").map_or("", |(parent, _)| parent);
        let mut used = BTreeSet::new();
        for path in paths_after(&code, "crate::") {
            used.extend(module_named(&modules, "", &path));
        }
        for path in paths_after(&code, "super::") {
            // In a file's own `mod tests`, `super::` is the file's module itself.
            used.extend(module_named(&modules, parent, &path).or_else(|| Some(parent.to_owned())));
        }
        // A parent names its children by their bare names.
        let children: Vec<&String> = modules
            .keys()
            .filter(|m| m.strip_prefix(&format!("{module}::")).is_some_and(|c| !c.contains("::")))
            .collect();
        for child in children {
            let bare = child.rsplit("::").next().unwrap_or(child);
            if !paths_after(&code, &format!("{bare}::")).is_empty() {
                used.insert(child.clone());
            }
        }
        used.remove(module);
        used.remove("");
        uses.insert(module.clone(), used);
    }
    uses
}

/// A cycle of uses, if there is one, as the list of modules around it.
fn find_cycle(uses: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        OnPath,
        Done,
    }
    let mut state: BTreeMap<&str, State> = BTreeMap::new();
    for start in uses.keys() {
        if state.contains_key(start.as_str()) {
            continue;
        }
        let mut path: Vec<(&str, Vec<&str>)> = vec![(start, uses[start].iter().map(String::as_str).collect())];
        state.insert(start, State::OnPath);
        while let Some((node, next)) = path.last_mut() {
            let node = *node;
            match next.pop() {
                Some(target) => match state.get(target) {
                    Some(State::OnPath) => {
                        let from = path.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut cycle: Vec<String> = path[from..].iter().map(|(n, _)| (*n).to_owned()).collect();
                        cycle.push(target.to_owned());
                        return Some(cycle);
                    }
                    Some(State::Done) => {}
                    None => {
                        state.insert(target, State::OnPath);
                        let targets =
                            uses.get(target).map(|t| t.iter().map(String::as_str).collect()).unwrap_or_default();
                        path.push((target, targets));
                    }
                },
                None => {
                    state.insert(node, State::Done);
                    path.pop();
                }
            }
        }
    }
    None
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_two_modules_use_each_other() {
    let uses = graph(&src());
    if let Some(cycle) = find_cycle(&uses) {
        panic!("these modules use each other in a loop: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_graph_is_read_as_written() {
    // The check above can only fail if the graph sees uses: a few known edges must be there.
    let uses = graph(&src());
    for (from, to) in [
        ("model", "model::dispatch"),
        ("model::dispatch", "model::types"),
        ("model::types", "schema"),
        ("read", "merge"),
        ("emit", "output"),
        ("write", "output"),
        ("emit::handler", "emit::dispatch"),
        ("report", "locate"),
    ] {
        assert!(uses[from].contains(to), "{from} uses {to}; the graph says {:?}", uses[from]);
    }
    // And a loop is found when there is one.
    let mut looped = uses.clone();
    looped.get_mut("output").expect("output").insert("write".to_owned());
    assert!(find_cycle(&looped).is_some());
}

#[test]
fn every_module_says_which_stage_it_is() {
    for (module, path) in modules(&src()) {
        let text = std::fs::read_to_string(&path).expect("module is readable");
        let first = text.lines().next().unwrap_or_default();
        assert!(
            ["//! Stage", "//! Stages", "//! Foundation", "//! Reporting"].iter().any(|start| first.starts_with(start)),
            "{module}: its first comment should say which stage it is, not {first:?}"
        );
    }
}

#[test]
fn stages_below_never_name_stages_above() {
    // The order of the stages, from the document up; a module may use those at its level or below.
    let level = |module: &str| -> usize {
        match module.split("::").next().unwrap_or(module) {
            "json" | "yaml" | "pointer" | "error" | "output" | "parallel" | "timing" => 0,
            "load" | "overlay" | "bundle" | "document" => 1,
            "resolve" | "asyncapi" => 2,
            "schema" | "merge" | "read" | "avro" => 3,
            "model" | "naming" | "cycles" | "ir" => 4,
            "emit" => 5,
            "write" => 6,
            "locate" | "report" => 7,
            "builder" => 8,
            other => panic!("module {other} is not placed in a stage; add it here"),
        }
    };
    for (module, used) in graph(&src()) {
        for target in used {
            assert!(
                level(&target) <= level(&module),
                "{module} (stage {}) uses {target} (stage {})",
                level(&module),
                level(&target)
            );
        }
    }
}
