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
    let file = |path: &str, tokens: TokenStream| {
        let started = std::time::Instant::now();
        let contents = format!("{header}{}", format(tokens));
        crate::timing(&format!("  format {path}"), started);
        GeneratedFile { path: path.to_owned(), contents }
    };
    let mut files = vec![
        GeneratedFile { path: "Cargo.toml".to_owned(), contents: cargo_toml::emit(model, spec_name, crate_name) },
        file("src/lib.rs", lib_rs(model)),
    ];
    if !model.types.is_empty() {
        files.push(file("src/types.rs", types_rs(model)));
    }
    if let Some(tests) = examples::emit(model, crate_name) {
        files.push(file("tests/examples.rs", tests));
    }
    if let Some(dispatch) = &model.dispatch {
        files.push(file("src/event.rs", dispatch::emit(dispatch, &model.channels)));
        files.push(file("src/handler.rs", handler::emit(dispatch)));
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

fn types_rs(model: &Model) -> TokenStream {
    let items = model.types.iter().map(|def| match &def.kind {
        TypeKind::Struct(s) => struct_::emit(def, s),
        TypeKind::StringEnum(values) => enums::string_enum(def, values),
        TypeKind::IntegerEnum(values) => enums::integer_enum(def, values),
        TypeKind::Union(u) => union::emit(def, u),
    });
    let has_structs = model.types.iter().any(|def| matches!(&def.kind, TypeKind::Struct(_)));
    let key = has_structs.then(struct_::key_helper);
    let tagged_unions = model.types.iter().any(|def| matches!(&def.kind, TypeKind::Union(u) if u.tag.is_some()));
    let from_value = tagged_unions.then(union::from_value_helper);
    quote! {
        #( #items )*
        #key
        #from_value
    }
}

/// Formats generated tokens. The tokens come from our own `quote!`s, so failing to parse them is a
/// bug in the generator, not in the spec.
///
/// Items are separated by a blank line, which prettyplease leaves to the caller.
fn format(tokens: TokenStream) -> String {
    let started = std::time::Instant::now();
    let file = match syn::parse2::<syn::File>(tokens) {
        Ok(file) => file,
        Err(err) => panic!("generator bug: emitted code does not parse: {err}"),
    };
    crate::timing("    parse", started);
    let mut parts = Vec::with_capacity(file.items.len() + 1);
    if !file.attrs.is_empty() {
        parts.push(prettyplease::unparse(&syn::File { shebang: None, attrs: file.attrs, items: Vec::new() }));
    }
    for item in file.items {
        parts.push(prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items: vec![item] }));
    }
    parts.join("\n")
}
