//! The canonical request of `SDK-HMAC-SHA256`: method, URI, query, headers, signed headers, body hash.

use std::borrow::Cow;

use http::header::{AsHeaderName, HOST};
use http::{HeaderMap, HeaderValue, Method, Uri};

use crate::encoding::{Sink, decode_query_component, encode_component, encode_path};

/// hex(SHA-256("")), the body hash of a request without a body.
pub(crate) const EMPTY_BODY_SHA256: &[u8; 64] =
    b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A name listed in `SignedHeaders` that the request does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MissingSignedHeader(pub(crate) String);

/// Writes the method in uppercase, as the official SDKs do.
pub(crate) fn write_method(sink: &mut impl Sink, method: &Method) {
    let name = method.as_str();
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        sink.put(name.to_ascii_uppercase().as_bytes());
    } else {
        sink.put(name.as_bytes());
    }
}

/// Writes the canonical URI of `path`: decoded, re-encoded (see [`encode_path`]) and ending in `/`.
/// An empty path gives `/`.
pub(crate) fn write_canonical_uri(sink: &mut impl Sink, path: &str) {
    if !encode_path(sink, path.as_bytes()) {
        sink.put(b"/");
    }
}

/// A decoded `key=value` of a query string.
type QueryPair<'q> = (Cow<'q, [u8]>, Cow<'q, [u8]>);

/// Writes the canonical query string of `query` (the part after `?`, without it).
///
/// Each `&`-separated `key=value` is decoded (`%XX`, `+` for a space; a key without `=` has the
/// value ""), the pairs are sorted by key and then value (byte order of the decoded text), and
/// written back as `key=value` encoded like a path segment, joined by `&`. Nothing is written for
/// an empty or missing query.
pub(crate) fn write_canonical_query(sink: &mut impl Sink, query: Option<&str>) {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return;
    };
    let mut pairs: Vec<QueryPair<'_>> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query_component(key), decode_query_component(value))
        })
        .collect();
    pairs.sort_unstable();
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            sink.put(b"&");
        }
        encode_component(sink, key);
        sink.put(b"=");
        encode_component(sink, value);
    }
}

/// Writes `name:value\n` for each signed header, in the order given, values trimmed of
/// surrounding whitespace. A header sent more than once gives one line per value, values sorted
/// (as the official Go SDK does).
///
/// A signed `host` that is not among the headers is taken from the URI's authority, where an
/// HTTP/2 request carries it.
fn write_canonical_headers<'n, S, N>(
    sink: &mut S,
    uri: &Uri,
    headers: &HeaderMap,
    signed: impl Iterator<Item = &'n N>,
) -> Result<(), MissingSignedHeader>
where
    S: Sink,
    N: ?Sized + AsRef<str> + 'n,
    &'n N: AsHeaderName,
{
    for name in signed {
        let text = name.as_ref();
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (Some(only), None) => write_header_line(sink, text, only.as_bytes()),
            (Some(first), Some(second)) => {
                let mut all: Vec<&[u8]> = vec![first.as_bytes(), second.as_bytes()];
                all.extend(values.map(HeaderValue::as_bytes));
                all.sort_unstable_by_key(|value| value.trim_ascii());
                for value in all {
                    write_header_line(sink, text, value);
                }
            }
            (None, _) => match uri.authority() {
                Some(authority) if text == HOST.as_str() => {
                    write_header_line(sink, text, authority.as_str().as_bytes());
                }
                _ => return Err(MissingSignedHeader(text.to_owned())),
            },
        }
    }
    Ok(())
}

fn write_header_line(sink: &mut impl Sink, name: &str, value: &[u8]) {
    sink.put(name.as_bytes());
    sink.put(b":");
    sink.put(value.trim_ascii());
    sink.put(b"\n");
}

/// Writes the signed header names joined by `;`.
pub(crate) fn write_signed_header_list<'n, N>(
    sink: &mut impl Sink,
    signed: impl Iterator<Item = &'n N>,
) where
    N: ?Sized + AsRef<str> + 'n,
{
    for (index, name) in signed.enumerate() {
        if index > 0 {
            sink.put(b";");
        }
        sink.put(name.as_ref().as_bytes());
    }
}

/// What a canonical request is made of.
pub(crate) struct RequestParts<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a HeaderMap,
    /// hex(SHA-256(body)), lowercase; or the value of `X-Sdk-Content-Sha256` when sent.
    pub(crate) body_sha256: &'a [u8],
}

