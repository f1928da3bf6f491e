//! The generator's stages (load, resolve, model, emit) on arbitrary bytes: any input is a document or an
//! error, never a panic, a hang or a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Alternate between the YAML and JSON readers.
    let name = if data.len() % 2 == 0 { "fuzz.yaml" } else { "fuzz.json" };
    let options = generator::Options::new(std::path::Path::new("/nonexistent/fuzz").join(name), "/nonexistent/out");
    let _ = generator::generate_text(text, &options);
});
