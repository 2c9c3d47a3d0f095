//! `Paginated`: the stream the list operations return, usable without a futures crate.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{BoxStream, Stream, StreamExt};

use crate::Error;

/// Every entry of a listing, page after page: a [`Stream`] of `Result<T, Error>` that ends at
/// the first error.
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
pub struct Paginated<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> Paginated<T> {
    pub(crate) fn new(inner: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        Self {
            inner: inner.boxed(),
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
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> fmt::Debug for Paginated<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginated").finish_non_exhaustive()
    }
}
