//! Stage 1, document: text → [`Document`]. The entry file is read and parsed (`load.rs`), checked to be
//! AsyncAPI 2.x or 3.x, the overlays are laid over it in order (`overlay.rs`), and every file it then
//! references is inlined (`bundle.rs`), so the later stages see one document. Pointers into inlined files keep their origin (`pointer::origin_of`), which the
//! report uses to name the file an error is in.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::json::Value;

/// A parsed AsyncAPI document, with the files it references inlined.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where the document was read from; errors name it.
    pub path: PathBuf,
    /// The document as JSON data (YAML is read into the same model).
    pub root: Value,
    /// The major AsyncAPI version, 2 or 3.
    pub major_version: u32,
    /// Every file the document was made from: the spec, the overlays, and each file a `$ref` reached.
    pub files: Vec<PathBuf>,
    /// What went wrong without stopping generation (an overlay target that selects nothing, when allowed).
    pub warnings: Vec<Error>,
}

/// The overlays to lay over a document, and what an action that selects nothing is.
#[derive(Clone, Debug, Default)]
pub struct Overlays {
    pub files: Vec<PathBuf>,
    pub unmatched: crate::overlay::Unmatched,
}

/// Reads and parses the document at `path`, with `overlays` applied.
pub fn load(path: &Path, overlays: &Overlays) -> Result<Document> {
    let text = crate::load::read_text(path, "read the spec")?;
    parse(path, &text, overlays)
}

/// Parses `text` (read from `path`) as a YAML or JSON AsyncAPI document, applies `overlays`, and bundles the
/// files it then references.
pub fn parse(path: &Path, text: &str, overlays: &Overlays) -> Result<Document> {
    if text.trim().is_empty() {
        return Err(Error::file(path, "the file is empty; expected an AsyncAPI document"));
    }
    let started = std::time::Instant::now();
    let root = crate::load::parse_value(path, text)?;
    crate::timing::stage("  parse", started);
    check(path, &root)?;
    let mut root = root;
    let mut files = vec![path.to_path_buf()];
    let mut warnings = Vec::new();
    for overlay in &overlays.files {
        let overlay = crate::overlay::read(overlay)?;
        warnings.extend(crate::overlay::apply(&mut root, path, &overlay, overlays.unmatched)?);
        files.push(overlay.path);
    }
    // Checked again: an overlay may have changed the version.
    let major_version = check(path, &root)?;
    let started = std::time::Instant::now();
    let (root, referenced) = crate::bundle::bundle(path, root)?;
    files.extend(referenced);
    crate::timing::stage("  bundle", started);
    Ok(Document { path: path.to_path_buf(), root, major_version, files, warnings })
}

/// Checks that `root` is an AsyncAPI document of a supported version; returns the major version.
fn check(path: &Path, root: &Value) -> Result<u32> {
    let Value::Object(map) = root else {
        return Err(Error::at(
            path,
            "",
            format!("the document is {}, expected a mapping with an `asyncapi` field", root.kind()),
        ));
    };
    let version = match map.get("asyncapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => {
            return Err(Error::at(path, "/asyncapi", format!("expected a version string, found {}", other.kind())));
        }
        None => {
            return Err(Error::at(path, "", "not an AsyncAPI document: the `asyncapi` version field is missing"));
        }
    };
    match version.split('.').next().and_then(|m| m.parse::<u32>().ok()) {
        Some(major @ (2 | 3)) => Ok(major),
        _ => Err(Error::at(
            path,
            "/asyncapi",
            format!("unsupported AsyncAPI version `{version}`; this generator reads 2.x and 3.x"),
        )),
    }
}

impl Document {
    /// An error about the node at `pointer` of this (bundled) document; the report names the file the node
    /// really came from.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::at(&self.path, pointer, message)
    }
}
