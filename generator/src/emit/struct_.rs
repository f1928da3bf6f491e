//! Stage 5, emit (structs): structs for object schemas: one field per property, plus a map that keeps the properties
//! the schema does not name, so that a value read and written again is unchanged.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{derives, docs, types::rust_type};
use crate::ir::{Field, Presence, Struct, TypeDef, TypeRef};

pub fn emit(def: &TypeDef, s: &Struct) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = docs::outer(&def.docs);
    let all_optional = s.fields.iter().all(|f| f.presence != Presence::Required);
    let derives = derives::for_struct(all_optional);
    let fields = s.fields.iter().map(field);
    let additional = s.additional.as_ref().map(|additional| {
        let rust_name = format_ident!("{}", additional.rust_name);
        let map = additional_map_type(&additional.value);
        quote! {
            /// Properties the schema does not name, kept so that re-serializing gives back what was received.
            /// (A named property must not be repeated here: it would be written twice.)
            #[serde(flatten)]
            pub #rust_name: #map,
        }
    });
    // `additionalProperties: false`: tells schemars; the `Deserialize` below refuses unknown properties.
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

fn additional_map_type(value: &TypeRef) -> TokenStream {
    match value {
        TypeRef::Json => quote!(serde_json::Map<String, serde_json::Value>),
        value => {
            let value = rust_type(value);
            quote!(std::collections::BTreeMap<String, #value>)
        }
    }
}

/// The field's Rust type without the `Option` its presence adds.
fn value_type(f: &Field) -> TokenStream {
    let ty = rust_type(&f.ty);
    if f.boxed { quote!(Box<#ty>) } else { ty }
}

fn field(f: &Field) -> TokenStream {
    let doc = docs::outer(&f.docs);
    let rust_name = format_ident!("{}", f.rust_name);
    let ty = value_type(f);
    let rename = (f.rust_name != f.wire_name).then(|| {
        let wire = &f.wire_name;
        quote!(rename = #wire,)
    });
    // Optional properties: `None` is absent, and is left out again when written.
    let optional = quote!(#[serde(#rename default, skip_serializing_if = "Option::is_none")]);
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

/// The struct's `Deserialize` (and `FromObject`) impls: an invocation of `deserialize_object!` (see
/// [`OBJECT_MACRO`]) listing its properties, one per line. Written as text, laid out as rustfmt would:
/// prettyplease prints a macro's input on one line.
pub fn deserialize(def: &TypeDef, s: &Struct) -> String {
    let mut text = format!("deserialize_object! {{\n    {} {{\n", def.name);
    for f in &s.fields {
        let presence = match f.presence {
            Presence::Required | Presence::RequiredNullable => "required",
            Presence::Optional | Presence::OptionalNullable => "optional",
        };
        let wire = proc_macro2::Literal::string(&f.wire_name);
        text.push_str(&format!("        {presence} {}: {wire},\n", f.rust_name));
    }
    text.push_str("    }\n");
    if let Some(additional) = &s.additional {
        text.push_str(&format!("    unnamed {}\n", additional.rust_name));
    }
    text.push_str("}\n");
    text
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

/// `deserialize_object!`, which every generated struct invokes with the list of its properties. One macro
/// rather than the same forty lines per struct: the generated crate is shorter to read and to compile, and
/// the generator does not parse and print those lines for each of thousands of structs. Written as text,
/// formatted as rustfmt would: prettyplease cannot lay out the body of a `macro_rules!`.
pub const OBJECT_MACRO: &str = r#"/// `Deserialize` for a generated struct, from the list of its properties (`required` or `optional`, the
/// field, the property's name): each property is read straight into its field as it comes (nothing is
/// buffered, unlike serde's `flatten`); a property given twice, or a required one missing, is an error;
/// `null` is accepted only where the field's type allows it. The properties the schema does not name are
/// kept in the field after `unnamed`, or refused when there is none (`additionalProperties: false`).
macro_rules! deserialize_object {
    (@unnamed [$($wire:literal),*]) => {
        DenyUnnamed(&[$($wire),*])
    };
    (@unnamed [$($wire:literal),*] $unnamed:ident) => {
        Default::default()
    };
    ($name:ident { $($presence:ident $field:ident: $wire:literal,)* } $(unnamed $unnamed:ident)?) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let expecting = concat!("an object (", stringify!($name), ")");
                deserializer.deserialize_map(ObjectVisitor::<Self>::new(expecting))
            }
        }

        impl<'de> FromObject<'de> for $name {
            // The slots are named after the fields, whatever those are called.
            #[allow(clippy::disallowed_names, clippy::many_single_char_names, clippy::just_underscores_and_digits)]
            fn from_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                // One slot per property, of its field's type in an `Option` (inferred from the struct below).
                $(let mut $field = None;)*
                let mut unnamed = deserialize_object!(@unnamed [$($wire),*] $($unnamed)?);
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.as_str() {
                        $($wire => read_once(&mut $field, &mut map, $wire)?,)*
                        _ => Unnamed::read(&mut unnamed, key, &mut map)?,
                    }
                }
                Ok($name {
                    $($field: $presence($field, $wire)?,)*
                    $($unnamed: unnamed,)?
                })
            }
        }
    };
}
"#;

/// What the written-out `Deserialize` impls share: property names borrowed from the input when they can
/// be (no allocation per key), and reading a property at most once.
pub fn key_helper(uses_required: bool, uses_optional: bool) -> TokenStream {
    let required = uses_required.then(|| {
        quote! {
            /// The value of the required property `name`, or the error that it is missing.
            #[inline]
            pub(crate) fn required<T, E: serde::de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
                slot.ok_or_else(|| E::missing_field(name))
            }
        }
    });
    let optional = uses_optional.then(|| {
        quote! {
            /// The value of the optional property `name`: `None` when it is absent.
            #[inline]
            pub(crate) fn optional<T, E: serde::de::Error>(slot: Option<T>, _name: &'static str) -> Result<Option<T>, E> {
                Ok(slot)
            }
        }
    });
    quote! {
        #required
        #optional

        /// A type read from the properties of a JSON object: the generated structs.
        pub(crate) trait FromObject<'de>: Sized {
            fn from_object<A: serde::de::MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
        }

        /// The serde visitor every generated struct shares: it accepts a JSON object and reads it with
        /// [`FromObject`].
        pub(crate) struct ObjectVisitor<T> {
            expecting: &'static str,
            marker: std::marker::PhantomData<T>,
        }

        impl<T> ObjectVisitor<T> {
            pub(crate) fn new(expecting: &'static str) -> Self {
                ObjectVisitor { expecting, marker: std::marker::PhantomData }
            }
        }

        impl<'de, T: FromObject<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.expecting)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::from_object(map)
            }
        }

        /// Reads the value of the property `name` into `slot`, refusing it a second time.
        #[inline]
        pub(crate) fn read_once<'de, A, T>(slot: &mut Option<T>, map: &mut A, name: &'static str) -> Result<(), A::Error>
        where
            A: serde::de::MapAccess<'de>,
            T: serde::Deserialize<'de>,
        {
            if slot.is_some() {
                return Err(<A::Error as serde::de::Error>::duplicate_field(name));
            }
            *slot = Some(map.next_value()?);
            Ok(())
        }

        /// A property name (or a tag's value), borrowed from the input when it has no escapes.
        pub(crate) struct Key<'de>(pub(crate) std::borrow::Cow<'de, str>);

        impl Key<'_> {
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<'de> serde::Deserialize<'de> for Key<'de> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = Key<'de>;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                        Ok(Key(std::borrow::Cow::Borrowed(key)))
                    }

                    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                        Ok(Key(std::borrow::Cow::Owned(key.to_owned())))
                    }

                    fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
                        Ok(Key(std::borrow::Cow::Owned(key)))
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    }
}

