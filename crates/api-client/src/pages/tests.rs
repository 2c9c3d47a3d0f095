//! The pager against page-index listings that change between pages, and servers that lie.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;

use super::pager::{Direction, Page, SortKey, paginate};
use super::window::{PageSizes, Window};
use crate::Error;

type Entry = (i64, String);

fn key(entry: &Entry) -> SortKey {
    SortKey {
        time: entry.0,
        id: entry.1.clone(),
    }
}

/// Page sizes up to `preferred`, with the task list's maximum of 100 and its page-index bound.
fn sizes(preferred: u32) -> PageSizes {
    PageSizes::new(preferred, 100, i32::MAX as u32)
}

/// A listing sorted like the service sorts (by time, ties by id) and paged like it pages
/// (`offset` is the page index), changed by `mutate` after every page is served.
struct Listing {
    entries: Vec<Entry>,
    direction: Direction,
    requests: Vec<Window>,
}

impl Listing {
    fn new(entries: Vec<Entry>, direction: Direction) -> Self {
        Self {
            entries,
            direction,
            requests: Vec::new(),
        }
    }

    fn page(&mut self, window: Window) -> Page<Entry> {
        self.requests.push(window);
        let direction = self.direction;
        self.entries.sort_by(|a, b| {
            let by_time = match direction {
                Direction::NewestFirst => b.0.cmp(&a.0),
                Direction::OldestFirst => a.0.cmp(&b.0),
            };
            by_time.then_with(|| a.1.cmp(&b.1))
        });
        Page {
            entries: self
                .entries
                .iter()
                .skip(window.start() as usize)
                .take(window.size as usize)
                .cloned()
                .collect(),
            count: Some(self.entries.len() as u64),
        }
    }
}

/// Runs the pager to the end; `mutate` runs after each page with the listing and the page.
async fn run(
    listing: Listing,
    preferred: u32,
    mutate: impl FnMut(&mut Listing, &[Entry]) + Send + 'static,
) -> (Vec<Result<Entry, Error>>, Arc<Mutex<Listing>>) {
    run_as(listing.direction, listing, preferred, mutate).await
}

/// Like [`run`], but the pager expects `direction` whatever the listing does.
async fn run_as(
    direction: Direction,
    listing: Listing,
    preferred: u32,
    mutate: impl FnMut(&mut Listing, &[Entry]) + Send + 'static,
) -> (Vec<Result<Entry, Error>>, Arc<Mutex<Listing>>) {
    let listing = Arc::new(Mutex::new(listing));
    let mutate = Arc::new(Mutex::new(mutate));
    let shared = Arc::clone(&listing);
    let stream = paginate(sizes(preferred), direction, key, move |window| {
        let listing = Arc::clone(&shared);
        let mutate = Arc::clone(&mutate);
        async move {
            let mut listing = listing.lock().unwrap();
            let page = listing.page(window);
            (mutate.lock().unwrap())(&mut listing, &page.entries);
            Ok(page)
        }
    });
    (stream.collect().await, listing)
}

/// Runs the pager over a scripted server: `serve` answers each page.
async fn run_server(
    preferred: u32,
    serve: impl Fn(Window) -> Result<Page<Entry>, Error> + Send + Sync + 'static,
) -> (Vec<Result<Entry, Error>>, Vec<Window>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let serve = Arc::new(serve);
    let stream = paginate(
        sizes(preferred),
        Direction::NewestFirst,
        key,
        move |window| {
            log.lock().unwrap().push(window);
            let serve = Arc::clone(&serve);
            async move { serve(window) }
        },
    );
    let results = stream.collect().await;
    let asked = asked.lock().unwrap().clone();
    (results, asked)
}

/// `n` entries, newest first by index: entry `i` is the `i`th of the listing.
fn entries(n: i64) -> Vec<Entry> {
    (0..n).map(|i| (1_000 + i, format!("t{i:04}"))).collect()
}

fn newest_first(n: i64) -> Vec<Entry> {
    let mut all = entries(n);
    all.reverse();
    all
}

fn ids(results: &[Result<Entry, Error>]) -> Vec<String> {
    results
        .iter()
        .map(|r| r.as_ref().unwrap().1.clone())
        .collect()
}

