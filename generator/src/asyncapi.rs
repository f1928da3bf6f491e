//! Reads the AsyncAPI structure around the schemas: which messages exist, on which channels, with
//! which names and payloads. Works on 2.x (`publish`/`subscribe` operations on channels) and 3.x
//! (`messages` on channels).

use serde_json::{Map, Value};

use crate::error::Result;
use crate::load::{Document, kind_of};
use crate::resolve::{child, follow, tokens};

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
    /// Pointer of the `payload` field, when the message has one.
    pub payload: Option<String>,
}

impl Message {
    /// The name the message goes by in the source: its key, `messageId`, `name`, in that order.
    pub fn source_name(&self) -> Option<&str> {
        self.key.as_deref().or(self.message_id.as_deref()).or(self.name.as_deref())
    }
}

/// One channel and the messages on it (indexes into [`Messages::messages`]).
#[derive(Clone, Debug)]
pub struct Channel {
    pub name: String,
    pub description: Option<String>,
    pub messages: Vec<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Messages {
    /// Every message reachable from a channel, once, in document order.
    pub messages: Vec<Message>,
    pub channels: Vec<Channel>,
}

/// Finds every message on every channel of the document.
pub fn messages(doc: &Document) -> Result<Messages> {
    let mut found = Messages::default();
    let Some(channels) = doc.root.get("channels") else {
        return Ok(found);
    };
    let Value::Object(channels) = channels else {
        return Err(doc.error("/channels", format!("expected a mapping of channels, found {}", kind_of(channels))));
    };
    for (name, channel) in channels {
        let at = child("/channels", name);
        let (at, channel) = follow(doc, &at, channel)?;
        let Value::Object(channel) = channel else {
            return Err(doc.error(&at, format!("expected a channel object, found {}", kind_of(channel))));
        };
        let mut on_channel = Vec::new();
        let mut add = |found: &mut Messages, pointer: &str, value: &Value| -> Result<()> {
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

impl Messages {
    /// Adds the message at `pointer` unless it is already known; returns its index.
    fn add(&mut self, doc: &Document, pointer: &str, value: &Value) -> Result<usize> {
        let (pointer, value) = follow(doc, pointer, value)?;
        if let Some(index) = self.messages.iter().position(|m| m.pointer == pointer) {
            return Ok(index);
        }
        let Value::Object(message) = value else {
            return Err(doc.error(&pointer, format!("expected a message object, found {}", kind_of(value))));
        };
        let path: Vec<String> = tokens(&pointer).collect();
        let key = match path.as_slice() {
            [.., parent, key] if parent == "messages" => Some(key.clone()),
            _ => None,
        };
        self.messages.push(Message {
            key,
            name: text(message, "name"),
            message_id: text(message, "messageId"),
            title: text(message, "title"),
            summary: text(message, "summary"),
            description: text(message, "description"),
            payload: message.contains_key("payload").then(|| child(&pointer, "payload")),
            pointer,
        });
        Ok(self.messages.len() - 1)
    }
}

fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}
