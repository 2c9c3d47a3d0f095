//! One HTTP exchange with a source of credentials, bounded in time, its failures classified.

use std::time::Duration;

use api_transport::{SharedTransport, Transport};
use bytes::Bytes;
use http::{Request, Response};

use super::CredentialsError;

/// Sends `request` through `transport` within `limit`. A timeout, or a failure that may pass
/// (no connection, I/O), is [`CredentialsError::Unavailable`]; other failures are
/// [`CredentialsError::Source`].
pub(crate) async fn exchange(
    transport: &SharedTransport,
    mut request: Request<Bytes>,
    limit: Duration,
    source_name: &'static str,
) -> Result<Response<Bytes>, CredentialsError> {
    request
        .extensions_mut()
        .insert(api_transport::ResponseTimeout(limit));
    match tokio::time::timeout(limit, transport.send(request)).await {
        Err(_) => Err(CredentialsError::Unavailable {
            source_name,
            reason: format!("no reply within {limit:?}"),
        }),
        Ok(Err(e)) if crate::retry::transport_error_is_transient(&e) => {
            Err(CredentialsError::Unavailable {
                source_name,
                reason: e.to_string(),
            })
        }
        Ok(Err(e)) => Err(CredentialsError::Source {
            source_name,
            reason: e.to_string(),
        }),
        Ok(Ok(response)) => Ok(response),
    }
}

/// The error for a reply that is not a success: 429 and 5xx may pass, the rest do not.
pub(crate) fn refused(source_name: &'static str, response: &Response<Bytes>) -> CredentialsError {
    let status = response.status();
    let error = api_model::ServiceError::from_reply(status, response.headers(), response.body());
    if crate::retry::status_is_transient(status.as_u16()) {
        CredentialsError::Unavailable {
            source_name,
            reason: error.to_string(),
        }
    } else {
        CredentialsError::Source {
            source_name,
            reason: error.to_string(),
        }
    }
}

/// A request to `url` (a base URL and a path), refusing URLs that cannot be one.
pub(crate) fn build(
    method: http::Method,
    url: &str,
    source_name: &'static str,
) -> Result<http::request::Builder, CredentialsError> {
    let uri: http::Uri = url.parse().map_err(|e| {
        CredentialsError::Unusable(format!("{source_name}: {url:?} is not a URL: {e}"))
    })?;
    Ok(Request::builder()
        .method(method)
        .uri(uri)
        .header(http::header::USER_AGENT, crate::builder::USER_AGENT))
}
