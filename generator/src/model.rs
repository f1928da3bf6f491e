//! Stage 3: from the document to the [`ir::Model`]: which Rust types exist, what they are called,
//! and how the dispatch enum picks a variant.
//!
//! Dispatch rule (documented in README.md): every message reachable from a channel becomes one variant
//! of `Event`. The variant is chosen by the string value of one payload property, the tag property
//! (`type` unless set with `--tag-property`). A message's tag value is the `const` (or single `enum`
//! value) of that property in its payload schema when there is one, else the message's `name`. The tag
//! property is carried by the variant, so payload structs leave it out.

use std::collections::{BTreeMap, HashMap};

use crate::asyncapi::{self, Message};
use crate::error::{Error, Result};
use crate::ir::{
    AdditionalField, ChannelEnum, Dispatch, Field, Model, Presence, Struct, TypeDef, TypeKind, TypeRef, Variant,
};
use crate::load::Document;
use crate::naming::{Names, field_name, type_name};
use crate::resolve::{lookup, tokens};
use crate::schema::{Additional, Schema, SchemaRef, TypeSet, deref, read_ref, read_schema};

/// Choices that change what is generated.
#[derive(Clone, Debug)]
pub struct ModelOptions {
    /// The payload property whose value selects the message (see the module docs).
    pub tag_property: String,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions { tag_property: "type".to_owned() }
    }
}

/// Names the generated code itself uses; no type from the spec may take them.
const DISPATCH_ENUM: &str = "Event";
const UNKNOWN_VARIANT: &str = "Unknown";
const UNKNOWN_TYPE: &str = "UnknownEvent";
const HANDLER_TRAIT: &str = "EventHandler";
const UNKNOWN_HANDLER_METHOD: &str = "on_unknown";

pub fn build(doc: &Document, options: &ModelOptions) -> Result<Model> {
    let info = doc.root.get("info");
    let info_text = |key: &str| info.and_then(|i| i.get(key)).and_then(|v| v.as_str()).map(str::to_owned);
    let mut builder = Builder { doc, options, names: Names::for_types(), named: HashMap::new(), types: Vec::new() };
    builder.names.reserve(DISPATCH_ENUM);
    builder.names.reserve(UNKNOWN_TYPE);
    builder.names.reserve(HANDLER_TRAIT);

    let found = asyncapi::messages(doc)?;
    let dispatch = if found.messages.is_empty() { None } else { Some(builder.dispatch(&found.messages)?) };

    let mut channels = Vec::new();
    if let Some(dispatch) = &dispatch {
        for channel in &found.channels {
            if channel.messages.is_empty() {
                continue;
            }
            let mut docs = vec![format!("The messages of channel `{}`.", channel.name)];
            if let Some(description) = &channel.description {
                docs.push(String::new());
                docs.extend(description.lines().map(str::to_owned));
            }
            channels.push(ChannelEnum {
                name: builder.names.claim(format!("{}Event", type_name(&channel.name))),
                channel: channel.name.clone(),
                docs,
                variants: channel.messages.clone(),
            });
        }
        debug_assert!(channels.iter().all(|c| c.variants.iter().all(|&v| v < dispatch.variants.len())));
    }

    Ok(Model {
        title: info_text("title").unwrap_or_else(|| "AsyncAPI".to_owned()),
        version: info_text("version").unwrap_or_default(),
        description: info_text("description"),
        types: builder.types,
        dispatch,
        channels,
    })
}

struct Builder<'a> {
    doc: &'a Document,
    options: &'a ModelOptions,
    /// Type names, one namespace for the whole crate.
    names: Names,
    /// Schemas that became named types, by pointer: their name, whether they may be `null`, and whether
    /// the type is still being built (a reference to it then closes a cycle and needs a `Box`).
    named: HashMap<String, NamedSchema>,
    types: Vec<TypeDef>,
}

#[derive(Clone)]
struct NamedSchema {
    name: String,
    nullable: bool,
    in_progress: bool,
}

