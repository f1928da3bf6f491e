//! The YAML loader (`generator::yaml`) on arbitrary text: a JSON value or a located error, never a panic, a
//! hang or a crash; and a value it reads is one serde_json writes and reads back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match generator::internals::parse_yaml(text) {
        Ok(value) => {
            let written = serde_json::to_string(&value).expect("a JSON value writes");
            let read: generator::internals::Value = serde_json::from_str(&written).expect("and reads back");
            assert_eq!(read, value);
            assert_eq!(read.to_string(), written, "in the same order");
        }
        Err(error) => assert!(error.line >= 1 && error.column >= 1, "{error:?}"),
    }
});
