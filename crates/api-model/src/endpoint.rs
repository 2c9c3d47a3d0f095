//! `Endpoint`: the validated base URL that every request path is joined to.

use std::{fmt, net::IpAddr, str::FromStr};

use http::uri::{Authority, Scheme, Uri};

/// Why an endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidEndpoint {
    /// The text is not a URL at all.
    #[error(
        "invalid endpoint {value:?}: {reason}; expected a URL such as https://modelarts.cn-north-4.myhuaweicloud.com"
    )]
    Malformed {
        /// The text given.
        value: String,
        /// What the URL parser said.
        reason: String,
    },
    /// The scheme is not `http` or `https`.
    #[error("invalid endpoint {value:?}: the scheme must be https (or http for a local emulator)")]
    UnsupportedScheme {
        /// The text given.
        value: String,
    },
    /// A query, fragment or user info has no place in a base URL.
    #[error(
        "invalid endpoint {value:?}: a base URL holds no query, fragment or user name; give scheme, host, port and path only"
    )]
    ExtraParts {
        /// The text given.
        value: String,
    },
    /// A region id that is not lowercase letters, digits and single hyphens.
    #[error(
        "invalid region {value:?}: a region id is lowercase letters, digits and hyphens, such as cn-north-4 or ap-southeast-1"
    )]
    InvalidRegion {
        /// The text given.
        value: String,
    },
}

/// The base URL of the service: scheme, host, port and an optional path prefix.
///
/// ```
/// use api_model::Endpoint;
///
/// let public = Endpoint::for_region("ap-southeast-1")?;
/// assert_eq!(public.to_string(), "https://modelarts.ap-southeast-1.myhuaweicloud.com");
///
/// let local: Endpoint = "http://127.0.0.1:8080".parse()?;
/// assert!(local.is_loopback() && !local.is_https());
/// # Ok::<(), api_model::InvalidEndpoint>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: Scheme,
    authority: Authority,
    /// A path prefix without a trailing `/`; empty for none.
    base_path: String,
}

impl Endpoint {
    /// The public Huawei Cloud endpoint of a region: `https://modelarts.{region}.myhuaweicloud.com`.
    pub fn for_region(region: &str) -> Result<Self, InvalidEndpoint> {
        let valid = !region.is_empty()
            && region.len() <= 32
            && region.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !valid {
            return Err(InvalidEndpoint::InvalidRegion {
                value: region.to_owned(),
            });
        }
        format!("https://modelarts.{region}.myhuaweicloud.com").parse()
    }

    /// The Open Telekom Cloud endpoint: `https://modelarts.eu-de.otc.t-systems.com`.
    pub fn open_telekom_cloud() -> Self {
        Self {
            scheme: Scheme::HTTPS,
            authority: Authority::from_static("modelarts.eu-de.otc.t-systems.com"),
            base_path: String::new(),
        }
    }

    /// Whether requests go over TLS.
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::HTTPS
    }

    /// The host, without brackets for IPv6.
    pub fn host(&self) -> &str {
        self.authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
    }

    /// The authority (`host[:port]`).
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The value of the `Host` header: the authority without a default port.
    pub fn host_header(&self) -> &str {
        self.authority.as_str()
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        let host = self.host();
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The full URI of an already-encoded absolute path such as `/v2/{project}/processor-tasks`.
    pub fn uri_for(&self, encoded_path: &str) -> Result<Uri, http::Error> {
        let mut path_and_query = String::with_capacity(self.base_path.len() + encoded_path.len());
        path_and_query.push_str(&self.base_path);
        path_and_query.push_str(encoded_path);
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
    }
}

impl FromStr for Endpoint {
    type Err = InvalidEndpoint;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let malformed = |reason: String| InvalidEndpoint::Malformed {
            value: shown(value),
            reason,
        };
        let uri: Uri = value
            .parse()
            .map_err(|e: http::uri::InvalidUri| malformed(e.to_string()))?;
        let scheme = match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS || *s == Scheme::HTTP => s.clone(),
            Some(_) => {
                return Err(InvalidEndpoint::UnsupportedScheme {
                    value: shown(value),
                });
            }
            None => return Err(malformed("it has no scheme (https://...)".to_owned())),
        };
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| malformed("it has no host".to_owned()))?;
        if authority.host().is_empty() {
            return Err(malformed("it has no host".to_owned()));
        }
        if uri.query().is_some() || value.contains('#') || authority.as_str().contains('@') {
            return Err(InvalidEndpoint::ExtraParts {
                value: shown(value),
            });
        }
        // The URI parser takes any digits after the colon; a port is 1 to 65535.
        if let Some(port) = authority.as_str().rsplit_once(':').map(|(_, port)| port)
            && !authority.as_str().ends_with(']')
            && port.parse::<u16>().map_or(true, |p| p == 0)
        {
            return Err(malformed(format!(
                "its port {port:?} is not a number from 1 to 65535"
            )));
        }
        let base_path = uri.path().trim_end_matches('/').to_owned();
        Ok(Self {
            scheme,
            authority,
            base_path,
        })
    }
}

