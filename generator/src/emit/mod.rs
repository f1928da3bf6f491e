//! Stage 4: from the [`Model`] to Rust source files, built with `quote!`, checked by parsing them as
//! a `syn::File`, and formatted by prettyplease.

mod cargo_toml;
mod derives;
mod dispatch;
mod docs;
mod enums;
mod examples;
mod handler;
mod struct_;
mod types;
mod union;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Model, TypeKind};
use crate::write::GENERATED_MARKER;

/// One generated file: its path relative to the crate directory, and its full text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Renders `model` into the crate's source files. `spec_name` (the spec's file name) goes into the
/// `@generated` header of each file.
pub fn emit(model: &Model, spec_name: &str, crate_name: &str) -> Vec<GeneratedFile> {
    let header = format!(
        "// {GENERATED_MARKER} by the AsyncAPI generator (`cargo run -p generator`) from {spec_name}: {} {}.\n\
         // Do not edit: change the spec and regenerate.\n\n",
        model.title, model.version
    );
    let file = |path: &str, chunks: Vec<String>| {
        let started = std::time::Instant::now();
        let contents = format!("{header}{}", format(chunks));
        crate::timing(&format!("  format {path}"), started);
        GeneratedFile { path: path.to_owned(), contents }
    };
    let mut files = vec![
        GeneratedFile { path: "Cargo.toml".to_owned(), contents: cargo_toml::emit(model, spec_name, crate_name) },
        file("src/lib.rs", vec![lib_rs(model).to_string()]),
    ];
    if !model.types.is_empty() {
        files.push(file("src/types.rs", types_rs(model)));
    }
    if let Some(tests) = examples::emit(model, crate_name) {
        files.push(file("tests/examples.rs", vec![tests.to_string()]));
    }
    if let Some(dispatch) = &model.dispatch {
        files.push(file("src/event.rs", dispatch::emit(dispatch, &model.channels)));
        files.push(file("src/handler.rs", vec![handler::emit(dispatch).to_string()]));
    }
    files
}

fn lib_rs(model: &Model) -> TokenStream {
    let mut lines =
        vec![format!("Rust types for {} {}, generated from its AsyncAPI document.", model.title, model.version)];
    if let Some(description) = &model.description {
        lines.push(String::new());
        lines.extend(description.trim_end().lines().map(str::to_owned));
    }
    if let Some(dispatch) = &model.dispatch {
        lines.push(String::new());
        lines.push(match dispatch.kind.tag_property() {
            Some(tag) => format!(
                "[`{}`] reads any message of the spec, chosen by its `{tag}` property; the payload types are below.",
                dispatch.name
            ),
            None => format!("[`{}`] holds any message of the spec; the payload types are below.", dispatch.name),
        });
    }
    let doc = docs::inner(&lines);
    // rustfmt would reformat prettyplease's output, and the drift check would then fail.
    let event = model.dispatch.as_ref().map(|_| {
        quote! {
            #[rustfmt::skip]
            mod event;
            #[rustfmt::skip]
            mod handler;

            pub use event::*;
            pub use handler::*;
        }
    });
    let types = (!model.types.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            mod types;

            pub use types::*;
        }
    });
    quote! {
        #doc
        #![forbid(unsafe_code)]
        #types
        #event
    }
}

/// The items of `types.rs`, one chunk per type (so that they format in parallel).
fn types_rs(model: &Model) -> Vec<String> {
    let mut chunks: Vec<String> = model
        .types
        .iter()
        .map(|def| {
            match &def.kind {
                TypeKind::Struct(s) => struct_::emit(def, s),
                TypeKind::StringEnum(values) => enums::string_enum(def, values),
                TypeKind::IntegerEnum(values) => enums::integer_enum(def, values),
                TypeKind::Union(u) => union::emit(def, u),
            }
            .to_string()
        })
        .collect();
    if model.types.iter().any(|def| matches!(&def.kind, TypeKind::Struct(_))) {
        let uses_required =
            model.types.iter().any(|def| matches!(&def.kind, TypeKind::Struct(s) if struct_::has_required(s)));
        chunks.push(struct_::key_helper(uses_required).to_string());
    }
    if model.types.iter().any(|def| matches!(&def.kind, TypeKind::Union(u) if u.tag.is_some())) {
        chunks.push(union::from_value_helper().to_string());
    }
    chunks
}

/// Formats generated code, given as chunks of text that each parse as a file (a run of items). Each chunk
/// is turned into text as soon as it is built, so the token trees of a whole file never live at once. The tokens come
/// from our own `quote!`s, so failing to parse them is a bug in the generator, not in the spec.
///
/// Chunks are parsed and printed on all cores (as text: tokens cannot cross threads), and items are
/// separated by a blank line, which prettyplease leaves to the caller.
fn format(texts: Vec<String>) -> String {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(texts.len().max(1));
    let per_thread = texts.len().div_ceil(threads);
    let formatted: Vec<Vec<String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = texts
            .chunks(per_thread.max(1))
            .map(|texts| scope.spawn(move || texts.iter().flat_map(|text| format_chunk(text)).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    formatted.into_iter().flatten().collect::<Vec<_>>().join("\n")
}

/// One chunk's items, each printed by prettyplease (its inner attributes first, if any).
fn format_chunk(text: &str) -> Vec<String> {
    let file = match syn::parse_file(text) {
        Ok(file) => file,
        Err(err) => panic!("generator bug: emitted code does not parse: {err}"),
    };
    let mut parts = Vec::with_capacity(file.items.len() + 1);
    if !file.attrs.is_empty() {
        parts.push(prettyplease::unparse(&syn::File { shebang: None, attrs: file.attrs, items: Vec::new() }));
    }
    for item in file.items {
        parts.push(prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items: vec![item] }));
    }
    parts
}
