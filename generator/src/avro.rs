//! Stage 3, schemas (Avro): Avro payload schemas (`schemaFormat: application/vnd.apache.avro...`), converted to the
//! equivalent JSON Schema so that the rest of the pipeline reads them like any other payload.
//!
//! | Avro | JSON Schema |
//! |---|---|
//! | `null`, `boolean`, `string` | the same type |
//! | `int` / `long` | `integer` (`format: int32` / `int64`) |
//! | `float` / `double` | `number` (`format: float` / `double`) |
//! | `bytes`, `fixed` | `string` |
//! | `record` | `object` titled with the record's name; every field required (Avro always writes them all) |
//! | `enum` | `string` with `enum: symbols` |
//! | `array`, `map` | `array` with `items`, `object` with `additionalProperties` |
//! | union `["null", T]` | T, nullable; other unions are `oneOf` |
//! | logical types | their underlying type (`uuid` adds `format: uuid`) |
//!
//! The generated types describe the data; with Avro's binary encoding, read them through an Avro library
//! that supports serde (such as `apache-avro`).

use std::collections::HashMap;

use crate::json::{self, Map, Value};

/// Converts the Avro schema `avro` to JSON Schema, or says what is not understood.
pub fn to_json_schema(avro: &Value) -> Result<Value, String> {
    Converter { named: HashMap::new(), depth: 0 }.convert(avro, None)
}

struct Converter {
    /// Named types (records, enums, fixed) defined so far, by full and short name, for later references.
    named: HashMap<String, Value>,
    depth: usize,
}

/// How deep Avro schemas may nest before the conversion gives up (hostile input).
const MAX_DEPTH: usize = 128;

