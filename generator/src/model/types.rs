//! Stage 4, model (types): schemas → the named Rust types of the IR. Which schemas become structs, enums
//! and unions, what each field's type is, and which fields are boxed (`cycles.rs`). Names come from
//! `naming.rs`; the schemas come from stage 3 (`Schemas`), never from the document.

use std::collections::{HashMap, VecDeque};

use crate::error::Result;
use crate::ir::{
    AdditionalField, EnumValue, Field, Presence, SchemaCheck, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union,
    UnionVariant,
};
use crate::merge::Lookup;
use crate::naming::{DISPATCH_ENUM, Names, UNKNOWN_VARIANT, field_name, type_name};
use crate::pointer::{display_pointer, local_pointer, tokens};
use crate::schema::{Additional, Schema, SchemaRef, Schemas, TypeSet};

/// Builds the named types, in the order they are first met.
pub(super) struct Types<'s> {
    schemas: &'s Schemas,
    /// Type names, one namespace for the whole crate (the dispatch stage claims its enums' names here too).
    pub(super) names: Names,
    /// Schemas that became named types, by pointer: their name, and whether they may be `null`.
    named: HashMap<String, NamedSchema>,
    /// Named types referenced but not defined yet. Defining them from this queue, rather than where they are
    /// first referenced, keeps the recursion as deep as the inline nesting only (a chain of 20,000 `$ref`s
    /// must not overflow the stack).
    pending: VecDeque<PendingType>,
    /// Named types made from inline schemas, by the pointer the schema was written at (with the schema, so
    /// that only an identical one is reused).
    inline_types: HashMap<String, Vec<(Schema, String)>>,
    /// Referenced schemas that are not named types (`type: string`, arrays, ...) being typed now: one that
    /// refers to itself (an array of itself) can only be `serde_json::Value`.
    expanding: Vec<String>,
    types: Vec<TypeDef>,
    /// Whether string enums refuse values the spec does not list.
    closed_enums: bool,
}

#[derive(Clone)]
struct NamedSchema {
    name: String,
    nullable: bool,
}

/// A named type to define when its turn comes.
struct PendingType {
    kind: NamedKind,
    name: String,
    pointer: String,
}

/// A field's type as the schema gives it, before required-ness is applied.
pub(super) struct Typed {
    pub(super) ty: TypeRef,
    pub(super) nullable: bool,
}

/// Merging looks up referenced schemas in the schemas already read.
struct ReadSchemas<'s>(&'s Schemas);

impl Lookup for ReadSchemas<'_> {
    fn schema(&mut self, pointer: &str) -> Result<Schema> {
        self.0.get(pointer).cloned()
    }

    fn file(&self) -> &std::path::Path {
        &self.0.file
    }
}

