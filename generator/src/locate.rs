//! Reporting (after the stages): where a JSON pointer is in a YAML or JSON source, its line, column and byte
//! offset, found by walking the parser's events (serde gives values, not positions). Only `report.rs` asks,
//! when there is an error to show.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::pointer::tokens;

/// A place in a source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Byte offset of the node's first character.
    pub offset: usize,
}

/// Where the node at `pointer` starts in `text`, if the text parses and holds it.
pub fn locate(text: &str, pointer: &str) -> Option<Location> {
    let target: Vec<String> = tokens(pointer).collect();
    let mut finder = Finder { target, path: Vec::new(), frames: Vec::new(), found: None, container: None };
    // A parse error after the node was seen still leaves the node found.
    let _ = Parser::new_from_str(text).load(&mut finder, false);
    let marker = finder.found?;
    // The marker's index counts characters; the renderer wants bytes.
    let offset = text.char_indices().nth(marker.index()).map_or(text.len(), |(i, _)| i);
    Some(Location { line: marker.line(), column: marker.col() + 1, offset })
}

enum Frame {
    Mapping { key: Option<String> },
    Sequence { index: usize },
}

struct Finder {
    target: Vec<String>,
    /// The path of the container being read (its own key or index included).
    path: Vec<String>,
    frames: Vec<Frame>,
    found: Option<Marker>,
    /// The target is a mapping or sequence that just started here: its first child marks it better (a
    /// block mapping's start is reported after its first key), unless it is empty.
    container: Option<Marker>,
}

impl Finder {
    /// Called for each node: returns whether it is a mapping key (which only names the next value).
    fn node(&mut self, mark: Marker, key_text: Option<&str>) -> Option<String> {
        let step = match self.frames.last_mut() {
            None => None,
            Some(Frame::Mapping { key }) => match key.take() {
                None => {
                    *key = Some(key_text.unwrap_or_default().to_owned());
                    return None;
                }
                Some(key) => Some(key),
            },
            Some(Frame::Sequence { index }) => {
                *index += 1;
                Some((*index - 1).to_string())
            }
        };
        let depth = self.path.len() + usize::from(step.is_some());
        let matches = depth == self.target.len()
            && self.path.iter().zip(&self.target).all(|(a, b)| a == b)
            && step.as_ref().is_none_or(|s| Some(s) == self.target.last());
        if matches && self.found.is_none() {
            self.found = Some(mark);
        }
        step.or(Some(String::new()))
    }
}

impl MarkedEventReceiver for Finder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if let Some(start) = self.container.take() {
            self.found = Some(match event {
                Event::MappingEnd | Event::SequenceEnd => start,
                _ => mark,
            });
        }
        if self.found.is_some() {
            return;
        }
        match event {
            Event::Scalar(text, ..) => {
                self.node(mark, Some(&text));
            }
            Event::Alias(_) => {
                self.node(mark, None);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let in_key = matches!(self.frames.last(), Some(Frame::Mapping { key: None }));
                if in_key {
                    // A complex key: skip its contents, as no pointer can name them.
                    self.node(mark, None);
                }
                let step = if in_key { None } else { self.node(mark, None) };
                if let Some(step) = step.filter(|_| !self.frames.is_empty()) {
                    self.path.push(step);
                } else if !self.frames.is_empty() {
                    self.path.push(String::new());
                }
                self.frames.push(match event {
                    Event::MappingStart(..) => Frame::Mapping { key: None },
                    _ => Frame::Sequence { index: 0 },
                });
                if self.found.is_some() {
                    self.container = self.found.take();
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.frames.pop();
                if !self.frames.is_empty() {
                    self.path.pop();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "asyncapi: 2.6.0\ncomponents:\n  schemas:\n    'a/b':\n      type: object\n      properties:\n        list: [1, {x: 2}]\n";

    #[test]
    fn finds_mappings_sequences_and_escaped_keys() {
        assert_eq!(locate(YAML, "/asyncapi").map(|l| (l.line, l.column)), Some((1, 11)));
        assert_eq!(locate(YAML, "/components/schemas/a~1b/type").map(|l| (l.line, l.column)), Some((5, 13)));
        assert_eq!(
            locate(YAML, "/components/schemas/a~1b/properties/list/1/x").map(|l| (l.line, l.column)),
            Some((7, 23))
        );
        assert_eq!(
            locate(YAML, "/components/schemas/a~1b/properties/list/0").map(|l| (l.line, l.column)),
            Some((7, 16))
        );
        assert_eq!(locate(YAML, "/components/missing"), None);
        let json = "{\n  \"asyncapi\": \"3.0.0\",\n  \"info\": {\"title\": \"t\"}\n}";
        assert_eq!(locate(json, "/info/title").map(|l| l.line), Some(3));
        let offset = locate(json, "/info/title").map(|l| l.offset).unwrap_or_default();
        assert_eq!(&json[offset..offset + 3], "\"t\"");
        // A block mapping is marked at its first key.
        assert_eq!(locate(YAML, "/components/schemas/a~1b").map(|l| (l.line, l.column)), Some((5, 7)));
    }
}
