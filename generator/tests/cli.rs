//! The `generator` command as users run it: defaults, `--check`, and failures that leave output alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repository root").to_path_buf()
}

/// A scratch copy of the repository layout the command expects: `spec/` (the document, our overlay and the
/// objects it refers to) and `generated/src/`.
fn scratch_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("spec/knock")).expect("spec dir");
    for file in ["spec/knock.asyncapi.yaml", "spec/knock.overlay.yaml", "spec/knock/objects.yaml"] {
        std::fs::copy(repo_root().join(file), dir.path().join(file)).expect("spec copied");
    }
    dir
}

fn generator(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_generator")).args(args).current_dir(cwd).output().expect("generator runs")
}

fn read_all(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable file");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn no_arguments_writes_the_bindings_and_check_then_passes() {
    let repo = scratch_repo();
    let out = generator(repo.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The committed crate root is hand-written (it adds signature and receiver modules); the rest is generated.
    for name in ["types.rs", "event.rs", "handler.rs", "validate.rs"] {
        let written = std::fs::read(repo.path().join("generated/src").join(name)).expect("file written");
        let committed = std::fs::read(repo_root().join("generated/src").join(name)).expect("committed file");
        assert!(written == committed, "{name} differs from the committed bindings");
    }
    let lib = std::fs::read_to_string(repo.path().join("generated/src/lib.rs")).expect("lib.rs written");
    assert!(lib.starts_with("// @generated"), "a new crate gets a generated root");
    let check = generator(repo.path(), &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn hand_written_files_are_never_overwritten_nor_reported() {
    let repo = scratch_repo();
    let src = repo.path().join("generated/src");
    std::fs::create_dir_all(&src).expect("src dir");
    let hand_written = "//! My own crate root.\nmod types;\nmod event;\nmod handler;\npub mod extra;\n";
    std::fs::write(src.join("lib.rs"), hand_written).expect("hand-written lib.rs");
    let out = generator(repo.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"), hand_written);
    assert!(src.join("types.rs").is_file());
    let check = generator(repo.path(), &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn check_fails_and_names_each_file_that_differs_and_writes_nothing() {
    let repo = scratch_repo();
    assert!(generator(repo.path(), &[]).status.success());
    let types = repo.path().join("generated/src/types.rs");
    let edited = format!("{}\n// a hand edit\n", std::fs::read_to_string(&types).expect("types.rs"));
    std::fs::write(&types, &edited).expect("edit");
    std::fs::remove_file(repo.path().join("generated/src/event.rs")).expect("remove");

    let check = generator(repo.path(), &["--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("generated/src/types.rs"), "{stderr}");
    assert!(stderr.contains("generated/src/event.rs"), "{stderr}");
    assert!(!stderr.contains("lib.rs") && !stderr.contains("handler.rs"), "those are unchanged: {stderr}");
    assert_eq!(std::fs::read_to_string(&types).expect("types.rs"), edited, "--check never writes");
    assert!(!repo.path().join("generated/src/event.rs").exists(), "--check never writes");
}

#[test]
fn spec_and_out_flags_are_honoured() {
    let repo = scratch_repo();
    let spec = repo.path().join("spec/knock.asyncapi.yaml");
    let out_dir = repo.path().join("elsewhere/crate");
    let out = generator(
        Path::new("/"),
        &["--spec", spec.to_str().expect("utf-8"), "--out", out_dir.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out_dir.join("src/event.rs").is_file());
}

#[test]
fn a_broken_spec_fails_clearly_and_leaves_existing_output_untouched() {
    let repo = scratch_repo();
    assert!(generator(repo.path(), &[]).status.success());
    let before = read_all(&repo.path().join("generated/src"));

    let spec = repo.path().join("spec/knock.asyncapi.yaml");
    let text = std::fs::read_to_string(&spec).expect("spec");
    std::fs::write(&spec, text.replace("'#/components/schemas/MessageFailureEnvelope'", "'#/components/schemas/Nope'"))
        .expect("break the spec");
    let out = generator(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: `$ref: #/components/schemas/Nope` points to nothing in this document\n\
         \x20  ┌─ spec/knock.asyncapi.yaml:81:65\n\
         \x20  │\n\
         81 │     MessageUndelivered: { name: message.undelivered, payload: { $ref: '#/components/schemas/Nope' } }\n\
         \x20  │                                                                 ^ #/components/messages/MessageUndelivered/payload"
    );
    assert_eq!(read_all(&repo.path().join("generated/src")), before, "a failed run changes nothing");

    std::fs::write(&spec, "asyncapi: '2.6.0'\nchannels: [\n").expect("invalid YAML");
    let out = generator(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: invalid YAML: while parsing a node, did not find expected node content"),
        "{stderr}"
    );
    assert!(stderr.contains("spec/knock.asyncapi.yaml:3:1"), "{stderr}");
    assert_eq!(read_all(&repo.path().join("generated/src")), before);

    let missing = generator(repo.path(), &["--spec", "spec/none.yaml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error: spec/none.yaml: cannot read the spec: "));
}

#[test]
fn bad_usage_is_clap_exit_code_two() {
    let out = generator(&repo_root(), &["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_broken_overlay_fails_with_its_place_and_leaves_existing_output_untouched() {
    let repo = scratch_repo();
    assert!(generator(repo.path(), &[]).status.success());
    let before = read_all(&repo.path().join("generated/src"));
    let overlay = repo.path().join("spec/knock.overlay.yaml");
    let text = std::fs::read_to_string(&overlay).expect("overlay");

    // Knock renamed what the overlay names: the target selects nothing, which fails loudly.
    let renamed = "$.components.schemas.MessageEnvelopes.properties.data";
    std::fs::write(&overlay, text.replace("$.components.schemas.MessageEnvelope.properties.data", renamed))
        .expect("overlay written");
    let out = generator(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l.contains("MessageEnvelope.properties.data")).expect("the action") + 1;
    assert!(
        stderr.starts_with(&format!(
            "error: action 0: the target `{renamed}` selects nothing in spec/knock.asyncapi.yaml"
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("spec/knock.overlay.yaml:{line}:13")), "the file, line and column: {stderr}");
    assert!(stderr.contains("#/actions/0/target"), "{stderr}");
    assert_eq!(read_all(&repo.path().join("generated/src")), before, "a failed run changes nothing");

    // Allowed, it is a warning and the rest of the overlay still applies.
    let out = generator(
        repo.path(),
        &["--overlay", "spec/knock.overlay.yaml", "--allow-unmatched-overlay-targets", "--check"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("warning: action 0: the target"), "{stderr}");

    // Not JSONPath at all.
    std::fs::write(&overlay, text.replace("$.components.schemas.MessageEnvelope.properties.data", "$.components["))
        .expect("written");
    let out = generator(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: action 0: `$.components[` is not a valid JSONPath (RFC 9535)"), "{stderr}");
    assert!(stderr.contains(&format!("spec/knock.overlay.yaml:{line}:13")), "{stderr}");
    assert_eq!(read_all(&repo.path().join("generated/src")), before);

    // Not an overlay.
    std::fs::write(&overlay, "openapi: 3.1.0\n").expect("written");
    let out = generator(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not an Overlay 1.0 document: the `overlay` version field is missing"), "{stderr}");
    assert_eq!(read_all(&repo.path().join("generated/src")), before);
}
