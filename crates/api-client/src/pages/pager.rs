//! The page-index pager: walks a listing page by page, every entry once, while it changes.

use std::{cmp::Ordering, collections::HashSet, future::Future};

use futures_util::stream::{self, BoxStream, StreamExt};

use super::window::{PageSizes, Window};
use crate::Error;

/// Where an entry sits in a listing sorted by time: its time (ms) and its id, which breaks ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortKey {
    pub(crate) time: i64,
    pub(crate) id: String,
}

/// Which way the listing is sorted by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    NewestFirst,
    OldestFirst,
}

/// One page as the service answered it.
#[derive(Debug)]
pub(crate) struct Page<T> {
    /// The page's entries, in the listing's order.
    pub(crate) entries: Vec<T>,
    /// How many entries the whole listing holds, as the reply says (`None` when it says
    /// something impossible, such as a negative number).
    pub(crate) count: Option<u64>,
}

/// Requests the pager may make beyond three per page that brought new entries, before it
/// decides that the listing will not hold still (or the service contradicts itself).
const SPARE_REQUESTS: u32 = 8;
/// Requests allowed per page that brought new entries: the page itself, a step back after a
/// shift, and one more.
const REQUESTS_PER_PAGE: u32 = 3;

/// What the pager knows between pages.
struct State<T, F> {
    fetch: F,
    key: fn(&T) -> SortKey,
    direction: Direction,
    sizes: PageSizes,
    /// The page to ask for next.
    next: Window,
    /// Where the last entry read sat when it was read, and the listing's count then.
    last: Option<(u64, Option<u64>)>,
    /// The time of the last entry yielded, and the ids yielded at that time.
    cursor: Option<(i64, HashSet<String>)>,
    /// Pages in a row that started after the cursor.
    retreats: u32,
    requests: u32,
    /// Pages that brought at least one new entry.
    productive: u32,
    /// The last thing that looked wrong, for the error if the budget runs out.
    trouble: Option<String>,
    done: bool,
}

/// Yields every entry of a page-index listing sorted by time, once each, even when entries are
/// added or removed while it is read.
///
/// Plain paging (`offset` = 0, 1, 2, … with one page size) skips entries when some before the
/// page are removed (everything shifts left, past the page boundary) and repeats entries when
/// some are added. This pager instead:
/// - asks, after the first page, for a page that holds the position of the last entry read
///   (page sizes vary a little to make the pages overlap: see [`PageSizes::covering`]); such a
///   page is *anchored* when it starts at the top of the listing or its first entry is one
///   already yielded (or sorts before them), and then every entry after the cursor up to the
///   page's end is on it;
/// - when a page is not anchored (entries before it were removed, so it may start past unread
///   ones) or is empty where entries were expected, steps back to an earlier page, guided by
///   the drop in `count`, and each step in a row goes a page further;
/// - yields only entries after the last one yielded (by time, then by id among equal times),
///   so entries re-read or added before the cursor are never yielded twice;
/// - stops when an anchored page is shorter than its size, or reaches `count`.
///
/// It is bounded: after [`SPARE_REQUESTS`] plus [`REQUESTS_PER_PAGE`] requests for every page
/// that brought new entries, it ends with [`Error::Listing`] instead of going on.
///
/// Entries added after listing began are yielded only if they sort after the cursor (with
/// newest first, never). Entries removed before they are reached are not yielded.
pub(crate) fn paginate<T, F, Fut>(
    sizes: PageSizes,
    direction: Direction,
    key: fn(&T) -> SortKey,
    fetch: F,
) -> BoxStream<'static, Result<T, Error>>
where
    T: Send + 'static,
    F: FnMut(Window) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let state = State {
        fetch,
        key,
        direction,
        sizes,
        next: sizes.first(),
        last: None,
        cursor: None,
        retreats: 0,
        requests: 0,
        productive: 0,
        trouble: None,
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        let batch = state.next_batch().await;
        Some((stream::iter(batch), state))
    })
    .flatten()
    .boxed()
}

