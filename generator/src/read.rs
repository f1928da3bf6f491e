//! Stage 3, schemas (reading): document + AsyncAPI view → [`Schemas`]. Every schema the messages reach is
//! read from the document once, into the plain data of `schema.rs`, with `allOf` merged (`merge.rs`).
//! Starting from each message's payload and headers, the schemas that references name are read in turn
//! (a work list, not recursion, so a long chain of `$ref`s cannot overflow the stack) until none is left.
//! Avro payloads are first replaced by the JSON Schema they convert to (`avro.rs`).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::asyncapi::Api;
use crate::document::Document;
use crate::error::Result;
use crate::json::Value;
use crate::merge::{Lookup, merge};
use crate::pointer::child;
use crate::resolve::{follow, ref_text};
use crate::schema::{Additional, Discriminator, Schema, SchemaRef, Schemas, TypeSet};

/// Reads every schema that the messages of `api` reach in `doc`.
pub fn read(mut doc: Document, api: &Api) -> Result<Schemas> {
    // Avro payloads are read as the JSON Schema they convert to (see `avro.rs`).
    for message in api.messages.iter().filter(|m| m.is_avro()) {
        let Some(pointer) = &message.payload else { continue };
        let Some(node) = doc.root.pointer_mut(pointer) else { continue };
        match crate::avro::to_json_schema(node) {
            Ok(converted) => *node = converted,
            Err(reason) => return Err(doc.error(pointer, format!("cannot read this Avro schema: {reason}"))),
        }
    }
    // What the generated `validate()` checks against (`to_string` would panic where serializing fails).
    let document_json = serde_json::to_string(&doc.root)
        .map_err(|e| doc.error("", format!("cannot write the document as JSON for `validate()`: {e}")))?;
    let mut reader = Reader { doc: &doc, referenced: HashMap::new() };
    let mut payloads = Vec::with_capacity(api.messages.len());
    let mut headers = Vec::with_capacity(api.messages.len());
    let mut pending: Vec<String> = Vec::new();
    for message in &api.messages {
        for (pointer, read) in [(&message.payload, &mut payloads), (&message.headers, &mut headers)] {
            let schema = match pointer {
                Some(pointer) => Some(reader.read_ref_at(pointer)?),
                None => None,
            };
            match &schema {
                Some(SchemaRef::Ref(target)) => pending.push(target.clone()),
                Some(SchemaRef::Inline(inline)) => inline.references(&mut pending),
                None => {}
            }
            read.push(schema);
        }
    }
    // Pointers come off the end, so the list is reversed to read them in the order they were met. A schema
    // read while merging another is kept but not yet walked: `walked` says whose references were followed.
    pending.reverse();
    let mut walked = HashSet::new();
    let mut found = Vec::new();
    while let Some(pointer) = pending.pop() {
        if walked.contains(&pointer) {
            continue;
        }
        if !reader.referenced.contains_key(&pointer) {
            let node = reader.node_at(&pointer)?;
            let schema = reader.read_schema(&pointer, node)?;
            reader.referenced.insert(pointer.clone(), schema);
        }
        if let Some(schema) = reader.referenced.get(&pointer) {
            schema.references(&mut found);
        }
        pending.extend(found.drain(..).rev().filter(|p| !walked.contains(p)));
        walked.insert(pointer);
    }
    let referenced = reader.referenced;
    Ok(Schemas { file: doc.path.clone(), referenced, payloads, headers, document_json })
}

/// Keywords that constrain a value without changing its Rust type: shown with their value when it is short.
const CONSTRAINTS: &[&str] = &[
    "multipleOf",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "if",
    "not",
];

/// The formats JSON Schema defines, which `validate()` checks.
const CHECKED_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// The constraints `object` states, as rustdoc shows them: `` `maxLength: 20` ``, or the keyword alone for a
/// subschema (`` `contains` ``).
fn constraints(object: &crate::json::Map) -> Vec<String> {
    CONSTRAINTS
        .iter()
        .filter_map(|&key| {
            let value = object.get(key)?;
            // `int32`, `float`, ... only choose the Rust type; no checker knows them.
            if key == "format" && !value.as_str().is_some_and(|f| CHECKED_FORMATS.contains(&f)) {
                return None;
            }
            Some(match value {
                Value::Object(_) | Value::Array(_) => format!("`{key}`"),
                Value::String(text) => format!("`{key}: {text}`"),
                other => format!("`{key}: {other}`"),
            })
        })
        .collect()
}

