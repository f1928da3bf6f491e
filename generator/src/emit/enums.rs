//! Stage 5, emit (enums): enums for `enum` schemas. Strings become unit variants for their values, plus (open, the
//! default) a variant that keeps any other string; integers become unit variants that serialize as their number.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use crate::ir::{EnumValue, TypeDef};

/// A closed enum: serde's derive, each variant renamed to its value.
pub fn closed_definition(def: &TypeDef, values: &[EnumValue]) -> TokenStream {
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

/// An open enum's definition: the listed values are unit variants, any other string is kept in `other`. Its
/// impls come from one invocation of [`OPEN_ENUM_MACRO`] ([`open_invocation`]).
pub fn open_definition(def: &TypeDef, values: &[EnumValue], other: &str) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let other = format_ident!("{}", other);
    let doc = docs::outer(&def.docs);
    let variants = values.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let doc = docs::outer(&[format!("`{}`", v.value)]);
        quote! { #doc #variant, }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #( #variants )*
            /// A value the spec does not list, as it came.
            #other(String),
        }
    }
}

/// The `open_string_enum!` invocation of an open enum: its variants with their values, one per line. Text, laid
/// out as rustfmt would (prettyplease prints a macro's input on one line).
pub fn open_invocation(def: &TypeDef, values: &[EnumValue], other: &str) -> String {
    let mut text = format!("open_string_enum! {{\n    {} {{\n", def.name);
    for v in values {
        text.push_str(&format!("        {}: {},\n", v.rust_name, proc_macro2::Literal::string(&v.value)));
    }
    text.push_str(&format!("    }}\n    other {other}\n}}\n"));
    text
}

/// `open_string_enum!`, which every open enum invokes with its variants and values. One macro rather than the
/// same sixty lines per enum, as for structs (`deserialize_object!`).
pub const OPEN_ENUM_MACRO: &str = r#"/// The impls of a generated open enum, from the list of its variants and their values: `as_str`, `from_value`,
/// `is_known`, `Display`, serde (a listed value allocates nothing; any other string is kept in the `other`
/// variant and written back unchanged), and the JSON Schema (any string; the listed values documented).
macro_rules! open_string_enum {
    ($name:ident { $($variant:ident: $value:literal,)* } other $other:ident) => {
        impl $name {
            /// The value as it is written in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::$other(value) => value,
                }
            }

            /// The variant for `value`: a listed one, else the one that keeps any other string.
            pub fn from_value(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::$other(other.to_owned()),
                }
            }

            /// Whether the value is one the spec lists.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::$other(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from_value(value))
                    }

                    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<$name, E> {
                        Ok(match $name::from_value(&value) {
                            $name::$other(_) => $name::$other(value),
                            known => known,
                        })
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "anyOf": [{ "enum": [$($value),*] }, { "description": "A value the spec does not list yet." }]
                })
            }
        }
    };
}
"#;

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
