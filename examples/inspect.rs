//! Reads one webhook payload and prints its wire type, the Rust variant it parsed into, and the event
//! serialized again.
//!
//! ```text
//! cargo run -q --example inspect -- FILE    # `-` reads stdin
//! ```
//!
//! On invalid input it prints one line to stderr naming the failing field and exits with status 1. A payload
//! that parses but breaks what its schema says beyond the shape (`validate()`) is printed all the same, with
//! one `warning:` line per violation on stderr.

use std::io::Read;
use std::process::ExitCode;

use knock_webhooks::Event;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: inspect FILE   (`-` reads stdin)");
        return ExitCode::from(2);
    };
    match inspect(path) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn inspect(path: &str) -> Result<String, String> {
    let mut body = Vec::new();
    let read = if path == "-" {
        std::io::stdin().read_to_end(&mut body).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut file| file.read_to_end(&mut body).map(|_| ()))
    };
    read.map_err(|err| format!("cannot read {path}: {err}"))?;
    let event = Event::from_json(&body).map_err(|err| err.to_string())?;
    if let Err(violations) = event.validate() {
        for violation in &violations {
            eprintln!("warning: {violation}");
        }
    }
    let json = serde_json::to_string_pretty(&event).map_err(|err| format!("cannot serialize the event: {err}"))?;
    Ok(format!("{} {}\n{json}", event.event_type(), event.variant_name()))
}
