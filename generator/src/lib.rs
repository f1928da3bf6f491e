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
pub mod avro;
pub mod bundle;
pub mod cycles;
pub mod emit;
pub mod error;
pub mod ir;
pub mod json;
pub mod load;
pub mod locate;
pub mod merge;
pub mod model;
pub mod naming;
pub mod parallel;
pub mod resolve;
pub mod schema;
pub mod write;
pub mod yaml;

use std::path::PathBuf;

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
    /// The package name written into a generated `Cargo.toml`; from the spec's `info.title` when `None`.
    pub crate_name: Option<String>,
}

impl Options {
    pub fn new(spec: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options { spec: spec.into(), out: out.into(), model: ModelOptions::default(), crate_name: None }
    }
}

/// The stack the generator runs on: deep (but bounded) schema nesting recurses, and the caller's thread
/// may have a small stack (a build script's, a test's).
pub(crate) const STACK_BYTES: usize = 256 * 1024 * 1024;

/// Generates the files for `options.spec` in memory, writing nothing.
pub fn generate(options: &Options) -> Result<Vec<GeneratedFile>> {
    on_generator_stack(&options.spec, || {
        let started = std::time::Instant::now();
        let doc = load::load(&options.spec)?;
        timing("load", started);
        generate_from(doc, options)
    })
    .map_err(Error::locate)
}

/// Generates from a document already in memory (`text`, as if read from `options.spec`), writing nothing.
/// For fuzzing and for tools that hold the text themselves; referenced files are still read from disk.
pub fn generate_text(text: &str, options: &Options) -> Result<Vec<GeneratedFile>> {
    on_generator_stack(&options.spec, || {
        let doc = load::parse(&options.spec, text)?;
        generate_from(doc, options)
    })
}

/// Runs `work` on a thread with [`STACK_BYTES`] of stack.
fn on_generator_stack<T: Send>(spec: &std::path::Path, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("generator".to_owned())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, work)
            .map_err(|e| Error::file(spec, format!("cannot start the generator thread: {e}")))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn generate_from(doc: load::Document, options: &Options) -> Result<Vec<GeneratedFile>> {
    let started = std::time::Instant::now();
    let model = model::build(&doc, &options.model)?;
    // The document is large (a JSON tree of the whole spec) and not needed to emit: free it first.
    drop(doc);
    timing("model", started);
    let spec_name = options.spec.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let crate_name = options.crate_name.clone().unwrap_or_else(|| naming::crate_name(&model.title));
    let started = std::time::Instant::now();
    let files = emit::emit(&model, &spec_name, &crate_name);
    timing("emit", started);
    Ok(files)
}

/// With `GENERATOR_TIMINGS` set, prints how long a stage took (for profiling; see BENCHMARKS.md).
pub(crate) fn timing(stage: &str, started: std::time::Instant) {
    if std::env::var_os("GENERATOR_TIMINGS").is_some() {
        // Peak memory so far, where the system tells it (Linux).
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
            .unwrap_or_default();
        eprintln!("{stage}: {:.3}s (peak memory {peak})", started.elapsed().as_secs_f64());
    }
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