impl<'s> Types<'s> {
    pub(super) fn new(schemas: &'s Schemas, names: Names, closed_enums: bool) -> Types<'s> {
        Types {
            schemas,
            names,
            named: HashMap::new(),
            pending: VecDeque::new(),
            inline_types: HashMap::new(),
            expanding: Vec::new(),
            types: Vec::new(),
            closed_enums,
        }
    }

    /// Defines every type still pending, boxes the fields that close a cycle, and hands the types over.
    pub(super) fn finish(mut self) -> Result<(Vec<TypeDef>, Names)> {
        while let Some(PendingType { kind, name, pointer }) = self.pending.pop_front() {
            let schema = self.schemas.get(&pointer)?;
            let source = format!("Generated from `{}`.", display_pointer(&pointer));
            self.define(kind, &name, schema, source)?;
        }
        crate::cycles::box_cycles(&mut self.types);
        Ok((self.types, self.names))
    }

    /// The struct a tagged message's payload is read into: the payload's own named type when it is a
    /// reference, else a type named after the variant. The tag property is left out of it.
    pub(super) fn payload_struct(
        &mut self,
        payload: &SchemaRef,
        schema: &Schema,
        variant: &str,
        tag: (&str, &str),
    ) -> Result<String> {
        if let SchemaRef::Ref(pointer) = payload
            && let Some(named) = self.named.get(pointer)
        {
            return Ok(named.name.clone());
        }
        let (hint, source) = match payload {
            SchemaRef::Ref(pointer) => {
                (self.name_for_pointer(pointer), format!("Generated from `{}`.", display_pointer(pointer)))
            }
            SchemaRef::Inline(_) => (
                format!("{variant}Payload"),
                format!("The payload of the [`{variant}`](crate::{DISPATCH_ENUM}::{variant}) message."),
            ),
        };
        let name = self.names.claim(hint);
        if let SchemaRef::Ref(pointer) = payload {
            self.named.insert(pointer.clone(), NamedSchema { name: name.clone(), nullable: false });
        }
        self.define_struct(&name, schema, Some(tag), source)?;
        Ok(name)
    }

    /// A type name for the schema at `pointer`: the path below `schemas` (or the whole path).
    fn name_for_pointer(&self, pointer: &str) -> String {
        let path: Vec<String> = tokens(local_pointer(pointer)).collect();
        let start = path.iter().rposition(|t| t == "schemas" || t == "messages").map_or(0, |i| i + 1);
        let mut parts: Vec<&str> = path[start..].iter().map(String::as_str).collect();
        if let Some(first) = parts.first_mut() {
            *first = crate::naming::without_namespace(first);
        }
        type_name(&parts.join(" "))
    }

    /// The type for `schema`; `hint` names it if it needs a new inline type, `source` says where that
    /// type comes from in its docs.
    pub(super) fn type_of(&mut self, schema: &SchemaRef, hint: &str, source: &str) -> Result<Typed> {
        match schema {
            SchemaRef::Inline(inline) => self.type_of_schema(inline, hint, source),
            SchemaRef::Ref(pointer) => {
                if let Some(named) = self.named.get(pointer) {
                    return Ok(Typed { ty: TypeRef::Named(named.name.clone()), nullable: named.nullable });
                }
                if self.expanding.contains(pointer) {
                    return Ok(Typed { ty: TypeRef::Json, nullable: false });
                }
                let resolved = self.schemas.get(pointer)?;
                let hint = self.name_for_pointer(pointer);
                let Some(kind) = named_kind(resolved) else {
                    self.expanding.push(pointer.clone());
                    let typed = self.type_of_schema(resolved, &hint, source);
                    self.expanding.pop();
                    return typed;
                };
                let name = self.names.claim(hint);
                let nullable = is_nullable(resolved);
                self.named.insert(pointer.clone(), NamedSchema { name: name.clone(), nullable });
                self.pending.push_back(PendingType { kind, name: name.clone(), pointer: pointer.clone() });
                Ok(Typed { ty: TypeRef::Named(name), nullable })
            }
        }
    }

    fn type_of_schema(&mut self, schema: &Schema, hint: &str, source: &str) -> Result<Typed> {
        if let Some(alternatives) = by_type(schema) {
            return self.type_of_schema(&alternatives, hint, source);
        }
        let nullable = is_nullable(schema);
        let plain = |ty| Ok(Typed { ty, nullable });
        if let Some(only) = single_alternative(schema) {
            // `oneOf: [T, {type: 'null'}]` is a nullable T.
            let typed = self.type_of(only, hint, source)?;
            return Ok(Typed { nullable: nullable || typed.nullable, ..typed });
        }
        if let Some(kind) = named_kind(schema) {
            // The same inline schema, unchanged, reached again (an `allOf` child copies its parent's
            // properties): the type already made for it serves, rather than an identical twin.
            if let Some((_, name)) =
                self.inline_types.get(&schema.origin).and_then(|made| made.iter().find(|(s, _)| s == schema))
            {
                return plain(TypeRef::Named(name.clone()));
            }
            let hint =
                schema.title.as_deref().map(type_name).filter(|t| t != "Unnamed").unwrap_or_else(|| hint.to_owned());
            let name = self.names.claim(hint);
            self.inline_types.entry(schema.origin.clone()).or_default().push((schema.clone(), name.clone()));
            self.define(kind, &name, schema, source.to_owned())?;
            return plain(TypeRef::Named(name));
        }
        if !schema.alternatives.is_empty() {
            // Only `null` alternatives.
            return Ok(Typed { ty: TypeRef::Json, nullable: true });
        }
        if schema.types == Some(TypeSet::NULL) {
            // Only `null`: `()` reads nothing else.
            return Ok(Typed { ty: TypeRef::Null, nullable: false });
        }
        // `additionalProperties` without `type` describes an object, as `properties` does (README: the listed
        // deviation).
        let implied_object = (schema.additional_properties != Additional::Any).then_some(TypeSet::OBJECT);
        let Some(types) = schema.types.or_else(|| const_type(schema)).or(implied_object).map(TypeSet::without_null)
        else {
            return plain(TypeRef::Json);
        };
        let ty = if types == TypeSet::OBJECT {
            match map_values(schema) {
                Some(values) => {
                    let typed = self.type_of(values, &format!("{hint}Value"), source)?;
                    TypeRef::Map(Box::new(if typed.nullable { TypeRef::Json } else { typed.ty }))
                }
                None => TypeRef::JsonObject,
            }
        } else if types == TypeSet::ARRAY {
            match (&schema.tuple_items, &schema.items) {
                (Some(items), _) if !items.is_empty() => {
                    let mut types = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        let typed = self.type_of(item, &format!("{hint}{}", i + 1), source)?;
                        types.push(if typed.nullable { TypeRef::Json } else { typed.ty });
                    }
                    TypeRef::Tuple(types)
                }
                (_, Some(items)) => {
                    let typed = self.type_of(items, &format!("{hint}Item"), source)?;
                    // A `null` item keeps its place in the list: `Vec<Value>` holds it, `Vec<T>` would not.
                    TypeRef::Vec(Box::new(if typed.nullable { TypeRef::Json } else { typed.ty }))
                }
                _ => TypeRef::Vec(Box::new(TypeRef::Json)),
            }
        } else if types == TypeSet::STRING {
            match schema.format.as_deref() {
                Some("date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                Some("uuid") => TypeRef::Uuid,
                _ => TypeRef::String,
            }
        } else if types == TypeSet::INTEGER {
            match schema.format.as_deref() {
                Some("int32") => TypeRef::I32,
                _ => TypeRef::I64,
            }
        } else if types == TypeSet::NUMBER {
            // Even `format: float` is an f64: an f32 would write back other decimals than it read.
            TypeRef::F64
        } else if types == TypeSet::BOOLEAN {
            TypeRef::Bool
        } else {
            // Several types (or only `null`): any JSON value.
            TypeRef::Json
        };
        plain(ty)
    }

    /// Defines the named type `name` of the given kind from `schema`.
    fn define(&mut self, kind: NamedKind, name: &str, schema: &Schema, source: String) -> Result<()> {
        match kind {
            NamedKind::Struct => self.define_struct(name, schema, None, source),
            NamedKind::StringEnum => {
                let mut names = Names::default();
                let closed = self.closed_enums || schema.constant.is_some();
                // The catch-all is always `Unknown`, as in `Event`; a listed value `unknown` gets `Unknown2`.
                if !closed {
                    names.reserve(UNKNOWN_VARIANT);
                }
                let values = string_enum_values(schema)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|value| EnumValue { rust_name: names.claim(type_name(&value)), value })
                    .collect();
                let other = (!closed).then(|| UNKNOWN_VARIANT.to_owned());
                let mut docs = type_docs(schema, source);
                docs.push(String::new());
                docs.push(match &other {
                    Some(other) => format!(
                        "Open: a value the spec does not list is kept in `{other}` and written back as it came."
                    ),
                    None if schema.constant.is_some() => {
                        "The schema fixes this value (`const`): another is refused.".to_owned()
                    }
                    None => "Closed: a value the spec does not list is refused.".to_owned(),
                });
                self.types.push(TypeDef {
                    name: name.to_owned(),
                    docs,
                    kind: TypeKind::StringEnum(StringEnum { values, other }),
                    examples: json_texts(&schema.examples),
                    check: check_of(schema, None),
                });
                Ok(())
            }
            NamedKind::IntegerEnum => {
                let variants = integer_enum_values(schema)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|value| {
                        let rust_name =
                            if value < 0 { format!("Minus{}", value.unsigned_abs()) } else { format!("Value{value}") };
                        (rust_name, value)
                    })
                    .collect();
                self.types.push(TypeDef {
                    name: name.to_owned(),
                    docs: type_docs(schema, source),
                    kind: TypeKind::IntegerEnum(variants),
                    examples: json_texts(&schema.examples),
                    check: check_of(schema, None),
                });
                Ok(())
            }
            NamedKind::Union => self.define_union(name, schema, source),
        }
    }

    /// Defines the enum `name` for a `oneOf`/`anyOf` of two or more non-null alternatives.
    fn define_union(&mut self, name: &str, schema: &Schema, source: String) -> Result<()> {
        let slot = self.types.len();
        self.types.push(TypeDef {
            name: name.to_owned(),
            docs: Vec::new(),
            kind: TypeKind::Union(Union { variants: Vec::new(), tag: None }),
            examples: Vec::new(),
            check: check_of(schema, None),
        });
        let mut base = schema.clone();
        base.alternatives.clear();
        base.alternatives_keyword = None;
        base.discriminator = None;
        base.examples.clear();
        let alternatives: Vec<&SchemaRef> = schema.alternatives.iter().filter(|a| !self.is_null_schema(a)).collect();
        let resolved: Vec<&Schema> = alternatives.iter().map(|a| self.schemas.deref(a)).collect::<Result<_>>()?;
        let tag = self.union_tag(schema, &alternatives, &resolved)?;
        let mut variant_names = Names::default();
        variant_names.reserve(UNKNOWN_VARIANT);
        let mut variants = Vec::with_capacity(alternatives.len());
        let mut impossible = Vec::new();
        for (i, (alternative, alt_schema)) in alternatives.iter().zip(&resolved).enumerate() {
            let tag_values = tag.as_ref().map(|(_, values)| values[i].clone()).unwrap_or_default();
            let wanted = match alternative {
                SchemaRef::Ref(pointer) => self.name_for_pointer(pointer),
                SchemaRef::Inline(inline) => match (&inline.title, tag_values.first()) {
                    (Some(title), _) => type_name(title),
                    (None, Some(value)) => type_name(value),
                    (None, None) => String::new(),
                },
            };
            // Properties the union itself declares hold in every alternative.
            let missing_base = base.properties.keys().any(|p| !alt_schema.properties.contains_key(p));
            let typed = if missing_base && !base.properties.is_empty() {
                let Ok(merged) = crate::merge::merge(&mut ReadSchemas(self.schemas), &base, alt_schema) else {
                    // The alternative contradicts what the union itself requires: no value can take it.
                    impossible.push(format!("#{}", alt_schema.origin));
                    continue;
                };
                let hint =
                    format!("{name}{}", if wanted.is_empty() { format!("Variant{}", i + 1) } else { wanted.clone() });
                self.type_of_schema(&merged, &hint, &format!("An alternative of [`{name}`]."))?
            } else {
                let hint =
                    format!("{name}{}", if wanted.is_empty() { format!("Variant{}", i + 1) } else { wanted.clone() });
                self.type_of(alternative, &hint, &format!("An alternative of [`{name}`]."))?
            };
            let wanted = if wanted.is_empty() { variant_name_for(&typed.ty, i) } else { wanted };
            variants.push(UnionVariant {
                name: variant_names.claim(wanted),
                ty: if typed.nullable { TypeRef::Json } else { typed.ty },
                boxed: false,
                tag_values,
                // A referenced alternative's type carries its own docs.
                docs: if matches!(alternative, SchemaRef::Inline(_)) { docs_of(alt_schema) } else { Vec::new() },
            });
        }
        if variants.is_empty() {
            return Err(self.schemas.error(
                &schema.origin,
                "no alternative of this `oneOf`/`anyOf` can hold together with the schema's own constraints",
            ));
        }
        let mut docs = type_docs(schema, source);
        if !impossible.is_empty() {
            docs.push(String::new());
            docs.push(format!("Left out, as no value can satisfy them and the schema: {}.", impossible.join(", ")));
        }
        if let Some((property, _)) = &tag {
            docs.push(String::new());
            docs.push(format!(
                "The alternative is chosen by the `{property}` property; a value the spec does not list is kept whole in `{UNKNOWN_VARIANT}`."
            ));
        } else {
            docs.push(String::new());
            docs.push("The first alternative (in the spec's order) that the value fits is chosen.".to_owned());
        }
        self.types[slot] = TypeDef {
            name: name.to_owned(),
            docs,
            kind: TypeKind::Union(Union { variants, tag: tag.map(|(property, _)| property) }),
            examples: json_texts(&schema.examples),
            check: check_of(schema, None),
        };
        Ok(())
    }

    /// The property that tells a union's alternatives apart, and each alternative's values of it: from the
    /// `discriminator` (its `mapping`, else each alternative's `const`, else its schema name), or a property
    /// every alternative fixes to a different `const`. `None` when there is no such property.
    fn union_tag(
        &self,
        schema: &Schema,
        alternatives: &[&SchemaRef],
        resolved: &[&Schema],
    ) -> Result<Option<(String, Vec<Vec<String>>)>> {
        let mut candidates: Vec<(String, bool)> = Vec::new();
        if let Some(discriminator) = &schema.discriminator {
            candidates.push((discriminator.property.clone(), true));
        }
        if let Some(first) = resolved.first() {
            for property in first.properties.keys() {
                if !candidates.iter().any(|(c, _)| c == property) {
                    candidates.push((property.clone(), false));
                }
            }
        }
        for (property, declared) in candidates {
            let mut values = Vec::with_capacity(alternatives.len());
            for (alternative, alt_schema) in alternatives.iter().zip(resolved) {
                let mut these: Vec<String> = Vec::new();
                if declared && let (Some(d), SchemaRef::Ref(pointer)) = (&schema.discriminator, alternative) {
                    these.extend(
                        d.mapping.iter().filter(|(_, target)| target == pointer).map(|(value, _)| value.clone()),
                    );
                }
                if these.is_empty()
                    && let Some(property_schema) = alt_schema.properties.get(&property)
                {
                    these.extend(fixed_value(self.schemas, property_schema)?);
                }
                if these.is_empty()
                    && declared
                    && let SchemaRef::Ref(pointer) = alternative
                {
                    // AsyncAPI's convention: the value is the name of the alternative's schema.
                    these.extend(pointer.rsplit('/').next().map(|t| t.replace("~1", "/").replace("~0", "~")));
                }
                if these.is_empty() {
                    break;
                }
                values.push(these);
            }
            let all: Vec<String> = values.iter().flatten().cloned().collect();
            if values.len() == alternatives.len() && all_distinct(&all) {
                return Ok(Some((property, values)));
            }
        }
        Ok(None)
    }

    fn is_null_schema(&self, schema: &SchemaRef) -> bool {
        self.schemas.deref(schema).is_ok_and(|s| s.types == Some(TypeSet::NULL))
    }

    /// Defines the struct `name` from an object schema, leaving out the tag property of `tag` (property, the
    /// value of the message the struct is read for), if any.
    fn define_struct(&mut self, name: &str, schema: &Schema, tag: Option<(&str, &str)>, source: String) -> Result<()> {
        let skip = tag.map(|(property, _)| property);
        // Reserve the slot first so that a struct comes before the types of its fields.
        let slot = self.types.len();
        self.types.push(TypeDef {
            name: name.to_owned(),
            docs: Vec::new(),
            kind: TypeKind::Struct(Struct { fields: Vec::new(), additional: None }),
            examples: json_texts(&schema.examples),
            check: check_of(schema, tag),
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
                boxed: false,
                ty: typed.ty,
            });
        }
        // A name `required` lists without describing it must be there all the same: a field of any value.
        for wire_name in &schema.required {
            if schema.properties.contains_key(wire_name) || Some(wire_name.as_str()) == skip {
                continue;
            }
            fields.push(Field {
                wire_name: wire_name.clone(),
                rust_name: field_names.claim(field_name(wire_name)),
                docs: vec!["Required by the schema, which does not describe it.".to_owned()],
                presence: Presence::Required,
                boxed: false,
                ty: TypeRef::Json,
            });
        }
        let values_source = format!("A value of [`{name}`]'s map.");
        let closed = schema.additional_properties == Additional::Forbidden && schema.pattern_properties.is_empty();
        let additional = match map_values(schema) {
            _ if closed => None,
            Some(values) => {
                let typed = self.type_of(values, &format!("{name}Value"), &values_source)?;
                Some(if typed.nullable { TypeRef::Json } else { typed.ty })
            }
            None => Some(TypeRef::Json),
        };
        let additional = additional
            .map(|value| AdditionalField { rust_name: field_names.claim("additional_properties".to_owned()), value });
        let mut docs = type_docs(schema, source);
        if let Some(tag) = skip {
            docs.push(String::new());
            docs.push(format!(
                "The `{tag}` property is not a field: the enum variant that holds this payload carries it."
            ));
        }
        self.types[slot] = TypeDef {
            name: name.to_owned(),
            docs,
            kind: TypeKind::Struct(Struct { fields, additional }),
            examples: json_texts(&schema.examples),
            check: check_of(schema, tag),
        };
        Ok(())
    }
}

