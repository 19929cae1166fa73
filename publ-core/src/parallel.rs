//! Work spread over every core, for the file-heavy steps of a scan
//! (parsing thousands of entries, rewriting their files).

use std::panic::{catch_unwind, AssertUnwindSafe};

/// `items` mapped by `f` on one thread per core, in chunks of at least
/// `min_chunk`; the results keep the order of `items`. An item whose `f`
/// panicked gives `None`, so one bad file cannot take the others down.
pub fn map<T: Send, R: Send>(
    items: Vec<T>,
    min_chunk: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    let mut chunks: Vec<Vec<T>> = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(chunk).collect());
    }
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let len = chunk.len();
                let worker = scope.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|item| catch_unwind(AssertUnwindSafe(|| f(item))).ok())
                        .collect::<Vec<_>>()
                });
                (len, worker)
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|(len, worker)| {
                // Only a panic outside `f` (there is none) ends a worker.
                worker
                    .join()
                    .unwrap_or_else(|_| std::iter::repeat_with(|| None).take(len).collect())
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_survives_panics() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map(items, 10, |n| {
            assert_ne!(n, 500, "a bad item");
            n * 2
        });
        assert_eq!(out.len(), 1000);
        assert_eq!(out[499], Some(998));
        assert_eq!(out[500], None);
        assert_eq!(out[999], Some(1998));
        assert!(super::map(Vec::<u32>::new(), 1, |n| n).is_empty());
    }
}
