//! The median of timings, for the interleaved modes of the benchmarks (`DISPATCH_INTERLEAVED`,
//! `SCALE_INTERLEAVED`).

/// The median of `values` (the upper one of an even count); `values` is not empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
