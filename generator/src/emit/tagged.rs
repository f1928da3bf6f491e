//! Stage 5, emit (tagged reading): reading a tagged object without buffering it: the tag property is found first, then
//! the chosen type reads the object's properties straight from the input. Shared by the dispatch enum (`dispatch.rs`)
//! and tagged unions (`union.rs`).
//!
//! serde's own internally tagged enums read the whole object into an intermediate tree before choosing; here
//! only the properties written before the tag are held (as values), usually none or one.

use proc_macro2::TokenStream;
use quote::quote;

/// `read_tag`, and the `Rest` of an object it gives back, with the key filter `NotTheTag`.
pub fn reader_helper() -> TokenStream {
    quote! {
        /// Reads the properties of an object up to its property `tag`, and returns the tag's value (borrowed
        /// from the input when it can be) and the rest of the object: the properties read before the tag,
        /// then the remaining input. With `keep_tag`, the tag property is in the rest too, where it was.
        pub(crate) fn read_tag<'de, A: serde::de::MapAccess<'de>>(
            mut map: A,
            tag: &'static str,
            keep_tag: bool,
        ) -> Result<(Key<'de>, Rest<'de, A>), A::Error> {
            use serde::de::Error as _;
            // The first property before the tag has a place of its own (Knock's `__typename`): the usual case
            // allocates no vector.
            let mut first: Option<Held<'de>> = None;
            let mut others: Vec<Held<'de>> = Vec::new();
            fn hold<'de>(property: Held<'de>, first: &mut Option<Held<'de>>, others: &mut Vec<Held<'de>>) {
                match first {
                    None => *first = Some(property),
                    Some(_) => others.push(property),
                }
            }
            let (value, tag_property) = loop {
                let Some(key) = map.next_key::<Key<'de>>()? else {
                    return Err(A::Error::missing_field(tag));
                };
                if key.as_str() == tag {
                    let value = map.next_value::<Key<'de>>()?;
                    let kept = keep_tag.then(|| (key, serde_json::Value::String(value.as_str().to_owned())));
                    break (value, kept);
                }
                if first.iter().chain(&others).any(|(seen, _)| seen.as_str() == key.as_str()) {
                    return Err(A::Error::custom(format_args!("duplicate field `{}`", key.as_str())));
                }
                hold((key, map.next_value()?), &mut first, &mut others);
            };
            if let Some(property) = tag_property {
                hold(property, &mut first, &mut others);
            }
            Ok((value, Rest { first, others: others.into_iter(), pending: None, map, tag }))
        }

        /// A property read before the tag, held as a value.
        type Held<'de> = (Key<'de>, serde_json::Value);

        /// The properties of an object after its tag was read: those read before it (as values), then the
        /// rest of the input, read as it comes. A second tag property is refused.
        pub(crate) struct Rest<'de, A> {
            first: Option<Held<'de>>,
            others: std::vec::IntoIter<Held<'de>>,
            /// A property read before the tag whose value is next, with its name for errors.
            pending: Option<Held<'de>>,
            map: A,
            tag: &'static str,
        }

        impl<'de, A: serde::de::MapAccess<'de>> Rest<'de, A> {
            /// The rest of the object as a JSON map (for an unknown tag), each name at most once.
            pub(crate) fn into_object(mut self) -> Result<serde_json::Map<String, serde_json::Value>, A::Error> {
                use serde::de::MapAccess as _;
                let mut object = serde_json::Map::new();
                while let Some(key) = self.next_key::<Key<'de>>()? {
                    Unnamed::read(&mut object, key, &mut self)?;
                }
                Ok(object)
            }
        }

        // Lent, not moved, to the type that reads it: `Rest` is large, and moving it costs a copy each time.
        impl<'de, A: serde::de::MapAccess<'de>> serde::Deserializer<'de> for &mut Rest<'de, A> {
            type Error = A::Error;

            fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
                visitor.visit_map(self)
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
                unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
            }
        }

        impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for Rest<'de, A> {
            type Error = A::Error;

            fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
                if let Some((key, value)) = self.first.take().or_else(|| self.others.next()) {
                    // Borrowed from the input where it can be: the key is copied once, where it is kept.
                    let read = match &key.0 {
                        std::borrow::Cow::Borrowed(name) => {
                            seed.deserialize(serde::de::value::BorrowedStrDeserializer::<A::Error>::new(name))
                        }
                        std::borrow::Cow::Owned(name) => seed.deserialize(serde::de::value::StrDeserializer::<A::Error>::new(name)),
                    }
                    .map(Some);
                    self.pending = Some((key, value));
                    return read;
                }
                self.map.next_key_seed(NotTheTag { seed, tag: self.tag })
            }

            fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
                let Some((key, value)) = self.pending.take() else { return self.map.next_value_seed(seed) };
                // The value is no longer in the input, so the error names where in it reading failed.
                let key = key.as_str();
                if !matches!(value, serde_json::Value::Array(_) | serde_json::Value::Object(_)) {
                    // Nothing inside to name (Knock's `__typename`): no path to track.
                    return seed.deserialize(value).map_err(|err| <A::Error as serde::de::Error>::custom(format_args!("{key}: {err}")));
                }
                let mut track = serde_path_to_error::Track::new();
                seed.deserialize(serde_path_to_error::Deserializer::new(value, &mut track)).map_err(|err| {
                    let path = track.path().to_string();
                    let path = if path == "." { key.to_owned() } else { format!("{key}.{path}") };
                    <A::Error as serde::de::Error>::custom(format_args!("{path}: {err}"))
                })
            }
        }

        /// Hands a key on to `seed`, unless it is the tag property a second time.
        struct NotTheTag<K> {
            seed: K,
            tag: &'static str,
        }

        impl<'de, K: serde::de::DeserializeSeed<'de>> serde::de::DeserializeSeed<'de> for NotTheTag<K> {
            type Value = K::Value;

            fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
                let key = <Key<'de> as serde::Deserialize>::deserialize(deserializer)?;
                if key.as_str() == self.tag {
                    return Err(<D::Error as serde::de::Error>::duplicate_field(self.tag));
                }
                match key.0 {
                    std::borrow::Cow::Borrowed(key) => {
                        self.seed.deserialize(serde::de::value::BorrowedStrDeserializer::<D::Error>::new(key))
                    }
                    std::borrow::Cow::Owned(key) => self.seed.deserialize(serde::de::value::StringDeserializer::<D::Error>::new(key)),
                }
            }
        }
    }
}