/// The schema every property a schema does not name must match, when there is exactly one: a typed
/// `additionalProperties`, or the single `patternProperties` schema when nothing else is allowed.
fn map_values(schema: &Schema) -> Option<&SchemaRef> {
    match (&schema.additional_properties, schema.pattern_properties.as_slice()) {
        (Additional::Typed(values), []) => Some(values),
        (Additional::Forbidden, [values]) => Some(values),
        _ => None,
    }
}

/// The type a `const` without a `type` implies: `{const: circle}` is a string.
fn const_type(schema: &Schema) -> Option<TypeSet> {
    match schema.constant.as_deref()? {
        crate::json::Value::String(_) => Some(TypeSet::STRING),
        crate::json::Value::Bool(_) => Some(TypeSet::BOOLEAN),
        crate::json::Value::Number(n) if n.is_i64() || n.is_u64() => Some(TypeSet::INTEGER),
        crate::json::Value::Number(_) => Some(TypeSet::NUMBER),
        _ => None,
    }
}

/// Which kind of named type a schema becomes, if any (others are spelled inline: `String`, `Vec<T>`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NamedKind {
    Struct,
    StringEnum,
    IntegerEnum,
    Union,
}

fn named_kind(schema: &Schema) -> Option<NamedKind> {
    let non_null_alternatives = schema
        .alternatives
        .iter()
        .filter(|a| !matches!(a, SchemaRef::Inline(s) if s.types == Some(TypeSet::NULL)))
        .count();
    if non_null_alternatives >= 2 {
        return Some(NamedKind::Union);
    }
    if !schema.alternatives.is_empty() {
        return None;
    }
    if string_enum_values(schema).is_some() {
        return Some(NamedKind::StringEnum);
    }
    if integer_enum_values(schema).is_some() {
        return Some(NamedKind::IntegerEnum);
    }
    needs_struct(schema).then_some(NamedKind::Struct)
}

