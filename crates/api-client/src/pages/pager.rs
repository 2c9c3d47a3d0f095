//! The offset pager: walks offset/limit pages of a list that may change while it is read.

use std::{collections::HashSet, future::Future};

use futures_util::stream::{self, BoxStream, StreamExt};

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
pub(crate) type Page<T> = Result<Vec<T>, Error>;

/// The smallest page the pager asks for: each page after the first re-reads one entry.
pub(crate) const MIN_PAGE_SIZE: u32 = 2;

/// What the pager knows between pages.
struct State<T, F> {
    fetch: F,
    key: fn(&T) -> SortKey,
    direction: Direction,
    limit: u32,
    /// How many entries of the listing come before the next unread one, as far as we know.
    next: u32,
    /// The time of the last entry yielded, and the ids yielded at that time.
    cursor: Option<(i64, HashSet<String>)>,
    done: bool,
}

/// Yields every entry of an offset/limit listing sorted by time, once each, even when entries
/// are added or removed while it is read.
///
/// Plain offset paging skips entries when some before the offset are removed (everything shifts
/// left) and repeats entries when some are added. This pager instead:
/// - asks each page from one entry before where it expects to continue, so the page's first
///   entry must be one it has already yielded (or an earlier one);
/// - if it is not (entries before it were removed, so the page starts too late), steps back a
///   page and asks again, until the first entry is known or the offset is 0;
/// - yields only entries after the last one yielded (by time, then by id among equal times),
///   so entries added before the cursor or re-read after stepping back are never yielded twice.
///
/// Entries added after listing began are yielded only if they sort after the cursor (with
/// newest first, never). Entries removed before they are reached are not yielded.
pub(crate) fn paginate<T, F, Fut>(
    limit: u32,
    direction: Direction,
    key: fn(&T) -> SortKey,
    fetch: F,
) -> BoxStream<'static, Result<T, Error>>
where
    T: Send + 'static,
    F: FnMut(u32, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Page<T>> + Send + 'static,
{
    let state = State {
        fetch,
        key,
        direction,
        limit: limit.max(MIN_PAGE_SIZE),
        next: 0,
        cursor: None,
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
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Page<T>>,
{
    /// Reads pages until some entries are new or the listing ends; an error ends the stream.
    async fn next_batch(&mut self) -> Vec<Result<T, Error>> {
        loop {
            let offset = if self.cursor.is_some() {
                self.next.saturating_sub(1)
            } else {
                self.next
            };
            let page = match (self.fetch)(offset, self.limit).await {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return vec![Err(error)];
                }
            };
            if let Some(reason) = self.out_of_order(&page, offset) {
                self.done = true;
                return vec![Err(Error::Listing { reason })];
            }
            if offset > 0 && !self.starts_at_or_before_cursor(page.first()) {
                // Entries before this page were removed: it may start past unread ones.
                self.next = offset.saturating_sub(self.limit).saturating_add(1);
                tracing::debug!(offset, "the listing shifted; stepping back a page");
                continue;
            }
            let read = u32::try_from(page.len()).unwrap_or(u32::MAX);
            let full = read >= self.limit;
            self.next = offset.saturating_add(read);
            let fresh: Vec<Result<T, Error>> = page
                .into_iter()
                .filter(|entry| self.take(entry))
                .map(Ok)
                .collect();
            if !full {
                self.done = true;
            }
            if !fresh.is_empty() || self.done {
                return fresh;
            }
        }
    }

    /// Why the page breaks the order the pager relies on, if it does: an entry that sorts
    /// before the one ahead of it. Going on could skip entries silently, so the pager stops.
    fn out_of_order(&self, page: &[T], offset: u32) -> Option<String> {
        page.windows(2).enumerate().find_map(|(i, pair)| {
            let (a, b) = ((self.key)(&pair[0]), (self.key)(&pair[1]));
            (self.compare(b.time, a.time) == std::cmp::Ordering::Less).then(|| {
                format!(
                    "the page at offset {offset} is not sorted {} by time: entry {} ({}, time {}) \
                     comes after entry {} ({}, time {})",
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

    /// Whether the page's first entry is one already yielded or one sorted before them.
    fn starts_at_or_before_cursor(&self, first: Option<&T>) -> bool {
        let (Some(first), Some((time, seen))) = (first, &self.cursor) else {
            return self.cursor.is_none();
        };
        let key = (self.key)(first);
        match self.compare(key.time, *time) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Equal => seen.contains(&key.id),
            std::cmp::Ordering::Greater => false,
        }
    }

    /// `Less` when time `a` sorts before time `b` in the listing.
    fn compare(&self, a: i64, b: i64) -> std::cmp::Ordering {
        match self.direction {
            Direction::NewestFirst => b.cmp(&a),
            Direction::OldestFirst => a.cmp(&b),
        }
    }

    /// Whether `entry` is new (after the cursor); if so, moves the cursor to it.
    fn take(&mut self, entry: &T) -> bool {
        let key = (self.key)(entry);
        let order = match &self.cursor {
            None => std::cmp::Ordering::Greater,
            Some((time, _)) => self.compare(key.time, *time),
        };
        match (order, &mut self.cursor) {
            (std::cmp::Ordering::Less, _) => false,
            (std::cmp::Ordering::Equal, Some((_, seen))) => seen.insert(key.id),
            _ => {
                self.cursor = Some((key.time, HashSet::from([key.id])));
                true
            }
        }
    }
}
