//! The pager against a listing that changes between pages: nothing skipped, nothing twice.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;

use super::pager::{Direction, SortKey, paginate};
use crate::Error;

type Entry = (i64, String);

fn key(entry: &Entry) -> SortKey {
    SortKey {
        time: entry.0,
        id: entry.1.clone(),
    }
}

/// A listing sorted like the service sorts (by time, ties by id), changed by `mutate` after
/// every page is served.
struct Listing {
    entries: Vec<Entry>,
    direction: Direction,
    requests: usize,
}

impl Listing {
    fn new(entries: Vec<Entry>, direction: Direction) -> Self {
        Self {
            entries,
            direction,
            requests: 0,
        }
    }

    fn page(&mut self, offset: u32, limit: u32) -> Vec<Entry> {
        self.requests += 1;
        let direction = self.direction;
        self.entries.sort_by(|a, b| {
            let by_time = match direction {
                Direction::NewestFirst => b.0.cmp(&a.0),
                Direction::OldestFirst => a.0.cmp(&b.0),
            };
            by_time.then_with(|| a.1.cmp(&b.1))
        });
        self.entries
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .cloned()
            .collect()
    }
}

/// Runs the pager to the end; `mutate` runs after each page with the listing and the page.
async fn run(
    listing: Listing,
    limit: u32,
    mutate: impl FnMut(&mut Listing, &[Entry]) + Send + 'static,
) -> (Vec<Result<Entry, Error>>, Arc<Mutex<Listing>>) {
    run_as(listing.direction, listing, limit, mutate).await
}

/// Like [`run`], but the pager expects `direction` whatever the listing does.
async fn run_as(
    direction: Direction,
    listing: Listing,
    limit: u32,
    mutate: impl FnMut(&mut Listing, &[Entry]) + Send + 'static,
) -> (Vec<Result<Entry, Error>>, Arc<Mutex<Listing>>) {
    let listing = Arc::new(Mutex::new(listing));
    let mutate = Arc::new(Mutex::new(mutate));
    let shared = Arc::clone(&listing);
    let stream = paginate(limit, direction, key, move |offset, limit| {
        let listing = Arc::clone(&shared);
        let mutate = Arc::clone(&mutate);
        async move {
            let mut listing = listing.lock().unwrap();
            let page = listing.page(offset, limit);
            (mutate.lock().unwrap())(&mut listing, &page);
            Ok(page)
        }
    });
    (stream.collect().await, listing)
}

fn entries(n: i64) -> Vec<Entry> {
    (0..n).map(|i| (1_000 + i, format!("t{i:04}"))).collect()
}

fn ids(results: &[Result<Entry, Error>]) -> Vec<String> {
    results
        .iter()
        .map(|r| r.as_ref().unwrap().1.clone())
        .collect()
}

#[tokio::test]
async fn a_still_listing_is_read_in_order_once() {
    for limit in [2, 3, 7, 10, 100] {
        for n in [0, 1, 2, 9, 10, 11, 57] {
            let (results, listing) = run(
                Listing::new(entries(n), Direction::NewestFirst),
                limit,
                |_, _| {},
            )
            .await;
            let mut expected = entries(n);
            expected.reverse();
            assert_eq!(
                ids(&results),
                expected.into_iter().map(|e| e.1).collect::<Vec<_>>(),
                "n={n} limit={limit}"
            );
            let requests = listing.lock().unwrap().requests;
            assert!(
                requests <= n as usize / (limit as usize - 1) + 2,
                "{requests} requests"
            );
        }
    }
}

#[tokio::test]
async fn oldest_first_too() {
    let (results, _) = run(
        Listing::new(entries(25), Direction::OldestFirst),
        4,
        |_, _| {},
    )
    .await;
    assert_eq!(
        ids(&results),
        entries(25).into_iter().map(|e| e.1).collect::<Vec<_>>()
    );
}

/// Reads the listing and deletes each entry as it is yielded, as `delete --where` would if it
/// deleted while listing.
async fn delete_while_reading(listing: Listing, limit: u32) -> (Vec<String>, Arc<Mutex<Listing>>) {
    let direction = listing.direction;
    let listing = Arc::new(Mutex::new(listing));
    let shared = Arc::clone(&listing);
    let mut stream = paginate(limit, direction, key, move |offset, limit| {
        let listing = Arc::clone(&shared);
        async move { Ok(listing.lock().unwrap().page(offset, limit)) }
    });
    let mut got = Vec::new();
    while let Some(entry) = stream.next().await {
        let entry = entry.unwrap();
        listing.lock().unwrap().entries.retain(|e| e != &entry);
        got.push(entry.1);
    }
    (got, listing)
}