impl Converter {
    fn convert(&mut self, avro: &Value, namespace: Option<&str>) -> Result<Value, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("Avro schema nested more than {MAX_DEPTH} levels deep"));
        }
        let result = match avro {
            Value::String(name) => self.primitive_or_named(name, namespace),
            Value::Array(branches) => self.union(branches, namespace),
            Value::Object(object) => self.complex(object, namespace),
            other => Err(format!("`{other}` is not an Avro schema")),
        };
        self.depth -= 1;
        result
    }

    fn primitive_or_named(&self, name: &str, namespace: Option<&str>) -> Result<Value, String> {
        Ok(match name {
            "null" => json::object([("type", "null".into())]),
            "boolean" => json::object([("type", "boolean".into())]),
            "int" => json::object([("type", "integer".into()), ("format", "int32".into())]),
            "long" => json::object([("type", "integer".into()), ("format", "int64".into())]),
            "float" => json::object([("type", "number".into()), ("format", "float".into())]),
            "double" => json::object([("type", "number".into()), ("format", "double".into())]),
            "bytes" | "string" => json::object([("type", "string".into())]),
            _ => {
                let full = match namespace {
                    Some(ns) if !name.contains('.') => format!("{ns}.{name}"),
                    _ => name.to_owned(),
                };
                return self
                    .named
                    .get(&full)
                    .or_else(|| self.named.get(name))
                    .cloned()
                    .ok_or_else(|| format!("unknown Avro type `{name}`"));
            }
        })
    }

    fn union(&mut self, branches: &[Value], namespace: Option<&str>) -> Result<Value, String> {
        let nullable = branches.iter().any(|b| b == "null");
        let others: Vec<&Value> = branches.iter().filter(|b| *b != "null").collect();
        match others.as_slice() {
            [] => Ok(json::object([("type", "null".into())])),
            [only] if nullable => {
                let converted = self.convert(only, namespace)?;
                Ok(json::object([("oneOf", vec![converted, json::object([("type", "null".into())])].into())]))
            }
            [only] => self.convert(only, namespace),
            _ => {
                let mut alternatives = Vec::with_capacity(branches.len());
                for branch in others {
                    alternatives.push(self.convert(branch, namespace)?);
                }
                if nullable {
                    alternatives.push(json::object([("type", "null".into())]));
                }
                Ok(json::object([("oneOf", alternatives.into())]))
            }
        }
    }

    fn complex(&mut self, object: &Map, namespace: Option<&str>) -> Result<Value, String> {
        let kind = object.get("type").ok_or("an Avro schema object needs a `type`")?;
        let mut converted = match kind.as_str() {
            Some("record" | "error") => self.record(object, namespace)?,
            Some("enum") => {
                let symbols = object.get("symbols").and_then(Value::as_array).ok_or("an Avro enum needs `symbols`")?;
                json::object([("type", "string".into()), ("enum", symbols.clone().into())])
            }
            Some("array") => {
                let items = self.convert(object.get("items").ok_or("an Avro array needs `items`")?, namespace)?;
                json::object([("type", "array".into()), ("items", items)])
            }
            Some("map") => {
                let values = self.convert(object.get("values").ok_or("an Avro map needs `values`")?, namespace)?;
                json::object([("type", "object".into()), ("additionalProperties", values)])
            }
            Some("fixed") => json::object([("type", "string".into())]),
            // A primitive written as an object, possibly with a logical type.
            Some(_) | None => self.convert(kind, namespace)?,
        };
        if object.get("logicalType").and_then(Value::as_str) == Some("uuid") {
            set(&mut converted, "format", "uuid".into());
        }
        if let Some(doc) = object.get("doc") {
            set(&mut converted, "description", doc.clone());
        }
        if let (Some(name), Some("enum" | "fixed" | "record" | "error")) =
            (object.get("name").and_then(Value::as_str), kind.as_str())
        {
            let full = match object.get("namespace").and_then(Value::as_str).or(namespace) {
                Some(ns) if !name.contains('.') => format!("{ns}.{name}"),
                _ => name.to_owned(),
            };
            set(&mut converted, "title", name.rsplit('.').next().unwrap_or(name).into());
            self.named.insert(full, converted.clone());
            self.named.insert(name.to_owned(), converted.clone());
        }
        Ok(converted)
    }

    fn record(&mut self, object: &Map, namespace: Option<&str>) -> Result<Value, String> {
        let namespace = object.get("namespace").and_then(Value::as_str).or(namespace).map(str::to_owned);
        let fields = object.get("fields").and_then(Value::as_array).ok_or("an Avro record needs `fields`")?;
        let mut properties = Map::new();
        let mut required = Vec::new();
        for field in fields {
            let name = field.get("name").and_then(Value::as_str).ok_or("an Avro field needs a `name`")?;
            let avro_type = field.get("type").ok_or_else(|| format!("the Avro field `{name}` needs a `type`"))?;
            let mut converted = self.convert(avro_type, namespace.as_deref())?;
            if let Some(doc) = field.get("doc") {
                set(&mut converted, "description", doc.clone());
            }
            required.push(Value::from(name));
            properties.insert(name.to_owned(), converted);
        }
        Ok(json::object([
            ("type", "object".into()),
            ("properties", properties.into()),
            ("required", required.into()),
            ("additionalProperties", false.into()),
        ]))
    }
}

/// Sets `key` of a converted schema (always an object: the conversions above make nothing else).
fn set(schema: &mut Value, key: &str, value: Value) {
    if let Some(object) = schema.as_object_mut() {
        object.insert(key.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_unions_enums_and_references() {
        let avro = json!({
            "type": "record", "name": "UserSignedUp", "namespace": "com.example",
            "fields": [
                {"name": "userId", "type": "int"},
                {"name": "email", "type": ["null", "string"], "doc": "Optional."},
                {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
                {"name": "again", "type": "Kind"},
                {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "tags", "type": {"type": "map", "values": "long"}}
            ]
        });
        let schema = serde_json::to_value(to_json_schema(&avro.into()).unwrap()).unwrap();
        assert_eq!(schema["title"], "UserSignedUp");
        assert_eq!(schema["required"], json!(["userId", "email", "kind", "again", "id", "tags"]));
        assert_eq!(schema["properties"]["userId"], json!({"type": "integer", "format": "int32"}));
        assert_eq!(
            schema["properties"]["email"],
            json!({"oneOf": [{"type": "string"}, {"type": "null"}], "description": "Optional."})
        );
        assert_eq!(schema["properties"]["again"], schema["properties"]["kind"]);
        assert_eq!(schema["properties"]["id"]["format"], "uuid");
        assert_eq!(schema["properties"]["tags"]["additionalProperties"]["format"], "int64");
        assert!(to_json_schema(&json!("Nope").into()).unwrap_err().contains("unknown Avro type `Nope`"));
    }
}
