//! Stage 5, emit (dispatch enum): the dispatch enum (`Event`) over every message and one enum per channel. How a
//! payload finds its variant depends on the [`DispatchKind`]: by a tag property (unknown tags are kept whole), the only
//! message, or by the message name the caller gives.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::types::rust_type;
use super::{derives, docs};
use crate::ir::{ChannelEnum, Dispatch, DispatchKind, Variant};

/// The first items of `event.rs`: the import of the payload types and the dispatch enum. (Then come the
/// channel enums and the helpers, see `emit::render`.)
pub fn event_enum(dispatch: &Dispatch) -> TokenStream {
    let use_types = use_types(dispatch);
    let event = dispatch_enum(dispatch);
    let validate = super::validate::imports();
    quote! {
        #use_types
        #validate
        #event
    }
}

/// `use crate::types::*;` when a payload mentions a generated type (an unused import would warn).
pub fn use_types(d: &Dispatch) -> Option<TokenStream> {
    d.variants.iter().any(|v| v.payload.uses_named()).then(|| quote! { use crate::types::*; })
}

fn ident(name: &str) -> Ident {
    format_ident!("{}", name)
}

fn dispatch_enum(d: &Dispatch) -> TokenStream {
    let name = ident(&d.name);
    let tag = d.kind.tag_property();
    let unknown = ident(&d.unknown_variant);
    let unknown_type = ident(&d.unknown_type);
    let derives = derives::for_dispatch_enum();
    let how = match &d.kind {
        DispatchKind::Tagged { property } => vec![
            format!("The variant is chosen by the payload's `{property}` property. A `{property}` that the spec does"),
            format!(
                "not list is not an error: it reads into [`{}::{}`], which keeps the whole payload.",
                d.name, d.unknown_variant
            ),
            "Serializing gives back the JSON that was read.".to_owned(),
        ],
        DispatchKind::Single => vec!["The spec has one message, so every payload is that message.".to_owned()],
        DispatchKind::ByName => vec![
            "Nothing in the payloads tells these messages apart, so the caller names the message (as the channel or"
                .to_owned(),
            format!("transport does): [`{}::parse`]. Serializing writes the payload.", d.name),
        ],
    };
    let mut doc_lines = vec!["Every message of the spec.".to_owned(), String::new()];
    doc_lines.extend(how);
    let doc = docs::outer(&doc_lines);
    let allow_large = derives::allow_large_variants();
    let variants = d.variants.iter().map(|v| {
        let doc = docs::outer(&v.docs);
        let variant = ident(&v.name);
        let payload = rust_type(&v.payload);
        quote! { #doc #variant(#payload), }
    });
    let unknown_def = tag.map(|tag| {
        let doc = docs::outer(&[format!("A message whose `{tag}` the spec does not list, kept whole.")]);
        quote! { #doc #unknown(#unknown_type), }
    });
    let names = d.variants.iter().map(|v| &v.tag_value);
    let type_arms = d.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.tag_value;
        quote! { Self::#variant(_) => #value, }
    });
    let unknown_type_arm = tag.map(|_| quote! { Self::#unknown(unknown) => &unknown.event_type, });
    let name_arms = d.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let text = &v.name;
        quote! { Self::#variant(_) => #text, }
    });
    let unknown_name = &d.unknown_variant;
    let unknown_name_arm = tag.map(|_| quote! { Self::#unknown(_) => #unknown_name, });
    let (names_doc, type_doc) = match tag {
        Some(tag) => (
            format!("The `{tag}` values of the messages the spec lists, in its order."),
            format!("The wire `{tag}` of this message."),
        ),
        None => (
            "The names of the messages the spec lists, in its order.".to_owned(),
            "The name of this message.".to_owned(),
        ),
    };
    let names_doc = docs::outer(&[names_doc]);
    let type_doc = docs::outer(&[type_doc]);
    let parse = match &d.kind {
        DispatchKind::Tagged { .. } | DispatchKind::Single => quote! {
            /// Parses a JSON payload. On failure the error names the path of the field that failed.
            pub fn from_json(json: &[u8]) -> Result<Self, ParseError> {
                parse_json(json)
            }
        },
        DispatchKind::ByName => {
            let arms = d.variants.iter().map(|v| {
                let variant = ident(&v.name);
                let value = &v.tag_value;
                quote! { #value => parse_json(json).map(Self::#variant), }
            });
            quote! {
                /// Parses the JSON payload of the message called `message` (one of [`Self::EVENT_TYPES`]).
                /// On failure the error names the path of the field that failed.
                pub fn parse(message: &str, json: &[u8]) -> Result<Self, ParseError> {
                    match message {
                        #( #arms )*
                        other => Err(ParseError::unknown_message(other)),
                    }
                }
            }
        }
    };
    let serialize_arms = d.variants.iter().map(|v| serialize_arm(d, v));
    let unknown_serialize_arm = tag.map(|_| quote! { Self::#unknown(unknown) => unknown.serialize(serializer), });
    let deserialize = match &d.kind {
        DispatchKind::Tagged { property } => tagged_deserialize(d, property),
        DispatchKind::Single => {
            let variant = ident(&d.variants[0].name);
            quote! {
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        serde::Deserialize::deserialize(deserializer).map(Self::#variant)
                    }
                }
            }
        }
        DispatchKind::ByName => quote! {},
    };
    let unknown_struct = tag.map(|tag| unknown_struct(d, tag));
    let schema = json_schema(&d.name, tag, &d.variants.iter().collect::<Vec<_>>(), tag.map(|_| d));
    quote! {
        #doc
        #derives
        #allow_large
        pub enum #name {
            #( #variants )*
            #unknown_def
        }

        impl #name {
            #names_doc
            pub const EVENT_TYPES: &'static [&'static str] = &[#( #names ),*];

            #type_doc
            pub fn event_type(&self) -> &str {
                match self {
                    #( #type_arms )*
                    #unknown_type_arm
                }
            }

            #parse

            /// The name of this Rust variant, e.g. for logs.
            pub fn variant_name(&self) -> &'static str {
                match self {
                    #( #name_arms )*
                    #unknown_name_arm
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( #serialize_arms )*
                    #unknown_serialize_arm
                }
            }
        }

        #deserialize
        #unknown_struct
        #schema
    }
}

/// `Deserialize` for a tagged dispatch enum, streaming (see `tagged.rs`): the chosen payload type reads the
/// properties before the tag (usually none, or Knock's `__typename`) and the rest of the input directly. A
/// second tag property is an error, and so is a property an unknown message repeats.
fn tagged_deserialize(d: &Dispatch, tag: &str) -> TokenStream {
    let name = ident(&d.name);
    let unknown = ident(&d.unknown_variant);
    let unknown_type = ident(&d.unknown_type);
    let expecting = format!("an object with a `{tag}` property");
    let arms = d.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.tag_value;
        let payload = rust_type(&v.payload);
        quote! { #value => <#payload as serde::Deserialize>::deserialize(&mut rest).map(#name::#variant), }
    });
    let body = quote! {
                        let (event_type, mut rest) = read_tag(map, #tag, false)?;
                        match event_type.as_str() {
                            #( #arms )*
                            _ => Ok(#name::#unknown(#unknown_type {
                                event_type: event_type.0.into_owned(),
                                payload: rest.into_object()?,
                            })),
                        }
    };
    derives::map_deserialize(&name, &expecting, body)
}

fn unknown_struct(d: &Dispatch, tag: &str) -> TokenStream {
    let unknown_type = ident(&d.unknown_type);
    let doc = docs::outer(&[format!("A message whose `{tag}` the spec does not list.")]);
    let tag_field_doc = docs::outer(&[format!("The value of the `{tag}` property.")]);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #unknown_type {
            #tag_field_doc
            pub event_type: String,
            /// Every other property of the payload, as received.
            pub payload: serde_json::Map<String, serde_json::Value>,
        }

        impl serde::Serialize for #unknown_type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(Some(self.payload.len() + 1))?;
                map.serialize_entry(#tag, &self.event_type)?;
                for (key, value) in &self.payload {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

fn serialize_arm(d: &Dispatch, v: &Variant) -> TokenStream {
    let variant = ident(&v.name);
    let value = &v.tag_value;
    match &d.kind {
        DispatchKind::Tagged { .. } => {
            quote! { Self::#variant(payload) => Tagged { tag: #value, payload }.serialize(serializer), }
        }
        DispatchKind::Single | DispatchKind::ByName => {
            quote! { Self::#variant(payload) => payload.serialize(serializer), }
        }
    }
}

pub fn channel_enum(d: &Dispatch, c: &ChannelEnum) -> TokenStream {
    let name = ident(&c.name);
    let event = ident(&d.name);
    let doc = docs::outer(&c.docs);
    let derives = derives::for_dispatch_enum();
    let channel = &c.channel;
    let variants: Vec<&Variant> = c.variants.iter().map(|&i| &d.variants[i]).collect();
    let defs = variants.iter().map(|v| {
        let doc = docs::outer(&v.docs);
        let variant = ident(&v.name);
        let payload = rust_type(&v.payload);
        quote! { #doc #variant(#payload), }
    });
    let type_arms = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.tag_value;
        quote! { Self::#variant(_) => #value, }
    });
    let into_event = variants.iter().map(|v| {
        let variant = ident(&v.name);
        quote! { #name::#variant(payload) => #event::#variant(payload), }
    });
    let from_event = variants.iter().map(|v| {
        let variant = ident(&v.name);
        quote! { #event::#variant(payload) => Ok(Self::#variant(payload)), }
    });
    // Every message of the channel may be every message of the spec.
    let other_arm =
        (variants.len() < d.variants.len() || d.kind.tag_property().is_some()).then(|| quote! { other => Err(other), });
    let serialize_arms = variants.iter().map(|v| serialize_arm(d, v));
    let deserialize = (d.kind != DispatchKind::ByName).then(|| {
        // The channel name goes into a format string: its braces (`{symbol}`) must not be read as arguments.
        let not_on_channel = format!("`{{}}` is not a message of channel `{}`", channel.replace('{', "{{").replace('}', "}}"));
        quote! {
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    use serde::de::Error as _;
                    let event = <#event as serde::Deserialize>::deserialize(deserializer)?;
                    Self::try_from(event).map_err(|other| D::Error::custom(format_args!(#not_on_channel, other.event_type())))
                }
            }
        }
    });
    let schema = json_schema(&c.name, d.kind.tag_property(), &variants, None);
    let allow_large = derives::allow_large_variants();
    quote! {
        #doc
        #derives
        #allow_large
        pub enum #name {
            #( #defs )*
        }

        impl #name {
            /// The channel these messages are sent on.
            pub const CHANNEL: &'static str = #channel;

            /// The wire type (or name) of this message.
            pub fn event_type(&self) -> &'static str {
                match self {
                    #( #type_arms )*
                }
            }
        }

        impl From<#name> for #event {
            fn from(message: #name) -> Self {
                match message {
                    #( #into_event )*
                }
            }
        }

        impl TryFrom<#event> for #name {
            /// A message of another channel (or of an unknown type) is given back unchanged.
            type Error = #event;

            fn try_from(event: #event) -> Result<Self, #event> {
                match event {
                    #( #from_event )*
                    #other_arm
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( #serialize_arms )*
                }
            }
        }

        #deserialize
        #schema
    }
}

/// `JsonSchema` for a dispatch enum: one branch per message (with its tag as a `const` when tagged), plus,
/// for the unknown variant, any object whose tag is none of the known ones.
fn json_schema(name: &str, tag: Option<&str>, variants: &[&Variant], unknown: Option<&Dispatch>) -> TokenStream {
    let ident = ident(name);
    let branches = variants.iter().map(|v| {
        let payload = rust_type(&v.payload);
        let value = &v.tag_value;
        match tag {
            Some(tag) => quote! {
                serde_json::json!({
                    "allOf": [
                        { "type": "object", "required": [#tag], "properties": { #tag: { "const": #value } } },
                        generator.subschema_for::<#payload>(),
                    ]
                })
            },
            None => quote! { serde_json::to_value(generator.subschema_for::<#payload>()).unwrap_or_default() },
        }
    });
    let unknown = unknown.zip(tag).map(|(d, tag)| {
        let values = d.variants.iter().map(|v| &v.tag_value);
        quote! {
            serde_json::json!({
                "type": "object",
                "required": [#tag],
                "properties": { #tag: { "type": "string", "not": { "enum": [#( #values ),*] } } }
            }),
        }
    });
    quote! {
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for #ident {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #name.into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let branches: Vec<serde_json::Value> = vec![#( #branches, )* #unknown];
                schemars::json_schema!({ "oneOf": branches })
            }
        }
    }
}

/// Private helpers the impls above share, and the parse error.
pub fn helpers(d: &Dispatch) -> TokenStream {
    let tagged = d.kind.tag_property().map(|tag| {
        quote! {
            /// A payload with its tag in front, as it is sent.
            #[derive(serde::Serialize)]
            struct Tagged<'a, P> {
                #[serde(rename = #tag)]
                tag: &'a str,
                #[serde(flatten)]
                payload: &'a P,
            }
        }
    });
    let path_note = d.kind.tag_property().map(|tag| {
        let first = format!(" For a property written before `{tag}` (held, not read as it comes), the path starts");
        quote! {
            #[doc = #first]
            #[doc = " the message instead, and this is `None`."]
        }
    });
    let unknown_message = (d.kind == DispatchKind::ByName).then(|| {
        quote! {
            impl ParseError {
                fn unknown_message(name: &str) -> Self {
                    let inner = <serde_json::Error as serde::de::Error>::custom(format_args!("unknown message `{name}`"));
                    ParseError { path: String::new(), inner }
                }
            }
        }
    });
    quote! {
        #tagged

        /// Parses JSON into `T`, keeping the path of the field that failed. JSON Schema counts a number with a
        /// zero fraction (`1.0`) as an integer: when a float is refused, such numbers are read as integers
        /// (and written back so, as `1`) and the payload is read again.
        fn parse_json<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, ParseError> {
            match parse_exactly(json) {
                Err(error) if error.inner.to_string().starts_with("invalid type: floating point") => {
                    let Some(integral) = with_integral_floats_as_integers(json) else { return Err(error) };
                    parse_exactly(&integral).map_err(|_| error)
                }
                parsed => parsed,
            }
        }

        /// `json` with each number that has a zero fraction written as an integer; `None` if there is none.
        fn with_integral_floats_as_integers(json: &[u8]) -> Option<Vec<u8>> {
            fn visit(value: &mut serde_json::Value, changed: &mut bool) {
                match value {
                    serde_json::Value::Number(number) => {
                        let integral =
                            number.as_f64().filter(|float| number.is_f64() && float.fract() == 0.0 && float.abs() < 9.2e18);
                        if let Some(float) = integral {
                            *value = serde_json::Value::from(float as i64);
                            *changed = true;
                        }
                    }
                    serde_json::Value::Array(items) => items.iter_mut().for_each(|item| visit(item, changed)),
                    serde_json::Value::Object(object) => object.values_mut().for_each(|item| visit(item, changed)),
                    _ => {}
                }
            }
            let mut value: serde_json::Value = serde_json::from_slice(json).ok()?;
            let mut changed = false;
            visit(&mut value, &mut changed);
            if changed { serde_json::to_vec(&value).ok() } else { None }
        }

        fn parse_exactly<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, ParseError> {
            let mut deserializer = serde_json::Deserializer::from_slice(json);
            let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
                let path = err.path().to_string();
                ParseError { path, inner: err.into_inner() }
            })?;
            deserializer.end().map_err(|inner| ParseError { path: String::new(), inner })?;
            Ok(value)
        }

        /// A payload that did not parse, with the path of the field that failed when there is one.
        #[derive(Debug)]
        pub struct ParseError {
            path: String,
            inner: serde_json::Error,
        }

        #unknown_message

        impl ParseError {
            /// The path of the failing field (`event_data.attempt`), if the failure is inside the payload.
            #path_note
            pub fn path(&self) -> Option<&str> {
                // `.` is the top level and `?` a place serde could not name: neither says more than the message.
                match self.path.as_str() {
                    "" | "." | "?" => None,
                    path => Some(path),
                }
            }

            /// The JSON error, with its line and column.
            pub fn inner(&self) -> &serde_json::Error {
                &self.inner
            }
        }

        impl std::fmt::Display for ParseError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.path() {
                    Some(path) => write!(f, "{path}: {}", self.inner),
                    None => write!(f, "{}", self.inner),
                }
            }
        }

        impl std::error::Error for ParseError {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.inner)
            }
        }
    }
}