impl<T, F, Fut> State<T, F>
where
    F: FnMut(Window) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    /// Reads pages until some entries are new or the listing ends; an error ends the stream.
    async fn next_batch(&mut self) -> Vec<Result<T, Error>> {
        loop {
            if self.requests >= self.budget() {
                return self.fail(self.over_budget());
            }
            let window = self.next;
            let page = match (self.fetch)(window).await {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return vec![Err(error)];
                }
            };
            self.requests += 1;
            if let Some(reason) = self.out_of_order(&page.entries, window) {
                return self.fail(reason);
            }
            if !self.anchored(window, page.entries.first()) {
                if let Err(reason) = self.step_back(window, &page) {
                    return self.fail(reason);
                }
                if self.done {
                    return Vec::new();
                }
                continue;
            }
            self.retreats = 0;
            let read = u64::try_from(page.entries.len()).unwrap_or(u64::MAX);
            let fresh: Vec<Result<T, Error>> = page
                .entries
                .into_iter()
                .filter(|entry| self.take(entry))
                .map(Ok)
                .collect();
            if !fresh.is_empty() {
                self.productive += 1;
            }
            let reached = window.start().saturating_add(read);
            let short = read < u64::from(window.size);
            let counted = page.count.is_some_and(|count| reached >= count);
            if short || counted {
                self.done = true;
                return fresh;
            }
            // A full page: its last entry is the cursor now, at `reached - 1`.
            let last = reached - 1;
            self.last = Some((last, page.count));
            match self.sizes.covering(last) {
                Some(next) => self.next = next,
                None => return self.fail(too_long(last)),
            }
            if !fresh.is_empty() {
                return fresh;
            }
        }
    }

    /// Ends the stream with [`Error::Listing`].
    fn fail(&mut self, reason: String) -> Vec<Result<T, Error>> {
        self.done = true;
        vec![Err(Error::Listing { reason })]
    }

    /// How many requests the pager may have made by now.
    fn budget(&self) -> u32 {
        SPARE_REQUESTS.saturating_add(REQUESTS_PER_PAGE.saturating_mul(self.productive))
    }

    fn over_budget(&self) -> String {
        let mut reason = format!(
            "gave up after {} requests, of which {} brought new entries: the listing kept \
             changing under the pager, or the service contradicts itself",
            self.requests, self.productive
        );
        if let Some(trouble) = &self.trouble {
            reason.push_str(" (last: ");
            reason.push_str(trouble);
            reason.push(')');
        }
        reason
    }

    /// Whether the page shows where the cursor is: it starts at the top of the listing, or its
    /// first entry is one already yielded or one sorted before them.
    fn anchored(&self, window: Window, first: Option<&T>) -> bool {
        if window.start() == 0 {
            return true;
        }
        let (Some(first), Some((time, seen))) = (first, &self.cursor) else {
            return false;
        };
        let key = (self.key)(first);
        match self.compare(key.time, *time) {
            Ordering::Less => true,
            Ordering::Equal => seen.contains(&key.id),
            Ordering::Greater => false,
        }
    }

    /// After a page that starts past the cursor or is empty: the cursor moved towards the top,
    /// because entries before it were removed. Chooses an earlier page, or ends the listing
    /// when the service says it is empty.
    fn step_back(&mut self, window: Window, page: &Page<T>) -> Result<(), String> {
        self.retreats += 1;
        let (last, last_count) = self.last.unwrap_or((0, None));
        self.trouble = Some(if page.entries.is_empty() {
            format!(
                "page {} of size {} was empty although {} entries were counted",
                window.index,
                window.size,
                page.count
                    .map_or_else(|| "no number of".to_owned(), |c| c.to_string())
            )
        } else {
            format!(
                "page {} of size {} started after the last entry read",
                window.index, window.size
            )
        });
        if page.entries.is_empty() && page.count == Some(0) {
            // Everything is gone: nothing is left to yield.
            self.done = true;
            return Ok(());
        }
        // The cursor is before this page now. When the count dropped, the removals were most
        // likely before the cursor: it moved up by as many.
        let mut at = window.start().saturating_sub(1);
        if let (Some(before), Some(now)) = (last_count, page.count) {
            at = at.min(last.saturating_sub(before.saturating_sub(now)));
        }
        if page.entries.is_empty()
            && let Some(now) = page.count
        {
            at = at.min(now.saturating_sub(1));
        }
        // Each step back in a row goes a page further.
        let further = u64::from(self.retreats - 1) * u64::from(self.sizes.preferred);
        at = at.saturating_sub(further);
        self.next = self.sizes.covering(at).ok_or_else(|| too_long(at))?;
        tracing::debug!(
            index = window.index,
            size = window.size,
            next_index = self.next.index,
            next_size = self.next.size,
            "the listing shifted; stepping back"
        );
        Ok(())
    }

    /// Why the page breaks the order the pager relies on, if it does: an entry that sorts
    /// before the one ahead of it. Going on could skip entries silently, so the pager stops.
    fn out_of_order(&self, page: &[T], window: Window) -> Option<String> {
        page.windows(2).enumerate().find_map(|(i, pair)| {
            let (a, b) = ((self.key)(&pair[0]), (self.key)(&pair[1]));
            (self.compare(b.time, a.time) == Ordering::Less).then(|| {
                format!(
                    "page {} of size {} is not sorted {} by time: entry {} ({}, time {}) \
                     comes after entry {} ({}, time {})",
                    window.index,
                    window.size,
                    match self.direction {
                        Direction::NewestFirst => "newest first",
                        Direction::OldestFirst => "oldest first",
                    },
                    i + 1,
                    b.id,
                    b.time,
                    i,
                    a.id,
                    a.time
                )
            })
        })
    }

    /// `Less` when time `a` sorts before time `b` in the listing.
    fn compare(&self, a: i64, b: i64) -> Ordering {
        match self.direction {
            Direction::NewestFirst => b.cmp(&a),
            Direction::OldestFirst => a.cmp(&b),
        }
    }

    /// Whether `entry` is new (after the cursor); if so, moves the cursor to it.
    fn take(&mut self, entry: &T) -> bool {
        let key = (self.key)(entry);
        let order = match &self.cursor {
            None => Ordering::Greater,
            Some((time, _)) => self.compare(key.time, *time),
        };
        match (order, &mut self.cursor) {
            (Ordering::Less, _) => false,
            (Ordering::Equal, Some((_, seen))) => seen.insert(key.id),
            _ => {
                self.cursor = Some((key.time, HashSet::from([key.id])));
                true
            }
        }
    }
}

fn too_long(position: u64) -> String {
    format!(
        "the listing is too long to page: entry {position} is beyond the last page the service offers"
    )
}
