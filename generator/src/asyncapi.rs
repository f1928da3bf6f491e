//! Stage 2, the AsyncAPI view: document → [`Api`]. Reads the AsyncAPI structure around the schemas, once:
//! the document's `info`, which messages exist, on which channels, with which names, and the pointers of
//! their payload and headers schemas (which stage 3 reads). Works on 2.x (`publish`/`subscribe` operations
//! on channels) and 3.x (`messages` on channels; operations and replies name channel messages).

use crate::json::{Map, Value};

use crate::document::Document;
use crate::error::Result;
use crate::pointer::{child, tokens};
use crate::resolve::follow;

/// One message of the document.
#[derive(Clone, Debug)]
pub struct Message {
    /// Pointer of the message object (after following `$ref`); identifies the message.
    pub pointer: String,
    /// The key under `components/messages` (or the channel's `messages` map in 3.x), if it has one.
    pub key: Option<String>,
    pub name: Option<String>,
    pub message_id: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Pointer of the payload schema, when the message has one (inside a 3.x Multi Format Schema Object, the
    /// pointer of its `schema`).
    pub payload: Option<String>,
    /// The payload's `schemaFormat`, when one is given.
    pub payload_format: Option<String>,
    /// Pointer of the `headers` schema (the message's own, or from a trait).
    pub headers: Option<String>,
    /// The message's `examples`.
    pub examples: Vec<MessageExample>,
}

/// One entry of a message's `examples`.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageExample {
    pub name: Option<String>,
    pub headers: Option<Value>,
    pub payload: Option<Value>,
}

impl Message {
    /// Whether the payload is an Avro schema.
    pub fn is_avro(&self) -> bool {
        self.payload_format.as_deref().is_some_and(|f| f.starts_with(AVRO_FORMAT))
    }
}

impl Message {
    /// The name the message goes by in the source: its key, `messageId`, `name`, in that order.
    pub fn source_name(&self) -> Option<&str> {
        self.key.as_deref().or(self.message_id.as_deref()).or(self.name.as_deref())
    }
}

/// One channel and the messages on it (indexes into [`Api::messages`]).
#[derive(Clone, Debug)]
pub struct Channel {
    pub name: String,
    pub description: Option<String>,
    pub messages: Vec<usize>,
}

/// The document as AsyncAPI: its `info`, messages and channels.
#[derive(Clone, Debug, Default)]
pub struct Api {
    /// `info.title`, `info.version` and `info.description`.
    pub title: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    /// Every message reachable from a channel, once, in document order.
    pub messages: Vec<Message>,
    pub channels: Vec<Channel>,
    /// Index into `messages` by message pointer.
    by_pointer: std::collections::HashMap<String, usize>,
}

/// Reads the document's `info`, and every message on every channel of it.
pub fn read(doc: &Document) -> Result<Api> {
    let info = doc.root.get("info");
    let info_text = |key: &str| info.and_then(|i| i.get(key)).and_then(Value::as_str).map(str::to_owned);
    let mut found = Api {
        title: info_text("title"),
        version: info_text("version"),
        description: info_text("description"),
        ..Api::default()
    };
    let Some(channels) = doc.root.get("channels") else {
        return Ok(found);
    };
    let Value::Object(channels) = channels else {
        return Err(doc.error("/channels", format!("expected a mapping of channels, found {}", channels.kind())));
    };
    for (name, channel) in channels {
        let at = child("/channels", name);
        let (at, channel) = follow(doc, &at, channel)?;
        let Value::Object(channel) = channel else {
            return Err(doc.error(&at, format!("expected a channel object, found {}", channel.kind())));
        };
        let mut on_channel = Vec::new();
        let mut add = |found: &mut Api, pointer: &str, value: &Value| -> Result<()> {
            let index = found.add(doc, pointer, value)?;
            if !on_channel.contains(&index) {
                on_channel.push(index);
            }
            Ok(())
        };
        if doc.major_version >= 3 {
            if let Some(Value::Object(messages)) = channel.get("messages") {
                let at = child(&at, "messages");
                for (key, message) in messages {
                    add(&mut found, &child(&at, key), message)?;
                }
            }
        } else {
            for operation in ["subscribe", "publish"] {
                let Some(Value::Object(op)) = channel.get(operation) else {
                    continue;
                };
                let Some(message) = op.get("message") else {
                    continue;
                };
                let at = child(&child(&at, operation), "message");
                match message.get("oneOf") {
                    Some(Value::Array(alternatives)) => {
                        let at = child(&at, "oneOf");
                        for (i, message) in alternatives.iter().enumerate() {
                            add(&mut found, &child(&at, &i.to_string()), message)?;
                        }
                    }
                    _ => add(&mut found, &at, message)?,
                }
            }
        }
        found.channels.push(Channel {
            name: name.clone(),
            description: text(channel, "description"),
            messages: on_channel,
        });
    }
    Ok(found)
}

