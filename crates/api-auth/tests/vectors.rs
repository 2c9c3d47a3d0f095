//! The three published test vectors of the official SDKs' signer, reproduced byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failure should panic.

mod common;

use api_auth::{AccessKey, Signer, X_SDK_DATE, parse_authorization};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderValue, Method, Request, Uri};

use common::{VECTOR_3_TIME, signer_at, verifier_at};

fn sign_parts(
    method: Method,
    uri: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    key: &AccessKey,
    date: &str,
) {
    let uri: Uri = uri.parse().unwrap();
    Signer::new()
        .sign_parts(&method, &uri, headers, body, key, date.parse().unwrap())
        .unwrap();
}

#[test]
fn vector_1_get_with_query() {
    let mut headers = HeaderMap::new();
    sign_parts(
        Method::GET,
        "/path?limit=1",
        &mut headers,
        b"",
        &AccessKey::new("AccessKey", "SecretKey"),
        "20060102T150405Z",
    );
    assert_eq!(headers[X_SDK_DATE], "20060102T150405Z");
    assert_eq!(
        headers[AUTHORIZATION],
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
         Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
    );
    assert_eq!(headers.len(), 2);
}

#[test]
fn vector_2_post_with_body_ending_in_a_newline() {
    let mut headers = HeaderMap::new();
    sign_parts(
        Method::POST,
        "/path?key=value",
        &mut headers,
        b"{\"Name\":\"test\",\"Id\":1}\n",
        &AccessKey::new("AccessKey", "SecretKey"),
        "20060102T150405Z",
    );
    assert_eq!(
        headers[AUTHORIZATION],
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
         Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
    );
}

const VECTOR_3_URL: &str = "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs\
                            ?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0";
const VECTOR_3_AUTHORIZATION: &str = "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, \
     SignedHeaders=content-type;host;x-sdk-date, \
     Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe";

#[test]
fn vector_3_with_host_and_content_type() {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(HOST, HeaderValue::from_static("service.region.example.com"));
    sign_parts(
        Method::GET,
        VECTOR_3_URL,
        &mut headers,
        b"",
        &common::key(),
        "20191115T033655Z",
    );
    assert_eq!(headers[AUTHORIZATION], VECTOR_3_AUTHORIZATION);
}

#[test]
fn vector_3_through_sign_with_a_clock_and_back_through_the_verifier() {
    let mut request = Request::get(VECTOR_3_URL)
        .header(CONTENT_TYPE, "application/json")
        .header(HOST, "service.region.example.com")
        .body(Bytes::new())
        .unwrap();
    signer_at(VECTOR_3_TIME)
        .sign(&mut request, &common::key())
        .unwrap();
    assert_eq!(request.headers()[X_SDK_DATE], "20191115T033655Z");
    assert_eq!(request.headers()[AUTHORIZATION], VECTOR_3_AUTHORIZATION);
    // The URI is left as it was.
    assert_eq!(request.uri().to_string(), VECTOR_3_URL);

    let verified = verifier_at(VECTOR_3_TIME + 60).verify(&request).unwrap();
    assert_eq!(verified.access_key_id(), common::AK);
}

#[test]
fn vector_3_authorization_parses() {
    let header = parse_authorization(VECTOR_3_AUTHORIZATION).unwrap();
    assert_eq!(header.access_key_id(), common::AK);
    assert_eq!(header.signed_headers(), "content-type;host;x-sdk-date");
}
