//! Stage 5, emit (validation): `validate()` on every type and on `Event`, and the crate's `validate` module.
//!
//! Parsing reads a value's shape; `validate()` checks everything else its schema says (bounds, lengths,
//! patterns, formats, `uniqueItems`, `if`/`then`/`else`, ...). It checks the value as it is written back,
//! which is the JSON it was read from, against the schema as the document writes it: the document is embedded
//! in the crate, and the `jsonschema` crate (draft 7, ECMA-262 patterns, formats checked) does the checking.
//! One schema engine that passes the JSON Schema Test Suite rather than a second, hand-written one.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{ChannelEnum, Dispatch, Model, TypeDef, Variant};

/// The URI the embedded document is registered under; each type's schema is a fragment of it.
const DOCUMENT_URI: &str = "urn:asyncapi:document";

/// The `validate()` impls' imports, with them behind the `validate` feature.
pub fn imports() -> TokenStream {
    quote! {
        #[cfg(feature = "validate")]
        use crate::validate::*;
    }
}

/// `validate()` for the type `def`: one invocation of the module's `impl_validate!` (see [`module`]).
pub fn type_impl(def: &TypeDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let pointer = fragment(&def.check.pointer);
    let tag = def.check.tag.as_ref().map(|(property, value)| quote! { , #property = #value });
    quote! {
        #[cfg(feature = "validate")]
        impl_validate!(#name, #pointer #tag);
    }
}

/// The name of the static that holds the compiled schema of `variant`'s payload, shared by `Event` and the
/// channel enums.
fn payload_schema(variant: &Variant) -> proc_macro2::Ident {
    format_ident!("{}_SCHEMA", heck::ToShoutySnakeCase::to_shouty_snake_case(variant.name.as_str()))
}

/// `Event::validate`: each message's payload against its schema, the tag included; before it, one static per
/// message with a payload, which the channel enums' `validate()` share.
pub fn event_impl(d: &Dispatch) -> TokenStream {
    let statics = d.variants.iter().filter_map(|v| {
        let pointer = fragment(v.payload_schema.as_ref()?);
        let name = payload_schema(v);
        Some(quote! {
            #[cfg(feature = "validate")]
            static #name: SchemaCheck = SchemaCheck::new(#pointer);
        })
    });
    let variants: Vec<&Variant> = d.variants.iter().collect();
    let unknown = d.kind.tag_property().map(|_| d.unknown_variant.as_str());
    let doc = [
        " Checks the message against everything its payload schema says, as [`validate`](crate::validate)",
        " describes; a message of a type the spec does not list has no schema to break.",
    ];
    let validate = message_enum_impl(&d.name, &variants, unknown, &doc);
    quote! {
        #( #statics )*
        #validate
    }
}

/// `validate()` of a channel's enum, as `Event`'s.
pub fn channel_impl(d: &Dispatch, c: &ChannelEnum) -> TokenStream {
    let variants: Vec<&Variant> = c.variants.iter().map(|&i| &d.variants[i]).collect();
    let doc =
        [" Checks the message against everything its payload schema says, as [`validate`](crate::validate) describes."];
    message_enum_impl(&c.name, &variants, None, &doc)
}

/// `validate()` of an enum over messages (`Event`, a channel's): each payload as written, the tag included,
/// against the message's payload schema; `unknown` names the variant that has none.
fn message_enum_impl(name: &str, variants: &[&Variant], unknown: Option<&str>, doc: &[&str]) -> TokenStream {
    let name = format_ident!("{}", name);
    let arms = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        match &v.payload_schema {
            Some(_) => {
                let schema = payload_schema(v);
                quote! { Self::#variant(_) => #schema.check(self), }
            }
            None => quote! { Self::#variant(_) => Ok(()), },
        }
    });
    let unknown = unknown.map(|unknown| {
        let unknown = format_ident!("{}", unknown);
        quote! { Self::#unknown(_) => Ok(()), }
    });
    quote! {
        #[cfg(feature = "validate")]
        impl #name {
            #( #[doc = #doc] )*
            pub fn validate(&self) -> Result<(), Violations> {
                match self {
                    #( #arms )*
                    #unknown
                }
            }
        }
    }
}

/// The `validate` module: the violations, the embedded document, and the checker every `validate()` uses.
pub fn module(model: &Model) -> TokenStream {
    let check_tagged = model.types.iter().any(|def| def.check.tag.is_some()).then(|| {
        quote! {
            /// Checks `value` with the tag property it leaves out put back.
            pub(crate) fn check_tagged(
                &self,
                value: &impl serde::Serialize,
                property: &str,
                tag: &str,
            ) -> Result<(), Violations> {
                let mut json = to_json(value)?;
                if let serde_json::Value::Object(object) = &mut json {
                    object.insert(property.to_owned(), serde_json::Value::from(tag));
                }
                self.check_json(&json)
            }
        }
    });
    quote! {
        //! `validate()`: what the schemas say beyond the shape that parsing reads.
        //!
        //! Every generated type and `Event` have a `validate()`. It checks the value as it is written back
        //! (which is the JSON it was read from) against its schema in the spec, embedded below, with the
        //! `jsonschema` crate: JSON Schema draft 7, `pattern` as ECMA-262, `format` checked where it can be
        //! (date-time, email, uuid, uri, ipv4, ipv6, ...). Each schema is compiled on its first use.

        use std::sync::{LazyLock, OnceLock};

        /// One thing a value breaks in its schema.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Violation {
            /// Where in the value, as a JSON pointer (`""` for the value itself).
            pub path: String,
            /// The schema keyword it breaks (`maxLength`, `pattern`, `required`, ...).
            pub keyword: String,
            /// What is wrong, in words.
            pub message: String,
        }

        impl std::fmt::Display for Violation {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let path = if self.path.is_empty() { "the value" } else { self.path.as_str() };
                write!(f, "{path}: {} ({})", self.message, self.keyword)
            }
        }

        /// Every violation `validate()` found, in the order met; never empty.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Violations(Vec<Violation>);

        impl Violations {
            /// The violations.
            pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
                self.0.iter()
            }

            /// How many there are (at least one).
            #[allow(clippy::len_without_is_empty)]
            pub fn len(&self) -> usize {
                self.0.len()
            }

            /// The violations, owned.
            pub fn into_vec(self) -> Vec<Violation> {
                self.0
            }
        }

        impl<'a> IntoIterator for &'a Violations {
            type Item = &'a Violation;
            type IntoIter = std::slice::Iter<'a, Violation>;
            fn into_iter(self) -> Self::IntoIter {
                self.0.iter()
            }
        }

        impl std::fmt::Display for Violations {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                for (i, violation) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{violation}")?;
                }
                Ok(())
            }
        }

        impl std::error::Error for Violations {}

        /// The URI the document is known by; each schema is a fragment of it.
        const DOCUMENT_URI: &str = #DOCUMENT_URI;

        static REGISTRY: LazyLock<Result<jsonschema::Registry<'static>, String>> = LazyLock::new(|| {
            let document: serde_json::Value = serde_json::from_str(DOCUMENT).map_err(|e| e.to_string())?;
            jsonschema::Registry::new()
                .draft(jsonschema::Draft::Draft7)
                .add(DOCUMENT_URI, document)
                .and_then(|registry| registry.prepare())
                .map_err(|e| e.to_string())
        });

        /// One schema of the document, compiled on first use.
        pub(crate) struct SchemaCheck {
            /// The schema's JSON pointer, as a URI fragment.
            pointer: &'static str,
            compiled: OnceLock<Result<jsonschema::Validator, String>>,
        }

        impl SchemaCheck {
            pub(crate) const fn new(pointer: &'static str) -> Self {
                Self { pointer, compiled: OnceLock::new() }
            }

            /// Checks `value` as it is written.
            pub(crate) fn check(&self, value: &impl serde::Serialize) -> Result<(), Violations> {
                self.check_json(&to_json(value)?)
            }

            #check_tagged

            fn check_json(&self, json: &serde_json::Value) -> Result<(), Violations> {
                let compiled = self.compiled.get_or_init(|| {
                    let registry = REGISTRY.as_ref().map_err(Clone::clone)?;
                    let schema = serde_json::json!({ "$ref": format!("{DOCUMENT_URI}#{}", self.pointer) });
                    jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft7)
                        .should_validate_formats(true)
                        .with_registry(registry)
                        .build(&schema)
                        .map_err(|e| e.to_string())
                });
                let validator = match compiled {
                    Ok(validator) => validator,
                    Err(reason) => {
                        return Err(Violations(vec![Violation {
                            path: String::new(),
                            keyword: "$ref".to_owned(),
                            message: format!("the schema at #{} cannot be compiled: {reason}", self.pointer),
                        }]));
                    }
                };
                let found: Vec<Violation> = validator
                    .iter_errors(json)
                    .map(|error| Violation {
                        path: error.instance_path().to_string(),
                        keyword: error.kind().keyword().to_owned(),
                        message: error.to_string(),
                    })
                    .collect();
                if found.is_empty() { Ok(()) } else { Err(Violations(found)) }
            }
        }

        fn to_json(value: &impl serde::Serialize) -> Result<serde_json::Value, Violations> {
            serde_json::to_value(value).map_err(|e| {
                Violations(vec![Violation { path: String::new(), keyword: "type".to_owned(), message: e.to_string() }])
            })
        }
    }
}

