//! The JSON Schema subset the generator understands, read from the document into plain data with
//! `allOf` already merged (see [`crate::merge`]). References to other schemas stay references, so
//! recursive schemas read in finite time and named schemas become named Rust types.

use crate::json::Value;
use indexmap::IndexMap;

use crate::error::Result;
use crate::load::{Document, kind_of};
use crate::merge::merge;
use crate::resolve::{child, follow, ref_text};

/// A set of JSON types. `None` in a [`Schema`] means "any type".
///
/// Canonical form: when `NUMBER` is present `INTEGER` is too, since every integer is a number;
/// intersection is then a plain bitwise and.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeSet(u8);

impl TypeSet {
    pub const NULL: TypeSet = TypeSet(1);
    pub const BOOLEAN: TypeSet = TypeSet(1 << 1);
    pub const INTEGER: TypeSet = TypeSet(1 << 2);
    pub const NUMBER: TypeSet = TypeSet(1 << 3 | 1 << 2);
    pub const STRING: TypeSet = TypeSet(1 << 4);
    pub const ARRAY: TypeSet = TypeSet(1 << 5);
    pub const OBJECT: TypeSet = TypeSet(1 << 6);
    pub const EMPTY: TypeSet = TypeSet(0);

    pub fn from_name(name: &str) -> Option<TypeSet> {
        Some(match name {
            "null" => Self::NULL,
            "boolean" => Self::BOOLEAN,
            "integer" => Self::INTEGER,
            "number" => Self::NUMBER,
            "string" => Self::STRING,
            "array" => Self::ARRAY,
            "object" => Self::OBJECT,
            _ => return None,
        })
    }

    pub fn union(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 | other.0)
    }

    pub fn intersect(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 & other.0)
    }

    pub fn contains(self, other: TypeSet) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set without `null`.
    pub fn without_null(self) -> TypeSet {
        TypeSet(self.0 & !Self::NULL.0)
    }

    /// The JSON type names in the set, for messages.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        for (set, name) in [
            (Self::NULL, "null"),
            (Self::BOOLEAN, "boolean"),
            (Self::NUMBER, "number"),
            (Self::STRING, "string"),
            (Self::ARRAY, "array"),
            (Self::OBJECT, "object"),
        ] {
            if self.contains(set) {
                names.push(name);
            }
        }
        if self.contains(Self::INTEGER) && !self.contains(Self::NUMBER) {
            names.push("integer");
        }
        names
    }
}

/// A schema as the generator sees it: `allOf` merged, references kept as references.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// JSON pointer of the schema object this was read from (the first one, for a merge).
    pub origin: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Allowed JSON types; `None` allows any.
    pub types: Option<TypeSet>,
    pub format: Option<String>,
    pub properties: IndexMap<String, SchemaRef>,
    /// Required property names, in the order first seen.
    pub required: Vec<String>,
    pub additional_properties: Additional,
    pub items: Option<Box<SchemaRef>>,
    /// A tuple: `items` as a list (draft 7) or `prefixItems` (2020-12).
    pub tuple_items: Option<Vec<SchemaRef>>,
    /// The schemas of `patternProperties`, in order (their patterns do not change the Rust type).
    pub pattern_properties: Vec<SchemaRef>,
    pub enum_values: Option<Vec<Value>>,
    pub constant: Option<Value>,
    /// `oneOf` and `anyOf` alternatives, with which keyword they came from.
    pub alternatives: Vec<SchemaRef>,
    pub alternatives_keyword: Option<&'static str>,
    pub discriminator: Option<Discriminator>,
    pub default: Option<Value>,
    /// `examples` (and OpenAPI's `example`), to test the generated types with.
    pub examples: Vec<Value>,
    pub deprecated: bool,
}

/// Which property tells the alternatives of a `oneOf`/`anyOf` apart: AsyncAPI's `discriminator: name`, or
/// OpenAPI's `{propertyName, mapping}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Discriminator {
    pub property: String,
    /// Tag value → pointer of the schema it selects (from `mapping`).
    pub mapping: Vec<(String, String)>,
}

/// What a schema says about properties it does not name.
#[derive(Clone, Debug, PartialEq)]
pub enum Additional {
    /// Allowed, of any type (the JSON Schema default).
    Any,
    /// Forbidden (`additionalProperties: false`).
    Forbidden,
    /// Allowed, each matching this schema.
    Typed(Box<SchemaRef>),
}

