//! Stage 4, model (dispatch): how a payload finds its message. Decides the tag property and each message's
//! value of it, the variants of `Event` with their names and handler methods, and the enum of each channel.
//! The payload and headers types come from `types.rs`.
//!
//! Dispatch rule (documented in README.md): every message reachable from a channel becomes one variant
//! of `Event`. How a payload finds its variant:
//! - With `--tag-property P`: by the string value of P, which every payload must declare. A message's
//!   value is the `const` (or one-value `enum`) of P in its payload schema, else the message's `name`.
//! - Otherwise, with one message: every payload is that message.
//! - Otherwise the tag is detected: (1) the first property (in the first payload's order) that every
//!   payload declares and fixes to a different `const`/one-value `enum`; else (2) a `type` property that
//!   every payload declares, with each message's `name` as its value (Knock's convention) when the names
//!   differ. Tagged payload structs leave the tag property out: the variant carries it.
//! - When nothing identifies the message in its payload, `Event` is dispatched by name: the caller says
//!   which message a payload is (`Event::parse(name, json)`), as the channel or transport does.

use std::collections::BTreeMap;

use crate::asyncapi::{Api, Channel, Message};
use crate::error::Result;
use crate::ir::{ChannelEnum, Dispatch, DispatchKind, MessageExample, TypeRef, Variant};
use crate::naming::{
    DISPATCH_ENUM, HANDLER_TRAIT, INVALID_HANDLER_METHOD, INVALID_OUTCOME, Names, UNKNOWN_HANDLER_METHOD, UNKNOWN_TYPE,
    UNKNOWN_VARIANT, field_name, type_name,
};
use crate::pointer::display_pointer;
use crate::schema::{Schema, Schemas};

use super::types::{Types, all_distinct, fixed_value};

/// The tag chosen for a tagged dispatch: the property, and each message's value of it.
struct Tag {
    property: String,
    values: Vec<String>,
}

/// The dispatch enum over the messages of `api`, their payload and headers types defined in `types`;
/// `tag_property` is the one the user named, if any.
pub(super) fn dispatch(
    api: &Api,
    schemas: &Schemas,
    tag_property: Option<&str>,
    types: &mut Types,
) -> Result<Dispatch> {
    let messages = &api.messages;
    let tag = match tag_property {
        Some(property) => Some(explicit_tag(api, schemas, property)?),
        None if messages.len() == 1 => None,
        None => detect_tag(api, schemas)?,
    };
    let kind = match (&tag, messages.len()) {
        (Some(tag), _) => DispatchKind::Tagged { property: tag.property.clone() },
        (None, 1) => DispatchKind::Single,
        (None, _) => DispatchKind::ByName,
    };

    let mut variants = Vec::with_capacity(messages.len());
    let mut variant_names = Names::default();
    variant_names.reserve(UNKNOWN_VARIANT);
    let mut method_names = Names::default();
    method_names.reserve(UNKNOWN_HANDLER_METHOD);
    method_names.reserve(INVALID_HANDLER_METHOD);
    // Untagged, a message is known by its `name`, which the caller passes to `Event::parse`: two messages
    // with one name could not be told apart, so that is an error naming both.
    if tag.is_none() {
        let mut named: BTreeMap<&str, &str> = BTreeMap::new();
        for message in messages {
            if let Some(name) = &message.name
                && let Some(other) = named.insert(name, &message.pointer)
            {
                return Err(schemas.error(
                    &message.pointer,
                    format!(
                        "two messages have the same `name` `{name}` and nothing in their payloads tells them \
                         apart: #{other} and #{}; give them different names (or each payload a `const` tag)",
                        message.pointer
                    ),
                ));
            }
        }
    }
    let mut by_name: BTreeMap<String, &str> = BTreeMap::new();
    for (i, message) in messages.iter().enumerate() {
        let wire_name = match &tag {
            Some(tag) => tag.values[i].clone(),
            // Untagged: the message's `name`, else its key or id, else (a message written in place, without
            // either, whose place another such message shares) its pointer in the spec.
            None => message
                .name
                .clone()
                .or_else(|| message.source_name().map(str::to_owned))
                .filter(|name| !by_name.contains_key(name))
                .unwrap_or_else(|| display_pointer(&message.pointer)),
        };
        if let Some(other) = by_name.insert(wire_name.clone(), &message.pointer) {
            let property = tag.as_ref().map_or("", |t| t.property.as_str());
            return Err(schemas.error(
                &message.pointer,
                format!(
                    "two messages have the same `{property}` value `{wire_name}`: #{other} and #{}",
                    message.pointer
                ),
            ));
        }
        let source_name = message
            .source_name()
            .map_or_else(|| wire_name.clone(), |name| crate::naming::without_namespace(name).to_owned());
        let variant_name = variant_names.claim(type_name(&source_name));
        let payload = match (&schemas.payloads[i], &tag) {
            (Some(payload), Some(tag)) => {
                let schema = schemas.deref(payload)?;
                TypeRef::Named(types.payload_struct(payload, schema, &variant_name, (&tag.property, &wire_name))?)
            }
            (Some(payload), None) => {
                let source =
                    format!("The payload of the [`{variant_name}`](crate::{DISPATCH_ENUM}::{variant_name}) message.");
                let typed = types.type_of(payload, &format!("{variant_name}Payload"), &source)?;
                if typed.nullable { TypeRef::Json } else { typed.ty }
            }
            (None, _) => TypeRef::Json,
        };
        let mut docs = Vec::new();
        for text in [&message.title, &message.summary, &message.description].into_iter().flatten() {
            if !docs.is_empty() {
                docs.push(String::new());
            }
            docs.extend(text.trim_end().lines().map(str::to_owned));
        }
        if docs.is_empty() {
            docs.push(format!("The `{wire_name}` message."));
        }
        let headers = match &schemas.headers[i] {
            Some(headers) => {
                let source =
                    format!("The headers of the [`{variant_name}`](crate::{DISPATCH_ENUM}::{variant_name}) message.");
                let typed = types.type_of(headers, &format!("{variant_name}Headers"), &source)?;
                let ty = if typed.nullable { TypeRef::Json } else { typed.ty };
                if let TypeRef::Named(name) = &ty {
                    docs.push(String::new());
                    docs.push(format!("Its headers are a [`{name}`]."));
                }
                Some(ty)
            }
            None => None,
        };
        let handler_method = method_names.claim(format!("on_{}", field_name(&variant_name)));
        variants.push(Variant {
            name: variant_name,
            tag_value: wire_name,
            docs,
            payload,
            payload_schema: message.payload.clone(),
            handler_method,
            headers,
            examples: message
                .examples
                .iter()
                .map(|example| MessageExample {
                    name: example.name.clone(),
                    headers: example.headers.as_ref().map(ToString::to_string),
                    payload: example.payload.as_ref().map(ToString::to_string),
                })
                .collect(),
        });
    }
    Ok(Dispatch {
        name: DISPATCH_ENUM.to_owned(),
        kind,
        variants,
        unknown_variant: UNKNOWN_VARIANT.to_owned(),
        unknown_type: UNKNOWN_TYPE.to_owned(),
        handler_trait: HANDLER_TRAIT.to_owned(),
        unknown_handler_method: UNKNOWN_HANDLER_METHOD.to_owned(),
        invalid_outcome: INVALID_OUTCOME.to_owned(),
    })
}

