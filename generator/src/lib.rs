//! An AsyncAPI-to-Rust code generator.
//!
//! The pipeline: one module (or folder) per stage, each with one input and one output, data flowing one way.
//! No stage calls a stage above it, and no two modules import each other (`tests/module_graph.rs` checks).
//!
//! | stage | modules | input → output |
//! |---|---|---|
//! | 1. document | `load`, `overlay`, `bundle`, `document` | spec file (+ overlays) → [`document::Document`]: one JSON value (`json`, `yaml`), overlays applied, referenced files inlined, each pointer's origin known |
//! | 2. AsyncAPI view | `asyncapi` (through `resolve`) | document → [`asyncapi::Api`]: info, messages, channels, the pointers of payload and headers schemas (2.x and 3.x) |
//! | 3. schemas | `read`, `merge`, `avro`, `schema` | document + view → [`schema::Schemas`]: every reachable schema read once, `allOf` merged |
//! | 4. model | `model` (`dispatch`, `types`), `naming`, `cycles`, `ir` | view + schemas → [`ir::Model`]: Rust items, names decided once; no document types |
//! | 5. emit | `emit` | model → [`GeneratedFile`]s: `quote!` → `syn::File` → prettyplease |
//! | 6. write | `write` | files → disk, atomically (or `--check`: compare only) |
//!
//! Errors are plain data ([`Error`]: file, JSON pointer, message) from every stage; `report` turns a pointer
//! into the file it came from, its line:column and a source snippet, once, where errors are reported.
//! Foundations that every stage may use and that use no stage: `json`, `yaml`, `pointer`, `error`, `output`,
//! `parallel`, `timing`.
//!
//! Two modes: a command (or `run`) that writes a crate whose generated files are checked in, and a build script
//! ([`Builder`]) that writes one module into `OUT_DIR` whenever an input changed.
//!
//! ```no_run
//! // Anywhere: write (or regenerate) the crate under `generated/`.
//! let options = generator::Options::new("spec/knock.asyncapi.yaml", "generated").overlay("spec/knock.overlay.yaml");
//! generator::run(&options).expect("the spec generates");
//! ```

pub mod asyncapi;
pub mod avro;
pub mod builder;
pub mod bundle;
pub mod cycles;
pub mod document;
pub mod emit;
pub mod error;
pub mod ir;
pub mod json;
pub mod load;
pub mod locate;
pub mod merge;
pub mod model;
pub mod naming;
pub mod output;
pub mod overlay;
pub mod parallel;
pub mod pointer;
pub mod read;
pub mod report;
pub mod resolve;
pub mod schema;
pub mod timing;
pub mod write;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use builder::Builder;
pub use error::{Error, Result};
pub use model::ModelOptions;
pub use output::GeneratedFile;

/// What to generate, from where, to where.
#[derive(Clone, Debug)]
pub struct Options {
    /// The AsyncAPI document (YAML or JSON).
    pub spec: PathBuf,
    /// The crate directory the files are written into (`src/` below it).
    pub out: PathBuf,
    pub model: ModelOptions,
    /// The package name written into a generated `Cargo.toml`; from the spec's `info.title` when `None`.
    pub crate_name: Option<String>,
    /// Overlay documents laid over the spec, in order, before its references are followed.
    pub overlays: Vec<PathBuf>,
    /// What an overlay action whose target selects nothing is: an error (the default), or a warning.
    pub unmatched_overlay_targets: overlay::Unmatched,
}

impl Options {
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

/// Generates and writes the files. Nothing is written unless generation succeeds.
pub fn run(options: &Options) -> Result<Vec<GeneratedFile>> {
    let files = generate(options)?;
    write::write(&options.out, &files)?;
    Ok(files)
}

/// Generates the files and lists those under `options.out` that differ from them. Writes nothing.
pub fn check(options: &Options) -> Result<Vec<PathBuf>> {
    let files = generate(options)?;
    Ok(write::check(&options.out, &files))
}