/// The alternative of a `oneOf`/`anyOf` whose other alternatives are all `{type: 'null'}`.
fn single_alternative(schema: &Schema) -> Option<&SchemaRef> {
    let mut non_null =
        schema.alternatives.iter().filter(|a| !matches!(a, SchemaRef::Inline(s) if s.types == Some(TypeSet::NULL)));
    let only = non_null.next()?;
    non_null.next().is_none().then_some(only)
}

/// `{type: [A, B], ...}` as the `anyOf` it means, `[{type: A, ...}, {type: B, ...}]` (`null` aside, which makes
/// the whole nullable), so that several types read as an enum of them rather than as any JSON value; `None`
/// for a schema of one type, any type, or a value list (`enum`, `const`), or one with alternatives already.
fn by_type(schema: &Schema) -> Option<Schema> {
    let types = schema.types?.without_null();
    if !schema.alternatives.is_empty() || schema.enum_values.is_some() || schema.constant.is_some() {
        return None;
    }
    let number = if types.contains(TypeSet::NUMBER) { TypeSet::NUMBER } else { TypeSet::INTEGER };
    let each: Vec<TypeSet> = [TypeSet::BOOLEAN, number, TypeSet::STRING, TypeSet::ARRAY, TypeSet::OBJECT]
        .into_iter()
        .filter(|&t| types.contains(t))
        .collect();
    if each.len() < 2 {
        return None;
    }
    let alternatives = each
        .into_iter()
        .map(|t| {
            let one = Schema {
                types: Some(t),
                title: None,
                description: None,
                examples: Vec::new(),
                default: None,
                ..schema.clone()
            };
            SchemaRef::Inline(std::sync::Arc::new(one))
        })
        .collect();
    Some(Schema { alternatives, alternatives_keyword: Some("anyOf"), ..schema.clone() })
}

