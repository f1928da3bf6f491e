//! Stage 4, model: AsyncAPI view + schemas → [`Model`], the IR (`ir.rs`): which Rust items exist, what they
//! are called, and how the dispatch enum picks a variant. Dispatch is decided in `dispatch.rs`, the types in
//! `types.rs`, every name in `naming.rs`. Nothing here reads the document: the view and the schemas are
//! all it sees.

mod dispatch;
mod types;

use crate::asyncapi::Api;
use crate::error::Result;
use crate::ir::Model;
use crate::naming::{DISPATCH_ENUM, HANDLER_TRAIT, INVALID_OUTCOME, Names, UNKNOWN_TYPE};
use crate::schema::Schemas;

/// Choices that change what is generated.
///
/// ```
/// let mut options = generator::Options::new("../spec/knock.asyncapi.yaml", "unused");
/// options.model = generator::ModelOptions { tag_property: Some("type".to_owned()), closed_enums: true };
/// let files = generator::generate(&options)?;
/// assert!(files.iter().any(|f| f.contents.contains("\"message.sent\" => ")));
/// # Ok::<(), generator::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    /// The payload property whose value selects the message; detected when `None` (README: "Dispatch rule").
    pub tag_property: Option<String>,
    /// String enums refuse values the spec does not list (by default they are open: such a value is kept in
    /// their `Unknown` variant, so a sender that adds a value does not break the receiver).
    pub closed_enums: bool,
}

/// The IR of the document that `api` and `schemas` were read from.
pub fn build(api: &Api, schemas: &Schemas, options: &ModelOptions) -> Result<Model> {
    let mut names = Names::for_types();
    names.reserve(DISPATCH_ENUM);
    names.reserve(UNKNOWN_TYPE);
    names.reserve(HANDLER_TRAIT);
    names.reserve(INVALID_OUTCOME);
    let mut types = types::Types::new(schemas, names, options.closed_enums);
    let dispatch = match api.messages.is_empty() {
        true => None,
        false => Some(dispatch::dispatch(api, schemas, options.tag_property.as_deref(), &mut types)?),
    };
    let (types, mut names) = types.finish()?;
    let channels = match dispatch {
        Some(_) => dispatch::channel_enums(&api.channels, &mut names),
        None => Vec::new(),
    };
    Ok(Model {
        title: api.title.clone().unwrap_or_else(|| "AsyncAPI".to_owned()),
        version: api.version.clone().unwrap_or_default(),
        description: api.description.clone(),
        types,
        dispatch,
        channels,
        schema_document: schemas.document_json.clone(),
    })
}
