//! Foundation (no stage): JSON pointers (RFC 6901) and what a pointer of the bundled document says about
//! where it came from. Every stage speaks in pointers; none of this reads a document.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// The key under which the document stage keeps referenced files: `#/x-generator-files/<relative path>/<pointer>`.
pub const BUNDLE_KEY: &str = "x-generator-files";

/// Escapes one reference token for use in a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Appends `token` to `pointer`.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

/// The unescaped reference tokens of `pointer`.
pub fn tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"))
}

/// A pointer as people read it: `common/schemas.yaml#/Comment` for a bundled file, `#/components/...` else.
pub fn display_pointer(pointer: &str) -> String {
    let prefix = format!("/{BUNDLE_KEY}/");
    match pointer.strip_prefix(&prefix) {
        Some(rest) => {
            let (key, inner) = rest.split_once('/').map_or((rest, String::new()), |(k, p)| (k, format!("/{p}")));
            format!("{}#{inner}", key.replace("~1", "/").replace("~0", "~"))
        }
        None => format!("#{pointer}"),
    }
}

/// The pointer inside its own file: `/Comment` for `/x-generator-files/common~1schemas.yaml/Comment`.
pub fn local_pointer(pointer: &str) -> &str {
    let prefix = format!("/{BUNDLE_KEY}/");
    match pointer.strip_prefix(&prefix) {
        Some(rest) => rest.find('/').map_or("", |i| &rest[i..]),
        None => pointer,
    }
}

/// Where a bundled pointer really is: the file it came from (relative to the entry document `entry`) and the
/// pointer inside that file.
pub fn origin_of(entry: &Path, pointer: &str) -> (PathBuf, String) {
    let prefix = format!("/{BUNDLE_KEY}/");
    let Some(rest) = pointer.strip_prefix(&prefix) else { return (entry.to_path_buf(), pointer.to_owned()) };
    let (key, inner) = rest.split_once('/').map_or((rest, String::new()), |(k, p)| (k, format!("/{p}")));
    let key = key.replace("~1", "/").replace("~0", "~");
    (entry.parent().unwrap_or(Path::new("")).join(key), inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_pointers_name_their_file() {
        assert_eq!(
            origin_of(Path::new("x/api.yaml"), "/x-generator-files/..~1common~1s.yaml/components/schemas/A"),
            (PathBuf::from("x/../common/s.yaml"), "/components/schemas/A".to_owned())
        );
        assert_eq!(display_pointer("/x-generator-files/common~1s.yaml/Comment"), "common/s.yaml#/Comment");
        assert_eq!(local_pointer("/x-generator-files/common~1s.yaml/Comment"), "/Comment");
        assert_eq!(child("/a", "b/c~d"), "/a/b~1c~0d");
        assert_eq!(tokens("/a/b~1c~0d").collect::<Vec<_>>(), ["a", "b/c~d"]);
    }
}