/// A field's type as the schema gives it, before required-ness is applied.
struct Typed {
    ty: TypeRef,
    nullable: bool,
    /// The type is a named type still being built higher up: the field must be boxed.
    closes_cycle: bool,
}

impl Builder<'_> {
    fn dispatch(&mut self, messages: &[Message]) -> Result<Dispatch> {
        let tag = self.options.tag_property.clone();
        let mut variants = Vec::with_capacity(messages.len());
        let mut by_tag: BTreeMap<String, &str> = BTreeMap::new();
        let mut variant_names = Names::default();
        variant_names.reserve(UNKNOWN_VARIANT);
        let mut method_names = Names::default();
        method_names.reserve(UNKNOWN_HANDLER_METHOD);
        for message in messages {
            let Some(payload_pointer) = &message.payload else {
                return Err(Error::at(
                    &self.doc.path,
                    &message.pointer,
                    "the message has no `payload` to generate a type from",
                ));
            };
            let payload_value = lookup(self.doc, payload_pointer)
                .ok_or_else(|| Error::at(&self.doc.path, payload_pointer, "the payload is missing"))?;
            let payload = read_ref(self.doc, payload_pointer, payload_value)?;
            let payload_schema = deref(self.doc, &payload)?;
            let tag_value = self.tag_value(message, &payload_schema, &tag)?;
            if let Some(other) = by_tag.insert(tag_value.clone(), &message.pointer) {
                return Err(Error::at(
                    &self.doc.path,
                    &message.pointer,
                    format!(
                        "two messages dispatch on the same `{tag}` value `{tag_value}`: #{other} and #{}",
                        message.pointer
                    ),
                ));
            }
            let source_name = message.source_name().unwrap_or(&tag_value);
            let variant_name = variant_names.claim(type_name(source_name));
            let payload_name = self.payload_type(&payload, &payload_schema, &variant_name)?;
            let mut docs = Vec::new();
            for text in [&message.title, &message.summary, &message.description].into_iter().flatten() {
                if !docs.is_empty() {
                    docs.push(String::new());
                }
                docs.extend(text.lines().map(str::to_owned));
            }
            if docs.is_empty() {
                docs.push(format!("The `{tag_value}` message."));
            }
            let handler_method = method_names.claim(format!("on_{}", field_name(&variant_name)));
            variants.push(Variant { name: variant_name, tag_value, docs, payload: payload_name, handler_method });
        }
        Ok(Dispatch {
            name: DISPATCH_ENUM.to_owned(),
            tag_property: tag,
            variants,
            unknown_variant: UNKNOWN_VARIANT.to_owned(),
            unknown_type: UNKNOWN_TYPE.to_owned(),
            handler_trait: HANDLER_TRAIT.to_owned(),
            unknown_handler_method: UNKNOWN_HANDLER_METHOD.to_owned(),
        })
    }

    /// The value of the tag property that identifies `message` (see the module docs).
    fn tag_value(&self, message: &Message, payload: &Schema, tag: &str) -> Result<String> {
        if let Some(property) = payload.properties.get(tag) {
            let property = deref(self.doc, property)?;
            let fixed = property.constant.clone().or_else(|| match property.enum_values.as_deref() {
                Some([only]) => Some(only.clone()),
                _ => None,
            });
            if let Some(value) = fixed {
                return value.as_str().map(str::to_owned).ok_or_else(|| {
                    Error::at(
                        &self.doc.path,
                        &property.origin,
                        format!("the `{tag}` tag must be a string, found {value}"),
                    )
                });
            }
        }
        message.name.clone().ok_or_else(|| {
            Error::at(
                &self.doc.path,
                &message.pointer,
                format!("the message has no `name` and its payload no `const` `{tag}` property to dispatch on"),
            )
        })
    }

    /// The struct a message's payload is read into: the payload's own named type when it is a
    /// reference, else a type named after the variant.
    fn payload_type(&mut self, payload: &SchemaRef, schema: &Schema, variant: &str) -> Result<String> {
        let objects = schema.types.is_none_or(|t| t.contains(TypeSet::OBJECT));
        if !objects {
            return Err(Error::at(
                &self.doc.path,
                &schema.origin,
                "a dispatched message's payload must be an object (it carries the tag property)",
            ));
        }
        let hint = match payload {
            SchemaRef::Ref(pointer) => self.name_for_pointer(pointer),
            SchemaRef::Inline(_) => format!("{variant}Payload"),
        };
        if let SchemaRef::Ref(pointer) = payload
            && let Some(named) = self.named.get(pointer)
        {
            return Ok(named.name.clone());
        }
        let name = self.names.claim(hint);
        if let SchemaRef::Ref(pointer) = payload {
            self.named.insert(pointer.clone(), NamedSchema { name: name.clone(), nullable: false, in_progress: true });
        }
        let source = match payload {
            SchemaRef::Ref(pointer) => format!("Generated from `#{pointer}`."),
            SchemaRef::Inline(_) => {
                format!("The payload of the [`{variant}`](crate::{DISPATCH_ENUM}::{variant}) message.")
            }
        };
        let tag = self.options.tag_property.clone();
        self.define_struct(&name, schema, Some(&tag), source)?;
        if let SchemaRef::Ref(pointer) = payload {
            self.named.entry(pointer.clone()).and_modify(|n| n.in_progress = false);
        }
        Ok(name)
    }

    /// A type name for the schema at `pointer`: the path below `schemas` (or the whole path).
    fn name_for_pointer(&self, pointer: &str) -> String {
        let path: Vec<String> = tokens(pointer).collect();
        let start = path.iter().rposition(|t| t == "schemas" || t == "messages").map_or(0, |i| i + 1);
        type_name(&path[start..].join(" "))
    }

    /// The type for `schema`; `hint` names it if it needs a new inline type, `source` says where that
    /// type comes from in its docs.
    fn type_of(&mut self, schema: &SchemaRef, hint: &str, source: &str) -> Result<Typed> {
        match schema {
            SchemaRef::Inline(inline) => self.type_of_schema(inline, hint, source),
            SchemaRef::Ref(pointer) => {
                if let Some(named) = self.named.get(pointer) {
                    return Ok(Typed {
                        ty: TypeRef::Named(named.name.clone()),
                        nullable: named.nullable,
                        closes_cycle: named.in_progress,
                    });
                }
                let value = lookup(self.doc, pointer)
                    .ok_or_else(|| Error::at(&self.doc.path, pointer, "reference target disappeared"))?;
                let resolved = read_schema(self.doc, pointer, value)?;
                let hint = self.name_for_pointer(pointer);
                if needs_struct(&resolved) {
                    let name = self.names.claim(hint);
                    let nullable = resolved.is_nullable();
                    self.named.insert(pointer.clone(), NamedSchema { name: name.clone(), nullable, in_progress: true });
                    self.define_struct(&name, &resolved, None, format!("Generated from `#{pointer}`."))?;
                    self.named.entry(pointer.clone()).and_modify(|n| n.in_progress = false);
                    Ok(Typed { ty: TypeRef::Named(name), nullable, closes_cycle: false })
                } else {
                    self.type_of_schema(&resolved, &hint, source)
                }
            }
        }
    }

    fn type_of_schema(&mut self, schema: &Schema, hint: &str, source: &str) -> Result<Typed> {
        let nullable = schema.is_nullable();
        let plain = |ty| Ok(Typed { ty, nullable, closes_cycle: false });
        if needs_struct(schema) {
            let name = self.names.claim(hint.to_owned());
            self.define_struct(&name, schema, None, source.to_owned())?;
            return plain(TypeRef::Named(name));
        }
        let Some(types) = schema.types.map(TypeSet::without_null) else {
            return plain(TypeRef::Json);
        };
        let ty = if types == TypeSet::OBJECT {
            match &schema.additional_properties {
                Additional::Typed(values) => {
                    let values = self.type_of(values, &format!("{hint}Value"), source)?;
                    TypeRef::Map(Box::new(values.ty))
                }
                Additional::Any | Additional::Forbidden => TypeRef::JsonObject,
            }
        } else if types == TypeSet::ARRAY {
            let items = match &schema.items {
                Some(items) => self.type_of(items, &format!("{hint}Item"), source)?.ty,
                None => TypeRef::Json,
            };
            TypeRef::Vec(Box::new(items))
        } else if types == TypeSet::STRING {
            match schema.format.as_deref() {
                Some("date-time") => TypeRef::DateTime,
                _ => TypeRef::String,
            }
        } else if types == TypeSet::INTEGER {
            match schema.format.as_deref() {
                Some("int32") => TypeRef::I32,
                _ => TypeRef::I64,
            }
        } else if types == TypeSet::NUMBER {
            match schema.format.as_deref() {
                Some("float") => TypeRef::F32,
                _ => TypeRef::F64,
            }
        } else if types == TypeSet::BOOLEAN {
            TypeRef::Bool
        } else {
            // Several types (or only `null`): any JSON value.
            TypeRef::Json
        };
        plain(ty)
    }

    /// Defines the struct `name` from an object schema, leaving out the property `skip` (the tag).
    fn define_struct(&mut self, name: &str, schema: &Schema, skip: Option<&str>, source: String) -> Result<()> {
        // Reserve the slot first so that a struct comes before the types of its fields.
        let slot = self.types.len();
        self.types.push(TypeDef {
            name: name.to_owned(),
            docs: Vec::new(),
            kind: TypeKind::Struct(Struct { fields: Vec::new(), additional: None }),
        });
        let mut field_names = Names::default();
        let mut fields = Vec::with_capacity(schema.properties.len());
        for (wire_name, property) in &schema.properties {
            if Some(wire_name.as_str()) == skip {
                continue;
            }
            let typed = self.type_of(
                property,
                &format!("{name}{}", type_name(wire_name)),
                &format!("The `{wire_name}` property of [`{name}`]."),
            )?;
            let docs = match property {
                SchemaRef::Inline(inline) => docs_of(inline),
                SchemaRef::Ref(_) => Vec::new(),
            };
            fields.push(Field {
                wire_name: wire_name.clone(),
                rust_name: field_names.claim(field_name(wire_name)),
                docs,
                presence: Presence::new(schema.required.contains(wire_name), typed.nullable),
                boxed: typed.closes_cycle,
                ty: typed.ty,
            });
        }
        let additional = match &schema.additional_properties {
            Additional::Forbidden => None,
            Additional::Any => Some(TypeRef::Json),
            Additional::Typed(values) => {
                Some(self.type_of(values, &format!("{name}Value"), &format!("A value of [`{name}`]'s map."))?.ty)
            }
        };
        let additional = additional
            .map(|value| AdditionalField { rust_name: field_names.claim("additional_properties".to_owned()), value });
        let mut docs = docs_of(schema);
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push(source);
        if let Some(tag) = skip {
            docs.push(String::new());
            docs.push(format!(
                "The `{tag}` property is not a field: the enum variant that holds this payload carries it."
            ));
        }
        self.types[slot] =
            TypeDef { name: name.to_owned(), docs, kind: TypeKind::Struct(Struct { fields, additional }) };
        Ok(())
    }
}

/// An object schema that names properties becomes a struct; other objects are maps.
fn needs_struct(schema: &Schema) -> bool {
    let object_only = schema.types.is_none_or(|t| t.without_null() == TypeSet::OBJECT);
    object_only && !schema.properties.is_empty()
}

/// Rustdoc lines for a schema: its title, then its description.
fn docs_of(schema: &Schema) -> Vec<String> {
    let mut docs = Vec::new();
    for text in [&schema.title, &schema.description].into_iter().flatten() {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.extend(text.trim_end().lines().map(str::to_owned));
    }
    if schema.deprecated {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push("Deprecated in the spec.".to_owned());
    }
    docs
}
