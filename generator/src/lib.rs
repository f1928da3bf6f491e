//! An AsyncAPI-to-Rust code generator: it reads an AsyncAPI 2.x or 3.x document (YAML or JSON, the files its
//! `$ref`s reach, and any Overlay documents laid over it) and writes Rust types for its messages, a dispatch enum
//! (`Event`) that picks the message from a payload, and an async handler trait (`EventHandler`).
//!
//! # Two modes
//!
//! - **Checked-in output** (the default for Knock's bindings): [`run`] (or the `generator` command) writes a whole
//!   crate; [`check`] says which files differ from what it would write, for a drift test or CI.
//! - **Build script**: [`Builder`] writes one self-contained module into `OUT_DIR` whenever an input changed,
//!   and tells cargo exactly which files those are.
//!
//! ```
//! let options = generator::Options::new("../spec/knock.asyncapi.yaml", "unused").overlay("../spec/knock.overlay.yaml");
//! let files = generator::generate(&options)?; // in memory; `run` writes them
//! assert!(files.iter().any(|f| f.path == "src/event.rs" && f.contents.contains("pub enum Event")));
//! # Ok::<(), generator::Error>(())
//! ```
//!
//! # What the generated code promises
//!
//! - One type per payload schema and per inline object schema, with rustdoc from the spec; `allOf` merged.
//! - Lossless: reading and writing a payload gives back the same JSON value; properties a schema does not name
//!   are kept; `null` is kept apart from absent.
//! - Forward compatible: a message type the spec does not list reads into `Event::Unknown`, whole; string enums
//!   are open (an unlisted value is kept), unless asked to be closed.
//! - Errors name the failing path (`event_data.attempt: invalid type: ...`).
//! - Deterministic, prettyplease-formatted, `@generated`, clippy-clean output.
//!
//! # Errors
//!
//! Every failure is one [`Error`] that names the file, the JSON pointer of the offending node and its
//! line:column; [`Error::render`] shows it with the source line and a caret, as rustc does. The generator never
//! panics on a document.
//!
//! # How it is built
//!
//! A pipeline of stages, one module (or folder) each, one input and one output, data flowing one way; no stage
//! calls a stage above it, and no two modules import each other (`tests/module_graph.rs` checks):
//!
//! | stage | modules | input → output |
//! |---|---|---|
//! | 1. document | `load`, `overlay`, `bundle`, `document` | spec file (+ overlays) → `Document`: one JSON value (`json`, `yaml`), overlays applied, referenced files inlined, each pointer's origin known |
//! | 2. AsyncAPI view | `asyncapi` (through `resolve`) | document → `Api`: info, messages, channels, the pointers of payload and headers schemas (2.x and 3.x) |
//! | 3. schemas | `read`, `merge`, `avro`, `schema` | document + view → `Schemas`: every reachable schema read once, `allOf` merged |
//! | 4. model | `model` (`dispatch`, `types`), `naming`, `cycles`, `ir` | view + schemas → `Model`, the IR: Rust items, names decided once; no document types |
//! | 5. emit | `emit` | model → [`GeneratedFile`]s: `quote!` → `syn::File` → prettyplease |
//! | 6. write | `write` | files → disk, atomically (or compare only) |
//!
//! Errors are plain data (file, JSON pointer, message) from every stage; `report` turns a pointer into the file
//! it came from, its line:column and a source snippet, once, where errors are reported. Foundations that every
//! stage may use and that use no stage: `json`, `yaml`, `pointer`, `error`, `output`, `parallel`, `timing`. The
//! stages are private; the crate's own tests reach what they need through a hidden `internals` module.

mod asyncapi;
mod avro;
mod builder;
mod bundle;
mod cycles;
mod document;
mod emit;
mod error;
mod ir;
mod json;
mod load;
mod locate;
mod merge;
mod model;
mod naming;
mod output;
mod overlay;
mod parallel;
mod pointer;
mod read;
mod report;
mod resolve;
mod schema;
mod timing;
mod write;
mod yaml;

