//! Stage 4's output, the IR: plain data describing the Rust items to write, with every name already decided.
//! The model stage builds it and the emit stage turns it into code; tests build and inspect it without
//! generating code. It holds no document types: examples are JSON text.

/// Everything generated from one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The document's `info.title`, `info.version` and `info.description`, for the crate docs.
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// The named types, in the order they were first met.
    pub types: Vec<TypeDef>,
    /// The dispatch enum over every message; `None` when the document declares no message.
    pub dispatch: Option<Dispatch>,
    /// One enum per channel, over the messages of that channel.
    pub channels: Vec<ChannelEnum>,
    /// The document as JSON text, overlays applied and referenced files bundled in: what `validate()` checks
    /// values against, by the pointers in [`SchemaCheck`] and [`Variant::payload_schema`].
    pub schema_document: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub docs: Vec<String>,
    pub kind: TypeKind,
    /// The schema's `examples` as JSON text, which the generated tests read and write back.
    pub examples: Vec<String>,
    /// The schema the type's `validate()` checks a value against.
    pub check: SchemaCheck,
}

/// Where a type's schema is in the document, for `validate()`.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaCheck {
    /// The JSON pointer of the schema (as written, so `allOf` and `$ref` keep their full meaning).
    pub pointer: String,
    /// For a tagged payload struct, which leaves the tag property out: the property and a value that
    /// selects the struct's message, put back before the value is checked.
    pub tag: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    /// An `enum` of strings: a Rust enum whose variants serialize as those strings.
    StringEnum(StringEnum),
    /// An `enum` of integers: (variant name, value) pairs; serializes as the number.
    IntegerEnum(Vec<(String, i64)>),
    /// A `oneOf`/`anyOf`.
    Union(Union),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StringEnum {
    pub values: Vec<EnumValue>,
    /// Open enums read a value the spec does not list into this variant, which keeps the string; `None` for a
    /// closed enum, which refuses such a value.
    pub other: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    pub rust_name: String,
    pub value: String,
}

/// One of several alternatives. With a `tag`, the alternative is chosen by that property's value (the
/// property stays in the alternative's own type); without, by trying each alternative in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: TypeRef,
    /// Boxed because the variant closes a cycle of types.
    pub boxed: bool,
    /// The tag values that select this variant (tagged unions only).
    pub tag_values: Vec<String>,
    pub docs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Where properties the schema does not name are kept, and their value type; `None` when the
    /// schema forbids them (`additionalProperties: false`).
    pub additional: Option<AdditionalField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AdditionalField {
    pub rust_name: String,
    pub value: TypeRef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The property name on the wire.
    pub wire_name: String,
    pub rust_name: String,
    pub docs: Vec<String>,
    pub ty: TypeRef,
    pub presence: Presence,
    /// Boxed because the field closes a cycle of types.
    pub boxed: bool,
}

/// Whether a property must be present and whether it may be `null`, which decide its Rust type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// `T`
    Required,
    /// `Option<T>`: present, `None` is `null`.
    RequiredNullable,
    /// `Option<T>`: `None` is absent.
    Optional,
    /// `Option<Option<T>>`: `None` is absent, `Some(None)` is `null`.
    OptionalNullable,
}

impl Presence {
    pub fn new(required: bool, nullable: bool) -> Presence {
        match (required, nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }
}

/// A Rust type, by what it is rather than how it is spelled.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeRef {
    /// `type: 'null'`: only `null`, as `()`.
    Null,
    Bool,
    I32,
    I64,
    F64,
    String,
    /// `format: date-time`.
    DateTime,
    /// `format: date`.
    Date,
    /// `format: uuid`.
    Uuid,
    /// Any JSON value.
    Json,
    /// A JSON object of any values (`type: object` with nothing more said).
    JsonObject,
    Vec(Box<TypeRef>),
    /// A fixed-length array whose items have these types.
    Tuple(Vec<TypeRef>),
    /// A JSON object whose values all have one type.
    Map(Box<TypeRef>),
    /// One of the [`TypeDef`]s, by name.
    Named(String),
}

impl TypeRef {
    /// Whether this type mentions one of the generated types.
    pub fn uses_named(&self) -> bool {
        match self {
            TypeRef::Named(_) => true,
            TypeRef::Vec(inner) | TypeRef::Map(inner) => inner.uses_named(),
            TypeRef::Tuple(items) => items.iter().any(TypeRef::uses_named),
            _ => false,
        }
    }
}

/// The enum over all messages, chosen by the value of one payload property.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    pub name: String,
    pub kind: DispatchKind,
    pub variants: Vec<Variant>,
    /// Name of the variant that keeps payloads with a tag no message declares (tagged dispatch only).
    pub unknown_variant: String,
    /// Name of the struct that the unknown variant holds.
    pub unknown_type: String,
    /// Name of the trait with one method per message, and its method for unknown messages.
    pub handler_trait: String,
    pub unknown_handler_method: String,
    /// Name of the enum that says what became of a body that is not a valid message.
    pub invalid_outcome: String,
}

/// How a payload finds its variant (see the model's `dispatch.rs` for the rule).
#[derive(Clone, Debug, PartialEq)]
pub enum DispatchKind {
    /// By the string value of this payload property; unknown values read into the unknown variant.
    Tagged { property: String },
    /// The document has one message: every payload is that message.
    Single,
    /// Nothing in the payload tells the messages apart: the caller names the message.
    ByName,
}

impl DispatchKind {
    pub fn tag_property(&self) -> Option<&str> {
        match self {
            DispatchKind::Tagged { property } => Some(property),
            DispatchKind::Single | DispatchKind::ByName => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    /// The value of the tag property that selects this variant (tagged dispatch), or the message's name.
    pub tag_value: String,
    pub docs: Vec<String>,
    /// The payload type; for tagged dispatch a struct without the tag property.
    pub payload: TypeRef,
    /// The pointer of the payload's schema, which `Event::validate` checks the payload against; `None` for a
    /// message without a payload.
    pub payload_schema: Option<String>,
    /// The handler trait's method for this message (`on_message_sent`).
    pub handler_method: String,
    /// The type of the message's headers, when it declares them.
    pub headers: Option<TypeRef>,
    /// The message's examples, which the generated tests read and write back.
    pub examples: Vec<MessageExample>,
}

/// One entry of a message's `examples`, its parts as JSON text.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageExample {
    pub name: Option<String>,
    pub headers: Option<String>,
    pub payload: Option<String>,
}

/// The messages of one channel, as their own enum convertible to and from the dispatch enum.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelEnum {
    pub name: String,
    /// The channel's name (2.x) or address (3.x).
    pub channel: String,
    pub docs: Vec<String>,
    /// Indexes into [`Dispatch::variants`].
    pub variants: Vec<usize>,
}
