//! Structs for object schemas: one field per property, plus a map that keeps the properties the schema
//! does not name, so that a value read and written again is unchanged.

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
    let deserialize = deserialize(def, s);
    quote! {
        #doc
        #derives
        #closed
        pub struct #name {
            #( #fields )*
            #additional
        }

        #deserialize
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

/// `Deserialize`, written out: each property is read straight into its field as it comes (nothing is
/// buffered, unlike serde's `flatten`), a property read twice is an error, a required one missing is an
/// error, `null` is accepted only where the schema allows it, and properties the schema does not name go to
/// the additional map (or are an error under `additionalProperties: false`).
fn deserialize(def: &TypeDef, s: &Struct) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let slots: Vec<_> = (0..s.fields.len()).map(|i| format_ident!("field_{}", i)).collect();
    let arms = s.fields.iter().zip(&slots).map(|(f, slot)| {
        let wire = &f.wire_name;
        quote! { #wire => read_once(&mut #slot, &mut map, #wire)?, }
    });
    let finish = s.fields.iter().zip(&slots).map(|(f, slot)| {
        let rust_name = format_ident!("{}", f.rust_name);
        let wire = &f.wire_name;
        match f.presence {
            Presence::Required | Presence::RequiredNullable => quote! { #rust_name: required(#slot, #wire)?, },
            Presence::Optional | Presence::OptionalNullable => quote! { #rust_name: #slot, },
        }
    });
    let (additional_init, other_arm, additional_finish) = match &s.additional {
        Some(additional) => {
            let rust_name = format_ident!("{}", additional.rust_name);
            let map_type = additional_map_type(&additional.value);
            (
                quote! { let mut additional = <#map_type>::new(); },
                quote! { _ => read_unnamed(&mut additional, key, &mut map)?, },
                quote! { #rust_name: additional, },
            )
        }
        None => {
            let known = s.fields.iter().map(|f| &f.wire_name);
            (
                quote! {},
                quote! {
                    other => return Err(<A::Error as serde::de::Error>::unknown_field(other, &[#( #known ),*])),
                },
                quote! {},
            )
        }
    };
    let body = quote! {
        // Each slot's type is its field's, wrapped in an `Option` (inferred from the struct built below).
        #( let mut #slots = None; )*
        #additional_init
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                #( #arms )*
                #other_arm
            }
        }
        Ok(#name {
            #( #finish )*
            #additional_finish
        })
    };
    quote! {
        deserialize_object!(#name);

        impl<'de> FromObject<'de> for #name {
            fn from_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                #body
            }
        }
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

/// The `Deserialize` impl of every generated struct, the same but for its name: a macro, defined before
/// the structs that use it, so that each struct's impl is one line to read (and to compile). Written as
/// text, formatted as rustfmt would: prettyplease cannot lay out the body of a `macro_rules!`.
pub const DESERIALIZE_MACRO: &str = r#"/// `Deserialize` for a generated struct: it accepts a JSON object and reads it with the struct's
/// [`FromObject`] impl.
macro_rules! deserialize_object {
    ($name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let expecting = concat!("an object (", stringify!($name), ")");
                deserializer.deserialize_map(ObjectVisitor::<Self>::new(expecting))
            }
        }
    };
}
"#;

/// What the written-out `Deserialize` impls share: property names borrowed from the input when they can
/// be (no allocation per key), and reading a property at most once.
pub fn key_helper(uses_required: bool) -> TokenStream {
    let required = uses_required.then(|| {
        quote! {
            /// The value of the required property `name`, or the error that it is missing.
            #[inline]
            pub(crate) fn required<T, E: serde::de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
                slot.ok_or_else(|| E::missing_field(name))
            }
        }
    });
    quote! {
        #required

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

/// The kinds of map that keep unnamed properties, in the structs of a model: which impls of
/// `UnnamedProperties` the crate needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnnamedMaps {
    /// Some struct keeps them as `serde_json::Map` (untyped `additionalProperties`).
    pub json: bool,
    /// Some struct keeps them as a `BTreeMap` of a typed value.
    pub typed: bool,
}

impl UnnamedMaps {
    pub fn of<'s>(structs: impl IntoIterator<Item = &'s Struct>) -> UnnamedMaps {
        let mut maps = UnnamedMaps::default();
        for s in structs {
            match s.additional.as_ref().map(|a| &a.value) {
                Some(TypeRef::Json) => maps.json = true,
                Some(_) => maps.typed = true,
                None => {}
            }
        }
        maps
    }
}

/// `read_unnamed`, which reads a property the schema does not name into a struct's additional map (each
/// name at most once), and the map impls the crate's structs use.
pub fn unnamed_helper(maps: UnnamedMaps) -> TokenStream {
    let json = maps.json.then(|| {
        quote! {
            impl UnnamedProperties for serde_json::Map<String, serde_json::Value> {
                type Value = serde_json::Value;

                fn insert_new(&mut self, key: String, value: serde_json::Value) -> Result<(), String> {
                    match self.entry(key) {
                        serde_json::map::Entry::Vacant(entry) => {
                            entry.insert(value);
                            Ok(())
                        }
                        serde_json::map::Entry::Occupied(entry) => Err(entry.key().clone()),
                    }
                }
            }
        }
    });
    let typed = maps.typed.then(|| {
        quote! {
            impl<V> UnnamedProperties for std::collections::BTreeMap<String, V> {
                type Value = V;

                fn insert_new(&mut self, key: String, value: V) -> Result<(), String> {
                    match self.entry(key) {
                        std::collections::btree_map::Entry::Vacant(entry) => {
                            entry.insert(value);
                            Ok(())
                        }
                        std::collections::btree_map::Entry::Occupied(entry) => Err(entry.key().clone()),
                    }
                }
            }
        }
    });
    quote! {
        /// The map a struct keeps the properties its schema does not name in.
        pub(crate) trait UnnamedProperties {
            type Value;

            /// Inserts `value` under `key` unless the key is there already (then returns it as the error).
            fn insert_new(&mut self, key: String, value: Self::Value) -> Result<(), String>;
        }

        #json
        #typed

        /// Reads the value of a property the schema does not name into `properties`, refusing a name
        /// read before.
        #[inline]
        pub(crate) fn read_unnamed<'de, A, M>(properties: &mut M, key: Key<'de>, map: &mut A) -> Result<(), A::Error>
        where
            A: serde::de::MapAccess<'de>,
            M: UnnamedProperties,
            M::Value: serde::Deserialize<'de>,
        {
            let value = map.next_value()?;
            properties
                .insert_new(key.0.into_owned(), value)
                .map_err(|name| <A::Error as serde::de::Error>::custom(format_args!("duplicate field `{name}`")))
        }
    }
}

/// Whether a struct has a required property (and so uses the `required` helper).
pub fn has_required(s: &Struct) -> bool {
    s.fields.iter().any(|f| matches!(f.presence, Presence::Required | Presence::RequiredNullable))
}