/// Page `window` of `all`, with `count` as the reply's count.
fn slice(all: &[Entry], window: Window, count: Option<u64>) -> Page<Entry> {
    Page {
        entries: all
            .iter()
            .skip(window.start() as usize)
            .take(window.size as usize)
            .cloned()
            .collect(),
        count,
    }
}

#[tokio::test]
async fn a_still_listing_is_read_in_order_once_with_few_requests() {
    for preferred in [7, 10, 25, 100] {
        for n in [0, 1, 2, 9, 10, 11, 57, 99, 100, 101, 437, 1_000] {
            let (results, listing) = run(
                Listing::new(entries(n), Direction::NewestFirst),
                preferred,
                |_, _| {},
            )
            .await;
            let expected: Vec<String> = newest_first(n).into_iter().map(|e| e.1).collect();
            assert_eq!(ids(&results), expected, "n={n} preferred={preferred}");
            let listing = listing.lock().unwrap();
            let requests = listing.requests.len() as i64;
            // Pages overlap by an entry or a few, so with pages of 100 about one request in ten
            // is extra; smaller pages overlap relatively more.
            let pages = (n + i64::from(preferred) - 1) / i64::from(preferred);
            let most = if preferred == 100 {
                pages.max(1) + pages / 8 + 1
            } else {
                2 * pages + 1
            };
            assert!(
                requests <= most,
                "n={n} preferred={preferred}: {requests} requests for {pages} pages"
            );
            // Every page is a page index and a size the service offers; none past the end.
            for window in &listing.requests {
                assert!(window.size >= 1 && window.size <= 100, "{window:?}");
                assert!(
                    window.start() == 0 || window.start() < n as u64,
                    "n={n}: {window:?} is past the end"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_request_counts_for_round_listings() {
    for (n, expected) in [(0, 1), (100, 1), (437, 5), (1_000, 11)] {
        let (results, listing) = run(
            Listing::new(entries(n), Direction::NewestFirst),
            100,
            |_, _| {},
        )
        .await;
        assert_eq!(results.len(), n as usize);
        assert_eq!(listing.lock().unwrap().requests.len(), expected, "n={n}");
    }
}

#[tokio::test]
async fn oldest_first_too() {
    let (results, _) = run(
        Listing::new(entries(250), Direction::OldestFirst),
        10,
        |_, _| {},
    )
    .await;
    assert_eq!(
        ids(&results),
        entries(250).into_iter().map(|e| e.1).collect::<Vec<_>>()
    );
}

/// Reads the listing and deletes each entry as it is yielded, as a caller that deletes while
/// it streams does.
async fn delete_while_reading(listing: Listing, preferred: u32) -> (Vec<String>, usize) {
    let direction = listing.direction;
    let listing = Arc::new(Mutex::new(listing));
    let shared = Arc::clone(&listing);
    let mut stream = paginate(sizes(preferred), direction, key, move |window| {
        let listing = Arc::clone(&shared);
        async move { Ok(listing.lock().unwrap().page(window)) }
    });
    let mut got = Vec::new();
    while let Some(entry) = stream.next().await {
        let entry = entry.unwrap();
        listing.lock().unwrap().entries.retain(|e| e != &entry);
        got.push(entry.1);
    }
    let listing = listing.lock().unwrap();
    assert!(listing.entries.is_empty(), "some were never yielded");
    (got, listing.requests.len())
}

#[tokio::test]
async fn deleting_each_entry_as_it_is_read_skips_nothing() {
    // What a plain `offset += 1` loop gets wrong: deleting a page moves the next one to page 0.
    for (n, preferred) in [(95, 7), (95, 10), (437, 100), (1_000, 100)] {
        let (got, requests) =
            delete_while_reading(Listing::new(entries(n), Direction::NewestFirst), preferred).await;
        assert_eq!(got.len(), n as usize, "preferred {preferred}: {got:?}");
        assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), n as usize);
        // Each page costs about two requests: one that shows the shift, one a page back.
        let pages = n as usize / preferred as usize + 1;
        assert!(
            requests <= 2 * pages + 2,
            "n={n}: {requests} requests for {pages} pages"
        );
    }
}

#[tokio::test]
async fn new_entries_before_the_cursor_are_not_yielded_twice() {
    let mut next = 10_000;
    let (results, _) = run(
        Listing::new(entries(400), Direction::NewestFirst),
        10,
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
    for original in entries(400) {
        assert!(got.contains(&original.1), "{} skipped", original.1);
    }
}

#[tokio::test]
async fn ties_across_page_boundaries_are_kept_apart_by_id() {
    // 300 entries share one time; deleting what was read keeps shifting them.
    let tied: Vec<Entry> = (0..300).map(|i| (5, format!("tie{i:03}"))).collect();
    let (got, _) = delete_while_reading(Listing::new(tied, Direction::NewestFirst), 8).await;
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>().len(),
        got.len(),
        "a duplicate"
    );
    assert_eq!(got.len(), 300, "{got:?}");
}

/// Random removals and insertions between pages, many seeds: every entry that stayed from
/// start to end is yielded, and none is yielded twice.
#[tokio::test]
async fn random_changes_never_skip_or_repeat() {
    const SCENARIOS: u64 = 1_000;
    let (mut skips, mut repeats, mut requests, mut yielded) = (0, 0, 0, 0);
    for seed in 0..SCENARIOS {
        let mut rng = fastrand::Rng::with_seed(seed);
        let n = rng.i64(0..400);
        let preferred = rng.u32(7..=30);
        let direction = if rng.bool() {
            Direction::NewestFirst
        } else {
            Direction::OldestFirst
        };
        // Times with many ties.
        let start: Vec<Entry> = (0..n).map(|i| (rng.i64(0..60), format!("s{i}"))).collect();
        let removed = Arc::new(Mutex::new(BTreeSet::new()));
        let removed_log = Arc::clone(&removed);
        let mut counter = 0;
        let (results, listing) = run(
            Listing::new(start.clone(), direction),
            preferred,
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
                        rng.i64(-5..65),
                        format!("n{seed}-{counter}-{}", rng.u32(..)),
                    ));
                }
            },
        )
        .await;
        if let Some(Err(err)) = results.last() {
            panic!("seed {seed} (n={n}, preferred={preferred}, {direction:?}): {err}");
        }
        let got = ids(&results);
        let mut seen = HashMap::new();
        for id in &got {
            *seen.entry(id.clone()).or_insert(0) += 1;
        }
        repeats += seen.values().filter(|&&c| c > 1).count();
        let removed = removed.lock().unwrap();
        skips += start
            .iter()
            .filter(|(_, id)| !removed.contains(id) && !seen.contains_key(id))
            .count();
        requests += listing.lock().unwrap().requests.len();
        yielded += got.len();
        assert_eq!(
            (skips, repeats),
            (0, 0),
            "seed {seed} (n={n}, preferred={preferred}, {direction:?})"
        );
    }
    eprintln!(
        "{SCENARIOS} scenarios of random removals and insertions between pages: \
         {skips} skips, {repeats} repeats; {yielded} entries in {requests} requests"
    );
}

