//! Stage 4, model (naming): every Rust name the generator writes is decided here, once, in the model stage.
//!
//! Rules (documented in README.md):
//! - Types and enum variants are UpperCamelCase of the source name's ASCII letters and digits; fields are
//!   snake_case. Any other character separates words.
//! - A name that would start with a digit gets a prefix (`T` for types, `_` for fields); an empty name becomes
//!   `Unnamed` / `field`. Rust keywords get a trailing `_` (`type` → `type_`).
//! - When two source names give the same Rust name, the one met first (in document order) keeps it and the
//!   later ones get `2`, `3`, ... appended; nothing is merged silently.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Replaces every character that cannot be part of a word with a space, so that case conversion treats it
/// as a word boundary. Non-ASCII letters are transliterated first (`café` → `cafe`, `日本` → `Ri Ben`), so
/// that every name is a plain ASCII identifier.
fn words(source: &str) -> String {
    let ascii = if source.is_ascii() { source.to_owned() } else { deunicode::deunicode(source) };
    ascii.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

/// The UpperCamelCase Rust name for a type or variant called `source` in the spec.
pub fn type_name(source: &str) -> String {
    let name = words(source).to_upper_camel_case();
    let name = if name.is_empty() { "Unnamed".to_owned() } else { name };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("T{name}") } else { name };
    if KEYWORDS.contains(&name.as_str()) { format!("{name}_") } else { name }
}

/// The snake_case Rust name for a field called `source` in the spec.
pub fn field_name(source: &str) -> String {
    let name = words(source).to_snake_case();
    let name = if name.is_empty() { "field".to_owned() } else { name };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("_{name}") } else { name };
    if KEYWORDS.contains(&name.as_str()) { format!("{name}_") } else { name }
}

/// A component key without its namespace: `io.github.app.Pet` → `Pet`. Keys that look like namespaced
/// identifiers (Java classes, Avro records) would otherwise give very long type names; other keys are
/// kept whole. Collisions are then numbered like any other.
pub fn without_namespace(key: &str) -> &str {
    let segments: Vec<&str> = key.split('.').collect();
    let namespaced = segments.len() >= 3
        && segments
            .iter()
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$'));
    if namespaced { segments.last().copied().unwrap_or(key) } else { key }
}

/// The kebab-case package name for a crate generated from a spec titled `title`.
pub fn crate_name(title: &str) -> String {
    use heck::ToKebabCase;
    let name = words(title).to_kebab_case();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) { format!("asyncapi-{name}") } else { name }
}

/// Names the generated code itself uses; no type from the spec may take them.
pub const DISPATCH_ENUM: &str = "Event";
pub const UNKNOWN_VARIANT: &str = "Unknown";
pub const UNKNOWN_TYPE: &str = "UnknownEvent";
pub const HANDLER_TRAIT: &str = "EventHandler";
pub const UNKNOWN_HANDLER_METHOD: &str = "on_unknown";
pub const INVALID_OUTCOME: &str = "InvalidMessage";
/// The handler trait's method for a body that is not a valid message; no message's method may take it.
pub const INVALID_HANDLER_METHOD: &str = "on_invalid";

/// A namespace in which every name is handed out once.
#[derive(Debug, Default, Clone)]
pub struct Names {
    taken: BTreeSet<String>,
}

/// Names that generated code uses unqualified (the prelude's types and traits, and the generator's own
/// helpers); no type from the spec may take them.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Clone",
    "Debug",
    "Default",
    "Err",
    "From",
    "None",
    "Ok",
    "Option",
    "PartialEq",
    "Result",
    "Some",
    "String",
    "Tagged",
    "TryFrom",
    "Vec",
];

impl Names {
    /// The namespace of type names of a generated crate, with the names generated code relies on taken.
    pub fn for_types() -> Names {
        let mut names = Names::default();
        for name in RESERVED_TYPE_NAMES {
            names.reserve(name);
        }
        names
    }

    /// Reserves `name` (e.g. one the generator itself uses) so no source name gets it.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// Returns `wanted` if it is free, else the first free `wanted2`, `wanted3`, ...
    pub fn claim(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_rust_identifiers() {
        assert_eq!(type_name("message.sent"), "MessageSent");
        assert_eq!(type_name("webhooks/email_layouts"), "WebhooksEmailLayouts");
        assert_eq!(type_name("2fa-code"), "T2faCode");
        assert_eq!(type_name(""), "Unnamed");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("createdAt"), "created_at");
        assert_eq!(field_name("__typename"), "typename");
        assert_eq!(field_name("1st place"), "_1st_place");
        assert_eq!(field_name("foo-bar"), "foo_bar");
        assert_eq!(field_name(""), "field");
        assert_eq!(field_name("café au lait"), "cafe_au_lait");
        assert_eq!(type_name("日本"), "RiBen");
        assert_eq!(field_name("a.b c-d"), "a_b_c_d");
    }

    #[test]
    fn namespaced_keys_lose_their_namespace() {
        assert_eq!(without_namespace("io.github.springwolf.Pet"), "Pet");
        assert_eq!(without_namespace("message.sent"), "message.sent", "two segments are not a namespace");
        assert_eq!(without_namespace("a.b c.d"), "a.b c.d");
    }

    #[test]
    fn collisions_get_numbered_suffixes_in_order() {
        let mut names = Names::default();
        assert_eq!(names.claim(field_name("foo-bar")), "foo_bar");
        assert_eq!(names.claim(field_name("foo_bar")), "foo_bar2");
        assert_eq!(names.claim(field_name("Foo Bar")), "foo_bar3");
        let mut types = Names::for_types();
        assert_eq!(types.claim(type_name("result")), "Result2");
    }
}