impl Api {
    /// Adds the message at `pointer` unless it is already known; returns its index.
    fn add(&mut self, doc: &Document, pointer: &str, value: &Value) -> Result<usize> {
        let (pointer, value) = follow(doc, pointer, value)?;
        if let Some(&index) = self.by_pointer.get(&pointer) {
            return Ok(index);
        }
        let Value::Object(message) = value else {
            return Err(doc.error(&pointer, format!("expected a message object, found {}", value.kind())));
        };
        let path: Vec<String> = tokens(&pointer).collect();
        let key = match path.as_slice() {
            [.., parent, key] if parent == "messages" => Some(key.clone()),
            _ => None,
        };
        let fields = MessageFields::read(doc, &pointer, message)?;
        let text = |key: &str| fields.get(key).and_then(|(_, v)| v.as_str()).map(str::to_owned);
        let (payload, payload_format) = match fields.get("payload") {
            Some((field_at, value)) => {
                let (at, value) = follow(doc, field_at, value)?;
                // 3.x: a Multi Format Schema Object, `{schemaFormat, schema}`.
                match (value.get("schemaFormat").and_then(Value::as_str), value.get("schema")) {
                    (Some(format), Some(_)) => (Some(child(&at, "schema")), Some(format.to_owned())),
                    // The field itself, so that a `$ref` there still names the payload's type.
                    _ => (Some(field_at.clone()), text("schemaFormat")),
                }
            }
            None => (None, text("schemaFormat")),
        };
        let name = text("name");
        if let Some(format) = &payload_format {
            check_schema_format(doc, &pointer, name.as_deref().or(key.as_deref()), format)?;
        }
        self.messages.push(Message {
            key,
            name,
            message_id: text("messageId"),
            title: text("title"),
            summary: text("summary"),
            description: text("description"),
            payload,
            payload_format,
            headers: fields.get("headers").map(|(at, _)| at.clone()),
            examples: fields.get("examples").map(|(_, examples)| read_examples(examples)).unwrap_or_default(),
            pointer,
        });
        let index = self.messages.len() - 1;
        self.by_pointer.insert(self.messages[index].pointer.clone(), index);
        Ok(index)
    }
}

/// The fields of a message with its traits applied: each field is the message's own, else the one of the
/// last trait that sets it (traits are merged in order, and the message itself wins), with the pointer
/// where it was written.
struct MessageFields<'a> {
    fields: Vec<(&'a str, String, &'a Value)>,
}

impl<'a> MessageFields<'a> {
    fn read(doc: &'a Document, pointer: &str, message: &'a Map) -> Result<MessageFields<'a>> {
        let mut fields: Vec<(&'a str, String, &'a Value)> = Vec::new();
        if let Some(Value::Array(traits)) = message.get("traits") {
            let at = child(pointer, "traits");
            for (i, message_trait) in traits.iter().enumerate() {
                let (trait_at, message_trait) = follow(doc, &child(&at, &i.to_string()), message_trait)?;
                let Value::Object(message_trait) = message_trait else {
                    return Err(doc.error(&trait_at, "expected a message trait object"));
                };
                for (key, value) in message_trait {
                    fields.retain(|(k, _, _)| k != key);
                    fields.push((key.as_str(), child(&trait_at, key), value));
                }
            }
        }
        for (key, value) in message {
            fields.retain(|(k, _, _)| k != key);
            fields.push((key.as_str(), child(pointer, key), value));
        }
        Ok(MessageFields { fields })
    }

    fn get(&self, key: &str) -> Option<(&String, &'a Value)> {
        self.fields.iter().find(|(k, _, _)| *k == key).map(|(_, at, value)| (at, *value))
    }
}

fn read_examples(examples: &Value) -> Vec<MessageExample> {
    let Value::Array(examples) = examples else { return Vec::new() };
    examples
        .iter()
        .filter_map(|example| {
            let example = example.as_object()?;
            Some(MessageExample {
                name: example.get("name").and_then(Value::as_str).map(str::to_owned),
                headers: example.get("headers").cloned(),
                payload: example.get("payload").cloned(),
            })
        })
        .collect()
}

/// Payload schema formats read as JSON Schema: AsyncAPI's own, JSON Schema, and OpenAPI 3.x.
const JSON_SCHEMA_FORMATS: &[&str] = &[
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.oai.openapi",
];

/// Avro payloads, converted to the equivalent JSON Schema (see `avro.rs`).
pub const AVRO_FORMAT: &str = "application/vnd.apache.avro";

fn check_schema_format(doc: &Document, pointer: &str, message: Option<&str>, format: &str) -> Result<()> {
    if JSON_SCHEMA_FORMATS.iter().chain([&AVRO_FORMAT]).any(|known| format.starts_with(known)) {
        return Ok(());
    }
    Err(doc.error(
        pointer,
        format!(
            "unsupported schemaFormat `{format}` for message `{}`: payloads can be JSON Schema, AsyncAPI, OpenAPI 3 or Avro schemas",
            message.unwrap_or("?")
        ),
    ))
}

fn text(object: &Map, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}