/// What the structs of a model do with the properties their schemas do not name: which impls of `Unnamed`
/// the crate needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnnamedKinds {
    /// Some struct keeps them as `serde_json::Map` (untyped `additionalProperties`).
    pub json: bool,
    /// Some struct keeps them as a `BTreeMap` of a typed value.
    pub typed: bool,
    /// Some struct refuses them (`additionalProperties: false`).
    pub denied: bool,
}

impl UnnamedKinds {
    pub fn of<'s>(structs: impl IntoIterator<Item = &'s Struct>) -> UnnamedKinds {
        let mut kinds = UnnamedKinds::default();
        for s in structs {
            match s.additional.as_ref().map(|a| &a.value) {
                Some(TypeRef::Json) => kinds.json = true,
                Some(_) => kinds.typed = true,
                None => kinds.denied = true,
            }
        }
        kinds
    }
}

/// The `Unnamed` trait, which reads a property the schema does not name (into a struct's map of them, each
/// name at most once, or as an error), and the impls the crate's structs use.
pub fn unnamed_helper(kinds: UnnamedKinds) -> TokenStream {
    // The same impl for both kinds of map, but for the type and its `Entry`: each name is hashed once.
    let keep = |generics: TokenStream, map_type: TokenStream, entry: TokenStream| {
        quote! {
            impl<'de #generics> Unnamed<'de> for #map_type {
                fn read<A: serde::de::MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error> {
                    let value = map.next_value()?;
                    match self.entry(key.0.into_owned()) {
                        #entry::Vacant(entry) => {
                            entry.insert(value);
                            Ok(())
                        }
                        #entry::Occupied(entry) => Err(duplicate(entry.key())),
                    }
                }
            }
        }
    };
    let json = kinds
        .json
        .then(|| keep(quote!(), quote!(serde_json::Map<String, serde_json::Value>), quote!(serde_json::map::Entry)));
    let typed = kinds.typed.then(|| {
        keep(
            quote!(, V: serde::Deserialize<'de>),
            quote!(std::collections::BTreeMap<String, V>),
            quote!(std::collections::btree_map::Entry),
        )
    });
    let duplicate = (kinds.json || kinds.typed).then(|| {
        quote! {
            /// The error for a property given twice.
            fn duplicate<E: serde::de::Error>(name: &str) -> E {
                E::custom(format_args!("duplicate field `{name}`"))
            }
        }
    });
    let denied = kinds.denied.then(|| {
        quote! {
            /// For a struct whose schema forbids properties it does not name: the names it has.
            pub(crate) struct DenyUnnamed(pub(crate) &'static [&'static str]);

            impl<'de> Unnamed<'de> for DenyUnnamed {
                fn read<A: serde::de::MapAccess<'de>>(&mut self, key: Key<'de>, _: &mut A) -> Result<(), A::Error> {
                    Err(<A::Error as serde::de::Error>::unknown_field(key.as_str(), self.0))
                }
            }
        }
    });
    quote! {
        /// What a struct does with a property its schema does not name: keeps it (its map of them) or
        /// refuses it ([`DenyUnnamed`]).
        pub(crate) trait Unnamed<'de> {
            fn read<A: serde::de::MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error>;
        }

        #json
        #typed
        #duplicate
        #denied
    }
}

/// Whether a struct has an optional property (and so uses the `optional` helper).
pub fn has_optional(s: &Struct) -> bool {
    s.fields.iter().any(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable))
}

/// Whether a struct has a required property (and so uses the `required` helper).
pub fn has_required(s: &Struct) -> bool {
    s.fields.iter().any(|f| matches!(f.presence, Presence::Required | Presence::RequiredNullable))
}
