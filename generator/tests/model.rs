//! The model stage on small hand-written documents: the IR is plain data, inspected without codegen.

use std::path::Path;

use generator::ModelOptions;
use generator::internals::ir::{DispatchKind, Field, Model, Presence, TypeDef, TypeKind, TypeRef};

fn model(yaml: &str) -> generator::Result<Model> {
    build(yaml, &ModelOptions::default())
}

fn build(yaml: &str, options: &ModelOptions) -> generator::Result<Model> {
    generator::internals::model_of_text(Path::new("test.yaml"), yaml, options)
}

fn find<'m>(model: &'m Model, name: &str) -> &'m TypeDef {
    model.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name} in {model:#?}"))
}

fn fields<'m>(model: &'m Model, name: &str) -> &'m [Field] {
    let TypeKind::Struct(s) = &find(model, name).kind else { panic!("{name} is not a struct") };
    &s.fields
}

const ENVELOPES: &str = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  events:
    subscribe:
      message:
        oneOf:
          - $ref: '#/components/messages/Plain'
          - $ref: '#/components/messages/Attempted'
          - {name: inline.made, payload: {type: object, properties: {type: {type: string}, size: {type: number}}}}
components:
  messages:
    Plain: {name: thing.plain, payload: {$ref: '#/components/schemas/Base'}}
    Attempted: {name: thing.attempted, payload: {$ref: '#/components/schemas/Attempted'}}
  schemas:
    Base:
      type: object
      required: [created_at]
      properties:
        type: {type: string}
        created_at: {type: string, format: date-time}
        event_data: {type: [object, 'null']}
    Attempted:
      allOf:
        - $ref: '#/components/schemas/Base'
        - properties:
            event_data:
              type: object
              properties:
                attempt: {type: integer, description: Which attempt this was.}
"#;

#[test]
fn allof_refinement_gives_a_typed_nested_struct() {
    let model = model(ENVELOPES).expect("builds");
    let attempted = fields(&model, "Attempted");
    let names: Vec<_> = attempted.iter().map(|f| f.rust_name.as_str()).collect();
    assert_eq!(names, ["created_at", "event_data"], "the tag `type` is carried by the variant");
    assert_eq!(attempted[0].ty, TypeRef::DateTime);
    assert_eq!(attempted[0].presence, Presence::Required);
    assert_eq!(attempted[1].ty, TypeRef::Named("AttemptedEventData".into()));
    assert_eq!(attempted[1].presence, Presence::Optional, "object ∩ [object, null] is not nullable");
    let event_data = fields(&model, "AttemptedEventData");
    assert_eq!(event_data[0].ty, TypeRef::I64);
    assert_eq!(event_data[0].docs, ["Which attempt this was."]);

    let base = fields(&model, "Base");
    assert_eq!(base[1].ty, TypeRef::JsonObject);
    assert_eq!(base[1].presence, Presence::OptionalNullable);
}

#[test]
fn dispatch_variants_follow_message_names_and_keys() {
    let model = model(ENVELOPES).expect("builds");
    let dispatch = model.dispatch.as_ref().expect("has messages");
    let variants: Vec<_> =
        dispatch.variants.iter().map(|v| (v.name.as_str(), v.tag_value.as_str(), v.payload.clone())).collect();
    let named = |n: &str| TypeRef::Named(n.to_owned());
    assert_eq!(
        variants,
        [
            ("Plain", "thing.plain", named("Base")),
            ("Attempted", "thing.attempted", named("Attempted")),
            ("InlineMade", "inline.made", named("InlineMadePayload"))
        ]
    );
    assert_eq!(dispatch.kind, DispatchKind::Tagged { property: "type".into() }, "Knock's convention: `type` and names");
    assert_eq!(model.channels.len(), 1);
    assert_eq!(model.channels[0].name, "EventsEvent");
    assert_eq!(model.channels[0].variants, [0, 1, 2]);
    assert_eq!(fields(&model, "InlineMadePayload")[0].ty, TypeRef::F64);
}

#[test]
fn const_tag_wins_over_the_message_name() {
    let yaml = ENVELOPES.replace("type: {type: string}, size", "type: {const: made.by.const}, size");
    let options = ModelOptions { tag_property: Some("type".into()), ..ModelOptions::default() };
    let model = build(&yaml, &options).expect("builds");
    assert_eq!(model.dispatch.expect("dispatch").variants[2].tag_value, "made.by.const");
}

