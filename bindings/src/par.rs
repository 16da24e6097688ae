//! A work queue over the machine's cores: the one used to compile objects, kill mutants and decide their verdicts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f` of every item, as many at once as there are cores; the results in the items' order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(items.len()));
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get()).min(items.len()).max(1);
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                done.lock().unwrap().push((i, r));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_the_items_order() {
        let items: Vec<u64> = (0..100).collect();
        // Uneven work, so the workers finish out of order.
        let got = super::parallel_map(&items, |&i| {
            std::thread::sleep(std::time::Duration::from_micros((i * 37) % 200));
            i * i
        });
        assert_eq!(got, items.iter().map(|i| i * i).collect::<Vec<_>>());
    }
}
