//! `cargo run -p generator [-- --spec FILE --out DIR --check]`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The generator allocates many small token trees; mimalloc does that about twice as fast as glibc's malloc
/// (see BENCHMARKS.md). Built without transparent huge pages (`no_thp`): zeroing fresh 2 MiB pages made
/// reading an 18 MB spec take twice as long.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate Rust types and a dispatch enum from an AsyncAPI document.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// The AsyncAPI document (YAML or JSON). Without it: spec/knock.asyncapi.yaml, with the overlay
    /// spec/knock.overlay.yaml unless `--overlay` names others.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// An Overlay 1.0 document to lay over the spec before generating (repeatable; applied in order).
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
    /// Warn, rather than fail, when an overlay action's target selects nothing.
    #[arg(long)]
    allow_unmatched_overlay_targets: bool,
    /// The crate directory to write into (its `src/` holds the generated files).
    #[arg(long, default_value = "generated")]
    out: PathBuf,
    /// The package name in the generated `Cargo.toml` (default: from the spec's `info.title`).
    #[arg(long)]
    crate_name: Option<String>,
    /// Write nothing; exit non-zero and list the files that differ from what would be generated.
    #[arg(long)]
    check: bool,
    /// The payload property whose value selects the message in the dispatch enum (detected by default;
    /// see README.md, "Dispatch rule").
    #[arg(long)]
    tag_property: Option<String>,
    /// String enums refuse values the spec does not list. By default they are open: such a value is kept in
    /// the enum's `Unknown` variant and written back as it came.
    #[arg(long)]
    closed_enums: bool,
}

/// What the command generates without arguments: Knock's document, with our overlay typing its `data`.
const KNOCK_SPEC: &str = "spec/knock.asyncapi.yaml";
const KNOCK_OVERLAY: &str = "spec/knock.overlay.yaml";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (spec, overlays) = match (&cli.spec, cli.overlays.is_empty()) {
        (Some(spec), _) => (spec.clone(), cli.overlays.clone()),
        (None, true) => (PathBuf::from(KNOCK_SPEC), vec![PathBuf::from(KNOCK_OVERLAY)]),
        (None, false) => (PathBuf::from(KNOCK_SPEC), cli.overlays.clone()),
    };
    let mut options = generator::Options::new(&spec, &cli.out);
    options.overlays = overlays;
    if cli.allow_unmatched_overlay_targets {
        options.unmatched_overlay_targets = generator::Unmatched::Warn;
    }
    options.model.tag_property = cli.tag_property;
    options.model.closed_enums = cli.closed_enums;
    options.crate_name = cli.crate_name;
    if cli.check {
        match generator::check(&options) {
            Ok(stale) if stale.is_empty() => {
                eprintln!("{} is up to date with {}", cli.out.display(), spec.display());
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                eprintln!("error: these files differ from what the generator writes from {}:", spec.display());
                for path in stale {
                    eprintln!("  {}", path.display());
                }
                eprintln!("run `cargo run -p generator` to regenerate them");
                ExitCode::FAILURE
            }
            Err(err) => fail(&err),
        }
    } else {
        match generator::run(&options) {
            Ok(files) => {
                let kept = files.iter().filter(|f| generator::internals::is_users(&cli.out.join(&f.path))).count();
                let note =
                    if kept > 0 { format!("; left {kept} hand-written files as they are") } else { String::new() };
                eprintln!("{} generated files are up to date in {}{note}", files.len() - kept, cli.out.display());
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err),
        }
    }
}

fn fail(err: &generator::Error) -> ExitCode {
    eprintln!("{}", err.render());
    ExitCode::FAILURE
}