#[tokio::test]
async fn an_error_ends_the_stream() {
    let all = newest_first(30);
    let (results, asked) = run_server(10, move |window| {
        if window.start() == 0 {
            Ok(slice(&all, window, Some(30)))
        } else {
            Err(Error::InvalidInput(crate::InvalidInput::Config(
                "boom".into(),
            )))
        }
    })
    .await;
    assert_eq!(results.len(), 11);
    assert!(results[10].is_err());
    assert_eq!(asked.len(), 2, "nothing is asked after the error");
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

// Servers that end their listings in each of the ways the service family does.

#[tokio::test]
async fn a_short_last_page_ends_the_listing() {
    let all = newest_first(250);
    let (results, asked) = run_server(100, move |w| Ok(slice(&all, w, Some(250)))).await;
    assert_eq!(ids(&results).len(), 250);
    assert_eq!(
        asked,
        [
            Window {
                index: 0,
                size: 100
            },
            Window { index: 1, size: 99 },
            Window { index: 2, size: 98 },
        ],
        "the third page (entries 196 to 249) is short: the end"
    );
}

#[tokio::test]
async fn an_empty_listing_is_one_request() {
    let (results, asked) = run_server(100, |w| Ok(slice(&[], w, Some(0)))).await;
    assert!(results.is_empty());
    assert_eq!(
        asked,
        [Window {
            index: 0,
            size: 100
        }]
    );
}

/// 150 entries; after the first page, everything from entry 50 on is deleted, the entries
/// already read among them: the next page is empty, past the new end.
fn shrinking_server(
    count: impl Fn(usize) -> Option<u64> + Send + Sync + 'static,
) -> impl Fn(Window) -> Result<Page<Entry>, Error> + Send + Sync + 'static {
    let all = newest_first(150);
    let calls = Mutex::new(0);
    move |w| {
        let mut calls = calls.lock().unwrap();
        *calls += 1;
        let visible = if *calls == 1 { 150 } else { 50 };
        Ok(slice(&all[..visible], w, count(visible)))
    }
}

