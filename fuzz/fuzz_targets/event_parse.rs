//! Knock webhook bodies from the internet: `Event::from_json` on arbitrary bytes never panics, and whatever it
//! accepts is written back and read again into the same event (lossless round trip).
#![no_main]

use knock_webhooks::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = Event::from_json(data) else { return };
    let written = serde_json::to_vec(&event).expect("an event always serializes");
    let again = Event::from_json(&written).expect("what was written reads back");
    assert_eq!(again, event, "the round trip changed the event");
});
