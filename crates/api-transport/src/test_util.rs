//! Test transports (feature `test-util`): replay canned answers and capture requests, or never answer.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use http::{Request, Response};

use crate::error::TransportError;
use crate::transport::{BoxFuture, Transport};

/// A transport that answers with canned results, in order, and keeps the requests it got.
///
/// Clones share the same answers and captured requests, so a test can hand one clone to the
/// code under test and inspect the other. Once the answers run out, `send` fails with
/// [`TransportError::InvalidRequest`] saying so.
///
/// ```
/// use api_transport::test_util::ReplayTransport;
/// use api_transport::{TimeoutPhase, Transport, TransportError};
/// use bytes::Bytes;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let replay = ReplayTransport::new([
///     Err(TransportError::timeout(TimeoutPhase::Response)),
///     Ok(http::Response::builder().status(204).body(Bytes::new())?),
/// ]);
/// let request = || http::Request::delete("https://host/v1/tasks/1").body(Bytes::new());
/// assert!(replay.send(request()?).await.is_err());
/// assert_eq!(replay.send(request()?).await?.status(), 204);
/// assert!(replay.send(request()?).await.is_err()); // out of answers
///
/// let requests = replay.requests();
/// assert_eq!(requests.len(), 3);
/// assert_eq!(requests[0].uri(), "https://host/v1/tasks/1");
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// # })
/// # }
/// ```
#[derive(Clone, Default)]
pub struct ReplayTransport {
    state: Arc<Mutex<ReplayState>>,
}

#[derive(Default)]
struct ReplayState {
    answers: VecDeque<Result<Response<Bytes>, TransportError>>,
    requests: Vec<Request<Bytes>>,
    answered: usize,
}

impl ReplayTransport {
    /// A transport that answers with `answers`, one per request, in order.
    pub fn new(answers: impl IntoIterator<Item = Result<Response<Bytes>, TransportError>>) -> Self {
        Self {
            state: Arc::new(Mutex::new(ReplayState {
                answers: answers.into_iter().collect(),
                ..ReplayState::default()
            })),
        }
    }

    /// Adds one more answer at the end.
    pub fn push(&self, answer: Result<Response<Bytes>, TransportError>) {
        self.lock().answers.push_back(answer);
    }

    /// Copies of the requests received so far, in order (method, URI, version, headers, body;
    /// not the extensions).
    pub fn requests(&self) -> Vec<Request<Bytes>> {
        self.lock().requests.iter().map(copy_request).collect()
    }

    /// Takes the requests received so far, in order, leaving none captured.
    pub fn take_requests(&self) -> Vec<Request<Bytes>> {
        std::mem::take(&mut self.lock().requests)
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.lock().answered
    }

    /// How many canned answers are left.
    pub fn remaining(&self) -> usize {
        self.lock().answers.len()
    }

    fn lock(&self) -> MutexGuard<'_, ReplayState> {
        // A panic while holding the lock cannot leave the state inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn copy_request(request: &Request<Bytes>) -> Request<Bytes> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

impl fmt::Debug for ReplayTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Counts only: captured requests may hold credentials.
        let state = self.lock();
        f.debug_struct("ReplayTransport")
            .field("remaining", &state.answers.len())
            .field("received", &state.answered)
            .finish()
    }
}

impl Transport for ReplayTransport {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        let answer = {
            let mut state = self.lock();
            state.answered += 1;
            let number = state.answered;
            state.requests.push(request);
            state.answers.pop_front().unwrap_or_else(|| {
                Err(TransportError::invalid_request(format!(
                    "ReplayTransport has no answer left for request #{number}: give it one answer per \
                     expected request"
                )))
            })
        };
        Box::pin(std::future::ready(answer))
    }
}

/// A transport whose `send` never completes: for testing timeouts above the transport.
///
/// ```
/// use std::time::Duration;
/// use api_transport::Transport;
/// use api_transport::test_util::NeverTransport;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # tokio::runtime::Builder::new_current_thread().enable_time().build()?.block_on(async {
/// let never = NeverTransport::new();
/// let request = http::Request::get("https://host/").body(bytes::Bytes::new())?;
/// let waited = tokio::time::timeout(Duration::from_millis(10), never.send(request)).await;
/// assert!(waited.is_err());
/// assert_eq!(never.request_count(), 1);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// # })
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct NeverTransport {
    requests: Arc<AtomicUsize>,
}

impl NeverTransport {
    /// A transport that never answers.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many requests were received (and never answered).
    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Transport for NeverTransport {
    fn send(
        &self,
        _request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        Box::pin(std::future::pending())
    }
}