/// Writes the whole canonical request:
/// `METHOD\nURI\nQUERY\n` + canonical headers + `\n` + `h1;h2` + `\n` + hex(SHA-256(body)).
pub(crate) fn write_canonical_request<'n, S, N, I>(
    sink: &mut S,
    parts: &RequestParts<'_>,
    signed: I,
) -> Result<(), MissingSignedHeader>
where
    S: Sink,
    N: ?Sized + AsRef<str> + 'n,
    &'n N: AsHeaderName,
    I: Iterator<Item = &'n N> + Clone,
{
    write_method(sink, parts.method);
    sink.put(b"\n");
    write_canonical_uri(sink, parts.uri.path());
    sink.put(b"\n");
    write_canonical_query(sink, parts.uri.query());
    sink.put(b"\n");
    write_canonical_headers(sink, parts.uri, parts.headers, signed.clone())?;
    sink.put(b"\n");
    write_signed_header_list(sink, signed);
    sink.put(b"\n");
    sink.put(parts.body_sha256);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderName;

    fn uri_of(path_and_query: &str) -> String {
        let uri: Uri = path_and_query.parse().unwrap();
        let mut out = Vec::new();
        write_canonical_uri(&mut out, uri.path());
        String::from_utf8(out).unwrap()
    }

    fn query_of(path_and_query: &str) -> String {
        let uri: Uri = path_and_query.parse().unwrap();
        let mut out = Vec::new();
        write_canonical_query(&mut out, uri.query());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_query_example_of_the_reference() {
        // The canonical query example of api-facts §5, from a query with its keys and repeated
        // values out of order, `/` left unencoded in a value and the test value percent-encoded.
        let query = "/?test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&multi=3&path=/tmp/123\
                     &multi=1&limit=1&multi=2&enable=true";
        assert_eq!(
            query_of(query),
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123\
             &test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
        );
    }

    #[test]
    fn query_sorting_and_keys_without_values() {
        assert_eq!(query_of("/?b=2&a=1&b=1&a=3"), "a=1&a=3&b=1&b=2");
        assert_eq!(query_of("/?flag&a=&z=1"), "a=&flag=&z=1");
        assert_eq!(query_of("/?a&&b=1&"), "a=&b=1");
        assert_eq!(query_of("/?q=a+b&r=a%20b"), "q=a%20b&r=a%20b");
        assert_eq!(query_of("/?k=v=w"), "k=v%3Dw");
        assert_eq!(query_of("/?=v"), "=v");
        // Sorting is by decoded bytes: `%7B` is `{`, after `z`.
        assert_eq!(query_of("/?%7B=1&z=2"), "z=2&%7B=1");
        assert_eq!(query_of("/path"), "");
        assert_eq!(query_of("/path?"), "");
    }

    #[test]
    fn canonical_uri_edge_cases() {
        assert_eq!(uri_of("/"), "/");
        assert_eq!(uri_of("/path"), "/path/");
        assert_eq!(uri_of("/path/"), "/path/");
        assert_eq!(uri_of("/v1/a%20b/c"), "/v1/a%20b/c/");
        assert_eq!(uri_of("/v1/%E4%B8%80/x"), "/v1/%E4%B8%80/x/");
        assert_eq!(uri_of("/v1/%e4%b8%80/x"), "/v1/%E4%B8%80/x/");
        // An encoded slash is decoded, and separates segments like the official SDKs' unquote + split.
        assert_eq!(uri_of("/v1/a%2Fb"), "/v1/a/b/");
        assert_eq!(uri_of("/v1/a%2F"), "/v1/a/");
        assert_eq!(uri_of("/v1/a%252Fb"), "/v1/a%252Fb/");
        assert_eq!(uri_of("/v1/a:b"), "/v1/a%3Ab/");
        assert_eq!(uri_of("https://host.example.com"), "/");
        assert_eq!(uri_of("https://host.example.com?x=1"), "/");
        let mut out = Vec::new();
        write_canonical_uri(&mut out, "");
        assert_eq!(out, b"/");
    }

    #[test]
    fn lowercase_methods_are_uppercased() {
        let mut out = Vec::new();
        write_method(&mut out, &Method::from_bytes(b"patch").unwrap());
        write_method(&mut out, &Method::DELETE);
        assert_eq!(out, b"PATCHDELETE");
    }

    fn headers_of(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    fn canonical_headers(
        uri: &str,
        headers: &HeaderMap,
        signed: &[&str],
    ) -> Result<String, MissingSignedHeader> {
        let uri: Uri = uri.parse().unwrap();
        let mut out = Vec::new();
        write_canonical_headers(&mut out, &uri, headers, signed.iter().copied())?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn header_values_are_trimmed_and_repeated_values_sorted() {
        let headers = headers_of(&[
            ("X-Multi", "b"),
            ("content-type", "  application/json \t"),
            ("x-multi", " a"),
        ]);
        assert_eq!(
            canonical_headers("/", &headers, &["content-type", "x-multi"]).unwrap(),
            "content-type:application/json\nx-multi:a\nx-multi:b\n"
        );
    }

    #[test]
    fn missing_signed_header_and_host_from_authority() {
        let headers = headers_of(&[("x-sdk-date", "20060102T150405Z")]);
        assert_eq!(
            canonical_headers("/", &headers, &["x-sdk-date", "x-missing"]),
            Err(MissingSignedHeader("x-missing".into()))
        );
        assert_eq!(
            canonical_headers("/", &headers, &["host"]),
            Err(MissingSignedHeader("host".into()))
        );
        assert_eq!(
            canonical_headers(
                "https://example.com:8443/x",
                &headers,
                &["host", "x-sdk-date"]
            )
            .unwrap(),
            "host:example.com:8443\nx-sdk-date:20060102T150405Z\n"
        );
    }

    #[test]
    fn whole_canonical_request_of_vector_one() {
        let uri: Uri = "/path?limit=1".parse().unwrap();
        let headers = headers_of(&[("X-Sdk-Date", "20060102T150405Z")]);
        let parts = RequestParts {
            method: &Method::GET,
            uri: &uri,
            headers: &headers,
            body_sha256: EMPTY_BODY_SHA256,
        };
        let mut out = Vec::new();
        write_canonical_request(&mut out, &parts, ["x-sdk-date"].into_iter()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