/// A subschema: either a reference to a schema elsewhere in the document, or written inline.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaRef {
    /// A `$ref`, by the JSON pointer of the schema it finally names.
    Ref(String),
    Inline(Box<Schema>),
}

impl Schema {
    /// The schema that accepts everything, read at `origin`.
    pub fn any(origin: &str) -> Schema {
        Schema {
            origin: origin.to_owned(),
            title: None,
            description: None,
            types: None,
            format: None,
            properties: IndexMap::new(),
            required: Vec::new(),
            additional_properties: Additional::Any,
            items: None,
            tuple_items: None,
            pattern_properties: Vec::new(),
            enum_values: None,
            constant: None,
            alternatives: Vec::new(),
            alternatives_keyword: None,
            discriminator: None,
            default: None,
            examples: Vec::new(),
            deprecated: false,
        }
    }

    /// Whether `null` is an allowed value.
    pub fn is_nullable(&self) -> bool {
        self.types.is_some_and(|t| t.contains(TypeSet::NULL))
    }
}

/// Reads the subschema at `pointer`: a reference stays a reference, anything else is read inline.
pub fn read_ref(doc: &Document, pointer: &str, value: &Value) -> Result<SchemaRef> {
    if ref_text(value).is_some() {
        let (target, _) = follow(doc, pointer, value)?;
        Ok(SchemaRef::Ref(target))
    } else {
        Ok(SchemaRef::Inline(Box::new(read_schema(doc, pointer, value)?)))
    }
}

/// Reads the schema a [`SchemaRef`] stands for (following the reference one level).
pub fn deref(doc: &Document, schema: &SchemaRef) -> Result<Schema> {
    match schema {
        SchemaRef::Inline(s) => Ok((**s).clone()),
        SchemaRef::Ref(pointer) => read_schema_at(doc, pointer),
    }
}

/// The node at `pointer`, which the document is known to have (the pointer came from reading it).
fn node_at<'a>(doc: &'a Document, pointer: &str) -> Result<&'a Value> {
    crate::resolve::lookup(doc, pointer)
        .map(|(_, value)| value)
        .ok_or_else(|| doc.error(pointer, "nothing is at this place in the document"))
}

/// Reads the schema at `pointer` (see [`read_schema`]).
pub fn read_schema_at(doc: &Document, pointer: &str) -> Result<Schema> {
    read_schema(doc, pointer, node_at(doc, pointer)?)
}

