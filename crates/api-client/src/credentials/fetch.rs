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

/// Refuses to send `what` (a token) to `url` over plain http, unless the host is this machine
/// or on the link-local network (the metadata service, pod identity).
pub(crate) fn refuse_plain_http(
    url: &str,
    what: &str,
    source_name: &'static str,
) -> Result<(), CredentialsError> {
    let uri: http::Uri = url.parse().map_err(|e| {
        CredentialsError::Unusable(format!("{source_name}: {url:?} is not a URL: {e}"))
    })?;
    if uri.scheme() == Some(&http::uri::Scheme::HTTPS) {
        return Ok(());
    }
    let host = uri
        .host()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']');
    let local = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| match ip {
            std::net::IpAddr::V4(v4) => v4.is_loopback() || v4.is_link_local(),
            std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.is_unicast_link_local(),
        });
    if local {
        Ok(())
    } else {
        Err(CredentialsError::Unusable(format!(
            "{source_name}: refusing to send {what} to {url} over plain http; use https"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine_or_the_link_local_network() {
        for ok in [
            "https://sts.example.com/x",
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://169.254.170.2/v1/credentials",
            "http://[::1]:8/x",
            "http://[fe80::1]/x",
        ] {
            assert!(refuse_plain_http(ok, "the token", "t").is_ok(), "{ok}");
        }
        let err = refuse_plain_http("http://sts.example.com/x", "the id token", "t").unwrap_err();
        assert!(err.to_string().contains("plain http"), "{err}");
    }
}
