//! Rustdoc attributes from spec text.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` lines for `lines` (prettyplease prints them as `///` comments).
pub fn outer(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| doc_line(line));
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = "..."]` lines, for the crate root.
pub fn inner(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| doc_line(line));
    quote! { #( #![doc = #lines] )* }
}

/// One doc line, with the leading space `///` comments have. Spec text is Markdown already.
fn doc_line(line: &str) -> String {
    let line = line.trim_end();
    if line.is_empty() { String::new() } else { format!(" {line}") }
}
