//! Stage 5, emit (single module): the generated files as one self-contained module, for a build script to
//! write into `OUT_DIR` and a crate to `include!`. The types, the dispatch enum and the handler trait are one
//! namespace there, so the files' `use crate::...` lines go, and doc links to `crate::` items point at `self::`.
//! The checker of `validate()` stays a module of its own (`validate`, behind the `validate` feature of the
//! crate that includes it), which the items import.

use crate::output::GeneratedFile;

/// The files of a generated crate whose items are the module's own, in the order the module lists them.
const PARTS: [&str; 3] = ["src/types.rs", "src/event.rs", "src/handler.rs"];

/// The `validate()` impls' import, as the files write it (behind the feature) and as the module does.
const VALIDATE_IMPORT: [&str; 2] = ["#[cfg(feature = \"validate\")]", "use crate::validate::*;"];

/// One module of the items of `files` (as [`super::emit`] makes them), under `header`.
pub fn single_module(files: &[GeneratedFile], header: &str) -> String {
    let mut module = String::from(header);
    // Each file starts with its own two header lines and a blank line.
    let body = |file: &GeneratedFile| file.contents.lines().skip(3).map(str::to_owned).collect::<Vec<_>>();
    if let Some(validate) = files.iter().find(|f| f.path == "src/validate.rs") {
        module.push_str("#[cfg(feature = \"validate\")]\npub mod validate {\n");
        for line in body(validate) {
            module.push_str(&line);
            module.push('\n');
        }
        module.push_str("}\n\n#[cfg(feature = \"validate\")]\npub use self::validate::{Violation, Violations};\n");
        module.push_str("#[cfg(feature = \"validate\")]\nuse self::validate::*;\n\n");
    }
    for part in PARTS {
        let Some(file) = files.iter().find(|f| f.path == part) else { continue };
        let lines = body(file);
        let mut lines = lines.iter().peekable();
        while let Some(line) = lines.next() {
            if line.trim() == VALIDATE_IMPORT[0] && lines.peek().is_some_and(|next| next.trim() == VALIDATE_IMPORT[1]) {
                lines.next();
                continue;
            }
            if matches!(line.trim(), "use crate::types::*;" | "use crate::event::*;") {
                continue;
            }
            module.push_str(&line.replace("](crate::validate)", "](self::validate)").replace("](crate::", "](self::"));
            module.push('\n');
        }
        module.push('\n');
    }
    while module.ends_with("\n\n") {
        module.pop();
    }
    module
}
