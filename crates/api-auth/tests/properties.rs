//! Properties: signing then verifying always succeeds, and nothing panics on arbitrary input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failure should panic.

mod common;

use api_auth::{Verifier, parse_authorization};
use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use proptest::prelude::*;

use common::{VECTOR_3_TIME as T, key, signer_at, verifier_at};

/// Percent-encodes every byte outside `A-Za-z0-9-._~`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A path segment: either any text, percent-encoded, or text made of characters a URI path may
/// carry as they are (with `%XX` escapes mixed in).
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| encode(&s)),
        "([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}){0,12}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    (proptest::collection::vec(segment(), 0..5), any::<bool>()).prop_map(|(segments, trailing)| {
        let mut path = format!("/{}", segments.join("/"));
        if trailing && !path.ends_with('/') {
            path.push('/');
        }
        path
    })
}

fn query() -> impl Strategy<Value = Option<String>> {
    let pair = prop_oneof![
        (any::<String>(), any::<String>()).prop_map(|(k, v)| format!(
            "{}={}",
            encode(&k),
            encode(&v)
        )),
        "[a-z]{1,3}(=[A-Za-z0-9+/:@!$'()*,;?-]{0,6})?",
    ];
    proptest::option::of(proptest::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&")))
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::GET),
        Just(Method::POST),
        Just(Method::PUT),
        Just(Method::DELETE),
        Just(Method::PATCH),
        Just(Method::HEAD),
    ]
}

/// Headers with visible-ASCII values (what the signer accepts), names with and without `_`.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            "[a-z][a-z0-9_-]{0,10}",
            "[ \t]?[!-~]([ !-~]{0,20}[!-~])?[ \t]?",
        ),
        0..6,
    )
}

fn build(method: Method, uri: &Uri, headers: &[(String, String)], body: Vec<u8>) -> Request<Bytes> {
    let mut request = Request::new(Bytes::from(body));
    *request.method_mut() = method;
    *request.uri_mut() = uri.clone();
    for (name, value) in headers {
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    request
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sign_then_verify_succeeds(
        method in method(),
        path in path(),
        query in query(),
        headers in headers(),
        body in proptest::collection::vec(any::<u8>(), 0..200),
        token in proptest::option::of("[!-~]{1,40}"),
    ) {
        let text = match &query {
            Some(query) => format!("https://h.example.com{path}?{query}"),
            None => format!("https://h.example.com{path}"),
        };
        let uri: Uri = text.parse().unwrap();
        let mut request = build(method, &uri, &headers, body);
        let key = match &token {
            Some(token) => key().with_security_token(token.as_str()),
            None => key(),
        };
        signer_at(T).sign(&mut request, &key).unwrap();
        prop_assert_eq!(request.uri(), &uri);
        let verified = verifier_at(T).verify(&request).unwrap();
        prop_assert_eq!(verified.security_token().map(|t| t.expose()), token.as_deref());
    }

    #[test]
    fn a_changed_body_fails(
        body in proptest::collection::vec(any::<u8>(), 0..100),
        other in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        prop_assume!(body != other);
        let mut request = Request::put("/v1/x").body(Bytes::from(body)).unwrap();
        signer_at(T).sign(&mut request, &key()).unwrap();
        *request.body_mut() = Bytes::from(other);
        prop_assert!(verifier_at(T).verify(&request).is_err());
    }

    #[test]
    fn parse_authorization_never_panics(value in any::<String>()) {
        let _ = parse_authorization(&value);
    }

    #[test]
    fn parse_authorization_never_panics_on_near_misses(
        tail in "[ ,;=a-zA-Z0-9\t-]{0,80}",
        prefix in prop_oneof![Just(""), Just("SDK-HMAC-SHA256 "), Just("SDK-HMAC-SHA256 Access=a, SignedHeaders=")],
    ) {
        let _ = parse_authorization(&format!("{prefix}{tail}"));
    }

    #[test]
    fn verify_never_panics(
        authorization in proptest::collection::vec(any::<u8>(), 0..120),
        date in proptest::collection::vec(any::<u8>(), 0..20),
        token in proptest::collection::vec(any::<u8>(), 0..20),
        signed_headers in "[a-z;-]{0,30}",
        body in proptest::collection::vec(any::<u8>(), 0..20),
        path in path(),
    ) {
        let verifier = Verifier::new(|_: &str| Some(api_auth::SecretKey::new("sk")))
            .with_clock(common::FixedClock::at(T));
        let uri: Uri = path.parse().unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in [("authorization", &authorization), ("x-sdk-date", &date), ("x-security-token", &token)] {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.insert(name, value);
            }
        }
        let _ = verifier.verify_parts(&Method::GET, &uri, &headers, &body);

        // The same with a well-formed header, so that the later steps run on arbitrary input too.
        let well_formed = format!(
            "SDK-HMAC-SHA256 Access=ak, SignedHeaders={signed_headers}, Signature={}",
            "0".repeat(64)
        );
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&well_formed).unwrap());
        headers.insert("x-sdk-date", HeaderValue::from_static("20191115T033655Z"));
        let _ = verifier.verify_parts(&Method::GET, &uri, &headers, &body);
    }
}
