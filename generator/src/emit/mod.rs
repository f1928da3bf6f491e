//! Stage 5, emit: from the [`Model`] to Rust source files, built with `quote!`, checked by parsing them as
//! a `syn::File`, and formatted by prettyplease.

mod cargo_toml;
mod derives;
mod dispatch;
mod docs;
mod enums;
mod examples;
mod handler;
pub mod module;
mod struct_;
mod tagged;
mod types;
mod union;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{ChannelEnum, Dispatch, Model, StringEnum, TypeDef, TypeKind};
use crate::output::{GENERATED_MARKER, GeneratedFile};

/// Renders `model` into the crate's source files. `spec_name` (the spec's file name) goes into the
/// `@generated` header of each file.
pub fn emit(model: &Model, spec_name: &str, crate_name: &str) -> Vec<GeneratedFile> {
    let header = format!(
        "// {GENERATED_MARKER} by the AsyncAPI generator (`cargo run -p generator`) from {spec_name}: {} {}.\n\
         // Do not edit: change the spec and regenerate.\n\n",
        model.title, model.version
    );
    // Every Rust file is planned first, then all are formatted in one pass over all cores.
    let mut planned: Vec<(&str, Vec<Part>)> = vec![("src/lib.rs", vec![Part::Lib])];
    if !model.types.is_empty() {
        let structs: Vec<_> = model
            .types
            .iter()
            .filter_map(|def| match &def.kind {
                TypeKind::Struct(s) => Some(s),
                _ => None,
            })
            .collect();
        // A macro is defined before its first use.
        let mut parts = vec![Part::ValidateImports];
        parts.extend((!structs.is_empty()).then_some(Part::DeserializeMacro));
        let open_enums =
            model.types.iter().any(|def| matches!(&def.kind, TypeKind::StringEnum(StringEnum { other: Some(_), .. })));
        if open_enums {
            parts.push(Part::OpenEnumMacro);
        }
        parts.extend(model.types.iter().map(Part::Type));
        if !structs.is_empty() {
            let uses_required = structs.iter().any(|s| struct_::has_required(s));
            let uses_optional = structs.iter().any(|s| struct_::has_optional(s));
            parts.push(Part::KeyHelper { uses_required, uses_optional });
            let tagged_union = model.types.iter().any(|def| matches!(&def.kind, TypeKind::Union(u) if u.tag.is_some()));
            let tagged_dispatch = model.dispatch.as_ref().is_some_and(|d| d.kind.tag_property().is_some());
            let mut unnamed = struct_::UnnamedKinds::of(structs.iter().copied());
            // The unknown variant of a tagged enum keeps its object as a JSON map, read as structs read theirs.
            unnamed.json |= tagged_union || tagged_dispatch;
            parts.push(Part::UnnamedHelper(unnamed));
            if tagged_union || tagged_dispatch {
                parts.push(Part::TaggedReader);
            }
        }
        planned.push(("src/types.rs", parts));
    }
    if examples::any(model) {
        planned.push(("tests/examples.rs", vec![Part::Examples]));
    }
    if let Some(dispatch) = &model.dispatch {
        let mut parts = vec![Part::Event(dispatch), Part::EventValidate(dispatch)];
        parts.extend(
            model.channels.iter().flat_map(|c| [Part::Channel(dispatch, c), Part::ChannelValidate(dispatch, c)]),
        );
        parts.push(Part::DispatchHelpers(dispatch));
        planned.push(("src/event.rs", parts));
        planned.push(("src/handler.rs", vec![Part::Handler(dispatch)]));
    }
    planned.push(("src/validate.rs", vec![Part::ValidateModule]));
    let started = std::time::Instant::now();
    let texts = format_files(&planned, &header, model, crate_name);
    crate::timing::stage("  format", started);
    let mut files =
        vec![GeneratedFile { path: "Cargo.toml".to_owned(), contents: cargo_toml::emit(model, spec_name, crate_name) }];
    files.extend(
        planned.iter().zip(texts).map(|((path, _), contents)| GeneratedFile { path: (*path).to_owned(), contents }),
    );
    files
}