/// What the generator's own tests, fuzz targets and command reach inside it. Not part of the API: no promise of
/// stability.
#[doc(hidden)]
pub mod internals {
    pub use crate::document::{Document, Overlays, load as load_document};
    /// The IR, which the model tests build and inspect.
    pub mod ir {
        pub use crate::ir::*;
    }
    pub use crate::json::Value;
    pub use crate::load::parse_value;
    pub use crate::model_of_text;
    pub use crate::overlay::select;
    pub use crate::write::{check as stale_files, is_users, owned, write};
    pub use crate::yaml::{MAX_ALIAS_COPIES, MAX_DEPTH, parse as parse_yaml};
}

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use builder::Builder;
pub use error::{Error, Result};
pub use model::ModelOptions;
pub use output::GeneratedFile;
pub use overlay::Unmatched;

/// What to generate, from where, to where (for [`generate`], [`run`] and [`check`]).
///
/// ```
/// let mut options = generator::Options::new("../spec/knock.asyncapi.yaml", "target/knock-bindings")
///     .overlay("../spec/knock.overlay.yaml");
/// options.crate_name = Some("knock-bindings".to_owned());
/// options.model.closed_enums = true;
/// assert_eq!(options.overlays.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    /// The AsyncAPI document (YAML or JSON).
    pub spec: PathBuf,
    /// The crate directory the files are written into (`src/` below it).
    pub out: PathBuf,
    /// Choices that change what is generated: the tag property, open or closed enums.
    pub model: ModelOptions,
    /// The package name written into a generated `Cargo.toml`; from the spec's `info.title` when `None`.
    pub crate_name: Option<String>,
    /// Overlay documents laid over the spec, in order, before its references are followed.
    pub overlays: Vec<PathBuf>,
    /// What an overlay action whose target selects nothing is: an error (the default), or a warning.
    pub unmatched_overlay_targets: overlay::Unmatched,
}

impl Options {
    /// Generate from `spec` into the crate directory `out`, with the default choices and no overlay.
    ///
    /// ```
    /// let options = generator::Options::new("../spec/knock.asyncapi.yaml", "generated");
    /// assert!(options.overlays.is_empty() && options.crate_name.is_none());
    /// ```
    pub fn new(spec: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options {
            spec: spec.into(),
            out: out.into(),
            model: ModelOptions::default(),
            crate_name: None,
            overlays: Vec::new(),
            unmatched_overlay_targets: overlay::Unmatched::Error,
        }
    }

    /// Adds an overlay, applied after those already given.
    ///
    /// ```
    /// let options = generator::Options::new("../spec/knock.asyncapi.yaml", "generated").overlay("../spec/knock.overlay.yaml");
    /// let files = generator::generate(&options)?;
    /// let types = files.iter().find(|f| f.path == "src/types.rs").expect("types");
    /// assert!(types.contents.contains("pub struct Message {"), "the overlay types `data`");
    /// # Ok::<(), generator::Error>(())
    /// ```
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Options {
        self.overlays.push(path.into());
        self
    }

    fn document_overlays(&self) -> document::Overlays {
        document::Overlays { files: self.overlays.clone(), unmatched: self.unmatched_overlay_targets }
    }
}

/// Generates the files for `options.spec` in memory, writing nothing. An error is located (file, pointer,
/// line:column) and ready to render.
///
/// ```
/// let files = generator::generate(&generator::Options::new("../spec/knock.asyncapi.yaml", "unused"))?;
/// let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
/// assert_eq!(paths, ["Cargo.toml", "src/lib.rs", "src/types.rs", "src/event.rs", "src/handler.rs", "src/validate.rs"]);
/// # Ok::<(), generator::Error>(())
/// ```
pub fn generate(options: &Options) -> Result<Vec<GeneratedFile>> {
    generate_with_inputs(options).map(|(files, _)| files)
}

/// The generated files, and every file they were made from: the spec, the overlays, each file a `$ref` reached.
pub(crate) fn generate_with_inputs(options: &Options) -> Result<(Vec<GeneratedFile>, Vec<PathBuf>)> {
    on_generator_stack(&options.spec, || {
        let started = Instant::now();
        let doc = document::load(&options.spec, &options.document_overlays())?;
        timing::stage("load", started);
        // Warnings are reported here, where errors are: located and rendered.
        for warning in &doc.warnings {
            eprintln!("{}", report::locate_error(warning.clone()).render_warning());
        }
        let inputs = doc.files.clone();
        Ok((generate_from(doc, options)?, inputs))
    })
    .map_err(report::locate_error)
}

