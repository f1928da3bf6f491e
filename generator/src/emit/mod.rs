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

use crate::ir::{ChannelEnum, Dispatch, Model, TypeDef, TypeKind};
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
    let file = |path: &str, parts: Vec<Part>| {
        let started = std::time::Instant::now();
        let contents = format!("{header}{}", format(&parts, model, crate_name));
        crate::timing(&format!("  format {path}"), started);
        GeneratedFile { path: path.to_owned(), contents }
    };
    let mut files = vec![
        GeneratedFile { path: "Cargo.toml".to_owned(), contents: cargo_toml::emit(model, spec_name, crate_name) },
        file("src/lib.rs", vec![Part::Lib]),
    ];
    if !model.types.is_empty() {
        let mut parts: Vec<Part> = model.types.iter().map(Part::Type).collect();
        if model.types.iter().any(|def| matches!(&def.kind, TypeKind::Struct(_))) {
            let uses_required =
                model.types.iter().any(|def| matches!(&def.kind, TypeKind::Struct(s) if struct_::has_required(s)));
            parts.push(Part::KeyHelper { uses_required });
        }
        if model.types.iter().any(|def| matches!(&def.kind, TypeKind::Union(u) if u.tag.is_some())) {
            parts.push(Part::FromValueHelper);
        }
        files.push(file("src/types.rs", parts));
    }
    if examples::emit(model, crate_name).is_some() {
        files.push(file("tests/examples.rs", vec![Part::Examples]));
    }
    if let Some(dispatch) = &model.dispatch {
        let mut parts = vec![Part::Event(dispatch)];
        parts.extend(model.channels.iter().map(|c| Part::Channel(dispatch, c)));
        parts.push(Part::DispatchHelpers(dispatch));
        files.push(file("src/event.rs", parts));
        files.push(file("src/handler.rs", vec![Part::Handler(dispatch)]));
    }
    files
}

/// A piece of a generated file: one or more items, rendered and printed on whichever core formats it
/// (token trees cannot cross threads, so they are made where they are printed).
#[derive(Clone, Copy)]
enum Part<'m> {
    Lib,
    Type(&'m TypeDef),
    KeyHelper { uses_required: bool },
    FromValueHelper,
    Event(&'m Dispatch),
    Channel(&'m Dispatch, &'m ChannelEnum),
    DispatchHelpers(&'m Dispatch),
    Handler(&'m Dispatch),
    Examples,
}

fn render(part: Part, model: &Model, crate_name: &str) -> TokenStream {
    match part {
        Part::Lib => lib_rs(model),
        Part::Type(def) => match &def.kind {
            TypeKind::Struct(s) => struct_::emit(def, s),
            TypeKind::StringEnum(values) => enums::string_enum(def, values),
            TypeKind::IntegerEnum(values) => enums::integer_enum(def, values),
            TypeKind::Union(u) => union::emit(def, u),
        },
        Part::KeyHelper { uses_required } => struct_::key_helper(uses_required),
        Part::FromValueHelper => union::from_value_helper(),
        Part::Event(d) => dispatch::event_enum(d),
        Part::Channel(d, c) => dispatch::channel_enum(d, c),
        Part::DispatchHelpers(d) => dispatch::helpers(d),
        Part::Handler(d) => handler::emit(d),
        Part::Examples => examples::emit(model, crate_name).unwrap_or_default(),
    }
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

/// Renders and formats `parts`, in order, on all cores. The tokens come from our own `quote!`s, so failing
/// to parse them is a bug in the generator, not in the spec. Items are separated by a blank line, which
/// prettyplease leaves to the caller.
fn format(parts: &[Part], model: &Model, crate_name: &str) -> String {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut text = String::new();
    // In batches, so that only one batch of printed items waits for its turn at a time (memory stays at
    // about the size of the file, however large).
    for batch in parts.chunks(threads * 64) {
        let per_thread = batch.len().div_ceil(threads).max(1);
        let formatted: Vec<Vec<String>> = std::thread::scope(|scope| {
            let workers: Vec<_> = batch
                .chunks(per_thread)
                .map(|share| {
                    scope.spawn(move || {
                        share.iter().flat_map(|&part| format_items(render(part, model, crate_name))).collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        });
        for part in formatted.into_iter().flatten() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&part);
        }
    }
    text
}

/// The items of `tokens`, each printed by prettyplease (inner attributes first, if any).
fn format_items(tokens: TokenStream) -> Vec<String> {
    let file = match syn::parse2::<syn::File>(tokens) {
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
