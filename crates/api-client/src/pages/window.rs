//! Which page to ask for next: a page index and size whose page overlaps what was read.
//!
//! The service pages by index: page `index` of size `size` holds the entries from
//! `index * size` on. With one fixed size the pages only touch, so a page can never show the
//! last entry already read, and a shift in the listing between two requests goes unseen. Any
//! size from 1 to the operation's maximum is a valid page, though, and pages of different sizes
//! start at different places: the pager picks the size whose page holds a given position and
//! reaches furthest past it. That page re-reads a few entries (one, usually) and proves that
//! nothing was skipped.

/// One request's page: `offset` (the page index) and `limit` (the page size) as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// The 0-based page index (the service's `offset`).
    pub(crate) index: u32,
    /// The page size (the service's `limit`), at least 1.
    pub(crate) size: u32,
}

/// The page sizes the pager may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageSizes {
    /// The size to prefer: the largest the caller allows.
    pub(crate) preferred: u32,
    /// The largest size the operation allows; used only when no size up to `preferred` gets
    /// past a position (which needs positions in the billions for sizes of 25 or more).
    pub(crate) most: u32,
    /// The largest page index the operation takes.
    pub(crate) max_index: u32,
}

impl PageSizes {
    /// `preferred` clamped to 1..=`most`.
    pub(crate) fn new(preferred: u32, most: u32, max_index: u32) -> Self {
        let most = most.max(1);
        Self {
            preferred: preferred.clamp(1, most),
            most,
            max_index,
        }
    }

    /// The first page: index 0 of the preferred size.
    pub(crate) fn first(self) -> Window {
        Window {
            index: 0,
            size: self.preferred,
        }
    }

    /// The page that holds position `at` and reaches furthest past it (at least one entry
    /// past it), with the preferred size or a smaller one. Among pages that reach equally far,
    /// the larger (which starts earlier, so it tolerates more removals before `at`) wins. Only
    /// if none of those sizes gets past `at`, the smallest larger size that does. `None` when
    /// no size up to the operation's maximum gets past `at`, or the page index is beyond what
    /// the operation takes.
    pub(crate) fn covering(self, at: u64) -> Option<Window> {
        let max_index = self.max_index;
        best_window(at, 1..=self.preferred, max_index).or_else(|| {
            (self.preferred.saturating_add(1)..=self.most)
                .find_map(|size| best_window(at, size..=size, max_index))
        })
    }
}

impl Window {
    /// The position of the page's first entry.
    pub(crate) fn start(self) -> u64 {
        u64::from(self.index) * u64::from(self.size)
    }

    /// The position just past the page's last entry, if the page is full.
    pub(crate) fn end(self) -> u64 {
        self.start() + u64::from(self.size)
    }
}

/// The page of one of `sizes` that holds `at`, gets past it and reaches furthest, with an
/// index of at most `max_index`.
fn best_window(at: u64, sizes: std::ops::RangeInclusive<u32>, max_index: u32) -> Option<Window> {
    let mut best: Option<Window> = None;
    for size in sizes.rev() {
        let index = at / u64::from(size);
        let Some(index) = u32::try_from(index).ok().filter(|&i| i <= max_index) else {
            continue;
        };
        let window = Window { index, size };
        // It must show at least one entry past `at`.
        if window.end() <= at.saturating_add(1) {
            continue;
        }
        if best.is_none_or(|best| window.end() > best.end()) {
            best = Some(window);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(preferred: u32) -> PageSizes {
        PageSizes::new(preferred, 100, i32::MAX as u32)
    }

    #[test]
    fn the_page_holds_the_position_and_gets_past_it() {
        for preferred in [1, 2, 3, 7, 10, 25, 100] {
            for at in (0..5_000).chain([1 << 20, (1 << 31) - 7, 1 << 33, 199 << 30]) {
                let Some(window) = sizes(preferred).covering(at) else {
                    panic!("no page for {at} with sizes up to {preferred}");
                };
                assert!(window.start() <= at, "{window:?} starts after {at}");
                assert!(window.end() > at + 1, "{window:?} shows nothing past {at}");
                assert!(window.size <= 100);
            }
        }
    }

    #[test]
    fn the_preferred_size_is_used_when_it_gets_furthest() {
        let sizes = sizes(100);
        assert_eq!(
            sizes.first(),
            Window {
                index: 0,
                size: 100
            }
        );
        // After entries 0..=99: page 1 of 99 (entries 99..=197) re-reads one.
        assert_eq!(sizes.covering(99), Some(Window { index: 1, size: 99 }));
        // At 150, page 2 of 75 (150..=224) reaches further than page 1 of 100 (100..=199).
        assert_eq!(sizes.covering(150), Some(Window { index: 2, size: 75 }));
    }

    #[test]
    fn sizes_are_clamped_and_page_indices_bounded() {
        assert_eq!(PageSizes::new(0, 100, 9).preferred, 1);
        assert_eq!(PageSizes::new(500, 100, 9).preferred, 100);
        // Position 10,000 needs page 100 or so: beyond a maximum index of 9.
        assert_eq!(PageSizes::new(100, 100, 9).covering(10_000), None);
        // Past the page index the service takes, smaller sizes give way to larger ones.
        let window = PageSizes::new(10, 100, i32::MAX as u32)
            .covering(50 << 30)
            .unwrap();
        assert!(
            window.index <= i32::MAX as u32 && window.size > 10,
            "{window:?}"
        );
        // Beyond 100 entries a page times the last page index, nothing is left.
        assert_eq!(sizes(100).covering(101 << 31), None);
    }

    #[test]
    fn a_small_preferred_size_falls_back_to_a_larger_one_only_when_stuck() {
        // 11 is 12 - 1, and every size from 1 to 4 divides 12: none gets past position 11.
        assert_eq!(best_window(11, 1..=4, u32::MAX), None);
        // So size 5 is used: page 2 (10..=14).
        assert_eq!(sizes(4).covering(11), Some(Window { index: 2, size: 5 }));
        // Elsewhere the small size is kept.
        assert!(sizes(4).covering(12).unwrap().size <= 4);
    }

    /// What reading a still listing of `n` entries costs, page after page.
    fn requests_to_read(n: u64, preferred: u32) -> u32 {
        let sizes = sizes(preferred);
        let mut window = sizes.first();
        let mut requests = 1;
        while window.end() < n {
            window = sizes.covering(window.end() - 1).unwrap();
            requests += 1;
        }
        requests
    }

    #[test]
    fn overlapping_costs_about_one_request_in_ten() {
        assert_eq!(requests_to_read(100, 100), 1);
        assert_eq!(requests_to_read(1_000, 100), 11);
        assert!(requests_to_read(10_000, 100) <= 116);
        assert!(requests_to_read(100_000, 100) <= 1_160);
    }
}
