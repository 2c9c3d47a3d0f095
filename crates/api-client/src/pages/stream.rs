//! `Paginated`: the stream the list operations return, usable without a futures crate.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{BoxStream, Fuse, FusedStream, Stream, StreamExt};

use crate::Error;

/// Every entry of a listing, page after page: a [`Stream`] of `Result<T, Error>` that ends at
/// the first error, and stays ended however often it is polled again.
///
/// Read it with [`try_next`](Self::try_next) or [`collect_all`](Self::collect_all), with no
/// futures crate of your own; or as a `Stream`, with the combinators of `futures`.
///
/// ```no_run
/// # async fn demo(client: api_client::Client) -> Result<(), api_client::Error> {
/// let mut tasks = client.list_processor_tasks_stream(api_client::ListProcessorTasksQuery::default());
/// while let Some(task) = tasks.try_next().await? {
///     println!("{}", task.task_id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing sends nothing until it is read"]
pub struct Paginated<T> {
    inner: Fuse<BoxStream<'static, Result<T, Error>>>,
}

impl<T> Paginated<T> {
    pub(crate) fn new(inner: BoxStream<'static, Result<T, Error>>) -> Self {
        Self {
            inner: inner.fuse(),
        }
    }

    /// The next entry; `None` when the listing is done. After an error, `None`.
    pub async fn try_next(&mut self) -> Result<Option<T>, Error> {
        self.inner.next().await.transpose()
    }

    /// Every remaining entry, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(entry) = self.try_next().await? {
            all.push(entry);
        }
        Ok(all)
    }
}

impl<T> Stream for Paginated<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> FusedStream for Paginated<T> {
    fn is_terminated(&self) -> bool {
        self.inner.is_terminated()
    }
}

// A listing can be moved between tasks and threads.
const _: fn() = || {
    fn send_unpin<S: Send + Unpin>() {}
    send_unpin::<Paginated<api_model::ProcessorTask>>();
};

impl<T> fmt::Debug for Paginated<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginated").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn it_ends_at_the_first_error_and_stays_ended() {
        let pages = futures_util::stream::unfold(0, |n| async move {
            match n {
                0 => Some((Ok(1), 1)),
                1 => Some((Err(Error::unsupported("ListProcessorTasks")), 2)),
                _ => None,
            }
        });
        let mut listing = Paginated::new(pages.boxed());
        assert_eq!(listing.try_next().await.ok().flatten(), Some(1));
        assert!(listing.try_next().await.is_err());
        for _ in 0..3 {
            assert!(matches!(listing.try_next().await, Ok(None)));
        }
        assert!(listing.is_terminated());
    }
}