#[tokio::test]
async fn an_empty_page_past_the_end_steps_back_to_the_end() {
    // The count says 50 are left: one step back, to the page that holds them.
    let (results, asked) = run_server(100, shrinking_server(|n| Some(n as u64))).await;
    assert_eq!(ids(&results), ids_of(&newest_first(150)[..100]));
    assert_eq!(
        asked,
        [
            Window {
                index: 0,
                size: 100
            },
            Window { index: 1, size: 99 },
            Window {
                index: 0,
                size: 100
            },
        ]
    );
    // With no usable count (a negative one), the pager steps back a page at a time.
    let (results, asked) = run_server(100, shrinking_server(|_| None)).await;
    assert_eq!(ids(&results).len(), 100);
    assert_eq!(asked.len(), 4, "{asked:?}");
}

#[tokio::test]
async fn a_full_last_page_ends_the_listing_when_the_count_is_reached() {
    let all = newest_first(198);
    let (results, asked) = run_server(100, move |w| Ok(slice(&all, w, Some(198)))).await;
    assert_eq!(ids(&results).len(), 198);
    assert_eq!(asked.len(), 2, "nothing is asked past the count: {asked:?}");
}

#[tokio::test]
async fn a_count_that_changes_between_pages_is_followed() {
    // The count grows by 50 between the first page and the rest (tasks created elsewhere, at
    // the old end of a newest-first listing), then shrinks back.
    let all = newest_first(300);
    let calls = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&calls);
    let (results, asked) = run_server(100, move |w| {
        let mut calls = counter.lock().unwrap();
        *calls += 1;
        let visible = match *calls {
            1 => 250,
            2 => 300,
            _ => 280,
        };
        Ok(slice(&all[..visible], w, Some(visible as u64)))
    })
    .await;
    let all = newest_first(300);
    assert_eq!(ids(&results), ids_of(&all[..280]));
    assert_eq!(asked.len(), 3, "{asked:?}");
}

/// A server that answers a page past the end with an error, as older ModelArts lists do
/// (`ModelArts.6400 fromIndex(200) > toIndex(33)`), over `all` with `count` in every reply.
fn erring_past_the_end(
    all: Vec<Entry>,
    count: u64,
) -> impl Fn(Window) -> Result<Page<Entry>, Error> + Send + Sync + 'static {
    move |w| {
        if w.start() >= all.len() as u64 {
            Err(past_the_end(w, all.len()))
        } else {
            Ok(slice(&all, w, Some(count)))
        }
    }
}

#[tokio::test]
async fn a_page_past_the_end_is_never_asked_for_so_an_error_there_is_never_met() {
    // Every page after the first holds the last entry read, so it starts before the end even
    // when the count is wrong; the short page ends the listing.
    for count in [200, 5_000] {
        let (results, asked) = run_server(100, erring_past_the_end(newest_first(200), count)).await;
        assert_eq!(ids(&results), ids_of(&newest_first(200)), "count {count}");
        assert_eq!(
            asked,
            [
                Window {
                    index: 0,
                    size: 100
                },
                Window { index: 1, size: 99 },
                Window { index: 2, size: 98 },
            ],
            "count {count}"
        );
    }
}

