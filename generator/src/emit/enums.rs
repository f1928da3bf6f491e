//! Stage 5, emit (enums): enums for `enum` schemas: strings become unit variants renamed to their value; integers
//! become unit variants that serialize as their number.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use crate::ir::{EnumValue, TypeDef};

pub fn string_enum(def: &TypeDef, values: &[EnumValue]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = docs::outer(&def.docs);
    let variants = values.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let value = &v.value;
        quote! {
            #[serde(rename = #value)]
            #variant,
        }
    });
    let as_str = values.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let value = &v.value;
        quote! { Self::#variant => #value, }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub enum #name {
            #( #variants )*
        }

        impl #name {
            /// The value as it is written in JSON.
            pub fn as_str(&self) -> &'static str {
                match self {
                    #( #as_str )*
                }
            }
        }
    }
}

pub fn integer_enum(def: &TypeDef, values: &[(String, i64)]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = docs::outer(&def.docs);
    let variants = values.iter().map(|(variant, value)| {
        let variant = format_ident!("{}", variant);
        let doc = docs::outer(&[format!("`{value}`")]);
        quote! { #doc #variant, }
    });
    let literal = |value: &i64| proc_macro2::Literal::i64_unsuffixed(*value);
    let to_number = values.iter().map(|(variant, value)| {
        let variant = format_ident!("{}", variant);
        let value = literal(value);
        quote! { Self::#variant => #value, }
    });
    let from_number = values.iter().map(|(variant, value)| {
        let variant = format_ident!("{}", variant);
        let value = literal(value);
        quote! { #value => Ok(Self::#variant), }
    });
    let expected = format!("one of {}", values.iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>().join(", "));
    let numbers = values.iter().map(|(_, value)| literal(value));
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum #name {
            #( #variants )*
        }

        impl #name {
            /// The number this value is written as.
            pub fn value(&self) -> i64 {
                match self {
                    #( #to_number )*
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let number = <i64 as serde::Deserialize>::deserialize(deserializer)?;
                match number {
                    #( #from_number )*
                    other => Err(<D::Error as serde::de::Error>::invalid_value(
                        serde::de::Unexpected::Signed(other),
                        &#expected,
                    )),
                }
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!(#name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "integer", "enum": [#( #numbers ),*] })
            }
        }
    }
}
