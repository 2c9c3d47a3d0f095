//! Reading a request body up to the size limit (413 `APIG.0201` past it).

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt;

/// The default [`max_body_size`](crate::EmulatorBuilder::max_body_size): 1 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

/// How much of a too-large body is read and thrown away before answering 413, so that a client
/// still writing its body reads the reply instead of a reset connection.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// Why the body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit.
    TooLarge,
    /// The client went away, or sent a malformed body.
    Read,
}

/// Reads the whole body if it is at most `limit` bytes. A declared `Content-Length` above the
/// limit is refused before reading.
pub(crate) async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        drain(body).await;
        return Err(BodyError::TooLarge);
    }
    let mut body = std::pin::pin!(body);
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Read)?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                drain(body).await;
                return Err(BodyError::TooLarge);
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer.freeze())
}

/// Reads and discards up to [`DRAIN_LIMIT`] bytes.
async fn drain<B: Body<Data = Bytes>>(body: B) {
    let mut body = std::pin::pin!(body);
    let mut drained = 0usize;
    while drained < DRAIN_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => {
                drained += frame.data_ref().map_or(0, Bytes::len);
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http::HeaderValue;
    use http_body_util::Full;

    use super::*;

    fn run<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(future))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_up_to_the_limit() {
        let body = Full::new(Bytes::from_static(b"12345"));
        assert_eq!(
            run(read_body(&HeaderMap::new(), body, 5)),
            Ok(Bytes::from_static(b"12345"))
        );
        let body = Full::new(Bytes::from_static(b"123456"));
        assert_eq!(
            run(read_body(&HeaderMap::new(), body, 5)),
            Err(BodyError::TooLarge)
        );
    }

    #[test]
    fn refuses_a_declared_length_above_the_limit() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("100"));
        let body = Full::new(Bytes::from_static(b"1"));
        assert_eq!(run(read_body(&headers, body, 5)), Err(BodyError::TooLarge));
    }

    /// A body of `n` chunks of `abc`, with no declared length.
    struct Chunks(usize);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            if self.0 == 0 {
                return std::task::Poll::Ready(None);
            }
            self.0 -= 1;
            std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(b"abc")))))
        }
    }

    #[test]
    fn counts_streamed_chunks() {
        assert_eq!(
            run(read_body(&HeaderMap::new(), Chunks(3), 9)).map(|b| b.len()),
            Ok(9)
        );
        assert_eq!(
            run(read_body(&HeaderMap::new(), Chunks(4), 10)),
            Err(BodyError::TooLarge)
        );
    }
}
