//! Stage 3, schemas (`allOf` merging): schema intersection as a pure function. A value must satisfy every
//! branch, so the merged schema allows the types both allow, requires what either requires, and merges
//! properties both describe. Branches that cannot both hold are reported with the place each side came
//! from, never guessed. Schema reading (`read.rs`) calls it for `allOf`, the model for a union's own
//! properties; both hand it a [`Lookup`] for the schemas that references name.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::schema::{Additional, Schema, SchemaRef};

/// What merging needs of its caller: the schema a reference names (when both sides describe a property
/// differently and one is a reference), and the file errors name.
pub trait Lookup {
    fn schema(&mut self, pointer: &str) -> Result<Schema>;
    fn file(&self) -> &Path;
}

/// Merges two schemas that must both hold.
pub fn merge(lookup: &mut dyn Lookup, a: &Schema, b: &Schema) -> Result<Schema> {
    Merger { lookup, in_progress: Vec::new() }.schemas(a, b)
}

struct Merger<'l> {
    lookup: &'l mut dyn Lookup,
    /// Pairs of referenced schemas being merged, to stop on recursive schemas.
    in_progress: Vec<(String, String)>,
}

impl Merger<'_> {
    fn conflict(&self, a: &Schema, b: &Schema, what: String) -> Error {
        Error::at(
            self.lookup.file(),
            &a.origin,
            format!("allOf branches cannot both hold: {what} (one from #{}, the other from #{})", a.origin, b.origin),
        )
    }

    fn schemas(&mut self, a: &Schema, b: &Schema) -> Result<Schema> {
        // A branch that accepts nothing (`false`) makes the whole `allOf` accept nothing: no conflict to
        // report, since nothing else can hold either.
        if a.is_never() || b.is_never() {
            return Ok(Schema {
                title: a.title.clone(),
                description: a.description.clone(),
                ..Schema::never(&a.origin)
            });
        }
        let types = match (a.types, b.types) {
            (None, t) | (t, None) => t,
            (Some(x), Some(y)) => {
                let both = x.intersect(y);
                if both.is_empty() {
                    return Err(self.conflict(
                        a,
                        b,
                        format!("type `{}` and type `{}` share no value", x.names().join("|"), y.names().join("|")),
                    ));
                }
                Some(both)
            }
        };
        let format = match (&a.format, &b.format) {
            (Some(x), Some(y)) if x != y => {
                return Err(self.conflict(a, b, format!("format `{x}` and format `{y}` differ")));
            }
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        let constant = match (&a.constant, &b.constant) {
            (Some(x), Some(y)) if x != y => {
                return Err(self.conflict(a, b, format!("const {x} and const {y} differ")));
            }
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        let enum_values = match (&a.enum_values, &b.enum_values) {
            (Some(x), Some(y)) => {
                let common: Vec<_> = x.iter().filter(|v| y.contains(v)).cloned().collect();
                if common.is_empty() {
                    return Err(self.conflict(a, b, "the two `enum` lists have no value in common".to_owned()));
                }
                Some(common)
            }
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        let mut properties = a.properties.clone();
        for (name, b_property) in &b.properties {
            let merged = match properties.get(name) {
                Some(a_property) => self.refs(a_property, b_property).map_err(|mut e| {
                    e.message = format!("in property `{name}`: {}", e.message);
                    e
                })?,
                None => b_property.clone(),
            };
            properties.insert(name.clone(), merged);
        }
        let mut required = a.required.clone();
        for name in &b.required {
            if !required.contains(name) {
                required.push(name.clone());
            }
        }
        let additional_properties = match (&a.additional_properties, &b.additional_properties) {
            (Additional::Forbidden, _) | (_, Additional::Forbidden) => Additional::Forbidden,
            (Additional::Typed(x), Additional::Typed(y)) => Additional::Typed(Box::new(self.refs(x, y)?)),
            (Additional::Typed(x), Additional::Any) | (Additional::Any, Additional::Typed(x)) => {
                Additional::Typed(x.clone())
            }
            (Additional::Any, Additional::Any) => Additional::Any,
        };
        let items = match (&a.items, &b.items) {
            (Some(x), Some(y)) => Some(Box::new(self.refs(x, y)?)),
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        let tuple_items = match (&a.tuple_items, &b.tuple_items) {
            (Some(x), Some(y)) => {
                // Positions both describe are merged; the longer list's extra positions are kept.
                let mut merged = Vec::with_capacity(x.len().max(y.len()));
                for i in 0..x.len().max(y.len()) {
                    merged.push(match (x.get(i), y.get(i)) {
                        (Some(p), Some(q)) => self.refs(p, q)?,
                        (Some(p), None) | (None, Some(p)) => p.clone(),
                        (None, None) => unreachable!("i is below the longer length"),
                    });
                }
                Some(merged)
            }
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        // Alternatives (`oneOf`/`anyOf`) are not distributed over each other: when both sides have them
        // the first side's are kept (a documented limitation; real documents do not combine them).
        let (alternatives, alternatives_keyword) = if a.alternatives.is_empty() {
            (b.alternatives.clone(), b.alternatives_keyword)
        } else {
            (a.alternatives.clone(), a.alternatives_keyword)
        };
        // Examples belong to the schema that wrote them: a part's examples need not satisfy the whole. Those
        // the whole's fixed values plainly refuse are dropped.
        let examples = a
            .examples
            .iter()
            .filter(|example| constant.as_deref().is_none_or(|fixed| fixed == *example))
            .filter(|example| enum_values.as_ref().is_none_or(|values| values.contains(example)))
            .cloned()
            .collect();
        Ok(Schema {
            origin: a.origin.clone(),
            title: a.title.clone().or_else(|| b.title.clone()),
            description: a.description.clone().or_else(|| b.description.clone()),
            types,
            format,
            properties,
            required,
            additional_properties,
            items,
            tuple_items,
            pattern_properties: a.pattern_properties.iter().chain(&b.pattern_properties).cloned().collect(),
            constraints: a
                .constraints
                .iter()
                .chain(b.constraints.iter().filter(|c| !a.constraints.contains(c)))
                .cloned()
                .collect(),
            enum_values,
            constant,
            alternatives,
            alternatives_keyword,
            discriminator: a.discriminator.clone().or_else(|| b.discriminator.clone()),
            default: a.default.clone().or_else(|| b.default.clone()),
            examples,
            deprecated: a.deprecated || b.deprecated,
        })
    }

    /// Merges two subschemas. The same reference twice stays that reference; anything else is
    /// merged into a new inline schema.
    fn refs(&mut self, a: &SchemaRef, b: &SchemaRef) -> Result<SchemaRef> {
        if a == b {
            return Ok(a.clone());
        }
        let key = (pointer_of(a), pointer_of(b));
        if self.in_progress.contains(&key) {
            return Err(Error::at(
                self.lookup.file(),
                &key.0,
                format!(
                    "allOf merges the recursive schemas #{} and #{}, which this generator cannot flatten",
                    key.0, key.1
                ),
            ));
        }
        self.in_progress.push(key);
        let merged = match (self.deref(a), self.deref(b)) {
            (Ok(a), Ok(b)) => self.schemas(&a, &b),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        self.in_progress.pop();
        Ok(SchemaRef::Inline(Arc::new(merged?)))
    }
}

impl Merger<'_> {
    fn deref(&mut self, schema: &SchemaRef) -> Result<Schema> {
        match schema {
            SchemaRef::Inline(inline) => Ok((**inline).clone()),
            SchemaRef::Ref(pointer) => self.lookup.schema(pointer),
        }
    }
}

fn pointer_of(schema: &SchemaRef) -> String {
    match schema {
        SchemaRef::Ref(pointer) => pointer.clone(),
        SchemaRef::Inline(inline) => inline.origin.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::TypeSet;

    /// Merges of schemas without references need nothing looked up.
    struct NoReferences;

    impl Lookup for NoReferences {
        fn schema(&mut self, pointer: &str) -> Result<Schema> {
            panic!("no reference to look up, asked for {pointer}")
        }
        fn file(&self) -> &Path {
            Path::new("t.yaml")
        }
    }

    #[test]
    fn integer_refines_number() {
        let a = Schema { types: Some(TypeSet::NUMBER), ..Schema::any("/a") };
        let b = Schema { types: Some(TypeSet::INTEGER.union(TypeSet::NULL)), ..Schema::any("/b") };
        assert_eq!(merge(&mut NoReferences, &a, &b).unwrap().types, Some(TypeSet::INTEGER));
    }

    #[test]
    fn conflicting_formats_and_enums_are_reported() {
        let a = Schema { format: Some("uuid".into()), ..Schema::any("/a") };
        let b = Schema { format: Some("uri".into()), ..Schema::any("/b") };
        let err = merge(&mut NoReferences, &a, &b).unwrap_err();
        assert!(err.message.contains("format `uuid` and format `uri` differ"), "{err}");
        let a = Schema { enum_values: Some(vec!["x".into(), "y".into()]), ..Schema::any("/a") };
        let b = Schema { enum_values: Some(vec!["y".into(), "z".into()]), ..Schema::any("/b") };
        assert_eq!(merge(&mut NoReferences, &a, &b).unwrap().enum_values, Some(vec!["y".into()]));
        let c = Schema { enum_values: Some(vec!["q".into()]), ..Schema::any("/c") };
        assert!(merge(&mut NoReferences, &a, &c).unwrap_err().message.contains("no value in common"));
    }

    #[test]
    fn a_false_branch_makes_nothing_hold_and_examples_the_whole_refuses_go() {
        let a = Schema { types: Some(TypeSet::STRING), ..Schema::any("/a") };
        let merged = merge(&mut NoReferences, &a, &Schema::never("/b")).unwrap();
        assert!(merged.is_never(), "no conflict: an allOf with a false branch accepts nothing");
        let a = Schema { examples: vec!["reaction_added".into(), "message".into()], ..Schema::any("/a") };
        let b = Schema { constant: Some(Box::new("message".into())), ..Schema::any("/b") };
        assert_eq!(merge(&mut NoReferences, &a, &b).unwrap().examples, vec![crate::json::Value::from("message")]);
    }
}