#[tokio::test]
async fn an_error_past_a_shrunken_end_ends_the_stream_with_that_error() {
    // The listing loses its tail after the first page: the next page is past the end, and
    // this server answers that with an error, which the stream passes on.
    let all = newest_first(150);
    let calls = Mutex::new(0);
    let (results, asked) = run_server(100, move |w| {
        let mut calls = calls.lock().unwrap();
        *calls += 1;
        let visible = if *calls == 1 { 150 } else { 50 };
        erring_past_the_end(all[..visible].to_vec(), visible as u64)(w)
    })
    .await;
    assert_eq!(results.len(), 101, "the first page, then the error");
    let Some(Err(err)) = results.last() else {
        panic!("{results:?}")
    };
    assert!(
        err.to_string().contains("fromIndex(99) > toIndex(50)"),
        "{err}"
    );
    assert_eq!(asked.len(), 2, "{asked:?}");
}

#[tokio::test]
async fn a_count_that_promises_more_than_the_pages_hold_is_taken_at_the_pages() {
    // 100 entries, but the count says 500: the next page re-reads the last entry and is short,
    // which ends the listing.
    let all = newest_first(100);
    let (results, asked) = run_server(100, move |w| Ok(slice(&all, w, Some(500)))).await;
    assert_eq!(ids(&results), ids_of(&newest_first(100)));
    assert_eq!(
        asked,
        [
            Window {
                index: 0,
                size: 100
            },
            Window { index: 1, size: 99 }
        ]
    );
}

#[tokio::test]
async fn a_server_that_contradicts_itself_gets_a_bounded_number_of_requests() {
    // A full first page, a count of 500, then empty pages whatever is asked: no listing looks
    // like that, and no number of steps back makes sense of it.
    let all = newest_first(100);
    let (results, asked) = run_server(100, move |w| {
        if w.index == 0 {
            Ok(slice(&all, w, Some(500)))
        } else {
            Ok(Page {
                entries: Vec::new(),
                count: Some(500),
            })
        }
    })
    .await;
    assert_eq!(results.len(), 101, "the first page, then the error");
    let Some(Err(err @ Error::Listing { .. })) = results.last() else {
        panic!("{results:?}")
    };
    assert!(
        err.to_string().contains("gave up after 11 requests"),
        "{err}"
    );
    assert!(err.to_string().contains("was empty although 500"), "{err}");
    assert_eq!(
        asked.len(),
        11,
        "8 spare requests and 3 for the one page: {asked:?}"
    );
}

fn ids_of(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| e.1.clone()).collect()
}

fn past_the_end(window: Window, len: usize) -> Error {
    Error::InvalidInput(crate::InvalidInput::Config(format!(
        "ModelArts.6400 fromIndex({}) > toIndex({len})",
        window.start()
    )))
}

#[tokio::test]
async fn a_server_that_repeats_one_page_gets_a_bounded_number_of_requests() {
    // Page 0 whatever is asked, with a count of 500: later pages look like tasks pushed down
    // by new ones, so the pager walks to the count and stops, each task yielded once.
    let all = newest_first(100);
    let (results, asked) = run_server(100, move |_| {
        Ok(slice(
            &all,
            Window {
                index: 0,
                size: 100,
            },
            Some(500),
        ))
    })
    .await;
    assert_eq!(ids(&results), ids_of(&newest_first(100)));
    assert_eq!(asked.len(), 6, "{asked:?}");
}

#[tokio::test]
async fn a_count_that_keeps_changing_never_keeps_the_pager_going() {
    // A listing of 1,000 whose replies each give a random count.
    for seed in 0..50 {
        let all = newest_first(1_000);
        let rng = Mutex::new(fastrand::Rng::with_seed(seed));
        let (results, asked) = run_server(100, move |w| {
            let count = rng.lock().unwrap().u64(0..10_000);
            Ok(slice(&all, w, Some(count)))
        })
        .await;
        let got = ids(&results);
        let unique: BTreeSet<_> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "seed {seed}: a repeat");
        assert!(
            asked.len() <= 8 + 3 * 11,
            "seed {seed}: {} requests",
            asked.len()
        );
    }
}