/// `null` is allowed: by the type, a `null` in the `enum`, or a `{type: 'null'}` alternative.
fn is_nullable(schema: &Schema) -> bool {
    schema.is_nullable()
        || schema.enum_values.as_ref().is_some_and(|values| values.contains(&crate::json::Value::Null))
        || schema.alternatives.iter().any(|a| matches!(a, SchemaRef::Inline(s) if s.types == Some(TypeSet::NULL)))
}

/// The values of an `enum` of strings (a `null` among them makes the type nullable instead).
fn string_enum_values(schema: &Schema) -> Option<Vec<String>> {
    if schema.enum_values.is_none()
        && let Some(crate::json::Value::String(fixed)) = schema.constant.as_deref()
    {
        // A `const` string is an enum of one value, always closed: it is what the schema fixes.
        let types_ok = schema.types.is_none_or(|t| t.without_null() == TypeSet::STRING);
        return types_ok.then(|| vec![fixed.clone()]);
    }
    let values = schema.enum_values.as_ref()?;
    let types_ok = schema.types.is_none_or(|t| t.without_null() == TypeSet::STRING);
    let strings: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    let only_strings = values.iter().all(|v| v.is_string() || v.is_null());
    (types_ok && only_strings && !strings.is_empty()).then_some(strings)
}

