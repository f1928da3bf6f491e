//! The dispatch enum (`Event`) over every message and one enum per channel, with serde impls that
//! choose the variant by the tag property and keep unknown tags whole.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{derives, docs};
use crate::ir::{ChannelEnum, Dispatch, Variant};

pub fn emit(dispatch: &Dispatch, channels: &[ChannelEnum]) -> TokenStream {
    let event = dispatch_enum(dispatch);
    let channels = channels.iter().map(|c| channel_enum(dispatch, c));
    let helpers = helpers(dispatch);
    quote! {
        use crate::types::*;
        #event
        #( #channels )*
        #helpers
    }
}

fn ident(name: &str) -> Ident {
    format_ident!("{}", name)
}

fn dispatch_enum(d: &Dispatch) -> TokenStream {
    let name = ident(&d.name);
    let tag = &d.tag_property;
    let unknown = ident(&d.unknown_variant);
    let unknown_type = ident(&d.unknown_type);
    let derives = derives::for_dispatch_enum();
    let doc = docs::outer(&[
        format!("Every message of the spec, chosen by the payload's `{tag}` property."),
        String::new(),
        format!(
            "A `{tag}` that the spec does not list is not an error: it reads into [`{name}::{unknown}`], which keeps the"
        ),
        "whole payload. Serializing gives back the JSON that was read.".to_owned(),
    ]);
    let variants = d.variants.iter().map(|v| {
        let doc = docs::outer(&v.docs);
        let variant = ident(&v.name);
        let payload = ident(&v.payload);
        quote! { #doc #variant(#payload), }
    });
    let tag_values = d.variants.iter().map(|v| &v.tag_value);
    let type_arms = d.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.tag_value;
        quote! { Self::#variant(_) => #value, }
    });
    let name_arms = d.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let text = &v.name;
        quote! { Self::#variant(_) => #text, }
    });
    let unknown_name = &d.unknown_variant;
    let serialize_arms = d.variants.iter().map(|v| serialize_arm(v));
    let deserialize_arms = d.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.tag_value;
        quote! { #value => Self::#variant(payload_from(payload)?), }
    });
    let schema = json_schema(&d.name, tag, &d.variants.iter().collect::<Vec<_>>(), Some(d));
    let unknown_doc = docs::outer(&[format!("A message whose `{tag}` the spec does not list, kept whole.")]);
    let event_types_doc = docs::outer(&[format!("The `{tag}` values of the messages the spec lists, in its order.")]);
    let event_type_doc = docs::outer(&[format!("The wire `{tag}` of this message.")]);
    let tag_field_doc = docs::outer(&[format!("The value of the `{tag}` property.")]);
    let invalid_tag = format!("{tag}: expected a string, found {{}}");
    quote! {
        #doc
        #derives
        pub enum #name {
            #( #variants )*
            #unknown_doc
            #unknown(#unknown_type),
        }

        impl #name {
            #event_types_doc
            pub const EVENT_TYPES: &'static [&'static str] = &[#( #tag_values ),*];

            #event_type_doc
            pub fn event_type(&self) -> &str {
                match self {
                    #( #type_arms )*
                    Self::#unknown(unknown) => &unknown.event_type,
                }
            }

            /// Parses a JSON payload. On failure the error names the path of the field that failed
            /// (`event_data.attempt: invalid type: ...`).
            pub fn from_json(json: &[u8]) -> Result<Self, ParseError> {
                let mut deserializer = serde_json::Deserializer::from_slice(json);
                let event = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
                    let path = err.path().to_string();
                    ParseError { path, inner: err.into_inner() }
                })?;
                deserializer.end().map_err(|inner| ParseError { path: String::new(), inner })?;
                Ok(event)
            }

            /// The name of this Rust variant, e.g. for logs.
            pub fn variant_name(&self) -> &'static str {
                match self {
                    #( #name_arms )*
                    Self::#unknown(_) => #unknown_name,
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( #serialize_arms )*
                    Self::#unknown(unknown) => unknown.serialize(serializer),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                let mut payload = <serde_json::Map<String, serde_json::Value> as serde::Deserialize>::deserialize(deserializer)?;
                let event_type = match payload.remove(#tag) {
                    Some(serde_json::Value::String(event_type)) => event_type,
                    Some(other) => {
                        return Err(D::Error::custom(format_args!(#invalid_tag, other)));
                    }
                    None => return Err(D::Error::missing_field(#tag)),
                };
                Ok(match event_type.as_str() {
                    #( #deserialize_arms )*
                    _ => Self::#unknown(#unknown_type { event_type, payload }),
                })
            }
        }

        #unknown_doc
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

        #schema
    }
}

fn serialize_arm(v: &Variant) -> TokenStream {
    let variant = ident(&v.name);
    let value = &v.tag_value;
    quote! { Self::#variant(payload) => Tagged { tag: #value, payload }.serialize(serializer), }
}

fn channel_enum(d: &Dispatch, c: &ChannelEnum) -> TokenStream {
    let name = ident(&c.name);
    let event = ident(&d.name);
    let doc = docs::outer(&c.docs);
    let derives = derives::for_dispatch_enum();
    let channel = &c.channel;
    let variants: Vec<&Variant> = c.variants.iter().map(|&i| &d.variants[i]).collect();
    let defs = variants.iter().map(|v| {
        let doc = docs::outer(&v.docs);
        let variant = ident(&v.name);
        let payload = ident(&v.payload);
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
    let serialize_arms = variants.iter().map(|v| serialize_arm(v));
    let schema = json_schema(&c.name, &d.tag_property, &variants, None);
    let not_on_channel = format!("`{{}}` is not a message of channel `{channel}`");
    quote! {
        #doc
        #derives
        pub enum #name {
            #( #defs )*
        }

        impl #name {
            /// The channel these messages are sent on.
            pub const CHANNEL: &'static str = #channel;

            /// The wire type of this message.
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
                    other => Err(other),
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

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                let event = <#event as serde::Deserialize>::deserialize(deserializer)?;
                Self::try_from(event).map_err(|other| {
                    D::Error::custom(format_args!(#not_on_channel, other.event_type()))
                })
            }
        }

        #schema
    }
}

/// `JsonSchema` for a dispatch enum: one branch per message (its tag as a `const`, and its payload
/// schema), plus, for the unknown variant, any object whose tag is none of the known ones.
fn json_schema(name: &str, tag: &str, variants: &[&Variant], unknown: Option<&Dispatch>) -> TokenStream {
    let ident = ident(name);
    let branches = variants.iter().map(|v| {
        let payload = format_ident!("{}", v.payload);
        let value = &v.tag_value;
        quote! {
            serde_json::json!({
                "allOf": [
                    { "type": "object", "required": [#tag], "properties": { #tag: { "const": #value } } },
                    generator.subschema_for::<#payload>(),
                ]
            })
        }
    });
    let unknown = unknown.map(|d| {
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
                let branches = vec![#( #branches, )* #unknown];
                schemars::json_schema!({ "oneOf": branches })
            }
        }
    }
}

/// Private helpers the serde impls above share, and the parse error.
fn helpers(d: &Dispatch) -> TokenStream {
    let tag = &d.tag_property;
    quote! {
        /// A payload that did not parse, with the path of the field that failed when there is one.
        #[derive(Debug)]
        pub struct ParseError {
            path: String,
            inner: serde_json::Error,
        }

        impl ParseError {
            /// The path of the failing field (`event_data.attempt`), if the failure is inside the payload.
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

        /// A payload with its tag in front, as it is sent.
        #[derive(serde::Serialize)]
        struct Tagged<'a, P> {
            #[serde(rename = #tag)]
            tag: &'a str,
            #[serde(flatten)]
            payload: &'a P,
        }

        /// Reads a payload struct from the properties read so far; the error names the failing path
        /// (e.g. `event_data.attempt`).
        fn payload_from<T, E>(payload: serde_json::Map<String, serde_json::Value>) -> Result<T, E>
        where
            T: serde::de::DeserializeOwned,
            E: serde::de::Error,
        {
            serde_path_to_error::deserialize(serde_json::Value::Object(payload))
                .map_err(|err| E::custom(format_args!("{}: {}", err.path(), err.inner())))
        }
    }
}