/// Generates from a document already in memory (`text`, as if read from `options.spec`), writing nothing.
/// For fuzzing and for tools that hold the text themselves; referenced files are still read from disk.
/// Errors name their file and pointer, not their line (the text on disk, if any, may differ).
#[doc(hidden)]
pub fn generate_text(text: &str, options: &Options) -> Result<Vec<GeneratedFile>> {
    on_generator_stack(&options.spec, || {
        let doc = document::parse(&options.spec, text, &options.document_overlays())?;
        generate_from(doc, options)
    })
    .map_err(report::with_origin)
}

/// Runs `work` on a thread with [`parallel::STACK_BYTES`] of stack.
fn on_generator_stack<T: Send>(spec: &Path, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("generator".to_owned())
            .stack_size(parallel::STACK_BYTES)
            .spawn_scoped(scope, work)
            .map_err(|e| Error::file(spec, format!("cannot start the generator thread: {e}")))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Stages 2 to 5, from the document to the files.
fn generate_from(doc: document::Document, options: &Options) -> Result<Vec<GeneratedFile>> {
    let started = Instant::now();
    let api = asyncapi::read(&doc)?;
    // The schemas are all the model needs of the document, which is large (a JSON tree of the whole spec):
    // it is freed once they are read.
    let schemas = read::read(doc, &api)?;
    timing::stage("schemas", started);
    let started = Instant::now();
    let model = model::build(&api, &schemas, &options.model)?;
    drop(schemas);
    timing::stage("model", started);
    // The header of each file names what it was generated from: the spec, and the overlays laid over it.
    let file_name = |path: &Path| path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let spec_name = std::iter::once(&options.spec)
        .chain(&options.overlays)
        .map(|path| file_name(path))
        .collect::<Vec<_>>()
        .join(" + ");
    let crate_name = options.crate_name.clone().unwrap_or_else(|| naming::crate_name(&model.title));
    let started = Instant::now();
    let files = emit::emit(&model, &spec_name, &crate_name);
    timing::stage("emit", started);
    Ok(files)
}

/// Stages 1 to 4 on a document in memory (`text`, as if read from `path`): its IR, for tests that inspect
/// the model without generating code. Errors are as the stages return them, not yet located.
#[doc(hidden)]
pub fn model_of_text(path: &Path, text: &str, options: &ModelOptions) -> Result<ir::Model> {
    on_generator_stack(path, || {
        let doc = document::parse(path, text, &document::Overlays::default())?;
        let api = asyncapi::read(&doc)?;
        let schemas = read::read(doc, &api)?;
        model::build(&api, &schemas, options)
    })
}

/// Generates and writes the files under `options.out`. Nothing is written unless generation succeeds, and a
/// file whose first line lacks `@generated` is the user's: never overwritten.
///
/// ```
/// let out = std::env::temp_dir().join("generator-doc-run");
/// let files = generator::run(&generator::Options::new("../spec/knock.asyncapi.yaml", &out))?;
/// assert!(out.join("src/event.rs").is_file() && files.len() == 6);
/// assert!(generator::check(&generator::Options::new("../spec/knock.asyncapi.yaml", &out))?.is_empty());
/// # Ok::<(), generator::Error>(())
/// ```
pub fn run(options: &Options) -> Result<Vec<GeneratedFile>> {
    let files = generate(options)?;
    write::write(&options.out, &files)?;
    Ok(files)
}

/// Generates the files and lists those under `options.out` that differ from them (or are missing). Writes
/// nothing: a drift test, or `generator --check` in CI.
///
/// ```
/// let stale = generator::check(&generator::Options::new("../spec/knock.asyncapi.yaml", "/nonexistent/dir"))?;
/// assert!(!stale.is_empty(), "nothing is there yet");
/// # Ok::<(), generator::Error>(())
/// ```
pub fn check(options: &Options) -> Result<Vec<PathBuf>> {
    let files = generate(options)?;
    Ok(write::check(&options.out, &files))
}