/// Whether an array with `len` item schemas always has exactly `len` items: `minItems` requires each, and
/// `maxItems` or a `false` schema for the items after them (`rest`) forbids more.
fn is_fixed_length(len: usize, min_items: Option<f64>, max_items: Option<f64>, rest: Option<&Value>) -> bool {
    let len = len as f64;
    min_items.is_some_and(|min| min >= len)
        && (max_items.is_some_and(|max| max <= len) || rest == Some(&Value::Bool(false)))
}

/// How deeply schemas may nest through `allOf` and `$ref` while one schema is read.
pub const MAX_SCHEMA_DEPTH: usize = 256;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one level of schema nesting for as long as it lives.
struct DepthGuard;

impl DepthGuard {
    fn enter(doc: &Document, pointer: &str) -> Result<DepthGuard> {
        let depth = DEPTH.with(|d| d.get()) + 1;
        if depth > MAX_SCHEMA_DEPTH {
            return Err(doc.error(
                pointer,
                format!(
                    "schemas nest more than {MAX_SCHEMA_DEPTH} levels deep here (through allOf, $ref and properties)"
                ),
            ));
        }
        DEPTH.with(|d| d.set(depth));
        Ok(DepthGuard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Reads schemas from the document, keeping each referenced one it has read.
struct Reader<'d> {
    doc: &'d Document,
    /// Every schema a reference named, read once, by the pointer the reference finally names.
    referenced: HashMap<String, Schema>,
}

impl Lookup for Reader<'_> {
    fn schema(&mut self, pointer: &str) -> Result<Schema> {
        self.schema_at(pointer)
    }

    fn file(&self) -> &Path {
        &self.doc.path
    }
}

impl<'d> Reader<'d> {
    /// The node at `pointer`, which the document is known to have (the pointer came from reading it).
    fn node_at(&self, pointer: &str) -> Result<&'d Value> {
        let doc = self.doc;
        crate::resolve::lookup(doc, pointer)
            .map(|(_, value)| value)
            .ok_or_else(|| self.doc.error(pointer, "nothing is at this place in the document"))
    }

    /// The schema a reference names at `pointer`: read the first time, kept for the next.
    fn schema_at(&mut self, pointer: &str) -> Result<Schema> {
        if let Some(schema) = self.referenced.get(pointer) {
            return Ok(schema.clone());
        }
        let node = self.node_at(pointer)?;
        let schema = self.read_schema(pointer, node)?;
        self.referenced.insert(pointer.to_owned(), schema.clone());
        Ok(schema)
    }

    /// Reads the subschema at `pointer`, a reference staying a reference (see [`Reader::read_ref`]).
    fn read_ref_at(&mut self, pointer: &str) -> Result<SchemaRef> {
        let node = self.node_at(pointer)?;
        self.read_ref(pointer, node)
    }

    /// Reads the subschema `value` at `pointer`: a reference stays a reference, anything else is read inline.
    fn read_ref(&mut self, pointer: &str, value: &'d Value) -> Result<SchemaRef> {
        if ref_text(value).is_some() {
            let (target, _) = follow(self.doc, pointer, value)?;
            Ok(SchemaRef::Ref(target))
        } else {
            Ok(SchemaRef::Inline(Arc::new(self.read_schema(pointer, value)?)))
        }
    }

    /// Reads the schema object `value` found at `pointer`, merging its `allOf` branches. A reference is
    /// followed, and the schema it names read once.
    fn read_schema(&mut self, pointer: &str, value: &'d Value) -> Result<Schema> {
        let doc = self.doc;
        let _depth = DepthGuard::enter(doc, pointer)?;
        let (target, value) = follow(doc, pointer, value)?;
        if target == pointer {
            return self.read_object(pointer, value);
        }
        if let Some(schema) = self.referenced.get(&target) {
            return Ok(schema.clone());
        }
        let schema = self.read_object(&target, value)?;
        self.referenced.insert(target, schema.clone());
        Ok(schema)
    }