/// The values of an `enum` of integers.
fn integer_enum_values(schema: &Schema) -> Option<Vec<i64>> {
    let values = schema.enum_values.as_ref()?;
    let types_ok = schema.types.is_some_and(|t| {
        let t = t.without_null();
        t == TypeSet::INTEGER || t == TypeSet::NUMBER
    });
    let integers: Vec<i64> = values.iter().filter_map(crate::json::Value::as_i64).collect();
    let only_integers = values.iter().all(|v| v.is_i64() || v.is_null());
    (types_ok && only_integers && !integers.is_empty()).then_some(integers)
}

/// A variant name for an alternative that has no name of its own, from its Rust type.
fn variant_name_for(ty: &TypeRef, index: usize) -> String {
    match ty {
        TypeRef::Null => "Null".to_owned(),
        TypeRef::Bool => "Boolean".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
        TypeRef::F64 => "Number".to_owned(),
        TypeRef::String | TypeRef::Date | TypeRef::DateTime | TypeRef::Uuid => "String".to_owned(),
        TypeRef::Vec(_) | TypeRef::Tuple(_) => "Array".to_owned(),
        TypeRef::JsonObject | TypeRef::Map(_) => "Object".to_owned(),
        TypeRef::Named(name) => name.clone(),
        TypeRef::Json => format!("Variant{}", index + 1),
    }
}

