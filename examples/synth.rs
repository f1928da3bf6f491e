//! Writes the synthetic AsyncAPI document of size N (see `benches/synth/mod.rs`) to stdout:
//! `cargo run --release --example synth -- 2000 > /tmp/synth-2000.yaml`.

#[path = "../benches/synth/mod.rs"]
mod synth;

fn main() -> std::process::ExitCode {
    let n = std::env::args().nth(1).and_then(|n| n.parse::<usize>().ok());
    let Some(n) = n.filter(|n| *n > 0) else {
        eprintln!("usage: synth N   (N > 0: the number of schemas and messages)");
        return std::process::ExitCode::from(2);
    };
    print!("{}", synth::document(n));
    std::process::ExitCode::SUCCESS
}
