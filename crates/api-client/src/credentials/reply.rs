//! Reading temporary credentials from a metadata, pod identity, STS or IAM reply (every field
//! spelling the official SDK accepts).

use serde_json::Value;

use super::{Credentials, CredentialsError, TemporaryCredentials, expiry::parse_expiry};

/// The credentials in a reply of `source_name`: a refusal when it is not a success (429 and
/// 5xx may pass), a [`CredentialsError::Source`] naming what is missing when unreadable.
pub(crate) fn credentials_in(
    response: &http::Response<bytes::Bytes>,
    source_name: &'static str,
) -> Result<TemporaryCredentials, CredentialsError> {
    if !response.status().is_success() {
        return Err(super::fetch::refused(source_name, response));
    }
    temporary_from_reply(response.body()).map_err(|reason| CredentialsError::Source {
        source_name,
        reason,
    })
}

/// The credentials in `body`: under `credential`, `credentials` or at the top level, with
/// `access`/`accessKeyId`/`access_key_id`, `secret`/`secretAccessKey`/`secret_access_key`,
/// `securitytoken`/`securityToken`/`security_token` and `expires_at`/`expiration`. The error
/// names what is missing, never a value.
pub(crate) fn temporary_from_reply(body: &[u8]) -> Result<TemporaryCredentials, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the reply is not the JSON expected ({e})"))?;
    let object = value
        .get("credential")
        .or_else(|| value.get("credentials"))
        .unwrap_or(&value);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| object.get(*name).and_then(Value::as_str))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let missing = |what: &str| format!("the reply has no {what}");
    let access = field(&["access", "accessKeyId", "access_key_id"])
        .ok_or_else(|| missing("access key id"))?;
    let secret = field(&["secret", "secretAccessKey", "secret_access_key"])
        .ok_or_else(|| missing("secret key"))?;
    let token = field(&["securitytoken", "securityToken", "security_token"])
        .ok_or_else(|| missing("security token"))?;
    let expiry = field(&["expires_at", "expiration"]).ok_or_else(|| missing("expiry"))?;
    Ok(TemporaryCredentials::new(
        Credentials::temporary(access, secret, token),
        parse_expiry(expiry)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_the_official_sdk_reads() {
        for body in [
            r#"{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":"2030-01-01T00:00:00.000000Z"}}"#,
            r#"{"credentials":{"accessKeyId":"A","secretAccessKey":"S","securityToken":"T","expiration":"2030-01-01T00:00:00Z"},"subject":"x"}"#,
            r#"{"credentials":{"access_key_id":"A","secret_access_key":"S","security_token":"T","expiration":"2030-01-01T00:00:00Z"}}"#,
            r#"{"access":"A","secret":"S","securitytoken":"T","expires_at":"2030-01-01T00:00:00Z"}"#,
        ] {
            let t = temporary_from_reply(body.as_bytes()).unwrap();
            let Credentials::AkSk(key) = &t.credentials else {
                panic!()
            };
            assert_eq!(key.id(), "A");
            assert_eq!(key.security_token().map(|t| t.expose()), Some("T"));
        }
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let err = temporary_from_reply(
            br#"{"credential":{"access":"A","secret":"SECRETVALUE","expires_at":"x"}}"#,
        )
        .unwrap_err();
        assert!(
            err.contains("security token") && !err.contains("SECRETVALUE"),
            "{err}"
        );
        let err = temporary_from_reply(br#"{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":"soon"}}"#).unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
        assert!(temporary_from_reply(b"").is_err());
        assert!(temporary_from_reply(b"[]").is_err());
    }
}
