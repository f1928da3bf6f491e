//! The whole generator (load → resolve → model → emit → write), each run in a new process as the `generator`
//! command runs, on synthetic documents of N schemas and N messages (`benches/synth/mod.rs`), N = 200, 2,000
//! and 20,000 (`SCALE_NS=200,2000` to choose).
//! Run with `cargo bench --bench generator_scale`; figures and targets are in BENCHMARKS.md.

#[path = "median.rs"]
mod median;
#[path = "synth/mod.rs"]
mod synth;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group};

/// The allocator the `generator` command uses, so that the benchmark measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sizes() -> Vec<usize> {
    // `cargo test` runs benchmarks once, without `--bench`: the smallest size is enough to keep them working.
    let measuring = std::env::args().any(|a| a == "--bench");
    let default = if measuring { "200,2000,20000" } else { "200" };
    let chosen = std::env::var("SCALE_NS").unwrap_or_else(|_| default.to_owned());
    chosen.split(',').filter_map(|n| n.trim().parse().ok()).collect()
}

fn generator_scale(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("generator");
    group.sample_size(10).warm_up_time(Duration::from_millis(100));
    for n in sizes() {
        let spec = dir.path().join(format!("synth-{n}.yaml"));
        std::fs::write(&spec, synth::document(n)).expect("spec written");
        let out = dir.path().join(format!("out-{n}"));
        group.measurement_time(Duration::from_secs(if n >= 20_000 { 120 } else { 10 }));
        group.bench_with_input(BenchmarkId::from_parameter(n), &(spec, out), |b, (spec, out)| {
            b.iter(|| {
                // Every run writes afresh, as a first generation does.
                let _ = std::fs::remove_dir_all(out);
                generate_in_a_new_process(spec, out);
            })
        });
    }
    group.finish();
}

/// Runs the generator as the `generator` command does, in a process of its own: this benchmark's executable,
/// started again with [`RUN_SPEC`] and [`RUN_OUT`] set. A process that already generated would reuse the
/// memory it faulted in, and time small documents faster than any real run is.
fn generate_in_a_new_process(spec: &std::path::Path, out: &std::path::Path) {
    let status = std::process::Command::new(std::env::current_exe().expect("this executable"))
        .env(RUN_SPEC, spec)
        .env(RUN_OUT, out)
        .status()
        .expect("the generator process starts");
    assert!(status.success(), "the synthetic document generates");
}

/// The spec and output directory of one generator run in a child process (see [`generate_in_a_new_process`]).
const RUN_SPEC: &str = "GENERATOR_SCALE_RUN_SPEC";
const RUN_OUT: &str = "GENERATOR_SCALE_RUN_OUT";

criterion_group!(benches, generator_scale);

/// `SCALE_INTERLEAVED=<rounds>`: the growth from N = 2,000 to N = 20,000, measured against the machine's drift.
/// criterion times all runs of one size, then all of the next, minutes apart; on a machine whose speed drifts
/// by a third, the ratio of their medians carries the drift. Here each round times N = 2,000, N = 20,000 and
/// N = 2,000 again, each in a new process, and the ratio is the median over the rounds of 20,000 ÷ the mean
/// of its two neighbours.
fn interleaved(rounds: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |n: usize| {
        let spec = dir.path().join(format!("synth-{n}.yaml"));
        if !spec.exists() {
            std::fs::write(&spec, synth::document(n)).expect("spec written");
        }
        let out = dir.path().join(format!("out-{n}"));
        let _ = std::fs::remove_dir_all(&out);
        let started = std::time::Instant::now();
        generate_in_a_new_process(&spec, &out);
        started.elapsed().as_secs_f64()
    };
    let (mut small, mut large, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (before, at, after) = (run(2_000), run(20_000), run(2_000));
        small.extend([before, after]);
        large.push(at);
        ratios.push(at / ((before + after) / 2.0));
    }
    println!(
        "N = 2,000: median {:.2} s; N = 20,000: median {:.2} s; 20,000 / 2,000: median {:.1}× (per round: {})",
        median::median(small),
        median::median(large),
        median::median(ratios.clone()),
        ratios.iter().map(|r| format!("{r:.1}")).collect::<Vec<_>>().join(", ")
    );
}

fn main() {
    if let (Some(spec), Some(out)) = (std::env::var_os(RUN_SPEC), std::env::var_os(RUN_OUT)) {
        generator::run(&generator::Options::new(spec, out)).expect("the synthetic document generates");
        return;
    }
    if let Ok(rounds) = std::env::var("SCALE_INTERLEAVED") {
        interleaved(rounds.parse().expect("SCALE_INTERLEAVED is a number of rounds"));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
