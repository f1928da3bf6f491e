//! Stage 5, emit (type spelling): how each [`TypeRef`] is spelled in Rust.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::TypeRef;

pub fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Null => quote!(()),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::String => quote!(String),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Date => quote!(chrono::NaiveDate),
        TypeRef::Uuid => quote!(uuid::Uuid),
        TypeRef::Tuple(items) => {
            let items = items.iter().map(rust_type);
            // The trailing comma keeps a one-item tuple a tuple.
            quote!((#( #items, )*))
        }
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::JsonObject => quote!(serde_json::Map<String, serde_json::Value>),
        TypeRef::Vec(item) => {
            let item = rust_type(item);
            quote!(Vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = rust_type(value);
            quote!(std::collections::BTreeMap<String, #value>)
        }
        TypeRef::Named(name) => {
            let name = format_ident!("{}", name);
            quote!(#name)
        }
    }
}