    /// Reads the schema `value` at `pointer`, which is no reference.
    fn read_object(&mut self, pointer: &str, value: &'d Value) -> Result<Schema> {
        let doc = self.doc;
        let object = match value {
            Value::Object(object) => object,
            // Boolean schemas: `true` accepts anything, `false` nothing (a property that must be absent, a
            // branch that never matches, an array that must be empty...).
            Value::Bool(true) => return Ok(Schema::any(pointer)),
            Value::Bool(false) => return Ok(Schema::never(pointer)),
            other => {
                return Err(doc.error(pointer, format!("expected a schema object, found {}", other.kind())));
            }
        };
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let mut schema = Schema::any(pointer);
        schema.title = text("title");
        schema.description = text("description");
        schema.format = text("format");
        schema.deprecated = object.get("deprecated").and_then(Value::as_bool).unwrap_or(false);
        schema.types = self.read_types(pointer, object.get("type"))?;
        schema.constraints = constraints(object);
        if object.get("nullable").and_then(Value::as_bool) == Some(true) {
            // OpenAPI 3.0's way of saying `type: [T, 'null']`.
            schema.types = schema.types.map(|t| t.union(TypeSet::NULL));
        }
        if let Some(properties) = object.get("properties") {
            let at = child(pointer, "properties");
            let Value::Object(properties) = properties else {
                return Err(self
                    .doc
                    .error(&at, format!("expected a mapping of properties, found {}", properties.kind())));
            };
            for (name, property) in properties {
                schema.properties.insert(name.clone(), self.read_ref(&child(&at, name), property)?);
            }
        }
        if let Some(required) = object.get("required") {
            let at = child(pointer, "required");
            let names = required.as_array().ok_or_else(|| self.doc.error(&at, "expected a list of property names"))?;
            for (i, name) in names.iter().enumerate() {
                let name = name
                    .as_str()
                    .ok_or_else(|| self.doc.error(&child(&at, &i.to_string()), "expected a property name"))?;
                if !schema.required.iter().any(|r| r == name) {
                    schema.required.push(name.to_owned());
                }
            }
        }
        match object.get("additionalProperties") {
            None | Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => schema.additional_properties = Additional::Forbidden,
            Some(value) => {
                let at = child(pointer, "additionalProperties");
                schema.additional_properties = Additional::Typed(Box::new(self.read_ref(&at, value)?));
            }
        }
        // A list of item schemas is a Rust tuple only when the array always has exactly that many items;
        // otherwise (an item may be missing, or more may follow) it is a list of JSON values, and
        // `validate()` checks each position.
        let count = |key: &str| object.get(key).and_then(Value::as_f64);
        match (object.get("items"), object.get("prefixItems")) {
            (Some(Value::Array(items)), _) => {
                if is_fixed_length(items.len(), count("minItems"), count("maxItems"), object.get("additionalItems")) {
                    schema.tuple_items = Some(self.read_list(&child(pointer, "items"), items)?);
                }
            }
            (_, Some(Value::Array(items))) => {
                if is_fixed_length(items.len(), count("minItems"), count("maxItems"), object.get("items")) {
                    schema.tuple_items = Some(self.read_list(&child(pointer, "prefixItems"), items)?);
                }
            }
            (Some(items), _) => schema.items = Some(Box::new(self.read_ref(&child(pointer, "items"), items)?)),
            (None, _) => {}
        }
        if let Some(Value::Object(patterns)) = object.get("patternProperties") {
            let at = child(pointer, "patternProperties");
            for (pattern, value) in patterns {
                schema.pattern_properties.push(self.read_ref(&child(&at, pattern), value)?);
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(alternatives) = object.get(keyword) {
                let at = child(pointer, keyword);
                let Value::Array(alternatives) = alternatives else {
                    return Err(self.doc.error(&at, "expected a list of schemas"));
                };
                if schema.alternatives_keyword.is_none() {
                    schema.alternatives = self.read_list(&at, alternatives)?;
                    schema.alternatives_keyword = Some(keyword);
                }
            }
        }
        schema.discriminator = match object.get("discriminator") {
            Some(Value::String(property)) => Some(Discriminator { property: property.clone(), mapping: Vec::new() }),
            Some(Value::Object(openapi)) => {
                let at = child(pointer, "discriminator");
                let property = openapi
                    .get("propertyName")
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.doc.error(&at, "a discriminator object needs a `propertyName`"))?;
                let mut mapping = Vec::new();
                if let Some(Value::Object(entries)) = openapi.get("mapping") {
                    for (value, target) in entries {
                        let target_at = child(&child(&at, "mapping"), value);
                        let target =
                            target.as_str().ok_or_else(|| self.doc.error(&target_at, "expected a `$ref` string"))?;
                        // A mapping value is a reference, or (OpenAPI) the bare name of a component schema.
                        let reference = if target.contains('#') || target.contains('/') {
                            target.to_owned()
                        } else {
                            format!("#/components/schemas/{target}")
                        };
                        let (resolved, _) =
                            follow(self.doc, &target_at, &crate::json::object([("$ref", reference.clone().into())]))?;
                        mapping.push((value.clone(), resolved));
                    }
                }
                Some(Discriminator { property: property.to_owned(), mapping })
            }
            _ => None,
        }
        .map(Box::new);
        schema.default = object.get("default").cloned().map(Box::new);
        if let Some(Value::Array(examples)) = object.get("examples") {
            schema.examples = examples.clone();
        }
        if let Some(example) = object.get("example") {
            schema.examples.push(example.clone());
        }
        if let Some(values) = object.get("enum") {
            let values = values
                .as_array()
                .ok_or_else(|| self.doc.error(&child(pointer, "enum"), "expected a list of values"))?;
            schema.enum_values = Some(values.clone());
        }
        schema.constant = object.get("const").cloned().map(Box::new);

        if let Some(branches) = object.get("allOf") {
            let at = child(pointer, "allOf");
            let branches = branches.as_array().ok_or_else(|| self.doc.error(&at, "expected a list of schemas"))?;
            for (i, branch) in branches.iter().enumerate() {
                let mut branch = self.read_schema(&child(&at, &i.to_string()), branch)?;
                if branch.discriminator.is_some() {
                    // A base schema that lists its subtypes (`discriminator` + `oneOf`, each subtype `allOf`ing
                    // the base): a subtype takes the base's properties, not the list of its siblings.
                    branch.alternatives.clear();
                    branch.alternatives_keyword = None;
                    branch.discriminator = None;
                }
                schema = merge(self, &schema, &branch)?;
            }
            // The merged schema is still the one written at `pointer`: it has its own title and description
            // (a subtype is not described by its base's text), and its own examples.
            schema.origin = pointer.to_owned();
            schema.description = text("description");
            schema.title = text("title");
        }
        Ok(schema)
    }
    fn read_list(&mut self, pointer: &str, values: &'d [Value]) -> Result<Vec<SchemaRef>> {
        values.iter().enumerate().map(|(i, value)| self.read_ref(&child(pointer, &i.to_string()), value)).collect()
    }

