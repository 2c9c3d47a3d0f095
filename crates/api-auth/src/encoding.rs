//! Byte encodings of the canonical request: percent-decoding, the signer's percent-encoding and hex.

use std::borrow::Cow;

use crate::digest::Sha256State;

/// Where canonical bytes go: a buffer (tests, debugging) or straight into a hash.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256State {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A SHA-256 fed through a stack buffer: the canonical request arrives in many small pieces,
/// and one `update` per piece costs more than copying them together first.
pub(crate) struct BufferedSha256 {
    hasher: Sha256State,
    buffer: [u8; 512],
    len: usize,
}

impl BufferedSha256 {
    pub(crate) fn new() -> Self {
        Self {
            hasher: Sha256State::new(),
            buffer: [0; 512],
            len: 0,
        }
    }

    /// The digest of everything put so far.
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        self.hasher.update(&self.buffer[..self.len]);
        self.hasher.finish()
    }
}

impl Sink for BufferedSha256 {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buffer.len() {
            self.hasher.update(&self.buffer[..self.len]);
            self.len = 0;
        }
        if bytes.len() > self.buffer.len() {
            self.hasher.update(bytes);
        } else {
            self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Whether the signer writes `byte` as is: `A-Z a-z 0-9 - . _ ~` (RFC 3986 unreserved).
const fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// The value of an ASCII hex digit.
const fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// The byte that `%XY` at the start of `bytes` stands for, if it is a valid escape.
fn escaped_byte(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [b'%', high, low, ..] => Some(hex_value(*high)? << 4 | hex_value(*low)?),
        _ => None,
    }
}

/// Collects output in a stack buffer and hands it to the sink in chunks, so that a hash sink is
/// not called once per byte.
struct Chunked<'s, S: Sink> {
    sink: &'s mut S,
    buffer: [u8; 128],
    len: usize,
}

impl<'s, S: Sink> Chunked<'s, S> {
    fn new(sink: &'s mut S) -> Self {
        Self {
            sink,
            buffer: [0; 128],
            len: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buffer.len() {
            self.flush();
        }
        if bytes.len() > self.buffer.len() {
            self.sink.put(bytes);
        } else {
            self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }

    /// Writes `byte` as is when it is unreserved (or a `/` that `keep_slash` keeps), else as `%XX`.
    fn encode(&mut self, byte: u8, keep_slash: bool) {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            self.push(&[byte]);
        } else {
            self.push(&[
                b'%',
                HEX_UPPER[usize::from(byte >> 4)],
                HEX_UPPER[usize::from(byte & 0x0F)],
            ]);
        }
    }

    fn flush(&mut self) {
        if self.len > 0 {
            self.sink.put(&self.buffer[..self.len]);
            self.len = 0;
        }
    }
}

impl<S: Sink> Drop for Chunked<'_, S> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Writes `bytes` with every byte outside `A-Za-z0-9_-.~` as `%XX` (uppercase hex).
pub(crate) fn encode_component(sink: &mut impl Sink, bytes: &[u8]) {
    let mut out = Chunked::new(sink);
    let mut rest = bytes;
    while !rest.is_empty() {
        // Copy the longest run that needs no encoding in one go.
        let run = rest.iter().take_while(|&&b| is_unreserved(b)).count();
        out.push(&rest[..run]);
        if let Some((&byte, tail)) = rest[run..].split_first() {
            out.encode(byte, false);
            rest = tail;
        } else {
            rest = &[];
        }
    }
}

/// Writes the canonical form of a URL path: each `%XX` escape decoded, then every byte but `/`
/// and `A-Za-z0-9_-.~` encoded as `%XX`. A `%` that starts no valid escape is kept as a byte.
///
/// This is the official SDKs' "decode the path, split it on `/`, encode each segment, join with
/// `/`" in one pass. The trailing `/` is not added here: the return value says whether the
/// output ends with `/`.
pub(crate) fn encode_path(sink: &mut impl Sink, path: &[u8]) -> bool {
    let mut out = Chunked::new(sink);
    let mut rest = path;
    let mut last = None;
    while !rest.is_empty() {
        // Copy the longest run that needs neither decoding nor encoding in one go.
        let run = rest
            .iter()
            .take_while(|&&b| is_unreserved(b) || b == b'/')
            .count();
        if run > 0 {
            out.push(&rest[..run]);
            last = Some(rest[run - 1]);
            rest = &rest[run..];
        }
        let Some((&byte, tail)) = rest.split_first() else {
            break;
        };
        let decoded = match escaped_byte(rest) {
            Some(decoded) => {
                rest = &rest[3..];
                decoded
            }
            None => {
                rest = tail;
                byte
            }
        };
        out.encode(decoded, true);
        last = Some(decoded);
    }
    last == Some(b'/')
}

/// Decodes one `key` or `value` of a query string: `%XX` escapes and `+` for a space (as HTML
/// forms and Go's `url.ParseQuery` do). A `%` that starts no valid escape is kept as it is.
/// Borrows when there is nothing to decode.
pub(crate) fn decode_query_component(text: &str) -> Cow<'_, [u8]> {
    let bytes = text.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Cow::Borrowed(bytes);
    }
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&byte, tail)) = rest.split_first() {
        if let Some(value) = escaped_byte(rest) {
            decoded.push(value);
            rest = &rest[3..];
        } else {
            decoded.push(if byte == b'+' { b' ' } else { byte });
            rest = tail;
        }
    }
    Cow::Owned(decoded)
}

