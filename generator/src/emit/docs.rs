//! Stage 5, emit (rustdoc): rustdoc attributes from spec text.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` lines for `lines` (prettyplease prints them as `///` comments).
pub fn outer(lines: &[String]) -> TokenStream {
    let lines = markdown(lines);
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = "..."]` lines, for the crate root.
pub fn inner(lines: &[String]) -> TokenStream {
    let lines = markdown(lines);
    quote! { #( #![doc = #lines] )* }
}

/// Spec text as doc lines. A code fence without a language would be read by rustdoc as Rust; the spec's
/// code is JSON, shell, ..., so such fences are marked `text`. A line break inside a line (a carriage return
/// too, which rustdoc refuses) starts a new line.
fn markdown(lines: &[String]) -> Vec<String> {
    let mut in_fence = false;
    lines
        .iter()
        .flat_map(|line| line.split(['\r', '\n']))
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let opening = !in_fence;
                in_fence = !in_fence;
                if opening && trimmed[3..].trim().is_empty() {
                    return doc_line(&format!("{line}text"));
                }
            }
            doc_line(line)
        })
        .collect()
}

/// One doc line, with the leading space `///` comments have. Spec text is Markdown already.
fn doc_line(line: &str) -> String {
    let line = line.trim_end();
    if line.is_empty() { String::new() } else { format!(" {line}") }
}
