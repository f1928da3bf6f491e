//! Structs for object schemas: one field per property, plus a map that keeps the properties the schema
//! does not name, so that a value read and written again is unchanged.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{derives, docs, types::rust_type};
use crate::ir::{Field, Presence, Struct, TypeDef};

pub fn emit(def: &TypeDef, s: &Struct) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = docs::outer(&def.docs);
    let all_optional = s.fields.iter().all(|f| f.presence != Presence::Required);
    let derives = derives::for_struct(all_optional);
    let fields = s.fields.iter().map(field);
    let additional = s.additional.as_ref().map(|additional| {
        let rust_name = format_ident!("{}", additional.rust_name);
        let map = match &additional.value {
            crate::ir::TypeRef::Json => quote!(serde_json::Map<String, serde_json::Value>),
            value => {
                let value = rust_type(value);
                quote!(std::collections::BTreeMap<String, #value>)
            }
        };
        quote! {
            /// Properties the schema does not name, kept so that re-serializing gives back what was received.
            #[serde(flatten)]
            pub #rust_name: #map,
        }
    });
    // `additionalProperties: false`: a property the schema does not name is an error, not silently dropped.
    let closed = s.additional.is_none().then(|| quote!(#[serde(deny_unknown_fields)]));
    quote! {
        #doc
        #derives
        #closed
        pub struct #name {
            #( #fields )*
            #additional
        }
    }
}

fn field(f: &Field) -> TokenStream {
    let doc = docs::outer(&f.docs);
    let rust_name = format_ident!("{}", f.rust_name);
    let mut ty = rust_type(&f.ty);
    if f.boxed {
        ty = quote!(Box<#ty>);
    }
    let rename = (f.rust_name != f.wire_name).then(|| {
        let wire = &f.wire_name;
        quote!(rename = #wire,)
    });
    // Optional properties: absent is `None` (`default`) and is left out again; a present value goes
    // through `present`, so a `null` is an error unless the schema allows it (`Option<Option<T>>`,
    // where it is `Some(None)`). Nothing read is dropped when written back.
    let optional =
        quote!(#[serde(#rename default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]);
    let (ty, serde, schemars) = match f.presence {
        Presence::Required => (ty, rename.map(|r| quote!(#[serde(#r)])), None),
        Presence::RequiredNullable => (quote!(Option<#ty>), rename.map(|r| quote!(#[serde(#r)])), None),
        Presence::Optional => {
            // schemars would describe `Option<T>` as "T or null"; the schema says only T (when present).
            let schema_as = type_text(&ty);
            let schemars = quote!(#[cfg_attr(feature = "schemars", schemars(with = #schema_as))]);
            (quote!(Option<#ty>), Some(optional), Some(schemars))
        }
        Presence::OptionalNullable => (quote!(Option<Option<#ty>>), Some(optional), None),
    };
    quote! {
        #doc
        #serde
        #schemars
        pub #rust_name: #ty,
    }
}

/// A type as Rust source text, spaced as rustfmt would (for attributes that take a type as a string).
fn type_text(ty: &TokenStream) -> String {
    ty.to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

/// Whether any field of `s` is optional, and so needs [`present_helper`].
pub fn uses_present(s: &Struct) -> bool {
    s.fields.iter().any(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable))
}

/// The helper optional fields deserialize through (see `field`).
pub fn present_helper() -> TokenStream {
    quote! {
        /// Reads a property that is present: `Some` of its value. Absent properties never get here
        /// (`#[serde(default)]` makes them `None`), so `null` reaches `T` and is accepted only when `T`
        /// is itself an `Option`.
        fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
        where
            D: serde::Deserializer<'de>,
            T: serde::Deserialize<'de>,
        {
            T::deserialize(deserializer).map(Some)
        }
    }
}
