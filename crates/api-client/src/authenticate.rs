//! Preparing one attempt's request: the standard headers, then the token or the AK/SK signature.

use api_auth::Signer;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, header};

use crate::{Credentials, CredentialsError, headers::RequestHeaders};

/// `X-Auth-Token`: an IAM token.
pub(crate) const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
/// `X-Project-Id`: the project, sent (and signed) as the official SDKs do.
pub(crate) const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");

/// Adds `Host`, `Content-Type`, `X-Project-Id`, the `User-Agent` and the client's default
/// headers, then authenticates: all of them are present before signing, so all are signed.
pub(crate) fn authenticate(
    request: &mut Request<Bytes>,
    host: &HeaderValue,
    project: &HeaderValue,
    extra: &RequestHeaders,
    credentials: &Credentials,
    signer: &Signer,
) -> Result<(), CredentialsError> {
    let headers = request.headers_mut();
    headers.insert(header::HOST, host.clone());
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(X_PROJECT_ID, project.clone());
    extra.apply(headers);
    apply_credentials(request, credentials, signer)
}

/// Adds the credentials to a request whose other headers are in place: `X-Auth-Token` for an
/// IAM token, or the `SDK-HMAC-SHA256` signature (over every header present). Both are marked
/// sensitive, so that no log shows them.
pub(crate) fn apply_credentials(
    request: &mut Request<Bytes>,
    credentials: &Credentials,
    signer: &Signer,
) -> Result<(), CredentialsError> {
    match credentials {
        Credentials::Token(token) => {
            let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
                CredentialsError::Unusable(
                    "the IAM token holds characters a header cannot carry".into(),
                )
            })?;
            value.set_sensitive(true);
            request.headers_mut().insert(X_AUTH_TOKEN, value);
            Ok(())
        }
        Credentials::AkSk(key) => {
            signer
                .sign(request, key)
                .map_err(|e| CredentialsError::Unusable(format!("cannot sign the request: {e}")))?;
            if let Some(value) = request.headers_mut().get_mut(header::AUTHORIZATION) {
                value.set_sensitive(true);
            }
            Ok(())
        }
    }
}
