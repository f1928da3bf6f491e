//! Stage 1: read the document (YAML or JSON) into a JSON value and check that it is AsyncAPI.

use std::path::{Path, PathBuf};

use crate::json::Value;

use crate::error::{Error, Result};

/// A parsed AsyncAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where the document was read from; errors name it.
    pub path: PathBuf,
    /// The document as JSON data (YAML is read into the same model).
    pub root: Value,
    /// The major AsyncAPI version, 2 or 3.
    pub major_version: u32,
}

/// The largest spec file read (and the largest file it may reference). Larger ones are refused before
/// reading, so a runaway file cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Reads and parses the document at `path`.
pub fn load(path: &Path) -> Result<Document> {
    let text = read_text(path, "read the spec")?;
    parse(path, &text)
}

/// Reads a text file, refusing files over [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path, action: &str) -> Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, action, &e))?;
    let mut text = String::new();
    let read = file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(|e| Error::io(path, action, &e))?;
    if read as u64 > MAX_FILE_BYTES {
        return Err(Error::file(
            path,
            format!("the file is larger than {} MiB, the most this generator reads", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    Ok(text)
}

/// Parses `text` (read from `path`) as a YAML or JSON AsyncAPI document, and bundles the files it references.
pub fn parse(path: &Path, text: &str) -> Result<Document> {
    if text.trim().is_empty() {
        return Err(Error::file(path, "the file is empty; expected an AsyncAPI document"));
    }
    let started = std::time::Instant::now();
    let root = parse_value(path, text)?;
    crate::timing("  parse", started);
    let document = check(path, root)?;
    let started = std::time::Instant::now();
    let root = crate::bundle::bundle(path, document.root)?;
    crate::timing("  bundle", started);
    Ok(Document { root, ..document })
}

/// Parses YAML or JSON (by the file's extension) into a JSON value.
pub fn parse_value(path: &Path, text: &str) -> Result<Value> {
    let is_json = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let root: Value = if is_json {
        serde_json::from_str(text).map_err(|e| Error {
            line_column: Some((e.line(), e.column())),
            ..Error::file(path, format!("invalid JSON: {}", without_position(&e.to_string())))
        })?
    } else {
        crate::yaml::parse(text).map_err(|e| Error {
            line_column: Some((e.line, e.column)),
            ..Error::file(path, format!("invalid YAML: {}", e.message))
        })?
    };
    Ok(root)
}

/// Checks that `root` is an AsyncAPI document of a supported version.
fn check(path: &Path, root: Value) -> Result<Document> {
    let Value::Object(map) = &root else {
        return Err(Error::at(
            path,
            "",
            format!("the document is {}, expected a mapping with an `asyncapi` field", kind_of(&root)),
        ));
    };
    let version = match map.get("asyncapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => {
            return Err(Error::at(path, "/asyncapi", format!("expected a version string, found {}", kind_of(other))));
        }
        None => {
            return Err(Error::at(path, "", "not an AsyncAPI document: the `asyncapi` version field is missing"));
        }
    };
    let major_version = match version.split('.').next().and_then(|m| m.parse::<u32>().ok()) {
        Some(major @ (2 | 3)) => major,
        _ => {
            return Err(Error::at(
                path,
                "/asyncapi",
                format!("unsupported AsyncAPI version `{version}`; this generator reads 2.x and 3.x"),
            ));
        }
    };
    Ok(Document { path: path.to_path_buf(), root, major_version })
}

impl Document {
    /// An error about the node at `pointer`, naming the file it really came from (for bundled files).
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        let (file, pointer) = crate::bundle::origin_of(&self.path, pointer);
        Error::at(&file, &pointer, message)
    }
}

/// A parser's message without its trailing " at line L column C" (the error shows the place itself).
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at)
            if message[at + 9..].split(" column ").all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            message[..at].to_owned()
        }
        _ => message.to_owned(),
    }
}

/// "a string", "an array", ...: for messages about unexpected JSON.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
