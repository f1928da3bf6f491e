//! Foundation (no stage), YAML: text → JSON value, built while yaml-rust2's parser reads the text. No list of
//! events or YAML tree is held in between: serde_yaml first collects every event of the document, which for an 18 MB
//! spec took more time and memory than the rest of loading (BENCHMARKS.md). Scalars are resolved as yaml-rust2's own
//! loader resolves them (YAML 1.2 core schema: `yes` and `on` stay strings).

use std::collections::HashMap;

use crate::json::{Map, Number, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// How deeply sequences and mappings may nest.
pub const MAX_DEPTH: usize = 128;

/// How many values aliases may copy in all: enough for any real spec, far too few for an alias bomb
/// (a few lines of anchors that expand to billions of values).
pub const MAX_ALIAS_COPIES: usize = 1_000_000;

/// A YAML error, with the 1-based line and column it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl YamlError {
    fn scan(error: ScanError) -> YamlError {
        YamlError::at(*error.marker(), error.info())
    }

    fn at(mark: Marker, message: impl Into<String>) -> YamlError {
        YamlError { message: message.into(), line: mark.line(), column: mark.col() + 1 }
    }
}

/// A sequence or mapping being read, with its anchor (0 for none).
enum Open {
    Sequence(Vec<Value>, usize),
    /// The mapping so far, and the key whose value comes next.
    Mapping(Map, Option<String>, usize),
}

/// Parses one YAML document into a JSON value. Mapping keys must be scalars; they become strings as
/// written (`200:` is the key `"200"`). A key given twice keeps its last value, as serde_json does for JSON.
pub fn parse(source: &str) -> Result<Value, YamlError> {
    let mut parser = Parser::new_from_str(source);
    // Where the text ends, in characters (yaml-rust2's positions), when it ends without a line break.
    let unterminated_end = (!source.ends_with('\n')).then(|| source.chars().count());
    let mut open: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut copies = 0usize;
    let mut document: Option<Value> = None;
    loop {
        let (event, mark) = parser.next_token().map_err(YamlError::scan)?;
        let (value, anchor) = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
            Event::DocumentStart => {
                if document.is_some() {
                    return Err(YamlError::at(mark, "the file holds more than one YAML document"));
                }
                continue;
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if open.len() >= MAX_DEPTH => {
                return Err(YamlError::at(mark, format!("nested more than {MAX_DEPTH} levels deep")));
            }
            Event::SequenceStart(anchor, _) => {
                expect_value(&open, mark)?;
                open.push(Open::Sequence(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                expect_value(&open, mark)?;
                open.push(Open::Mapping(Map::new(), None, anchor));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some(Open::Sequence(items, anchor)) => (Value::Array(items), anchor),
                Some(Open::Mapping(map, _, anchor)) => (Value::Object(map), anchor),
                None => return Err(YamlError::at(mark, "a collection ends that never started")),
            },
            Event::Scalar(mut text, style, anchor, tag) => {
                if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                    && ends_the_file(&mut parser, unterminated_end)?
                {
                    // A block scalar on the file's last line, with no line break after it, has no line
                    // break to keep; yaml-rust2 adds one.
                    if text.ends_with('\n') {
                        text.pop();
                    }
                }
                if let Some(Open::Mapping(_, key @ None, _)) = open.last_mut() {
                    // A key: kept as written, whatever it would resolve to.
                    *key = Some(text.clone());
                    if anchor > 0 {
                        anchors.insert(anchor, Value::String(text));
                    }
                    continue;
                }
                (scalar(text, style, tag.as_ref()), anchor)
            }
            Event::Alias(id) => {
                let Some(value) = anchors.get(&id) else {
                    return Err(YamlError::at(mark, "an alias to an anchor not defined before it"));
                };
                copies += count_values(value);
                if copies > MAX_ALIAS_COPIES {
                    return Err(YamlError::at(
                        mark,
                        format!("aliases repeat more than {MAX_ALIAS_COPIES} values (an alias bomb?)"),
                    ));
                }
                if let Some(Open::Mapping(_, key @ None, _)) = open.last_mut() {
                    match value {
                        Value::String(text) => {
                            *key = Some(text.clone());
                            continue;
                        }
                        _ => return Err(YamlError::at(mark, "a mapping key must be a scalar")),
                    }
                }
                (value.clone(), 0)
            }
        };
        if anchor > 0 {
            anchors.insert(anchor, value.clone());
        }
        match open.last_mut() {
            None => document = Some(value),
            Some(Open::Sequence(items, _)) => items.push(value),
            Some(Open::Mapping(map, key, _)) => match key.take() {
                Some(key) => {
                    map.insert(key, value);
                }
                None => return Err(YamlError::at(mark, "a mapping key must be a scalar")),
            },
        }
    }
    Ok(document.unwrap_or(Value::Null))
}

/// Whether the scalar just read ends the file, which does not end with a line break: what comes next (only
/// the ends of collections) is at the end of the text.
fn ends_the_file(parser: &mut Parser<std::str::Chars>, unterminated_end: Option<usize>) -> Result<bool, YamlError> {
    let Some(end) = unterminated_end else { return Ok(false) };
    let (_, next) = parser.peek().map_err(YamlError::scan)?;
    Ok(next.index() >= end)
}

/// Refuses a sequence or mapping where a mapping key is expected.
fn expect_value(open: &[Open], mark: Marker) -> Result<(), YamlError> {
    match open.last() {
        Some(Open::Mapping(_, None, _)) => Err(YamlError::at(mark, "a mapping key must be a scalar")),
        _ => Ok(()),
    }
}

/// A scalar value, resolved as yaml-rust2's loader resolves it; a YAML number JSON cannot hold (`.inf`,
/// `.nan`) becomes `null`, as it does through serde_json.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    let resolved = match tag {
        None => Yaml::from_str(&text),
        Some(Tag { handle, suffix }) if handle == "tag:yaml.org,2002:" => match suffix.as_str() {
            "bool" | "int" | "float" | "null" => Yaml::from_str(&text),
            _ => Yaml::String(text),
        },
        Some(_) => Yaml::String(text),
    };
    match resolved {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::from(i),
        // Larger than an i64: still an integer if it fits a u64.
        Yaml::Real(text) => match text.parse::<u64>() {
            Ok(u) => Value::from(u),
            Err(_) => text.parse::<f64>().ok().and_then(Number::from_f64).map_or(Value::Null, Value::Number),
        },
        Yaml::String(text) => Value::String(text),
        _ => Value::Null,
    }
}

/// The number of values in `value`, itself included.
fn count_values(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count_values).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_values).sum::<usize>(),
        _ => 1,
    }
}
