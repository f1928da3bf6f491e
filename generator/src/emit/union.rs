//! Stage 5, emit (unions): enums for `oneOf`/`anyOf`. Tagged unions find the tag property and hand the whole object
//! (tag included, where it was) to the chosen alternative, read from the input as it comes (`tagged.rs`), so nothing is
//! lost and no alternative type has to leave the tag out; untagged unions try each alternative in order (serde's
//! `untagged`).

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
        let ty = rust_type(&v.ty);
        let wrap = if v.boxed { quote!(|v| #name::#variant(Box::new(v))) } else { quote!(#name::#variant) };
        quote! { #( #values )|* => <#ty as serde::Deserialize>::deserialize(&mut rest).map(#wrap), }
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
    let expecting = format!("an object with a `{tag}` property");
    let deserialize = derives::map_deserialize(
        &name,
        &expecting,
        quote! {
            let (tag, mut rest) = read_tag(map, #tag, true)?;
            match tag.as_str() {
                #( #deserialize_arms )*
                _ => Ok(#name::Unknown(serde_json::Value::Object(rest.into_object()?))),
            }
        },
    );
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

        #deserialize

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
