//! Stage 1, document (part 1 of 3): a file's text, read with a size limit, parsed as YAML or JSON into a
//! value. `bundle.rs` uses it for every referenced file, `document.rs` for the entry document.

use std::path::{Component, Path};

use crate::error::{Error, Result};
use crate::json::Value;

/// The largest spec file read (and the largest file it may reference). Larger ones are refused before
/// reading, so a runaway file cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

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

/// `path` relative to `base`, lexically (`../common/schemas.yaml`), with `/` separators.
pub fn relative_path(base: &Path, path: &Path) -> String {
    let normal = |p: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for component in p.components() {
            match component {
                Component::ParentDir if parts.last().is_some_and(|l| l != "..") => {
                    parts.pop();
                }
                Component::CurDir => {}
                other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
            }
        }
        parts
    };
    let (base, path) = (normal(base), normal(path));
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - common];
    parts.extend(path[common..].iter().cloned());
    parts.join("/")
}