#[test]
fn a_property_every_payload_fixes_is_detected_as_the_tag() {
    let yaml = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  ws:
    messages:
      ping: {payload: {type: object, properties: {reqid: {type: integer}, event: {const: ping}}}}
      pong: {payload: {type: object, properties: {reqid: {type: integer}, event: {type: string, enum: [pong]}}}}
      plain: {payload: {type: object, properties: {reqid: {type: integer}, event: {const: status}}}}
"#;
    let model = model(yaml).expect("builds");
    let dispatch = model.dispatch.clone().expect("dispatch");
    assert_eq!(dispatch.kind, DispatchKind::Tagged { property: "event".into() });
    let tags: Vec<_> = dispatch.variants.iter().map(|v| v.tag_value.as_str()).collect();
    assert_eq!(tags, ["ping", "pong", "status"]);
    assert!(fields(&model, "PingPayload").iter().all(|f| f.wire_name != "event"), "the variant carries the tag");
}

#[test]
fn payloads_nothing_tells_apart_are_dispatched_by_name() {
    let yaml = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  a: {publish: {message: {name: lightMeasured, payload: {type: object, properties: {lumens: {type: integer}}}}}}
  b: {subscribe: {message: {messageId: turnOn, payload: {type: string}}}}
"#;
    let model = model(yaml).expect("builds");
    let dispatch = model.dispatch.clone().expect("dispatch");
    assert_eq!(dispatch.kind, DispatchKind::ByName);
    let variants: Vec<_> =
        dispatch.variants.iter().map(|v| (v.name.as_str(), v.tag_value.as_str(), v.payload.clone())).collect();
    assert_eq!(
        variants,
        [
            ("LightMeasured", "lightMeasured", TypeRef::Named("LightMeasuredPayload".into())),
            ("TurnOn", "turnOn", TypeRef::String)
        ]
    );
}

#[test]
fn two_messages_with_one_tag_value_are_an_error() {
    let yaml = ENVELOPES.replace("name: thing.attempted", "name: thing.plain");
    // Detected, the `type`-and-names rule does not apply when names repeat, and by name the two messages
    // cannot be told apart: an error that names both, not a name invented for one of them.
    let err = model(&yaml).expect_err("duplicate name");
    assert_eq!(
        err.to_string(),
        "test.yaml at #/components/messages/Attempted: two messages have the same `name` `thing.plain` and nothing \
         in their payloads tells them apart: #/components/messages/Plain and #/components/messages/Attempted; give \
         them different names (or each payload a `const` tag)"
    );
    // Asked for explicitly, it is an error that names both messages.
    let options = ModelOptions { tag_property: Some("type".into()), ..ModelOptions::default() };
    let err = build(&yaml, &options).expect_err("duplicate tag");
    assert_eq!(
        err.to_string(),
        "test.yaml at #/components/messages/Attempted: two messages have the same `type` value `thing.plain`: \
         #/components/messages/Plain and #/components/messages/Attempted"
    );
}

#[test]
fn recursive_schemas_are_boxed_only_where_a_cycle_needs_it() {
    let yaml = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  tree:
    messages:
      Node: {name: node, payload: {$ref: '#/components/schemas/Node'}}
components:
  schemas:
    Node:
      type: object
      properties:
        type: {type: string}
        children: {type: array, items: {$ref: '#/components/schemas/Child'}}
    Child:
      type: object
      properties:
        parent: {$ref: '#/components/schemas/Node'}
"#;
    let built = model(yaml).expect("builds");
    let child = fields(&built, "Child");
    assert_eq!(child[0].ty, TypeRef::Named("Node".into()));
    assert!(!child[0].boxed, "the cycle goes through a Vec, which needs no Box");

    // A direct cycle, A -> B -> A, and a self-reference: one Box each, where the walk comes back.
    let direct = yaml.replace(
        "children: {type: array, items: {$ref: '#/components/schemas/Child'}}",
        "child: {$ref: '#/components/schemas/Child'}\n        me: {$ref: '#/components/schemas/Node'}",
    );
    let built = model(&direct).expect("builds");
    let boxed =
        |ty: &str| fields(&built, ty).iter().filter(|f| f.boxed).map(|f| f.wire_name.clone()).collect::<Vec<_>>();
    assert_eq!(boxed("Node"), ["me"]);
    assert_eq!(boxed("Child"), ["parent"]);
}