/// One enum per channel that has messages, over the variants of those messages (named in `names`, the
/// crate's type namespace).
pub(super) fn channel_enums(channels: &[Channel], names: &mut Names) -> Vec<ChannelEnum> {
    let mut enums = Vec::new();
    for channel in channels {
        if channel.messages.is_empty() {
            continue;
        }
        let mut docs = vec![format!("The messages of channel `{}`.", channel.name)];
        if let Some(description) = &channel.description {
            docs.push(String::new());
            docs.extend(description.lines().map(str::to_owned));
        }
        enums.push(ChannelEnum {
            name: names.claim(format!("{}Event", type_name(&channel.name))),
            channel: channel.name.clone(),
            docs,
            variants: channel.messages.clone(),
        });
    }
    enums
}

/// A message's payload schema, if it has one.
fn payload(schemas: &Schemas, index: usize) -> Result<Option<&Schema>> {
    schemas.payloads[index].as_ref().map(|payload| schemas.deref(payload)).transpose()
}

/// The tag when `--tag-property` names it: every payload must have the property.
fn explicit_tag(api: &Api, schemas: &Schemas, property: &str) -> Result<Tag> {
    let mut values = Vec::with_capacity(api.messages.len());
    for (i, message) in api.messages.iter().enumerate() {
        let Some(property_schema) = payload(schemas, i)?.and_then(|p| p.properties.get(property)) else {
            return Err(schemas.error(
                &message.pointer,
                format!("the tag property `{property}` is not a property of this message's payload"),
            ));
        };
        let value = match fixed_value(schemas, property_schema)? {
            Some(value) => value,
            None => message.name.clone().ok_or_else(|| {
                schemas.error(
                    &message.pointer,
                    format!("the message has no `name` and its payload no `const` `{property}` to dispatch on"),
                )
            })?,
        };
        values.push(value);
    }
    Ok(Tag { property: property.to_owned(), values })
}

/// Finds the tag property by the rule in the module docs; `None` when the payloads have none.
fn detect_tag(api: &Api, schemas: &Schemas) -> Result<Option<Tag>> {
    let messages: &[Message] = &api.messages;
    let mut payloads = Vec::with_capacity(messages.len());
    for i in 0..messages.len() {
        let Some(schema) = payload(schemas, i)? else { return Ok(None) };
        payloads.push(schema);
    }
    let Some(first) = payloads.first() else { return Ok(None) };
    let common: Vec<&String> =
        first.properties.keys().filter(|name| payloads.iter().all(|p| p.properties.contains_key(*name))).collect();
    // 1. A property whose value each payload schema fixes (`const` or a one-value `enum`), all different.
    for property in &common {
        let mut values = Vec::with_capacity(payloads.len());
        for schema in &payloads {
            match fixed_value(schemas, &schema.properties[*property])? {
                Some(value) => values.push(value),
                None => break,
            }
        }
        if values.len() == payloads.len() && all_distinct(&values) {
            return Ok(Some(Tag { property: (*property).clone(), values }));
        }
    }
    // 2. A `type` property, with each message's `name` as its value (Knock's convention).
    if common.iter().any(|p| *p == "type") {
        let names: Option<Vec<String>> = messages.iter().map(|m| m.name.clone()).collect();
        if let Some(names) = names.filter(|n| all_distinct(n)) {
            return Ok(Some(Tag { property: "type".to_owned(), values: names }));
        }
    }
    Ok(None)
}
