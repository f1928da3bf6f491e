//! The checked-in bindings are what the generator writes today (Knock's spec with our overlay), and the spec is
//! the seed we were given.

mod common;

use std::path::Path;

#[test]
fn generated_crate_matches_what_the_generator_writes() {
    let root = common::root();
    let out = root.join("generated");
    // As `cargo run -p generator` does: Knock's document with our overlay, which types `data`.
    let options = generator::Options::new(root.join("spec/knock.asyncapi.yaml"), &out)
        .overlay(root.join("spec/knock.overlay.yaml"));
    let files = generator::generate(&options).expect("the Knock spec generates");
    for file in &files {
        let first_line = file.contents.lines().next().unwrap_or_default();
        assert!(first_line.contains("@generated"), "{} lacks the @generated header", file.path);
    }
    // The manifest and crate root are hand-written (the root adds the signature and receiver modules), so the
    // generator leaves them.
    let owned: Vec<&str> = generator::internals::owned(&out, &files).iter().map(|f| f.path.as_str()).collect();
    assert_eq!(owned, ["src/types.rs", "src/event.rs", "src/handler.rs", "src/validate.rs"]);
    let stale = generator::internals::stale_files(&out, &files);
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what the generator writes from spec/; run `cargo run -p generator`"
    );
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
    for module in ["mod types;", "mod event;", "mod handler;", "mod validate;"] {
        assert!(lib.contains(module), "the hand-written lib.rs must declare `{module}`");
    }
}

#[test]
fn generation_is_deterministic() {
    let root = common::root();
    let options = generator::Options::new(root.join("spec/knock.asyncapi.yaml"), "unused")
        .overlay(root.join("spec/knock.overlay.yaml"));
    let first = generator::generate(&options).expect("generates");
    for _ in 0..3 {
        assert_eq!(generator::generate(&options).expect("generates"), first);
    }
}

/// Collapses every run of whitespace to one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn spec_is_the_seed_reindented() {
    let seed_path = common::root().join("../shared/seed/knock.asyncapi.seed.txt");
    let seed = std::fs::read_to_string(&seed_path).unwrap_or_else(|e| {
        panic!("cannot read the seed at {} (../shared/ must be beside the repository): {e}", seed_path.display())
    });
    let spec = std::fs::read_to_string(common::root().join("spec/knock.asyncapi.yaml")).expect("spec is readable");
    assert_eq!(collapse(&spec), collapse(&seed));
    // And it is real YAML: the description is a block scalar with its line breaks.
    let doc = generator::internals::load_document(
        Path::new(&common::root().join("spec/knock.asyncapi.yaml")),
        &Default::default(),
    )
    .expect("loads");
    let description = doc.root["info"]["description"].as_str().expect("description");
    assert!(description.starts_with("Knock fires outbound webhook events") && description.contains('\n'));
}
