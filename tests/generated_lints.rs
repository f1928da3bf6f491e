//! The generated crate builds with no warnings under `cargo clippy -- -D warnings`, with its default features,
//! with all of them and with none. Runs the real cargo, in its own target directory (`target/nested`) so that
//! it does not wait on the lock of the `cargo test` that runs it.

mod common;

use std::process::Command;

fn clippy(features: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target_dir = common::root().join("target/nested");
    let mut command = Command::new(cargo);
    command
        .current_dir(common::root())
        .args(["clippy", "--quiet", "--locked", "-p", "knock-webhooks", "--all-targets"])
        .args(features)
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["--", "-D", "warnings"]);
    let out = command.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo clippy {features:?} on the generated crate failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generated_crate_is_clippy_clean() {
    clippy(&[]);
    clippy(&["--all-features"]);
    clippy(&["--no-default-features"]);
}
