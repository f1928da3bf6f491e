//! Stage 5, emit (derives): the derives every generated type carries, decided in one place.

use proc_macro2::TokenStream;
use quote::quote;

/// Derives for a generated struct (its `Deserialize` is written out, see `struct_.rs`). `Default` when every
/// field may be left out.
pub fn for_struct(default: bool) -> TokenStream {
    let default = default.then(|| quote!(Default,));
    quote! {
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    }
}

/// Derives for the dispatch and channel enums, whose serde impls are written out by the generator.
pub fn for_dispatch_enum() -> TokenStream {
    quote! { #[derive(Debug, Clone, PartialEq)] }
}

/// Generated enums hold one of their variants at a time, often briefly (a message being handled): boxing
/// the large ones would cost an allocation per value to save space that is rarely short.
pub fn allow_large_variants() -> TokenStream {
    quote! { #[allow(clippy::large_enum_variant)] }
}

/// `impl Deserialize for name` through a visitor that accepts only a JSON object and reads it with `body`
/// (statements ending in a `name` value; `map` is the `MapAccess`, `A` its type, given to `body` to keep).
pub fn map_deserialize(name: &proc_macro2::Ident, expecting: &str, body: TokenStream) -> TokenStream {
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<#name, A::Error> {
                        #body
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }
    }
}
