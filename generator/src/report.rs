//! Reporting (after the stages): where an error is shown, it is located and rendered, once. A pointer into the
//! bundled document is mapped back to the file it came from, the source is read again to find the pointer's
//! line and column (`locate.rs`), and the message is rendered with the source line and a caret, as rustc does.

use crate::error::Error;
use crate::locate::locate;
use crate::pointer::origin_of;

/// The error with its place made concrete: the file a bundled pointer came from, and the line and column of
/// the pointer in that file (when the file can be read and holds it).
pub(crate) fn locate_error(error: Error) -> Error {
    let mut error = with_origin(error);
    if error.line_column.is_none()
        && let Some(pointer) = &error.pointer
        && let Some(location) = source(&error).and_then(|text| locate(&text, pointer))
    {
        error.line_column = Some((location.line, location.column));
    }
    error
}

/// The error with a pointer into the bundled document mapped back to the file it came from (and the pointer
/// inside that file); without reading any file.
pub(crate) fn with_origin(mut error: Error) -> Error {
    if let Some(pointer) = &error.pointer {
        let (file, pointer) = origin_of(&error.file, pointer);
        error.file = file;
        error.pointer = Some(pointer);
    }
    error
}

fn source(error: &Error) -> Option<String> {
    crate::load::read_text(&error.file, "read").ok()
}

impl Error {
    /// The error as the command prints it: the one-line message, then the source line with a caret under
    /// the place, as rustc does (when the place is known and the file can be read).
    ///
    /// ```
    /// let spec = std::env::temp_dir().join("generator-doc-render.yaml");
    /// std::fs::write(&spec, "asyncapi: 9.0.0\n").unwrap();
    /// let err = generator::generate(&generator::Options::new(&spec, "unused")).unwrap_err();
    /// let rendered = err.render();
    /// assert!(rendered.starts_with("error: unsupported AsyncAPI version `9.0.0`"), "{rendered}");
    /// assert!(rendered.contains("1 │ asyncapi: 9.0.0"), "{rendered}");
    /// ```
    pub fn render(&self) -> String {
        self.render_as(codespan_reporting::diagnostic::Severity::Error)
    }

    /// The error rendered as a warning: what went wrong did not stop generation.
    #[doc(hidden)]
    pub fn render_warning(&self) -> String {
        self.render_as(codespan_reporting::diagnostic::Severity::Warning)
    }

    fn render_as(&self, severity: codespan_reporting::diagnostic::Severity) -> String {
        use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
        use codespan_reporting::files::SimpleFile;
        use codespan_reporting::term;

        let headline = format!("{}: {self}", if severity == Severity::Warning { "warning" } else { "error" });
        let Some(text) = source(self) else { return headline };
        let offset = match (&self.pointer, self.line_column) {
            (Some(pointer), _) => locate(&text, pointer).map(|l| l.offset),
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
        let diagnostic = Diagnostic::new(severity)
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
