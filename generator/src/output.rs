//! Foundation (no stage): what the emit stage hands to the write stage, and the mark both recognise.

/// The mark on the first line of every generated file (after `//` or `#`); marks the files the generator owns.
pub(crate) const GENERATED_MARKER: &str = "@generated";

/// One generated file: its path relative to the crate directory, and its full text.
///
/// ```
/// let files = generator::generate(&generator::Options::new("../spec/knock.asyncapi.yaml", "unused"))?;
/// let lib = files.iter().find(|f| f.path == "src/lib.rs").expect("a crate root");
/// assert!(lib.contents.starts_with("// @generated"));
/// # Ok::<(), generator::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the crate directory, with `/` separators: `src/types.rs`.
    pub path: String,
    /// The whole text, `@generated` header included.
    pub contents: String,
}
