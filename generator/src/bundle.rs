//! Stage 1, document (part 2 of 3): external `$ref`s (relative files). Every file a document references,
//! directly or through other files, is read once (`load.rs`) and placed inside the document under
//! [`BUNDLE_KEY`], and each reference is rewritten to the local pointer of its target. Cycles across files are ordinary local cycles afterwards, and the
//! later stages only ever see one document.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::json::{Map, Value};

use crate::error::{Error, Result};
use crate::pointer::{BUNDLE_KEY, child, escape_token};

/// Inlines every file that `root` (read from `path`) references; returns the document and the files read.
pub fn bundle(path: &Path, mut root: Value) -> Result<(Value, Vec<PathBuf>)> {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut bundler = Bundler { base: base.to_path_buf(), keys: HashMap::new(), files: Vec::new() };
    // A file that refers back to the entry document refers into the bundle's root.
    if let Ok(entry) = path.canonicalize() {
        bundler.keys.insert(entry, String::new());
    }
    bundler.rewrite(&mut root, path, base, "", &mut String::new())?;
    let mut done = 0;
    while done < bundler.files.len() {
        let (key, file_path) = {
            let (key, file_path, _) = &bundler.files[done];
            (key.clone(), file_path.clone())
        };
        let mut value = std::mem::take(&mut bundler.files[done].2);
        let dir = file_path.parent().unwrap_or(Path::new("")).to_path_buf();
        let prefix = format!("/{BUNDLE_KEY}/{}", escape_token(&key));
        bundler.rewrite(&mut value, &file_path, &dir, &prefix, &mut String::new())?;
        bundler.files[done].2 = value;
        done += 1;
    }
    let read: Vec<PathBuf> = bundler.files.iter().map(|(_, path, _)| path.clone()).collect();
    if !bundler.files.is_empty() {
        let Value::Object(map) = &mut root else { return Ok((root, read)) };
        let files: Map = bundler.files.into_iter().map(|(key, _, value)| (key, value)).collect();
        map.insert(BUNDLE_KEY.to_owned(), Value::Object(files));
    }
    Ok((root, read))
}

struct Bundler {
    /// The directory of the entry document; bundled files are keyed by their path relative to it.
    base: PathBuf,
    /// Canonical path of each file read so far → its key.
    keys: HashMap<PathBuf, String>,
    /// (key, path, content) of each referenced file, in the order first referenced.
    files: Vec<(String, PathBuf, Value)>,
}

impl Bundler {
    /// Rewrites the references in `value` (read from `file`, whose own content sits at `prefix` in the bundle).
    /// `pointer` is where `value` is in its file: one buffer, extended and cut back while walking (a new
    /// string per node would cost more than the walk itself).
    fn rewrite(
        &mut self,
        value: &mut Value,
        file: &Path,
        dir: &Path,
        prefix: &str,
        pointer: &mut String,
    ) -> Result<()> {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get_mut("$ref") {
                    if let Some(fragment) = reference.strip_prefix('#') {
                        if !prefix.is_empty() {
                            *reference = format!("#{prefix}{fragment}");
                        }
                    } else if !reference.contains("://") {
                        let (target, fragment) = reference.split_once('#').unwrap_or((reference.as_str(), ""));
                        let key = self.file_key(file, dir, pointer, target)?;
                        *reference = if key.is_empty() {
                            format!("#{fragment}")
                        } else {
                            format!("#/{BUNDLE_KEY}/{}{fragment}", escape_token(&key))
                        };
                    }
                    // URL references are left as they are; resolving one reports that there is no network.
                }
                for (key, item) in map.iter_mut() {
                    if key != "$ref" && matches!(item, Value::Object(_) | Value::Array(_)) {
                        let len = pointer.len();
                        pointer.push('/');
                        pointer.push_str(&escape_token(key));
                        self.rewrite(item, file, dir, prefix, pointer)?;
                        pointer.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if matches!(item, Value::Object(_) | Value::Array(_)) {
                        let len = pointer.len();
                        write!(pointer, "/{i}").ok();
                        self.rewrite(item, file, dir, prefix, pointer)?;
                        pointer.truncate(len);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The bundle key of the file `target` (relative to `dir`), reading it the first time.
    fn file_key(&mut self, file: &Path, dir: &Path, pointer: &str, target: &str) -> Result<String> {
        let path = dir.join(target);
        let canonical = path.canonicalize().map_err(|e| {
            Error::at(file, &child(pointer, "$ref"), format!("`$ref: {target}`: cannot read {}: {e}", path.display()))
        })?;
        if let Some(key) = self.keys.get(&canonical) {
            return Ok(key.clone());
        }
        let text = crate::load::read_text(&canonical, "read the referenced file")?;
        let value = crate::load::parse_value(&path, &text)?;
        let key = crate::load::relative_path(&self.base, &path);
        self.keys.insert(canonical, key.clone());
        self.files.push((key.clone(), path, value));
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_to_the_entry_document() {
        use crate::load::relative_path;
        assert_eq!(relative_path(Path::new("a/b"), Path::new("a/b/../common/s.yaml")), "../common/s.yaml");
        assert_eq!(relative_path(Path::new("a/b"), Path::new("a/b/./c/d.yml")), "c/d.yml");
    }
}
