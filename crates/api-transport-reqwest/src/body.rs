//! Reading a response body into memory, never past the size limit.

use api_transport::TransportError;
use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt;

use crate::error_map::from_reqwest;

/// Reads `body` whole, failing with `BodyTooLarge` as soon as it is known to exceed `limit`
/// bytes: at once from `Content-Length` (unless `has_body` is false: the response to a HEAD
/// request, a 1xx, 204 or 304, whose `Content-Length` describes a body that is not sent), or
/// when the data read so far passes it. At most one frame past what was accepted is ever held.
///
/// A body in one frame is returned without copying.
pub(crate) async fn read_limited<B>(
    body: B,
    headers: &HeaderMap,
    has_body: bool,
    limit: usize,
) -> Result<Bytes, TransportError>
where
    B: Body<Data = Bytes, Error = reqwest::Error>,
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
        let frame = frame.map_err(from_reqwest)?;
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