/// A JSON pointer as a URI fragment: characters a URI may not hold percent-encoded.
fn fragment(pointer: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const FRAGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    utf8_percent_encode(pointer, FRAGMENT).to_string()
}

/// The embedded document, as text: a raw string, written as it is rather than escaped and formatted (it is
/// as large as the spec).
pub fn document(model: &Model) -> String {
    let text = &model.schema_document;
    // More `#`s than follow any `"` in the text, so that nothing in it ends the raw string.
    let mut longest = 0;
    for (i, _) in text.match_indices('"') {
        longest = longest.max(text[i + 1..].bytes().take_while(|&b| b == b'#').count());
    }
    let hashes = "#".repeat(longest + 1);
    format!(
        "/// The spec as JSON: overlays applied, referenced files bundled in.\n\
         const DOCUMENT: &str = r{hashes}\"{text}\"{hashes};\n"
    )
}

/// `impl_validate!(Type, "/pointer")` defines `Type::validate`; with `, "tag" = "value"` it checks a tagged
/// payload struct with its tag put back. Written once per crate, as text (like the other macros); invoked once
/// per type, which keeps `types.rs` small.
pub const IMPL_MACRO: &str = r#"/// `validate()` for a generated type: its value checked against the schema at `$pointer` (with the tag
/// property `$tag` put back as `$value`, for a payload struct that leaves it out).
macro_rules! impl_validate {
    ($type:ident, $pointer:literal $(, $tag:literal = $value:literal)?) => {
        impl $type {
            #[doc = concat!(" Checks this value against everything its schema (`#", $pointer, "`) says.")]
            ///
            /// Parsing has checked its shape; this checks the rest (bounds, lengths, patterns, formats,
            /// ...) and returns every violation, each with where it is and which keyword it breaks.
            pub fn validate(&self) -> Result<(), Violations> {
                static SCHEMA: SchemaCheck = SchemaCheck::new($pointer);
                impl_validate!(@check SCHEMA, self $(, $tag = $value)?)
            }
        }
    };
    (@check $schema:ident, $value:ident) => {
        $schema.check($value)
    };
    (@check $schema:ident, $value:ident, $tag:literal = $tagged:literal) => {
        $schema.check_tagged($value, $tag, $tagged)
    };
}

pub(crate) use impl_validate;
"#;
