//! Enums for `oneOf`/`anyOf`. Tagged unions read the tag property and hand the whole value (tag included)
//! to the chosen alternative, so nothing is lost and no alternative type has to leave the tag out;
//! untagged unions try each alternative in order (serde's `untagged`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::rust_type;
use super::{derives, docs};
use crate::ir::{TypeDef, Union};

pub fn emit(def: &TypeDef, union: &Union) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = docs::outer(&def.docs);
    let variants = union.variants.iter().map(|v| {
        let doc = docs::outer(&v.docs);
        let variant = format_ident!("{}", v.name);
        let mut ty = rust_type(&v.ty);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        quote! { #doc #variant(#ty), }
    });
    let allow_large = derives::allow_large_variants();
    let Some(tag) = &union.tag else {
        return quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
            #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            #[serde(untagged)]
            #allow_large
            pub enum #name {
                #( #variants )*
            }
        };
    };
    let unknown_def = quote! {
        /// A value whose tag the spec does not list, kept whole.
        Unknown(serde_json::Value),
    };
    let serialize_arms = union.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        quote! { Self::#variant(value) => value.serialize(serializer), }
    });
    let deserialize_arms = union.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        let values = &v.tag_values;
        let wrap = if v.boxed { quote!(|v| Self::#variant(Box::new(v))) } else { quote!(Self::#variant) };
        quote! { #( #values )|* => from_value(value).map(#wrap), }
    });
    let branches = union.variants.iter().map(|v| {
        let ty = rust_type(&v.ty);
        let values = &v.tag_values;
        quote! {
            serde_json::json!({
                "allOf": [
                    { "type": "object", "required": [#tag], "properties": { #tag: { "enum": [#( #values ),*] } } },
                    generator.subschema_for::<#ty>(),
                ]
            })
        }
    });
    let all_values = union.variants.iter().flat_map(|v| &v.tag_values);
    let invalid_tag = format!("{tag}: expected a string, found {{}}");
    let type_name = &def.name;
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #allow_large
        pub enum #name {
            #( #variants )*
            #unknown_def
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( #serialize_arms )*
                    Self::Unknown(value) => value.serialize(serializer),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = match value.get(#tag) {
                    Some(serde_json::Value::String(tag)) => tag.clone(),
                    Some(other) => return Err(D::Error::custom(format_args!(#invalid_tag, other))),
                    None => return Err(D::Error::missing_field(#tag)),
                };
                match tag.as_str() {
                    #( #deserialize_arms )*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #type_name.into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let branches: Vec<serde_json::Value> = vec![
                    #( #branches, )*
                    serde_json::json!({
                        "type": "object",
                        "required": [#tag],
                        "properties": { #tag: { "not": { "enum": [#( #all_values ),*] } } }
                    }),
                ];
                schemars::json_schema!({ "oneOf": branches })
            }
        }
    }
}

/// Reads an alternative from the value a tagged union read; the error names the failing path.
pub fn from_value_helper() -> TokenStream {
    quote! {
        /// Reads `T` from a value already read; the error names the path that failed inside it.
        fn from_value<T: serde::de::DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<T, E> {
            serde_path_to_error::deserialize(value).map_err(|err| E::custom(format_args!("{}: {}", err.path(), err.inner())))
        }
    }
}