fn field<'m>(model: &'m Model, ty: &str, wire: &str) -> &'m Field {
    fields(model, ty).iter().find(|f| f.wire_name == wire).unwrap_or_else(|| panic!("{ty} has no field {wire}"))
}

#[test]
fn the_three_ways_to_say_nullable_give_the_same_field() {
    let yaml = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  c:
    publish:
      message:
        payload:
          type: object
          required: [a, b, c]
          properties:
            a: {type: [string, 'null']}
            b: {type: string, nullable: true}
            c: {oneOf: [{type: string}, {type: 'null'}]}
            d: {type: string}
"#;
    let model = model(yaml).expect("builds");
    let payload = model.dispatch.as_ref().expect("dispatch").variants[0].payload.clone();
    let TypeRef::Named(name) = payload else { panic!("a struct payload") };
    for wire in ["a", "b", "c"] {
        let f = field(&model, &name, wire);
        assert_eq!((f.ty.clone(), f.presence), (TypeRef::String, Presence::RequiredNullable), "{wire}");
    }
    assert_eq!(field(&model, &name, "d").presence, Presence::Optional);
}

#[test]
fn enums_unions_tuples_and_maps() {
    let yaml = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  c:
    publish:
      message:
        payload: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      properties:
        color: {type: string, enum: [red, dark-blue]}
        level: {type: integer, enum: [1, 2]}
        mixed: {enum: [1, a]}
        point: {type: array, prefixItems: [{type: number}, {type: string}], minItems: 2, items: false}
        open_point: {type: array, items: [{type: number}, {type: string}]}
        counts: {type: object, additionalProperties: {type: integer}}
        scores: {type: object, additionalProperties: false, patternProperties: {'^s': {type: number}}}
        either: {anyOf: [{type: string}, {type: boolean}]}
        pet:
          discriminator: {propertyName: kind, mapping: {c: '#/components/schemas/Cat'}}
          oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
    Cat: {type: object, properties: {kind: {type: string}}}
    Dog: {type: object, properties: {kind: {type: string}}}
"#;
    let model = model(yaml).expect("builds");
    assert_eq!(field(&model, "Thing", "color").ty, TypeRef::Named("ThingColor".into()));
    let TypeKind::StringEnum(string_enum) = &find(&model, "ThingColor").kind else { panic!("a string enum") };
    let values: Vec<_> = string_enum.values.iter().map(|v| (v.rust_name.as_str(), v.value.as_str())).collect();
    assert_eq!(values, [("Red", "red"), ("DarkBlue", "dark-blue")]);
    assert_eq!(string_enum.other.as_deref(), Some("Unknown"), "open by default");
    let closed = build(yaml, &ModelOptions { closed_enums: true, ..ModelOptions::default() }).expect("builds");
    let TypeKind::StringEnum(string_enum) = &find(&closed, "ThingColor").kind else { panic!("a string enum") };
    assert_eq!(string_enum.other, None, "closed when asked");
    assert!(
        matches!(&find(&model, "ThingLevel").kind, TypeKind::IntegerEnum(v) if v == &[("Value1".to_owned(), 1), ("Value2".to_owned(), 2)])
    );
    assert_eq!(field(&model, "Thing", "mixed").ty, TypeRef::Json, "an enum of mixed types is any JSON value");
    assert_eq!(field(&model, "Thing", "point").ty, TypeRef::Tuple(vec![TypeRef::F64, TypeRef::String]));
    // Without `minItems` an item may be missing, and without a limit more may follow: not a Rust tuple.
    assert_eq!(field(&model, "Thing", "open_point").ty, TypeRef::Vec(Box::new(TypeRef::Json)));
    assert_eq!(field(&model, "Thing", "counts").ty, TypeRef::Map(Box::new(TypeRef::I64)));
    assert_eq!(field(&model, "Thing", "scores").ty, TypeRef::Map(Box::new(TypeRef::F64)));
    let TypeKind::Union(either) = &find(&model, "ThingEither").kind else { panic!("a union") };
    assert_eq!(either.tag, None);
    assert_eq!(either.variants.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["String", "Boolean"]);
    let TypeKind::Union(pet) = &find(&model, "ThingPet").kind else { panic!("a union") };
    assert_eq!(pet.tag.as_deref(), Some("kind"));
    let tags: Vec<_> = pet.variants.iter().map(|v| (v.name.as_str(), v.tag_values.clone())).collect();
    assert_eq!(tags, [("Cat", vec!["c".to_owned()]), ("Dog", vec!["Dog".to_owned()])], "mapping, else the schema name");
}