/// Reads the subschema at `pointer`, a reference staying a reference (see [`read_ref`]).
pub fn read_ref_at(doc: &Document, pointer: &str) -> Result<SchemaRef> {
    read_ref(doc, pointer, node_at(doc, pointer)?)
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

/// Reads the schema object `value` found at `pointer`, merging its `allOf` branches.
pub fn read_schema(doc: &Document, pointer: &str, value: &Value) -> Result<Schema> {
    let _depth = DepthGuard::enter(doc, pointer)?;
    let (pointer, value) = follow(doc, pointer, value)?;
    let pointer = pointer.as_str();
    let object = match value {
        Value::Object(object) => object,
        // Boolean schemas: `true` accepts anything. `false` accepts nothing, which no Rust type models.
        Value::Bool(true) => return Ok(Schema::any(pointer)),
        other => {
            return Err(doc.error(pointer, format!("expected a schema object, found {}", kind_of(other))));
        }
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut schema = Schema::any(pointer);
    schema.title = text("title");
    schema.description = text("description");
    schema.format = text("format");
    schema.deprecated = object.get("deprecated").and_then(Value::as_bool).unwrap_or(false);
    schema.types = read_types(doc, pointer, object.get("type"))?;
    if object.get("nullable").and_then(Value::as_bool) == Some(true) {
        // OpenAPI 3.0's way of saying `type: [T, 'null']`.
        schema.types = schema.types.map(|t| t.union(TypeSet::NULL));
    }
    if let Some(properties) = object.get("properties") {
        let at = child(pointer, "properties");
        let Value::Object(properties) = properties else {
            return Err(doc.error(&at, format!("expected a mapping of properties, found {}", kind_of(properties))));
        };
        for (name, property) in properties {
            schema.properties.insert(name.clone(), read_ref(doc, &child(&at, name), property)?);
        }
    }
    if let Some(required) = object.get("required") {
        let at = child(pointer, "required");
        let names = required.as_array().ok_or_else(|| doc.error(&at, "expected a list of property names"))?;
        for (i, name) in names.iter().enumerate() {
            let name =
                name.as_str().ok_or_else(|| doc.error(&child(&at, &i.to_string()), "expected a property name"))?;
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
            schema.additional_properties = Additional::Typed(Box::new(read_ref(doc, &at, value)?));
        }
    }
    match object.get("items") {
        Some(Value::Array(items)) => schema.tuple_items = Some(read_list(doc, &child(pointer, "items"), items)?),
        Some(items) => schema.items = Some(Box::new(read_ref(doc, &child(pointer, "items"), items)?)),
        None => {}
    }
    if let Some(Value::Array(items)) = object.get("prefixItems") {
        schema.tuple_items = Some(read_list(doc, &child(pointer, "prefixItems"), items)?);
    }
    if let Some(Value::Object(patterns)) = object.get("patternProperties") {
        let at = child(pointer, "patternProperties");
        for (pattern, value) in patterns {
            schema.pattern_properties.push(read_ref(doc, &child(&at, pattern), value)?);
        }
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(alternatives) = object.get(keyword) {
            let at = child(pointer, keyword);
            let Value::Array(alternatives) = alternatives else {
                return Err(doc.error(&at, "expected a list of schemas"));
            };
            if schema.alternatives_keyword.is_none() {
                schema.alternatives = read_list(doc, &at, alternatives)?;
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
                .ok_or_else(|| doc.error(&at, "a discriminator object needs a `propertyName`"))?;
            let mut mapping = Vec::new();
            if let Some(Value::Object(entries)) = openapi.get("mapping") {
                for (value, target) in entries {
                    let target_at = child(&child(&at, "mapping"), value);
                    let target = target.as_str().ok_or_else(|| doc.error(&target_at, "expected a `$ref` string"))?;
                    // A mapping value is a reference, or (OpenAPI) the bare name of a component schema.
                    let reference = if target.contains('#') || target.contains('/') {
                        target.to_owned()
                    } else {
                        format!("#/components/schemas/{target}")
                    };
                    let (resolved, _) =
                        follow(doc, &target_at, &crate::json::object([("$ref", reference.clone().into())]))?;
                    mapping.push((value.clone(), resolved));
                }
            }
            Some(Discriminator { property: property.to_owned(), mapping })
        }
        _ => None,
    };
    schema.default = object.get("default").cloned();
    if let Some(Value::Array(examples)) = object.get("examples") {
        schema.examples = examples.clone();
    }
    if let Some(example) = object.get("example") {
        schema.examples.push(example.clone());
    }
    if let Some(values) = object.get("enum") {
        let values =
            values.as_array().ok_or_else(|| doc.error(&child(pointer, "enum"), "expected a list of values"))?;
        schema.enum_values = Some(values.clone());
    }
    schema.constant = object.get("const").cloned();

    if let Some(branches) = object.get("allOf") {
        let at = child(pointer, "allOf");
        let branches = branches.as_array().ok_or_else(|| doc.error(&at, "expected a list of schemas"))?;
        for (i, branch) in branches.iter().enumerate() {
            let mut branch = read_schema(doc, &child(&at, &i.to_string()), branch)?;
            if branch.discriminator.is_some() {
                // A base schema that lists its subtypes (`discriminator` + `oneOf`, each subtype `allOf`ing
                // the base): a subtype takes the base's properties, not the list of its siblings.
                branch.alternatives.clear();
                branch.alternatives_keyword = None;
                branch.discriminator = None;
            }
            schema = merge(doc, &schema, &branch)?;
        }
        // The merged schema is still the one written at `pointer`: it has its own title and description
        // (a subtype is not described by its base's text), and its own examples.
        schema.origin = pointer.to_owned();
        schema.description = text("description");
        schema.title = text("title");
    }
    Ok(schema)
}

fn read_list(doc: &Document, pointer: &str, values: &[Value]) -> Result<Vec<SchemaRef>> {
    values.iter().enumerate().map(|(i, value)| read_ref(doc, &child(pointer, &i.to_string()), value)).collect()
}

fn read_types(doc: &Document, pointer: &str, value: Option<&Value>) -> Result<Option<TypeSet>> {
    let at = || child(pointer, "type");
    let one = |name: &Value| -> Result<TypeSet> {
        name.as_str()
            .and_then(TypeSet::from_name)
            .ok_or_else(|| doc.error(&at(), format!("unknown JSON Schema type {name}")))
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