/// Rustdoc for a named type: the schema's title and description, then where it comes from.
fn type_docs(schema: &Schema, source: String) -> Vec<String> {
    let mut docs = docs_of(schema);
    if !docs.is_empty() {
        docs.push(String::new());
    }
    docs.push(source);
    docs
}

/// An object schema that names properties becomes a struct, as does an object that requires some; other
/// objects are maps.
fn needs_struct(schema: &Schema) -> bool {
    let object_only = schema.types.is_none_or(|t| t.without_null() == TypeSet::OBJECT);
    let requires = schema.types.is_some_and(|t| t.without_null() == TypeSet::OBJECT) && !schema.required.is_empty();
    object_only && (!schema.properties.is_empty() || requires)
}

/// The string value a property schema fixes (`const`, or an `enum` of one value), if any.
pub(super) fn fixed_value(schemas: &Schemas, property: &SchemaRef) -> Result<Option<String>> {
    let property = schemas.deref(property)?;
    let fixed = property.constant.as_deref().or(match property.enum_values.as_deref() {
        Some([only]) => Some(only),
        _ => None,
    });
    Ok(fixed.and_then(|value| value.as_str().map(str::to_owned)))
}

pub(super) fn all_distinct(values: &[String]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    values.iter().all(|v| seen.insert(v))
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
    if !schema.constraints.is_empty() {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push(format!("Checked by `validate()`: {}.", schema.constraints.join(", ")));
    }
    if let Some(default) = &schema.default {
        // Documented, not applied: an absent property stays `None`, so writing back adds nothing.
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push(format!("Default: `{default}`."));
    }
    docs
}

/// What `validate()` checks a type read from `schema` against; `tag` is the tag property a tagged payload
/// struct leaves out, and the value to put back (any of its messages' will do, since a schema that fixes the
/// tag is one message's own).
fn check_of(schema: &Schema, tag: Option<(&str, &str)>) -> SchemaCheck {
    SchemaCheck {
        pointer: schema.origin.clone(),
        tag: tag.map(|(property, value)| (property.to_owned(), value.to_owned())),
    }
}

/// Values as the JSON text the IR holds.
fn json_texts(values: &[crate::json::Value]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}