    fn read_types(&self, pointer: &str, value: Option<&Value>) -> Result<Option<TypeSet>> {
        let at = || child(pointer, "type");
        let one = |name: &Value| -> Result<TypeSet> {
            name.as_str()
                .and_then(TypeSet::from_name)
                .ok_or_else(|| self.doc.error(&at(), format!("unknown JSON Schema type {name}")))
        };
        match value {
            None => Ok(None),
            Some(Value::Array(names)) => {
                let mut set = TypeSet::EMPTY;
                for name in names {
                    set = set.union(one(name)?);
                }
                Ok(Some(set))
            }
            Some(name) => one(name).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the schema at `pointer` of `yaml`, as the stage reads a referenced one.
    fn read(yaml: &str, pointer: &str) -> Result<Schema> {
        let doc = crate::document::parse(Path::new("t.yaml"), yaml, &Default::default()).expect("test document parses");
        let mut reader = Reader { doc: &doc, referenced: HashMap::new() };
        reader.schema_at(pointer)
    }

    const ENVELOPES: &str = r#"
asyncapi: 2.6.0
components:
  schemas:
    Base:
      type: object
      required: [type]
      properties:
        type: {type: string}
        event_data: {type: [object, 'null']}
    Attempted:
      description: An attempt.
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          required: [created_at]
          properties:
            created_at: {type: string, format: date-time}
            event_data:
              type: object
              required: [attempt]
              properties:
                attempt: {type: integer}
    Clash:
      allOf:
        - $ref: '#/components/schemas/Base'
        - properties:
            type: {type: integer}
"#;

    #[test]
    fn all_of_intersects_types_and_unions_required_and_properties() {
        let s = read(ENVELOPES, "/components/schemas/Attempted").unwrap();
        assert_eq!(s.description.as_deref(), Some("An attempt."));
        assert_eq!(s.types, Some(TypeSet::OBJECT));
        assert_eq!(s.required, ["type", "created_at"]);
        assert_eq!(s.properties.keys().collect::<Vec<_>>(), ["type", "event_data", "created_at"]);
        let SchemaRef::Inline(event_data) = &s.properties["event_data"] else { panic!("event_data merged inline") };
        // `[object, null]` and `object`: only objects satisfy both, so the merged field is not nullable.
        assert_eq!(event_data.types, Some(TypeSet::OBJECT));
        assert_eq!(event_data.required, ["attempt"]);
        assert!(event_data.properties.contains_key("attempt"));
    }

    #[test]
    fn unsatisfiable_merge_names_both_places() {
        let err = read(ENVELOPES, "/components/schemas/Clash").unwrap_err();
        assert_eq!(
            err.message,
            "in property `type`: allOf branches cannot both hold: type `string` and type `integer` share no value \
             (one from #/components/schemas/Base/properties/type, the other from #/components/schemas/Clash/allOf/1/properties/type)"
        );
    }
}