#[tokio::test]
async fn deleting_each_entry_as_it_is_read_skips_nothing() {
    // What a naive `offset += limit` loop gets wrong: deleting what was read shifts the rest left.
    for limit in [2, 3, 10] {
        let (got, listing) =
            delete_while_reading(Listing::new(entries(95), Direction::NewestFirst), limit).await;
        assert_eq!(got.len(), 95, "limit {limit}: {got:?}");
        assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), 95);
        assert!(listing.lock().unwrap().entries.is_empty());
    }
}

#[tokio::test]
async fn new_entries_before_the_cursor_are_not_yielded_twice() {
    let mut next = 10_000;
    let (results, _) = run(
        Listing::new(entries(40), Direction::NewestFirst),
        5,
        move |listing, _| {
            // Newer tasks arrive at the front and push everything right.
            for _ in 0..3 {
                next += 1;
                listing.entries.push((next, format!("new{next}")));
            }
        },
    )
    .await;
    let got = ids(&results);
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>().len(),
        got.len(),
        "a duplicate"
    );
    for original in entries(40) {
        assert!(got.contains(&original.1), "{} skipped", original.1);
    }
}

#[tokio::test]
async fn ties_across_page_boundaries_are_kept_apart_by_id() {
    // 30 entries share one time; deleting what was read keeps shifting them.
    let tied: Vec<Entry> = (0..30).map(|i| (5, format!("tie{i:02}"))).collect();
    let (got, _) = delete_while_reading(Listing::new(tied, Direction::NewestFirst), 4).await;
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>().len(),
        got.len(),
        "a duplicate"
    );
    assert_eq!(got.len(), 30, "{got:?}");
}

/// Random removals and insertions between pages, many seeds: every entry that stayed from
/// start to end is yielded, and none is yielded twice.
#[tokio::test]
async fn random_changes_never_skip_or_repeat() {
    for seed in 0..300u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let n = rng.i64(0..120);
        let limit = rng.u32(2..12);
        let direction = if rng.bool() {
            Direction::NewestFirst
        } else {
            Direction::OldestFirst
        };
        // Times with many ties.
        let start: Vec<Entry> = (0..n).map(|i| (rng.i64(0..40), format!("s{i}"))).collect();
        let removed = Arc::new(Mutex::new(BTreeSet::new()));
        let removed_log = Arc::clone(&removed);
        let mut counter = 0;
        let (results, _) = run(
            Listing::new(start.clone(), direction),
            limit,
            move |listing, _| {
                let mut rng = fastrand::Rng::with_seed(seed ^ (counter << 20));
                counter += 1;
                for _ in 0..rng.usize(0..4) {
                    if !listing.entries.is_empty() {
                        let gone = listing.entries.remove(rng.usize(0..listing.entries.len()));
                        removed_log.lock().unwrap().insert(gone.1);
                    }
                }
                for _ in 0..rng.usize(0..3) {
                    listing.entries.push((
                        rng.i64(-5..45),
                        format!("n{seed}-{counter}-{}", rng.u32(..)),
                    ));
                }
            },
        )
        .await;
        let got = ids(&results);
        let mut seen = HashMap::new();
        for id in &got {
            *seen.entry(id.clone()).or_insert(0) += 1;
        }
        assert!(
            seen.values().all(|&c| c == 1),
            "seed {seed}: yielded twice: {got:?}"
        );
        let removed = removed.lock().unwrap();
        for (_, id) in &start {
            assert!(
                removed.contains(id) || seen.contains_key(id),
                "seed {seed} (n={n}, limit={limit}, {direction:?}): {id} was skipped"
            );
        }
    }
}

#[tokio::test]
async fn an_error_ends_the_stream() {
    let calls = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&calls);
    let stream = paginate(2, Direction::NewestFirst, key, move |offset, _| {
        let calls = Arc::clone(&counted);
        async move {
            *calls.lock().unwrap() += 1;
            if offset == 0 {
                Ok(vec![(9, "a".to_owned()), (8, "b".to_owned())])
            } else {
                Err(Error::InvalidInput(crate::InvalidInput::Config(
                    "boom".into(),
                )))
            }
        }
    });
    let results: Vec<_> = stream.collect().await;
    assert_eq!(results.len(), 3);
    assert!(results[2].is_err());
    assert_eq!(
        *calls.lock().unwrap(),
        2,
        "nothing is asked after the error"
    );
}

#[tokio::test]
async fn a_listing_in_the_wrong_order_stops_with_an_error_instead_of_skipping() {
    // A service that ignores the requested order: oldest first when newest first was asked.
    let (results, _) = run_as(
        Direction::NewestFirst,
        Listing::new(entries(12), Direction::OldestFirst),
        5,
        |_, _| {},
    )
    .await;
    let Some(Err(err)) = results.last() else {
        panic!("the stream must end with an error: {results:?}")
    };
    assert!(matches!(err, Error::Listing { .. }), "{err}");
    assert!(err.to_string().contains("not sorted newest first"), "{err}");
    assert_eq!(
        results.len(),
        1,
        "nothing of a page out of order is yielded"
    );
}
