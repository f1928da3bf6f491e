//! Foundation (no stage): what the emit stage hands to the write stage, and the mark both recognise.

/// The mark on the first line of every generated file (after `//` or `#`); marks the files the generator owns.
pub const GENERATED_MARKER: &str = "@generated";

/// One generated file: its path relative to the crate directory, and its full text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}
