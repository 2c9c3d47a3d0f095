//! `RecordingTransport`: wraps a transport and keeps every request it sent and what came back
//! (status and HTTP version, or the error's text).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use api_transport::{BoxFuture, SharedTransport, Transport, TransportError};
use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri, Version};

/// One request sent through a [`RecordingTransport`], and its outcome.
#[derive(Clone)]
pub struct Exchange {
    /// The method.
    pub method: Method,
    /// The URI, exactly as handed to the transport.
    pub uri: Uri,
    /// Every header sent, `Authorization` included.
    pub headers: HeaderMap,
    /// The reply's status and HTTP version, or the transport error's text.
    pub outcome: Result<(StatusCode, Version), String>,
}

/// A transport that records every exchange of the transport it wraps.
///
/// Clones share the record. Its `Debug` shows only a count: the record holds credentials.
#[derive(Clone)]
pub struct RecordingTransport {
    inner: SharedTransport,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl RecordingTransport {
    /// Wraps `inner`.
    pub fn new(inner: impl Transport) -> Self {
        Self {
            inner: SharedTransport::new(inner),
            exchanges: Arc::default(),
        }
    }

    /// The exchanges so far, in the order they finished.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every `Authorization` value sent.
    pub fn authorizations(&self) -> Vec<String> {
        self.header_values(AUTHORIZATION.as_str())
    }

    /// Every value of header `name` sent.
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.exchanges()
            .iter()
            .filter_map(|e| e.headers.get(name))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    /// The HTTP versions of the replies received.
    pub fn versions(&self) -> Vec<Version> {
        self.exchanges()
            .iter()
            .filter_map(|e| e.outcome.as_ref().ok().map(|(_, v)| *v))
            .collect()
    }

    /// This transport as a [`SharedTransport`], for a client builder.
    pub fn shared(&self) -> SharedTransport {
        SharedTransport::new(self.clone())
    }
}

impl fmt::Debug for RecordingTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("RecordingTransport")
            .field("inner", &self.inner)
            .field("exchanges", &count)
            .finish()
    }
}

impl Transport for RecordingTransport {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        let method = request.method().clone();
        let uri = request.uri().clone();
        let headers = request.headers().clone();
        let sending = self.inner.send(request);
        let exchanges = self.exchanges.clone();
        Box::pin(async move {
            let result = sending.await;
            let outcome = match &result {
                Ok(response) => Ok((response.status(), response.version())),
                Err(error) => Err(error.to_string()),
            };
            exchanges
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Exchange {
                    method,
                    uri,
                    headers,
                    outcome,
                });
            result
        })
    }
}
