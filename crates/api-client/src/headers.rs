//! The headers every request of a client carries besides its own: the `User-Agent`, with the
//! application's name if given, and the user's default headers. All are signed.

use http::{HeaderMap, HeaderName, HeaderValue, header};

use crate::{Error, InvalidInput, builder::USER_AGENT};

/// Headers the client sets itself, which a default header may not replace.
const RESERVED: [&str; 10] = [
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
];

/// The `User-Agent` and default headers of a client.
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
            let parsed = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| config(format!("default_header: {name:?} is not a header name")))?;
            if RESERVED.contains(&parsed.as_str()) {
                return Err(config(format!(
                    "default_header: {parsed} is set by the client itself (and signed); it cannot \
                     be a default header"
                )));
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                config(format!(
                    "default_header: the value of {parsed} holds characters a header cannot carry"
                ))
            })?;
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
        let bad = [("x-ok".to_owned(), "a\nb".to_owned())];
        assert!(RequestHeaders::new(None, &bad).is_err());
        let bad = [("bad name".to_owned(), "x".to_owned())];
        assert!(RequestHeaders::new(None, &bad).is_err());
    }
}
