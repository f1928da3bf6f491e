//! Foundation (no stage): the one error type of the generator, plain data. Every stage returns it with the file
//! and the JSON pointer of the offending node; the report (`report.rs`) finds the line and column and renders
//! the source snippet, once, where the error is shown.

use std::fmt;
use std::path::{Path, PathBuf};

/// A generator failure, located as precisely as the stage that found it can: the file, the JSON pointer of the
/// offending node, its line and column, and what went wrong. [`Error::render`] shows it as rustc shows errors.
///
/// ```
/// let spec = std::env::temp_dir().join("generator-doc-error.yaml");
/// std::fs::write(&spec, "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels: [not, a, mapping]\n").unwrap();
/// let err = generator::generate(&generator::Options::new(&spec, "unused")).unwrap_err();
/// assert_eq!(err.pointer.as_deref(), Some("/channels"));
/// assert_eq!(err.line_column, Some((3, 12)));
/// assert!(err.render().contains("expected a mapping of channels, found a list"));
/// ```
#[derive(Clone, Debug)]
pub struct Error {
    /// The file the problem is in (the spec, or the output file that could not be written).
    pub file: PathBuf,
    /// JSON pointer of the offending node inside `file`, when the problem is in the document.
    pub pointer: Option<String>,
    /// 1-based line and column, when the parser reported one (or the report found one).
    pub line_column: Option<(usize, usize)>,
    /// What went wrong, in a sentence.
    pub message: String,
}

/// A value, or the generator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A problem with the content of the document at `pointer`.
    pub(crate) fn at(file: &Path, pointer: &str, message: impl Into<String>) -> Self {
        Error {
            file: file.to_path_buf(),
            pointer: Some(pointer.to_owned()),
            line_column: None,
            message: message.into(),
        }
    }

    /// A problem with a whole file (reading, parsing, writing).
    pub(crate) fn file(file: &Path, message: impl Into<String>) -> Self {
        Error { file: file.to_path_buf(), pointer: None, line_column: None, message: message.into() }
    }

    pub(crate) fn io(file: &Path, action: &str, err: &std::io::Error) -> Self {
        Error::file(file, format!("cannot {action}: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.line_column {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(pointer) = &self.pointer {
            write!(f, " at #{pointer}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}
