//! Build-script mode as a user meets it: `examples/build-script` (its own crate, `build.rs` calling
//! `generator::Builder`) is copied beside a copy of the spec, built, run on a sample, built again after the spec
//! gained a property (the new field is there), and built once more with nothing changed (the build script does
//! not run again).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .current_dir(dir)
        .args(args)
        // One target directory for every run of this test, so that the dependencies are built once.
        .env("CARGO_TARGET_DIR", common::root().join("target/build-script-example"))
        .output()
        .expect("cargo runs")
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a parent")).expect("dir");
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}

/// The example crate and the spec files, laid out as in the repository (`examples/build-script`, `spec/`), with
/// the generator's path made absolute.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let root = common::root();
    let dir = tempfile::tempdir().expect("temp dir");
    let krate = dir.path().join("examples/build-script");
    for file in ["build.rs", "src/main.rs"] {
        copy(&root.join("examples/build-script").join(file), &krate.join(file));
    }
    let manifest = std::fs::read_to_string(root.join("examples/build-script/Cargo.toml")).expect("manifest");
    let generator = root.join("generator");
    let manifest =
        manifest.replace("path = \"../../generator\"", &format!("path = {:?}", generator.display().to_string()));
    std::fs::write(krate.join("Cargo.toml"), manifest).expect("manifest written");
    copy(&root.join("Cargo.lock"), &krate.join("Cargo.lock"));
    for file in ["spec/knock.asyncapi.yaml", "spec/knock.overlay.yaml", "spec/knock/objects.yaml"] {
        copy(&root.join(file), &dir.path().join(file));
    }
    (dir, krate)
}

/// Whether a verbose build ran the package's build script.
fn ran_build_script(out: &Output) -> bool {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .any(|l| l.trim_start().starts_with("Running") && l.contains("build-script-build"))
}

#[test]
fn the_bindings_are_generated_at_build_time_and_follow_the_spec() {
    let (dir, krate) = scratch();
    let build = cargo(&krate, &["build", "-v"]);
    assert!(build.status.success(), "the example builds:\n{}", String::from_utf8_lossy(&build.stderr));
    assert!(ran_build_script(&build));
    let sample = common::root().join("tests/fixtures/events/message.sent.json");
    let mut payload: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sample).expect("sample")).expect("JSON");
    payload["priority"] = "high".into();
    let payload_path = dir.path().join("payload.json");
    std::fs::write(&payload_path, payload.to_string()).expect("payload written");
    let run = |krate: &Path| -> String {
        let out = cargo(krate, &["run", "--quiet", "--", payload_path.to_str().expect("UTF-8 path")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = run(&krate);
    assert!(before.starts_with("message.sent MessageSent\n"), "{before}");
    assert!(!before.contains("priority: Some("), "not a property yet, kept with the unnamed ones:\n{before}");

    // The spec gains a property: the next build generates again, and the field is there.
    let spec = dir.path().join("spec/knock.asyncapi.yaml");
    let text = std::fs::read_to_string(&spec).expect("spec");
    let edited = text.replace(
        "        created_at: { type: string, format: date-time }\n        data: { type: object, description: 'The full Message object.' }",
        "        created_at: { type: string, format: date-time }\n        priority: { type: string }\n        data: { type: object, description: 'The full Message object.' }",
    );
    assert_ne!(edited, text, "the edit applies to MessageEnvelope");
    std::fs::write(&spec, edited).expect("spec edited");
    let rebuild = cargo(&krate, &["build", "-v"]);
    assert!(rebuild.status.success(), "{}", String::from_utf8_lossy(&rebuild.stderr));
    assert!(ran_build_script(&rebuild), "a changed spec runs the build script again");
    let after = run(&krate);
    let field = after.split_once("priority: Some(").map(|(_, rest)| rest.trim_start());
    assert!(field.is_some_and(|rest| rest.starts_with("\"high\"")), "the new field, read:\n{after}");

    // Nothing changed: cargo does not run the build script.
    let again = cargo(&krate, &["build", "-v"]);
    assert!(again.status.success());
    assert!(!ran_build_script(&again), "{}", String::from_utf8_lossy(&again.stderr));

    // A broken spec fails the build with the located error, not a panic.
    std::fs::write(&spec, text.replace("'#/components/schemas/MessageFailureEnvelope'", "'#/components/schemas/Nope'"))
        .expect("spec broken");
    let broken = cargo(&krate, &["build"]);
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(!broken.status.success());
    assert!(stderr.contains("`$ref: #/components/schemas/Nope` points to nothing in this document"), "{stderr}");
    assert!(stderr.contains("spec/knock.asyncapi.yaml:81:65"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