/// Lowercase hex of a SHA-256 digest or HMAC-SHA256 tag, on the stack.
pub(crate) fn hex_lower(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_LOWER[usize::from(byte >> 4)];
        pair[1] = HEX_LOWER[usize::from(byte & 0x0F)];
    }
    out
}

/// The 32 bytes written as 64 hex digits (either case) in `text`; `None` for anything else.
pub(crate) fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *byte = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn path(input: &str) -> String {
        let mut out = Vec::new();
        let ends_with_slash = encode_path(&mut out, input.as_bytes());
        assert_eq!(ends_with_slash, out.last() == Some(&b'/'), "{input}");
        String::from_utf8(out).unwrap()
    }

    fn component(input: &[u8]) -> String {
        let mut out = Vec::new();
        encode_component(&mut out, input);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn component_encoding_keeps_only_unreserved() {
        assert_eq!(component(b"AZaz09-._~"), "AZaz09-._~");
        assert_eq!(component(b"a b"), "a%20b");
        assert_eq!(component(b"/tmp/123"), "%2Ftmp%2F123");
        assert_eq!(
            component("一 (&=?!#%.*)".as_bytes()),
            "%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
        );
        assert_eq!(component(b"+"), "%2B");
        assert_eq!(component(&[0x00, 0x7F, 0xFF]), "%00%7F%FF");
        assert_eq!(component(b""), "");
    }

    #[test]
    fn path_encoding_decodes_then_encodes() {
        assert_eq!(path("/v1/abc/def"), "/v1/abc/def");
        assert_eq!(path("/a%20b/c"), "/a%20b/c");
        assert_eq!(path("/a%2db"), "/a-b");
        assert_eq!(path("/%7Euser"), "/~user");
        assert_eq!(path("/%e4%b8%80"), "/%E4%B8%80");
        assert_eq!(
            path("/a:b@c!$'()*,;=+&"),
            "/a%3Ab%40c%21%24%27%28%29%2A%2C%3B%3D%2B%26"
        );
        // Escapes that are not valid stay as bytes (so `%` becomes `%25`).
        assert_eq!(path("/100%"), "/100%25");
        assert_eq!(path("/%zz/%4"), "/%25zz/%254");
        // `%2F` decodes to a `/`, which separates segments like any other `/`.
        assert_eq!(path("/a%2Fb"), "/a/b");
        assert_eq!(path("/a%2fb"), "/a/b");
        // Decoding happens once: `%252F` is the text `%2F`.
        assert_eq!(path("/a%252Fb"), "/a%252Fb");
        assert_eq!(path(""), "");
    }

    #[test]
    fn long_paths_are_flushed_in_chunks() {
        let long = format!("/{}/{}", "a".repeat(300), "é".repeat(100));
        let expected = format!("/{}/{}", "a".repeat(300), "%C3%A9".repeat(100));
        assert_eq!(path(&long), expected);
        let mut hashed = Sha256State::new();
        encode_path(&mut hashed, long.as_bytes());
        assert_eq!(hashed.finish(), crate::digest::sha256(expected.as_bytes()));
    }

    #[test]
    fn buffered_hash_equals_plain_hash() {
        let pieces: Vec<Vec<u8>> = (0..200).map(|n| vec![n as u8; n % 37]).collect();
        let mut buffered = BufferedSha256::new();
        let mut plain = Sha256State::new();
        for piece in &pieces {
            buffered.put(piece);
            plain.update(piece);
        }
        buffered.put(&[7; 1000]);
        plain.update(&[7; 1000]);
        assert_eq!(buffered.finalize(), plain.finish());
    }

    #[test]
    fn query_component_decoding() {
        assert!(matches!(
            decode_query_component("plain"),
            Cow::Borrowed(b"plain")
        ));
        assert_eq!(&*decode_query_component("a+b%20c"), b"a b c");
        assert_eq!(&*decode_query_component("%2B"), b"+");
        assert_eq!(&*decode_query_component("%E4%B8%80"), "一".as_bytes());
        assert_eq!(&*decode_query_component("50%"), b"50%");
        assert_eq!(&*decode_query_component("%G0%"), b"%G0%");
    }

    #[test]
    fn hex_round_trip() {
        let digest: [u8; 32] = crate::digest::sha256(b"");
        let hex = hex_lower(&digest);
        assert_eq!(
            &hex[..],
            b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let text = std::str::from_utf8(&hex).unwrap();
        assert_eq!(decode_hex_32(text), Some(digest));
        assert_eq!(decode_hex_32(&text.to_uppercase()), Some(digest));
        assert_eq!(decode_hex_32(&text[1..]), None);
        assert_eq!(decode_hex_32(&text.replace('e', "g")), None);
        assert_eq!(decode_hex_32(&"é".repeat(32)), None);
    }

    proptest! {
        #[test]
        fn path_encoding_is_idempotent(input in proptest::collection::vec(any::<u8>(), 0..64)) {
            // Encoding the canonical form again changes nothing: the canonical form is a fixed point.
            let mut once = Vec::new();
            let ends_with_slash = encode_path(&mut once, &input);
            prop_assert_eq!(ends_with_slash, once.last() == Some(&b'/'));
            let mut twice = Vec::new();
            encode_path(&mut twice, &once);
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn encoded_component_decodes_back(input in proptest::collection::vec(any::<u8>(), 0..64)) {
            let encoded = component(&input);
            prop_assert!(encoded.bytes().all(|b| is_unreserved(b) || b == b'%'));
            prop_assert_eq!(&*decode_query_component(&encoded), &input[..]);
        }
    }
}
