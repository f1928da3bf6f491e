//! Foundation (no stage): how long each stage took, printed when `GENERATOR_TIMINGS` is set (for profiling;
//! see BENCHMARKS.md). Any stage may call it; it calls nothing of the generator.

/// With `GENERATOR_TIMINGS` set, prints how long `stage` took since `started`, and the peak memory so far.
pub fn stage(stage: &str, started: std::time::Instant) {
    if std::env::var_os("GENERATOR_TIMINGS").is_some() {
        // Peak memory so far, where the system tells it (Linux).
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
            .unwrap_or_default();
        let now = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| status.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l[6..].trim().to_owned()))
            .unwrap_or_default();
        eprintln!("{stage}: {:.3}s (peak memory {peak}, now {now})", started.elapsed().as_secs_f64());
    }
}