#[test]
fn traits_headers_and_schema_formats() {
    let yaml = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  c:
    publish:
      message:
        oneOf:
          - name: traced
            traits: [{$ref: '#/components/messageTraits/T'}]
            payload: {type: string}
          - name: avro
            schemaFormat: application/vnd.apache.avro;version=1.9.0
            payload: {type: record, name: Rec, fields: [{name: n, type: int}]}
components:
  messageTraits:
    T:
      title: From the trait
      headers: {type: object, properties: {id: {type: string}}}
"#;
    let built = model(yaml).expect("builds");
    let dispatch = built.dispatch.as_ref().expect("dispatch");
    assert_eq!(dispatch.variants[0].headers, Some(TypeRef::Named("TracedHeaders".into())));
    assert_eq!(dispatch.variants[0].docs[0], "From the trait");
    assert_eq!(dispatch.variants[1].payload, TypeRef::Named("Rec".into()));
    assert_eq!(field(&built, "Rec", "n").ty, TypeRef::I32);

    let raml = yaml.replace("application/vnd.apache.avro;version=1.9.0", "application/raml+yaml;version=1.0");
    let err = model(&raml).expect_err("RAML is not supported");
    assert!(
        err.to_string().contains("unsupported schemaFormat `application/raml+yaml;version=1.0` for message `avro`"),
        "{err}"
    );
}

#[test]
fn names_required_but_not_described_are_fields_of_any_value() {
    let yaml = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  a: {publish: {message: {name: m, payload: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Thing: {type: object, required: [id, token], properties: {id: {type: string}}}
    Bare: {type: object, required: [token]}
"#;
    let model = model(yaml).expect("builds");
    let thing: Vec<_> = fields(&model, "Thing").iter().map(|f| (f.wire_name.as_str(), &f.ty, f.presence)).collect();
    assert_eq!(thing, [("id", &TypeRef::String, Presence::Required), ("token", &TypeRef::Json, Presence::Required)]);
    // Every type, and each its schema for `validate()`.
    let checks: Vec<_> = model.types.iter().map(|t| (t.name.as_str(), t.check.pointer.as_str())).collect();
    assert_eq!(checks, [("Thing", "/components/schemas/Thing")]);
}

#[test]
fn several_types_are_an_enum_of_them() {
    let yaml = r#"
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  a: {publish: {message: {name: m, payload: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: [string, integer, 'null']}
        size: {type: [integer, number]}
        nothing: {type: 'null'}
        counts: {additionalProperties: {type: integer}}
"#;
    let model = model(yaml).expect("builds");
    let id = fields(&model, "Thing").iter().find(|f| f.wire_name == "id").expect("id");
    assert_eq!((&id.ty, id.presence), (&TypeRef::Named("ThingId".into()), Presence::OptionalNullable));
    let TypeKind::Union(union) = &find(&model, "ThingId").kind else { panic!("a union") };
    let variants: Vec<_> = union.variants.iter().map(|v| (v.name.as_str(), &v.ty)).collect();
    assert_eq!(variants, [("Integer", &TypeRef::I64), ("String", &TypeRef::String)]);
    let size = fields(&model, "Thing").iter().find(|f| f.wire_name == "size").expect("size");
    assert_eq!(size.ty, TypeRef::F64, "every integer is a number: one type");
    let nothing = fields(&model, "Thing").iter().find(|f| f.wire_name == "nothing").expect("nothing");
    assert_eq!((&nothing.ty, nothing.presence), (&TypeRef::Null, Presence::Optional), "`()` reads only null");
    let counts = fields(&model, "Thing").iter().find(|f| f.wire_name == "counts").expect("counts");
    assert_eq!(counts.ty, TypeRef::Map(Box::new(TypeRef::I64)), "`additionalProperties` alone is an object");
}