/// An endpoint as an error may show it: without a user name or password, a query or a
/// fragment, which may hold secrets.
fn shown(value: &str) -> String {
    let (scheme, rest) = match value.find("://") {
        Some(at) => value.split_at(at + 3),
        None => ("", value),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => format!("…@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    let tail = match tail.find(['?', '#']) {
        Some(at) => format!("{}{}…", &tail[..at], &tail[at..=at]),
        None => tail.to_owned(),
    };
    format!("{scheme}{authority}{tail}")
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.base_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_show_user_names_passwords_or_queries() {
        for (value, secret) in [
            ("http://user:hunter2@127.0.0.1:80", "hunter2"),
            ("https://hunter2@example.com/p", "hunter2"),
            ("https://example.com/p?token=hunter2", "hunter2"),
            ("https://example.com/p#hunter2", "hunter2"),
            ("ftp://u:hunter2@example.com", "hunter2"),
            ("u:hunter2@example.com", "hunter2"),
        ] {
            let err = value.parse::<Endpoint>().unwrap_err().to_string();
            assert!(!err.contains(secret), "{value}: {err}");
        }
        assert_eq!(shown("http://u:p@h:1/x?q#f"), "http://…@h:1/x?…");
        assert_eq!(shown("https://example.com/a"), "https://example.com/a");
    }

    #[test]
    fn parses_and_joins_paths() {
        let e: Endpoint = "https://example.com:8443/prefix/".parse().unwrap();
        assert_eq!(e.to_string(), "https://example.com:8443/prefix");
        assert_eq!(
            e.uri_for("/v2/p/processor-tasks/t").unwrap().to_string(),
            "https://example.com:8443/prefix/v2/p/processor-tasks/t"
        );
        assert_eq!(e.host(), "example.com");
        assert_eq!(e.host_header(), "example.com:8443");
    }

    #[test]
    fn ports_are_1_to_65535() {
        for bad in [
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://127.0.0.1:65536",
            "http://[::1]:70000",
            "https://host:",
        ] {
            let err = bad.parse::<Endpoint>().unwrap_err();
            assert!(err.to_string().contains("port"), "{bad}: {err}");
        }
        for good in [
            "http://127.0.0.1:65535",
            "http://[::1]:8080",
            "http://[::1]",
            "https://h:1",
        ] {
            assert!(good.parse::<Endpoint>().is_ok(), "{good}");
        }
    }

    #[test]
    fn regions_and_otc() {
        assert_eq!(
            Endpoint::for_region("cn-north-4").unwrap().to_string(),
            "https://modelarts.cn-north-4.myhuaweicloud.com"
        );
        for bad in [
            "",
            "CN-north-4",
            "cn..x",
            "a/b",
            "evil.com#",
            "-x",
            "x-",
            "a--b",
        ] {
            assert!(
                matches!(
                    Endpoint::for_region(bad),
                    Err(InvalidEndpoint::InvalidRegion { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            Endpoint::open_telekom_cloud().to_string(),
            "https://modelarts.eu-de.otc.t-systems.com"
        );
    }

    #[test]
    fn loopback_detection() {
        for (url, loopback) in [
            ("http://127.0.0.1:1", true),
            ("http://127.3.2.1", true),
            ("http://localhost:9", true),
            ("http://[::1]:80", true),
            ("http://10.0.0.1", false),
            ("http://localhost.evil.com", false),
            ("https://modelarts.eu-de.otc.t-systems.com", false),
        ] {
            assert_eq!(
                url.parse::<Endpoint>().unwrap().is_loopback(),
                loopback,
                "{url}"
            );
        }
    }

    #[test]
    fn refuses_bad_urls() {
        assert!(matches!(
            "ftp://x".parse::<Endpoint>(),
            Err(InvalidEndpoint::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            "https://x/?a=b".parse::<Endpoint>(),
            Err(InvalidEndpoint::ExtraParts { .. })
        ));
        assert!(matches!(
            "https://u:p@x/".parse::<Endpoint>(),
            Err(InvalidEndpoint::ExtraParts { .. })
        ));
        assert!(matches!(
            "x y".parse::<Endpoint>(),
            Err(InvalidEndpoint::Malformed { .. })
        ));
        assert!(matches!(
            "/just/a/path".parse::<Endpoint>(),
            Err(InvalidEndpoint::Malformed { .. })
        ));
    }
}
