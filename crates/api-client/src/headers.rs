//! The headers every request of a client carries besides its own: the `User-Agent`, with the
//! application's name if given, and the user's default headers. All are signed.

use http::{HeaderMap, HeaderName, HeaderValue, header};

use crate::{Error, InvalidInput, builder::USER_AGENT};

/// Headers the client sets itself, which a default header may not replace, and hop-by-hop
/// headers, which a proxy or HTTP/2 may strip after signing (the signature would then fail).
const RESERVED: [&str; 19] = [
    "host",
    "authorization",
    "content-type",
    "content-length",
    "user-agent",
    "x-sdk-date",
    "x-auth-token",
    "x-security-token",
    "x-project-id",
    "x-sdk-content-sha256",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
];

/// The `User-Agent` and default headers of a client. The values are marked sensitive: no
/// `Debug` or trace shows them.
#[derive(Debug, Clone)]
pub(crate) struct RequestHeaders {
    user_agent: HeaderValue,
    defaults: HeaderMap,
}

impl Default for RequestHeaders {
    fn default() -> Self {
        Self {
            user_agent: HeaderValue::from_static(USER_AGENT),
            defaults: HeaderMap::new(),
        }
    }
}

impl RequestHeaders {
    /// [`USER_AGENT`], then ` name/version` for an application, and `defaults`; refuses what a
    /// header cannot carry, and default headers that the client sets itself.
    pub(crate) fn new(
        app: Option<&(String, String)>,
        defaults: &[(String, String)],
    ) -> Result<Self, Error> {
        let user_agent = match app {
            None => HeaderValue::from_static(USER_AGENT),
            Some((name, version)) => {
                for (what, part) in [("name", name), ("version", version)] {
                    if part.is_empty() || !part.bytes().all(is_token_char) {
                        return Err(config(format!(
                            "app_name: the {what} {part:?} must be 1 or more letters, digits or \
                             !#$%&'*+-.^_`|~ (no spaces or slashes)"
                        )));
                    }
                }
                HeaderValue::from_str(&format!("{USER_AGENT} {name}/{version}"))
                    .map_err(|e| config(format!("app_name: {e}")))?
            }
        };
        let mut map = HeaderMap::new();
        for (name, value) in defaults {
            // The signer signs only names without `_` (as the official SDKs): one with it would
            // be sent unsigned, and many gateways drop it.
            let parsed = HeaderName::from_bytes(name.as_bytes())
                .ok()
                .filter(|n| !n.as_str().contains('_'))
                .ok_or_else(|| {
                    config(format!(
                        "default_header: {:?} is not a header name (letters, digits and `-`; no `_`)",
                        api_model::printable(name, 64)
                    ))
                })?;
            if RESERVED.contains(&parsed.as_str()) {
                return Err(config(format!(
                    "default_header: {parsed} is set by the client itself (and signed); it cannot \
                     be a default header"
                )));
            }
            // Visible ASCII and spaces only: the signer refuses anything else, and would fail
            // every call.
            let mut value = HeaderValue::from_str(value)
                .ok()
                .filter(|v| v.to_str().is_ok())
                .ok_or_else(|| {
                    config(format!(
                        "default_header: the value of {parsed} must be printable ASCII"
                    ))
                })?;
            value.set_sensitive(true);
            map.append(parsed, value);
        }
        Ok(Self {
            user_agent,
            defaults: map,
        })
    }

    /// Puts the `User-Agent` and the default headers on `headers`, before signing.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        headers.insert(header::USER_AGENT, self.user_agent.clone());
        for (name, value) in &self.defaults {
            headers.append(name.clone(), value.clone());
        }
    }
}

fn config(reason: String) -> Error {
    Error::InvalidInput(InvalidInput::Config(reason))
}

/// RFC 9110's `tchar`.
fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_name_is_appended_to_the_user_agent() {
        let app = ("nightly-cleaner".to_owned(), "1.4.2".to_owned());
        let headers = RequestHeaders::new(Some(&app), &[]).unwrap();
        let mut map = HeaderMap::new();
        headers.apply(&mut map);
        assert_eq!(
            map[header::USER_AGENT],
            format!("{USER_AGENT} nightly-cleaner/1.4.2")
        );
        for bad in [
            ("", "1"),
            ("a b", "1"),
            ("a/b", "1"),
            ("a", ""),
            ("a", "1\n"),
        ] {
            let app = (bad.0.to_owned(), bad.1.to_owned());
            assert!(RequestHeaders::new(Some(&app), &[]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn default_headers_are_added_but_never_replace_the_clients_own() {
        let defaults = [
            ("X-Trace-Id".to_owned(), "abc".to_owned()),
            ("x-trace-id".to_owned(), "def".to_owned()),
        ];
        let headers = RequestHeaders::new(None, &defaults).unwrap();
        let mut map = HeaderMap::new();
        headers.apply(&mut map);
        let traces: Vec<_> = map.get_all("x-trace-id").iter().collect();
        assert_eq!(traces, ["abc", "def"]);
        for reserved in [
            "Authorization",
            "host",
            "X-Sdk-Date",
            "X-Security-Token",
            "user-agent",
        ] {
            let defaults = [(reserved.to_owned(), "x".to_owned())];
            let err = RequestHeaders::new(None, &defaults).unwrap_err();
            assert!(err.to_string().contains("set by the client"), "{err}");
        }
        for (name, value) in [
            ("x-ok", "a\nb"),
            ("x-ok", "café"),
            ("bad name", "x"),
            ("x_trace", "x"),
            ("Connection", "close"),
            ("transfer-encoding", "chunked"),
        ] {
            let bad = [(name.to_owned(), value.to_owned())];
            assert!(RequestHeaders::new(None, &bad).is_err(), "{name}: {value}");
        }
        assert!(
            !format!("{headers:?}").contains("abc"),
            "default header values stay out of Debug: {headers:?}"
        );
    }
}