/// A piece of a generated file: one or more items, rendered and printed on whichever core formats it
/// (token trees cannot cross threads, so they are made where they are printed).
#[derive(Clone, Copy)]
enum Part<'m> {
    Lib,
    Type(&'m TypeDef),
    DeserializeMacro,
    OpenEnumMacro,
    KeyHelper { uses_required: bool, uses_optional: bool },
    UnnamedHelper(struct_::UnnamedKinds),
    TaggedReader,
    Event(&'m Dispatch),
    EventValidate(&'m Dispatch),
    ValidateImports,
    ValidateModule,
    Channel(&'m Dispatch, &'m ChannelEnum),
    ChannelValidate(&'m Dispatch, &'m ChannelEnum),
    DispatchHelpers(&'m Dispatch),
    Handler(&'m Dispatch),
    Examples,
}

impl Part<'_> {
    /// Whether the part is one large item, as long to format as many types.
    fn is_large(&self) -> bool {
        matches!(self, Part::Event(_) | Part::Handler(_))
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
    let validate = quote! {
        #[cfg(feature = "validate")]
        #[rustfmt::skip]
        pub mod validate;

        #[cfg(feature = "validate")]
        pub use validate::{Violation, Violations};
    };
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
        #validate
        #types
        #event
    }
}

/// Renders and formats the parts of each file, on all cores, into the text of each file. The tokens come
/// from our own `quote!`s, so failing to parse them is a bug in the generator, not in the spec. Items are
/// separated by a blank line, which prettyplease leaves to the caller.
fn format_files(files: &[(&str, Vec<Part>)], header: &str, model: &Model, crate_name: &str) -> Vec<String> {
    // One list of every part with its file. The event enum and the handler trait are single large parts:
    // they go first, so that the other cores work through the many small parts of `types.rs` meanwhile
    // rather than wait for them at the end.
    let mut work: Vec<(usize, Part)> =
        files.iter().enumerate().flat_map(|(file, (_, parts))| parts.iter().map(move |&part| (file, part))).collect();
    let has_large: Vec<bool> = files.iter().map(|(_, parts)| parts.iter().any(Part::is_large)).collect();
    work.sort_by_key(|&(file, _)| !has_large[file]);
    let threads = crate::parallel::threads();
    // Each file starts with `header` (written here rather than prepended later: a large file would be copied).
    let mut texts = vec![header.to_owned(); files.len()];
    // In batches, so that only one batch of printed items waits for its turn at a time (memory stays at
    // about the size of the files, however large).
    for batch in work.chunks(threads * 256) {
        let formatted = crate::parallel::map(batch, |&(file, part)| (file, format_part(part, model, crate_name)));
        for (file, items) in formatted {
            let text = &mut texts[file];
            for item in items {
                if text.len() > header.len() {
                    text.push('\n');
                }
                text.push_str(&item);
            }
        }
    }
    texts
}

/// The printed items of `part`.
fn format_part(part: Part, model: &Model, crate_name: &str) -> Vec<String> {
    let tokens = match part {
        // Text, not tokens: a `macro_rules!` written once (see `struct_::OBJECT_MACRO`).
        Part::DeserializeMacro => return vec![struct_::OBJECT_MACRO.to_owned()],
        Part::OpenEnumMacro => return vec![enums::OPEN_ENUM_MACRO.to_owned()],
        Part::Lib => lib_rs(model),
        Part::Type(def) => {
            let mut items = match &def.kind {
                TypeKind::Struct(s) => {
                    // The struct's items, then the invocation of the macro that reads it (text, as the macro).
                    let mut items = format_items(struct_::emit(def, s));
                    items.push(struct_::deserialize(def, s));
                    items
                }
                TypeKind::StringEnum(StringEnum { values, other: None }) => {
                    format_items(enums::closed_definition(def, values))
                }
                TypeKind::StringEnum(StringEnum { values, other: Some(other) }) => {
                    // The enum, then the invocation of the macro that gives its impls (text, as the macro).
                    let mut items = format_items(enums::open_definition(def, values, other));
                    items.push(enums::open_invocation(def, values, other));
                    items
                }
                TypeKind::IntegerEnum(values) => format_items(enums::integer_enum(def, values)),
                TypeKind::Union(u) => format_items(union::emit(def, u)),
            };
            // Every type, whatever its kind, then has its `validate()`.
            items.extend(format_items(validate::type_impl(def)));
            return items;
        }
        Part::KeyHelper { uses_required, uses_optional } => struct_::key_helper(uses_required, uses_optional),
        Part::UnnamedHelper(kinds) => struct_::unnamed_helper(kinds),
        Part::TaggedReader => tagged::reader_helper(),
        Part::Event(d) => dispatch::event_enum(d),
        Part::EventValidate(d) => validate::event_impl(d),
        Part::ValidateImports => validate::imports(),
        Part::ValidateModule => {
            // The checker, then the document and the macro the types invoke (text, both).
            let mut items = format_items(validate::module(model));
            items.push(validate::document(model));
            if !model.types.is_empty() {
                items.push(validate::IMPL_MACRO.to_owned());
            }
            return items;
        }
        Part::Channel(d, c) => dispatch::channel_enum(d, c),
        Part::ChannelValidate(d, c) => validate::channel_impl(d, c),
        Part::DispatchHelpers(d) => dispatch::helpers(d),
        Part::Handler(d) => handler::emit(d),
        Part::Examples => examples::emit(model, crate_name).unwrap_or_default(),
    };
    format_items(tokens)
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
