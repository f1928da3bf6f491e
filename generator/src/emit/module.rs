//! Stage 5, emit (single module): the generated files as one self-contained module, for a build script to
//! write into `OUT_DIR` and a crate to `include!`. The types, the dispatch enum and the handler trait are one
//! namespace there, so the files' `use crate::...` lines go, and doc links to `crate::` items point at `self::`.

use crate::output::GeneratedFile;

/// The files of a generated crate that hold Rust items, in the order the module lists them.
const PARTS: [&str; 4] = ["src/validate.rs", "src/types.rs", "src/event.rs", "src/handler.rs"];

/// One module of the items of `files` (as [`super::emit`] makes them), under `header`.
pub fn single_module(files: &[GeneratedFile], header: &str) -> String {
    let mut module = String::from(header);
    for part in PARTS {
        let Some(file) = files.iter().find(|f| f.path == part) else { continue };
        // Each file starts with its own two header lines and a blank line.
        for line in file.contents.lines().skip(3) {
            // A module's own docs (`//!`) cannot stand among items.
            if matches!(line.trim(), "use crate::types::*;" | "use crate::event::*;" | "use crate::validate::*;")
                || line.starts_with("//!")
            {
                continue;
            }
            module
                .push_str(&line.replace("](crate::validate)", "](self::Violations)").replace("](crate::", "](self::"));
            module.push('\n');
        }
        module.push('\n');
    }
    while module.ends_with("\n\n") {
        module.pop();
    }
    module
}
