//! The whole generator (load → resolve → model → emit → write) on synthetic documents of N schemas and N
//! messages (`benches/synth/mod.rs`), N = 200, 2,000 and 20,000 (`SCALE_NS=200,2000` to choose).
//! Run with `cargo bench --bench generator_scale`; figures and targets are in BENCHMARKS.md.

#[path = "synth/mod.rs"]
mod synth;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

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
        let options = generator::Options::new(&spec, &out);
        group.measurement_time(Duration::from_secs(if n >= 20_000 { 120 } else { 10 }));
        group.bench_with_input(BenchmarkId::from_parameter(n), &options, |b, options| {
            b.iter(|| {
                // Every run writes afresh, as a first generation does.
                let _ = std::fs::remove_dir_all(&options.out);
                generator::run(options).expect("the synthetic document generates")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, generator_scale);
criterion_main!(benches);
