//! Stage 3, schemas (the data): the JSON Schema subset the generator understands, as plain data with `allOf`
//! already merged, and [`Schemas`], the stage's output: every schema the messages reach, read once by
//! `read.rs`. References to other schemas stay references, so recursive schemas are finite and named
//! schemas become named Rust types.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::{Error, Result};
use crate::json::Value;

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
    pub constant: Option<Box<Value>>,
    /// `oneOf` and `anyOf` alternatives, with which keyword they came from.
    pub alternatives: Vec<SchemaRef>,
    pub alternatives_keyword: Option<&'static str>,
    pub discriminator: Option<Box<Discriminator>>,
    pub default: Option<Box<Value>>,
    /// `examples` (and OpenAPI's `example`), to test the generated types with.
    pub examples: Vec<Value>,
    pub deprecated: bool,
    /// What the schema says beyond the shape, as it is written (`` `maxLength: 20` ``, `` `contains` ``):
    /// not part of the Rust type, checked by the generated `validate()` and shown in the rustdoc.
    pub constraints: Vec<String>,
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
    /// Written in place. Shared, not copied, when `allOf` merging takes it into another schema.
    Inline(Arc<Schema>),
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
            constraints: Vec::new(),
        }
    }

    /// The schema that accepts nothing (`false`), read at `origin`: no type is allowed.
    pub fn never(origin: &str) -> Schema {
        Schema { types: Some(TypeSet::EMPTY), ..Schema::any(origin) }
    }

    /// Whether the schema accepts nothing (`false`, or an `allOf` with such a branch).
    pub fn is_never(&self) -> bool {
        self.types == Some(TypeSet::EMPTY)
    }

    /// Whether `null` is an allowed value.
    pub fn is_nullable(&self) -> bool {
        self.types.is_some_and(|t| t.contains(TypeSet::NULL))
    }
}

/// Stage 3's output: every schema the messages reach, each read once with its `allOf` merged. The model reads
/// these and never the document.
#[derive(Debug, Default)]
pub struct Schemas {
    /// The document the schemas were read from, which errors name.
    pub file: PathBuf,
    /// Every schema that a `$ref` names, by the pointer it finally names.
    pub(crate) referenced: HashMap<String, Schema>,
    /// Each message's payload as written (a reference, or the schema inline), by the message's index in the
    /// AsyncAPI view; `None` for a message without one.
    pub payloads: Vec<Option<SchemaRef>>,
    /// Each message's headers, likewise.
    pub headers: Vec<Option<SchemaRef>>,
    /// The document as compact JSON (Avro payloads as the JSON Schema they convert to), which the generated
    /// `validate()` checks values against.
    pub document_json: String,
}

impl Schemas {
    /// The schema at `pointer`, which a [`SchemaRef::Ref`] of these schemas names.
    pub fn get(&self, pointer: &str) -> Result<&Schema> {
        self.referenced
            .get(pointer)
            .ok_or_else(|| Error::at(&self.file, pointer, "generator bug: this schema is referenced but was not read"))
    }

    /// The schema a [`SchemaRef`] stands for (following a reference one level).
    pub fn deref<'s>(&'s self, schema: &'s SchemaRef) -> Result<&'s Schema> {
        match schema {
            SchemaRef::Inline(inline) => Ok(inline),
            SchemaRef::Ref(pointer) => self.get(pointer),
        }
    }

    /// An error about the schema at `pointer`.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::at(&self.file, pointer, message)
    }
}

impl Schema {
    /// The pointers of the schemas this one refers to, its inline subschemas' included (not following them).
    pub fn references(&self, found: &mut Vec<String>) {
        let mut subschemas: Vec<&SchemaRef> = self.properties.values().collect();
        if let Additional::Typed(values) = &self.additional_properties {
            subschemas.push(values);
        }
        subschemas.extend(self.items.as_deref());
        subschemas.extend(self.tuple_items.iter().flatten());
        subschemas.extend(&self.pattern_properties);
        subschemas.extend(&self.alternatives);
        for subschema in subschemas {
            match subschema {
                SchemaRef::Ref(pointer) => found.push(pointer.clone()),
                SchemaRef::Inline(inline) => inline.references(found),
            }
        }
    }
}
