//! Percent-encoding of path segments: every byte outside RFC 3986 "unreserved" is encoded.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The bytes encoded in a path segment: all but `A-Z a-z 0-9 - . _ ~`. Private: a
/// `percent_encoding` type is not part of this crate's API ([`push_segment`] is).
pub(crate) const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `raw` to `path` as exactly one percent-encoded segment.
///
/// ```
/// let mut path = String::from("/v2/");
/// api_model::push_segment(&mut path, "a/b?c d%");
/// assert_eq!(path, "/v2/a%2Fb%3Fc%20d%25");
/// ```
pub fn push_segment(path: &mut String, raw: &str) {
    path.extend(utf8_percent_encode(raw, PATH_SEGMENT));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(raw: &str) -> String {
        let mut out = String::new();
        push_segment(&mut out, raw);
        out
    }

    #[test]
    fn unreserved_bytes_pass_through() {
        assert_eq!(encoded("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn everything_else_is_encoded_uppercase() {
        assert_eq!(encoded("/?#%"), "%2F%3F%23%25");
        assert_eq!(encoded("%2e%2e"), "%252e%252e");
        assert_eq!(encoded("é"), "%C3%A9");
        assert_eq!(
            encoded("a+b=c;d,e:f@g!h$i&j'k(l)m*n"),
            "a%2Bb%3Dc%3Bd%2Ce%3Af%40g%21h%24i%26j%27k%28l%29m%2An"
        );
    }
}
