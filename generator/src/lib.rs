//! An AsyncAPI-to-Rust code generator.
//!
//! The pipeline, one module per stage, with plain data between them:
//! [`load`] (YAML/JSON → value) → [`resolve`] (`$ref`s) and [`schema`]/[`merge`] (schemas with `allOf`
//! merged) → [`model`] (the [`ir`]: Rust items with their names decided, see [`naming`]) → [`emit`] (Rust
//! source via `quote!` and prettyplease) → [`write`] (atomic write, or check).
//!
//! ```no_run
//! // In a build script, or anywhere:
//! let options = generator::Options::new("spec/knock.asyncapi.yaml", "generated");
//! generator::run(&options).expect("the spec generates");
//! ```

pub mod asyncapi;
pub mod bundle;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod merge;
pub mod model;
pub mod naming;
pub mod resolve;
pub mod schema;
pub mod write;

use std::path::{Path, PathBuf};

pub use emit::GeneratedFile;
pub use error::{Error, Result};
pub use model::ModelOptions;

/// What to generate, from where, to where.
#[derive(Clone, Debug)]
pub struct Options {
    /// The AsyncAPI document (YAML or JSON).
    pub spec: PathBuf,
    /// The crate directory the files are written into (`src/` below it).
    pub out: PathBuf,
    pub model: ModelOptions,
}

impl Options {
    pub fn new(spec: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options { spec: spec.into(), out: out.into(), model: ModelOptions::default() }
    }
}

/// Generates the files for `spec` in memory, writing nothing.
pub fn generate(spec: &Path, options: &ModelOptions) -> Result<Vec<GeneratedFile>> {
    let doc = load::load(spec)?;
    let model = model::build(&doc, options)?;
    let spec_name = spec.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(emit::emit(&model, &spec_name))
}

/// Generates and writes the files. Nothing is written unless generation succeeds.
pub fn run(options: &Options) -> Result<Vec<GeneratedFile>> {
    let files = generate(&options.spec, &options.model)?;
    write::write(&options.out, &files)?;
    Ok(files)
}

/// Generates the files and lists those under `options.out` that differ from them. Writes nothing.
pub fn check(options: &Options) -> Result<Vec<PathBuf>> {
    let files = generate(&options.spec, &options.model)?;
    Ok(write::check(&options.out, &files))
}
