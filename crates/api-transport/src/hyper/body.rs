//! Reading a response body into memory, never past the size limit.

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt;

use crate::error::{BoxError, TransportError};

/// Reads `body` whole, failing with `BodyTooLarge` as soon as it is known to exceed `limit`
/// bytes: at once from `Content-Length` (unless `has_body` is false: the response to a HEAD
/// request, a 204 or a 304, whose `Content-Length` describes a body that is not sent), or when
/// the data read so far passes it.
///
/// A body in one frame is returned without copying.
pub(crate) async fn read_limited<B>(
    body: B,
    headers: &HeaderMap,
    has_body: bool,
    limit: usize,
) -> Result<Bytes, TransportError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
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
        let frame = frame.map_err(|error| TransportError::io(error.into()))?;
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
                let mut buffer = BytesMut::with_capacity(
                    declared.map_or(total, |length| length as usize).max(total),
                );
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
