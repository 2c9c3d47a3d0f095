//! `Authorization` headers and their verification: `parse_authorization` on arbitrary text,
//! `Verifier::verify_parts` on arbitrary requests, and sign-then-verify round trips.
//!
//! The first byte picks the mode:
//! - 0: the rest is an `Authorization` value. Whatever parses prints back and parses the same.
//! - 1: the rest is a request (see `request`), checked by a verifier that knows one access key.
//!   It must never panic, and no error may repeat the secret key.
//! - 2: the rest is a request, signed by `Signer::sign_parts` (with a date and maybe a security
//!   token taken from the input); whenever signing succeeds, the verifier accepts the request.
#![no_main]

use std::sync::Arc;
use std::time::SystemTime;

use api_auth::{AccessKey, Clock, SdkDate, SecretKey, Signer, Verifier, parse_authorization};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

#[derive(Debug)]
struct Fixed(SystemTime);

impl Clock for Fixed {
    fn now(&self) -> SystemTime {
        self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `METHOD URI\nname: value\n...\n\nbody`: the parts that parse, the rest skipped.
fn request(data: &[u8]) -> (Method, Uri, HeaderMap, &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let (method, uri) = match first.iter().position(|&b| b == b' ') {
        Some(at) => (&first[..at], &first[at + 1..]),
        None => (first, &b"/"[..]),
    };
    let method = Method::from_bytes(method).unwrap_or(Method::DELETE);
    let uri = Uri::try_from(uri).unwrap_or_else(|_| Uri::from_static("/"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(at) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..at]),
            HeaderValue::from_bytes(line[at + 1..].trim_ascii()),
        ) {
            headers.append(name, value);
        }
    }
    (method, uri, headers, body)
}

fn verifier(now: SystemTime) -> Verifier {
    Verifier::new(|ak: &str| (ak == AK).then(|| SecretKey::new(SK)))
        .with_clock(Arc::new(Fixed(now)))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let text = String::from_utf8_lossy(rest);
            if let Ok(header) = parse_authorization(&text) {
                let ak = header.access_key_id();
                assert!(!ak.is_empty() && !ak.contains([' ', '\t', ',']), "{ak:?}");
                assert!(header.signed_header_names().all(|n| {
                    !n.is_empty()
                        && n.bytes()
                            .all(|b| !b.is_ascii_uppercase() && b.is_ascii_graphic())
                }));
                let signature = hex(header.signature());
                assert!(!format!("{header:?}").contains(&signature));
                let printed = format!(
                    "SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={signature}",
                    header.signed_headers()
                );
                assert_eq!(
                    parse_authorization(&printed).ok(),
                    Some(header),
                    "{printed}"
                );
            }
        }
        1 => {
            let (method, uri, headers, body) = request(rest);
            let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_573_789_015);
            if let Err(error) = verifier(now).verify_parts(&method, &uri, &headers, body) {
                let message = error.to_string();
                assert!(!message.contains(SK), "{message}");
            }
        }
        _ => {
            let [d0, d1, d2, d3, d4, token_len, rest @ ..] = rest else {
                return;
            };
            let seconds = i64::from(u32::from_le_bytes([*d0, *d1, *d2, *d3])) * 8 + i64::from(*d4)
                - 1_000_000_000;
            let Ok(date) = SdkDate::from_unix_seconds(seconds) else {
                return;
            };
            let token_len = usize::from(*token_len % 64).min(rest.len());
            let (token, rest) = rest.split_at(token_len);
            let mut key = AccessKey::new(AK, SK);
            if !token.is_empty() {
                key = key.with_security_token(String::from_utf8_lossy(token).into_owned());
            }
            let (method, uri, mut headers, body) = request(rest);
            if Signer::new()
                .sign_parts(&method, &uri, &mut headers, body, &key, date)
                .is_err()
            {
                return;
            }
            let now = date
                .to_system_time()
                .expect("years 0 to 9999 fit a SystemTime here");
            match verifier(now).verify_parts(&method, &uri, &headers, body) {
                Ok(verified) => {
                    assert_eq!(verified.access_key_id(), AK);
                    assert_eq!(verified.date(), date);
                    // The key's token, or one the request already carried (signed as is).
                    let expected = headers
                        .get(api_auth::X_SECURITY_TOKEN)
                        .and_then(|v| v.to_str().ok());
                    if let Some(token) = key.security_token() {
                        assert_eq!(expected, Some(token.expose()));
                    }
                    assert_eq!(verified.security_token().map(|t| t.expose()), expected);
                }
                Err(error) => panic!(
                    "signed but not verified: {error}\n{method} {uri}\n{headers:?}\nbody {body:?}"
                ),
            }
        }
    }
});
