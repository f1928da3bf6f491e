//! Foundation (no stage): the threads the generator runs on, and work shared out over all cores with results
//! kept in the order of the input.

/// The stack the generator runs on: deep (but bounded) schema nesting recurses, and the caller's thread
/// may have a small stack (a build script's, a test's).
pub const STACK_BYTES: usize = 256 * 1024 * 1024;

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads share the work: one per core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `items`, each mapped by `f`, in their order, computed on all cores. Each thread takes the next item when
/// it finishes one, so items of uneven cost still share out evenly. The calling thread works too; worker
/// threads get the generator's deep stack (schemas nest deeply, within limits), and if one cannot be
/// started the others do its share.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { break done };
            done.push((index, f(item)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().stack_size(STACK_BYTES).spawn_scoped(scope, work).ok())
            .collect();
        let mut done = work();
        for helper in helpers {
            done.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        done
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}
