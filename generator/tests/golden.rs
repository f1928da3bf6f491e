//! Golden tests: small documents in `tests/golden/<name>/spec.yaml`, each with the crate the generator
//! writes for it committed under `tests/golden/<name>/expected/` and reviewed. Generation must give exactly
//! those files. After an intended change, regenerate them with `UPDATE_GOLDEN=1 cargo test -p generator
//! --test golden` and review the diff. A case's `options` file sets generator options (`closed-enums`). (The corpus test also compiles these crates and runs their examples.)

use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
                found.push(relative);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn generated_crates_match_the_reviewed_output() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(golden_dir()).expect("golden dir").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    assert!(cases.len() >= 5, "expected the golden documents, found {cases:?}");
    for case in cases {
        let name = case.file_name().expect("name").to_string_lossy().into_owned();
        let expected_dir = case.join("expected");
        let mut options = generator::Options::new(case.join("spec.yaml"), &expected_dir);
        options.crate_name = Some(format!("golden-{name}"));
        // A case may set options, one per line, as the command's flags name them.
        let settings = std::fs::read_to_string(case.join("options")).unwrap_or_default();
        for setting in settings.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            match setting {
                "closed-enums" => options.model.closed_enums = true,
                other => panic!("{name}/options: unknown setting {other:?}"),
            }
        }
        let files = generator::generate(&options).unwrap_or_else(|e| panic!("{name}: {e}"));
        if update {
            let _ = std::fs::remove_dir_all(&expected_dir);
            generator::internals::write(&expected_dir, &files).expect("write the golden files");
            continue;
        }
        let mut written: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        written.sort();
        assert_eq!(files_under(&expected_dir), written, "{name}: the set of generated files changed");
        for file in &files {
            let expected = std::fs::read_to_string(expected_dir.join(&file.path)).expect("expected file");
            assert!(
                expected == file.contents,
                "{name}/{} differs from the reviewed output; if intended, run UPDATE_GOLDEN=1 cargo test -p generator --test golden",
                file.path
            );
        }
    }
}
