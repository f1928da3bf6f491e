//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (the root package's directory).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every sample payload under `tests/fixtures/events`, as (file stem = wire type, parsed JSON, raw text).
pub fn sample_events() -> Vec<(String, serde_json::Value, String)> {
    let dir = root().join("tests/fixtures/events");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("fixture is readable");
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
            let stem = path.file_stem().expect("file name").to_string_lossy().into_owned();
            (stem, value, text)
        })
        .collect()
}

/// One sample payload by its wire type.
pub fn sample(event_type: &str) -> serde_json::Value {
    let path = root().join(format!("tests/fixtures/events/{event_type}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// The binary of example `name`, which `cargo test` builds next to the test binaries before running them.
/// A filtered run (`cargo test --test NAME`) does not build examples, so a missing or stale binary fails.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let binary = profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let source = root().join(format!("examples/{name}.rs"));
    assert!(
        modified(&binary).is_some_and(|built| modified(&source).is_some_and(|edited| built >= edited)),
        "{} is missing or older than its source; run the whole `cargo test`, which builds examples",
        binary.display()
    );
    binary
}
