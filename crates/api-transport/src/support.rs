//! Building blocks every `Transport` needs, the same way: the URI check, the target named in
//! errors, the response timeout, a body read that never passes its size limit, and a search
//! of an error's source chain (for mapping a library's errors to `TransportError`).
//!
//! [`HyperTransport`](crate::HyperTransport) and `api-transport-reqwest` are built from them;
//! a transport of your own can be too.

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_LENGTH;
use http::uri::Scheme;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::BodyExt;

pub use crate::error::any_in_chain;
use crate::error::{TimeoutPhase, TransportError};
use crate::transport::ResponseTimeout;

/// Refuses, before any connection, a URI no transport can send: not absolute, not http(s), or
/// without a host. The error says the request was never sent.
pub fn check_uri(uri: &http::Uri) -> Result<(), TransportError> {
    match uri.scheme() {
        Some(scheme) if *scheme == Scheme::HTTPS || *scheme == Scheme::HTTP => {}
        Some(_) => {
            return Err(TransportError::invalid_request(
                "the URI's scheme must be http or https",
            ));
        }
        None => {
            return Err(TransportError::invalid_request(
                "the URI must be absolute (scheme and host), e.g. https://host/path",
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(TransportError::invalid_request("the URI has no host"));
    }
    Ok(())
}

/// `host:port` of a URI, with the scheme's default port when it has none: the target that
/// [`TransportError::with_target`] names (never the path or query).
pub fn host_port(uri: &http::Uri) -> String {
    let host = uri.host().unwrap_or("?");
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme() == Some(&Scheme::HTTPS) {
            443
        } else {
            80
        });
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The response timeout of `request`: its [`ResponseTimeout`] extension (the client's
/// remaining attempt time), else the transport's `default`.
pub fn response_timeout<B>(request: &Request<B>, default: Duration) -> Duration {
    request
        .extensions()
        .get::<ResponseTimeout>()
        .map_or(default, |limit| limit.0)
}

/// Whether a response to a `method` request with `status` carries a body: not for HEAD, 1xx,
/// 204 or 304, whose `Content-Length` describes a body that is not sent.
pub fn response_has_body(method: &Method, status: StatusCode) -> bool {
    *method != Method::HEAD && !matches!(status.as_u16(), 100..=199 | 204 | 304)
}

/// Runs one `exchange` (send, then read the whole body) within `response_timeout`, naming
/// `target` in its error. A timeout says "may have been sent": it may fire while connecting or
/// after the request left. Failures are logged at debug level by kind only (never a URI's
/// query or a header).
pub async fn bounded_exchange<F>(
    response_timeout: Duration,
    target: String,
    exchange: F,
) -> Result<Response<Bytes>, TransportError>
where
    F: Future<Output = Result<Response<Bytes>, TransportError>>,
{
    let result = match tokio::time::timeout(response_timeout, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(TransportError::timeout(TimeoutPhase::Response)),
    };
    let result = result.map_err(|error| error.with_target(target));
    if let Err(error) = &result {
        tracing::debug!(
            error = %error,
            may_have_been_sent = error.request_may_have_been_sent(),
            "request failed"
        );
    }
    result
}

/// Reads `body` whole, failing with `BodyTooLarge` as soon as it is known to exceed `limit`
/// bytes: at once from `Content-Length` (unless `has_body` is false, see
/// [`response_has_body`]), or when the data read so far passes it. At most one frame past
/// what was accepted is ever held. A read error becomes `map_error`'s `TransportError` (for
/// most HTTP stacks [`TransportError::io`]).
///
/// A body in one frame is returned without copying.
pub async fn read_body_limited<B>(
    body: B,
    headers: &HeaderMap,
    has_body: bool,
    limit: usize,
    map_error: impl Fn(B::Error) -> TransportError,
) -> Result<Bytes, TransportError>
where
    B: Body<Data = Bytes>,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .filter(|_| has_body)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(TransportError::body_too_large(limit));
    }

    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut total: usize = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(&map_error)?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if data.is_empty() {
            continue;
        }
        total = total.saturating_add(data.len());
        if total > limit {
            return Err(TransportError::body_too_large(limit));
        }
        match (&mut first, &mut joined) {
            (None, _) => first = Some(data),
            (Some(head), None) => {
                // `declared` is at most `limit` here, so this never reserves more than it.
                let capacity = declared.map_or(total, |length| length as usize).max(total);
                let mut buffer = BytesMut::with_capacity(capacity);
                buffer.extend_from_slice(head);
                buffer.extend_from_slice(&data);
                joined = Some(buffer);
            }
            (Some(_), Some(buffer)) => buffer.extend_from_slice(&data),
        }
    }
    Ok(match joined {
        Some(buffer) => buffer.freeze(),
        None => first.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use http::HeaderValue;
    use http_body::Frame;
    use http_body_util::Full;

    use super::*;
    use crate::error::BoxError;

    #[test]
    fn relative_or_odd_uris_are_invalid_requests() {
        for uri in ["/v1/tasks", "ftp://host/file"] {
            let error = check_uri(&uri.parse().unwrap()).unwrap_err();
            assert!(
                matches!(error, TransportError::InvalidRequest { .. }),
                "{uri}"
            );
            assert!(!error.request_may_have_been_sent());
        }
        assert!(check_uri(&"https://host/v1/a%2Fb".parse().unwrap()).is_ok());
    }

    #[test]
    fn the_target_has_a_port_and_brackets_an_ipv6_host() {
        assert_eq!(
            host_port(&"https://h.example/x?q=secret".parse().unwrap()),
            "h.example:443"
        );
        assert_eq!(
            host_port(&"http://h.example/".parse().unwrap()),
            "h.example:80"
        );
        assert_eq!(
            host_port(&"http://[::1]:8080/".parse().unwrap()),
            "[::1]:8080"
        );
        assert!(response_has_body(&Method::GET, StatusCode::OK));
        for (method, status) in [
            (Method::HEAD, StatusCode::OK),
            (Method::GET, StatusCode::NO_CONTENT),
            (Method::GET, StatusCode::NOT_MODIFIED),
            (Method::GET, StatusCode::CONTINUE),
        ] {
            assert!(!response_has_body(&method, status), "{method} {status}");
        }
    }

    /// The body reader as `HyperTransport` calls it: read errors are I/O errors.
    async fn read_limited<B>(
        body: B,
        headers: &HeaderMap,
        has_body: bool,
        limit: usize,
    ) -> Result<Bytes, TransportError>
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        read_body_limited(body, headers, has_body, limit, TransportError::io).await
    }

    /// A body that yields the given data frames (then a trailers frame), one per poll.
    struct Frames(VecDeque<Frame<Bytes>>);

    impl Frames {
        fn new(parts: &[&'static str]) -> Self {
            let mut frames: VecDeque<_> = parts
                .iter()
                .map(|part| Frame::data(Bytes::from_static(part.as_bytes())))
                .collect();
            frames.push_back(Frame::trailers(HeaderMap::new()));
            Self(frames)
        }
    }

    impl Body for Frames {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            Poll::Ready(self.0.pop_front().map(Ok))
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn single_frame_is_returned_as_is() {
        let data = Bytes::from_static(b"{}");
        let read = block_on(read_limited(
            Full::new(data.clone()),
            &HeaderMap::new(),
            true,
            10,
        ))
        .unwrap();
        assert_eq!(read, data);
        assert_eq!(read.as_ptr(), data.as_ptr(), "no copy for a one-frame body");
    }

    #[test]
    fn frames_are_joined_and_trailers_skipped() {
        let read = block_on(read_limited(
            Frames::new(&["ab", "", "cd", "e"]),
            &HeaderMap::new(),
            true,
            5,
        ))
        .unwrap();
        assert_eq!(read, Bytes::from_static(b"abcde"));
    }

    #[test]
    fn empty_body_is_empty() {
        let read = block_on(read_limited(Frames::new(&[]), &HeaderMap::new(), true, 0)).unwrap();
        assert!(read.is_empty());
    }

    #[test]
    fn body_over_the_limit_fails_while_reading() {
        let error = block_on(read_limited(
            Frames::new(&["abc", "def"]),
            &HeaderMap::new(),
            true,
            5,
        ))
        .unwrap_err();
        assert!(matches!(error, TransportError::BodyTooLarge { limit: 5 }));
    }

    #[test]
    fn declared_length_over_the_limit_fails_before_reading() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("6"));
        let error = block_on(read_limited(Frames::new(&[]), &headers, true, 5)).unwrap_err();
        assert!(matches!(error, TransportError::BodyTooLarge { limit: 5 }));
    }

    #[test]
    fn declared_length_of_a_response_without_body_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("6"));
        let read = block_on(read_limited(Frames::new(&[]), &headers, false, 5)).unwrap();
        assert!(read.is_empty());
    }
}
