//! Stage 6, write: put the generated files on disk, or compare them with what is there (`--check`).
//!
//! The generator owns a file when it does not exist yet or its first line holds `@generated`. Any other
//! file (for example a hand-written `src/lib.rs` that adds modules of its own) is the user's: it is never
//! overwritten and never reported as stale.
//!
//! Every file is first written next to its destination under a temporary name, and only once all of
//! them are written are they renamed into place, so a failed run leaves the existing output as it was.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::{GENERATED_MARKER, GeneratedFile};

/// Whether the file at `path` is the user's: it exists and its first line lacks `@generated`.
pub fn is_users(path: &Path) -> bool {
    use std::io::{BufRead, Read};
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut first_line = String::new();
    let _ = std::io::BufReader::new(file).take(4096).read_line(&mut first_line);
    !first_line.contains(GENERATED_MARKER)
}

/// The files of `files` that the generator owns under `out` (see the module docs).
pub fn owned<'f>(out: &Path, files: &'f [GeneratedFile]) -> Vec<&'f GeneratedFile> {
    files.iter().filter(|file| !is_users(&out.join(&file.path))).collect()
}

/// Writes `files` under `out`, replacing what is there. Files whose content is unchanged are not
/// touched (so their modification time stays, and cargo does not rebuild for nothing).
pub fn write(out: &Path, files: &[GeneratedFile]) -> Result<()> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for file in owned(out, files) {
            let target = out.join(&file.path);
            if same_contents(&target, file.contents.as_bytes()) {
                continue;
            }
            let dir = target.parent().unwrap_or(out);
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the output directory", &e))?;
            let temp = dir.join(format!(".{}.tmp", file_name(&target)));
            std::fs::write(&temp, &file.contents).map_err(|e| Error::io(&temp, "write", &e))?;
            staged.push((temp, target));
        }
        Ok(())
    })();
    if let Err(err) = result {
        for (temp, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
        return Err(err);
    }
    for (temp, target) in &staged {
        std::fs::rename(temp, target).map_err(|e| Error::io(target, "move the new file into place", &e))?;
    }
    Ok(())
}

/// The files under `out` whose content differs from `files` (or that are missing). Writes nothing.
pub fn check(out: &Path, files: &[GeneratedFile]) -> Vec<PathBuf> {
    owned(out, files)
        .into_iter()
        .map(|file| (out.join(&file.path), file))
        .filter(|(target, file)| !same_contents(target, file.contents.as_bytes()))
        .map(|(target, _)| target)
        .collect()
}

/// Whether the file at `path` holds exactly `contents`, read in pieces (a generated file can be hundreds of
/// megabytes; reading it whole would double the memory a run needs).
fn same_contents(path: &Path, contents: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    if file.metadata().map_or(true, |m| m.len() != contents.len() as u64) {
        return false;
    }
    let mut buffer = vec![0u8; 64 * 1024];
    let mut offset = 0;
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return offset == contents.len(),
            Ok(n) => {
                if contents.get(offset..offset + n) != Some(&buffer[..n]) {
                    return false;
                }
                offset += n;
            }
            Err(_) => return false,
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
