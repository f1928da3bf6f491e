//! The one error type of the generator: every failure names the file and, where it is known, the JSON
//! pointer of the offending node and the line:column of the source.

use std::fmt;
use std::path::{Path, PathBuf};

/// A generator failure, located as precisely as the stage that found it can.
#[derive(Debug)]
pub struct Error {
    /// The file the problem is in (the spec, or the output file that could not be written).
    pub file: PathBuf,
    /// JSON pointer of the offending node inside `file`, when the problem is in the document.
    pub pointer: Option<String>,
    /// 1-based line and column, when the parser reported one.
    pub line_column: Option<(usize, usize)>,
    /// What went wrong, in a sentence.
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A problem with the content of the document at `pointer`.
    pub fn at(file: &Path, pointer: &str, message: impl Into<String>) -> Self {
        Error {
            file: file.to_path_buf(),
            pointer: Some(pointer.to_owned()),
            line_column: None,
            message: message.into(),
        }
    }

    /// A problem with a whole file (reading, parsing, writing).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Error { file: file.to_path_buf(), pointer: None, line_column: None, message: message.into() }
    }

    pub fn io(file: &Path, action: &str, err: &std::io::Error) -> Self {
        Error::file(file, format!("cannot {action}: {err}"))
    }

    /// Fills in the line and column of the pointer, reading the file it is in.
    pub fn locate(mut self) -> Self {
        if self.line_column.is_none()
            && let Some(pointer) = &self.pointer
            && let Some(location) = self.source().and_then(|text| crate::locate::locate(&text, pointer))
        {
            self.line_column = Some((location.line, location.column));
        }
        self
    }

    fn source(&self) -> Option<String> {
        crate::load::read_text(&self.file, "read").ok()
    }

    /// The error as the command prints it: the one-line message, then the source line with a caret under
    /// the place, as rustc does (when the place is known and the file can be read).
    pub fn render(&self) -> String {
        use codespan_reporting::diagnostic::{Diagnostic, Label};
        use codespan_reporting::files::SimpleFile;
        use codespan_reporting::term;

        let headline = format!("error: {self}");
        let Some(text) = self.source() else { return headline };
        let offset = match (&self.pointer, self.line_column) {
            (Some(pointer), _) => crate::locate::locate(&text, pointer).map(|l| l.offset),
            (None, Some((line, column))) => line_offset(&text, line, column),
            (None, None) => None,
        };
        let Some(offset) = offset else { return headline };
        let end = text[offset..].char_indices().nth(1).map_or(text.len(), |(i, _)| offset + i);
        let label = match &self.pointer {
            Some(pointer) if !pointer.is_empty() => format!("#{pointer}"),
            _ => "here".to_owned(),
        };
        let file = SimpleFile::new(self.file.display().to_string(), text.as_str());
        let diagnostic = Diagnostic::error()
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), offset..end).with_message(label)]);
        match term::emit_into_string(&term::Config::default(), &file, &diagnostic) {
            Ok(snippet) => snippet.trim_end().to_owned(),
            Err(_) => headline,
        }
    }
}

/// The byte offset of a 1-based line and column.
fn line_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
    let line_text = text[start..].split('\n').next()?;
    let within = line_text.char_indices().nth(column.saturating_sub(1)).map_or(line_text.len(), |(i, _)| i);
    Some(start + within)
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
