//! CPU-bound work over many documents (decoding, reconciling) spread over the machine's cores.
//! SQLite access stays on the calling thread: callers read the bytes first, hand the decoding
//! here, and write the results back in one transaction.

/// Fewer items than this are worked on the calling thread.
const SERIAL_BELOW: usize = 64;

fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

/// [`map`] over the items that `feed` hands over one by one on the calling thread (reading
/// them from SQLite, which stays there), while the other threads already work on the first
/// ones: reading thousands of documents' bytes no longer waits for decoding, nor decoding for
/// the last read. `expected` is about how many items come (few: all on the calling thread).
/// Results in the order fed; an error of `feed` is returned once the items fed are done.
pub fn map_fed<T: Send, R: Send, E>(
    expected: usize,
    feed: impl FnOnce(&mut dyn FnMut(T)) -> Result<(), E>,
    f: impl Fn(T) -> R + Sync,
) -> Result<Vec<R>, E> {
    let threads = threads();
    if threads < 2 || expected < SERIAL_BELOW {
        let mut out = Vec::with_capacity(expected);
        feed(&mut |item| out.push(f(item)))?;
        return Ok(out);
    }
    let (send, receive) = std::sync::mpsc::channel::<(usize, T)>();
    let receive = std::sync::Mutex::new(receive);
    let f = &f;
    let receive = &receive;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        // The lock is held only to take the next item; `recv` fails once the
                        // feed is over and every item taken.
                        let next = receive.lock().expect("no worker panics holding it").recv();
                        match next {
                            Ok((index, item)) => done.push((index, f(item))),
                            Err(_) => return done,
                        }
                    }
                })
            })
            .collect();
        let mut fed = 0;
        let outcome = feed(&mut |item| {
            send.send((fed, item))
                .expect("the workers wait for the feed to end");
            fed += 1;
        });
        drop(send);
        let mut results: Vec<Option<R>> = (0..fed).map(|_| None).collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => {
                    for (index, result) in done {
                        results[index] = Some(result);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        outcome?;
        Ok(results
            .into_iter()
            .map(|r| r.expect("every item fed was worked on"))
            .collect())
    })
}

/// `f` applied to every item, on up to `available_parallelism` threads, results in item order.
/// Small inputs run on the calling thread (a thread costs more than a few documents).
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = threads();
    if threads < 2 || items.len() < SERIAL_BELOW {
        return items.into_iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(per_thread).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(results) => results,
                // A panic in `f` is a bug; let it surface on the caller's thread.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// `f` applied to every item on the other threads while the calling thread hands each result,
/// in item order, to `consume` as soon as it and all before it are done: a placement round
/// writes the rows of the first documents (SQLite stays on this thread) while later ones are
/// still being changed. At `consume`'s first error no further item is started and that error
/// is returned.
pub fn map_consumed<T: Send, R: Send, E>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let threads = threads();
    if threads < 2 || items.len() < SERIAL_BELOW {
        return items.into_iter().try_for_each(|item| consume(f(item)));
    }
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (send, receive) = std::sync::mpsc::channel::<(usize, R)>();
    let (f, queue, stop) = (&f, &queue, &stop);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let send = send.clone();
                scope.spawn(move || loop {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    let next = queue.lock().expect("no worker panics holding it").next();
                    let Some((index, item)) = next else {
                        return;
                    };
                    // The receiver is gone only after `consume` failed: nothing more to do.
                    if send.send((index, f(item))).is_err() {
                        return;
                    }
                })
            })
            .collect();
        drop(send);
        // Results that arrived before their predecessors, by index.
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        let mut outcome = Ok(());
        for (index, result) in receive.iter() {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                next += 1;
                outcome = consume(result);
                if outcome.is_err() {
                    break;
                }
            }
            if outcome.is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                break;
            }
        }
        drop(receive);
        for worker in workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        outcome
    })
}

/// Drops `value` on another thread. Freeing some 15,000 automerge documents after a placement
/// round takes a quarter of a second at city scale; the caller's answer need not wait for it.
pub fn drop_elsewhere<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn consumed_results_come_in_item_order_and_an_error_stops_the_work() {
        for n in [0usize, 1, 63, 64, 65, 1000] {
            let mut seen = Vec::new();
            super::map_consumed(
                (0..n).collect(),
                |i| i * 2,
                |r| {
                    seen.push(r);
                    Ok::<_, ()>(())
                },
            )
            .unwrap();
            assert_eq!(seen, (0..n).map(|i| i * 2).collect::<Vec<_>>(), "{n}");
        }
        let mut consumed = 0;
        let failed = super::map_consumed(
            (0..10_000).collect(),
            |i: usize| i,
            |i| {
                consumed += 1;
                if i == 100 {
                    Err(i)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(
            (failed, consumed),
            (Err(100), 101),
            "nothing after the error"
        );
    }

    #[test]
    fn fed_items_come_back_in_the_order_fed_and_a_feed_error_after_them() {
        for n in [0usize, 1, 63, 64, 65, 1000] {
            let doubled = super::map_fed(
                n,
                |send| {
                    (0..n).for_each(&mut *send);
                    Ok::<_, ()>(())
                },
                |i| i * 2,
            );
            assert_eq!(
                doubled,
                Ok((0..n).map(|i| i * 2).collect::<Vec<_>>()),
                "{n}"
            );
        }
        let failed = super::map_fed(
            100,
            |send| {
                (0..10).for_each(&mut *send);
                Err("read failed")
            },
            |i: usize| i,
        );
        assert_eq!(failed, Err("read failed"));
    }

    #[test]
    fn keeps_the_order_of_the_items_on_any_number_of_threads() {
        for n in [0usize, 1, 63, 64, 65, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = super::map(items, |i| i * 2);
            assert_eq!(
                doubled,
                (0..n).map(|i| i * 2).collect::<Vec<_>>(),
                "{n} items"
            );
        }
    }
}
