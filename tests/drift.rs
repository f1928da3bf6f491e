//! The checked-in bindings are what the generator writes today, and the spec is the seed we were given.

mod common;

use std::path::Path;

#[test]
fn generated_crate_matches_what_the_generator_writes() {
    let root = common::root();
    let files = generator::generate(&root.join("spec/knock.asyncapi.yaml"), &generator::ModelOptions::default())
        .expect("the Knock spec generates");
    assert_eq!(
        files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["src/lib.rs", "src/types.rs", "src/event.rs"]
    );
    for file in &files {
        let path = root.join("generated").join(&file.path);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            on_disk == file.contents,
            "{} is not what the generator writes from spec/; run `cargo run -p generator`",
            path.display()
        );
        assert!(file.contents.starts_with("// @generated"), "{} lacks the @generated header", file.path);
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = common::root().join("spec/knock.asyncapi.yaml");
    let first = generator::generate(&spec, &generator::ModelOptions::default()).expect("generates");
    for _ in 0..3 {
        assert_eq!(generator::generate(&spec, &generator::ModelOptions::default()).expect("generates"), first);
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
    let doc = generator::load::load(Path::new(&common::root().join("spec/knock.asyncapi.yaml"))).expect("loads");
    let description = doc.root["info"]["description"].as_str().expect("description");
    assert!(description.starts_with("Knock fires outbound webhook events") && description.contains('\n'));
}
