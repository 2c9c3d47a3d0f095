//! Sign then verify, and every way a verification fails.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failure should panic.

mod common;

use std::time::Duration;

use api_auth::{
    AuthorizationField, MalformedAuthorization, SecretKey, SkewDirection, Verifier, VerifyError,
    X_SDK_DATE, X_SECURITY_TOKEN,
};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderValue, Method, Request, Uri};

use common::{AK, SK, VECTOR_3_TIME as T, key, signer_at, verifier_at};

/// A request like the client sends, signed at `T`.
fn signed() -> Request<Bytes> {
    let mut request = Request::post(
        "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks?limit=10&offset=0",
    )
    .header(HOST, "modelarts.cn-north-4.myhuaweicloud.com")
    .header(CONTENT_TYPE, "application/json")
    .header("x-project-id", "a4a5d4098fb4474fa22cd05f897d6b99")
    .header(USER_AGENT, "processor-tasks-sdk/0.1")
    .body(Bytes::from_static(br#"{"name":"task","inputs":[]}"#))
    .unwrap();
    signer_at(T).sign(&mut request, &key()).unwrap();
    request
}

fn verify(request: &Request<Bytes>) -> Result<api_auth::Verified, VerifyError> {
    verifier_at(T).verify(request)
}

fn mismatch() -> VerifyError {
    VerifyError::SignatureMismatch {
        access_key_id: AK.into(),
    }
}

/// The same request with parts replaced.
fn rebuild(request: &Request<Bytes>, method: Method, uri: &str, body: Bytes) -> Request<Bytes> {
    let mut rebuilt = Request::new(body);
    *rebuilt.method_mut() = method;
    *rebuilt.uri_mut() = uri.parse::<Uri>().unwrap();
    *rebuilt.headers_mut() = request.headers().clone();
    rebuilt
}

#[test]
fn a_signed_request_verifies() {
    let request = signed();
    let authorization = request.headers()[AUTHORIZATION].to_str().unwrap();
    assert!(
        authorization
            .contains("SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date,"),
        "{authorization}"
    );
    let verified = verify(&request).unwrap();
    assert_eq!(verified.access_key_id(), AK);
    assert_eq!(verified.date().to_string(), "20191115T033655Z");
}

#[test]
fn headers_that_were_not_signed_may_change() {
    let mut request = signed();
    request
        .headers_mut()
        .insert("x-added-later", HeaderValue::from_static("1"));
    request
        .headers_mut()
        .insert("content-length", HeaderValue::from_static("27"));
    assert!(verify(&request).is_ok());
}

#[test]
fn a_header_with_an_underscore_is_not_signed() {
    let mut request = Request::get("/v1/x")
        .header("x_trace_id", "a")
        .body(Bytes::new())
        .unwrap();
    signer_at(T).sign(&mut request, &key()).unwrap();
    assert!(
        request.headers()[AUTHORIZATION]
            .to_str()
            .unwrap()
            .contains("SignedHeaders=x-sdk-date,")
    );
    request
        .headers_mut()
        .insert("x_trace_id", HeaderValue::from_static("changed"));
    assert!(verify(&request).is_ok());
}

#[test]
fn surrounding_whitespace_of_values_does_not_count() {
    let mut request = signed();
    request.headers_mut().insert(
        USER_AGENT,
        HeaderValue::from_static("  processor-tasks-sdk/0.1\t"),
    );
    assert!(verify(&request).is_ok());
}

#[test]
fn wrong_secret_key() {
    let request = signed();
    let verifier = Verifier::new(|_: &str| Some(SecretKey::new("not-the-secret")))
        .with_clock(common::FixedClock::at(T));
    let error = verifier.verify(&request).unwrap_err();
    assert_eq!(error, mismatch());
    let message = error.to_string();
    assert!(message.contains("secret key (SK)"), "{message}");
    assert!(!message.contains(SK));
}

#[test]
fn tampered_signed_header() {
    let mut request = signed();
    request
        .headers_mut()
        .insert("x-project-id", HeaderValue::from_static("another-project"));
    assert_eq!(verify(&request).unwrap_err(), mismatch());
}

#[test]
fn changed_path_query_body_or_method() {
    let request = signed();
    let base = "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99";
    let body = request.body().clone();
    for (method, uri, body) in [
        (
            Method::POST,
            format!("{base}/processor-task?limit=10&offset=0"),
            body.clone(),
        ),
        (
            Method::POST,
            format!("{base}/processor-tasks/?limit=10&offset=0x"),
            body.clone(),
        ),
        (
            Method::POST,
            format!("{base}/processor-tasks?limit=11&offset=0"),
            body.clone(),
        ),
        (
            Method::POST,
            format!("{base}/processor-tasks?limit=10"),
            body.clone(),
        ),
        (
            Method::POST,
            format!("{base}/processor-tasks?limit=10&offset=0&extra"),
            body.clone(),
        ),
        (
            Method::POST,
            format!("{base}/processor-tasks?limit=10&offset=0"),
            Bytes::from_static(b"{}"),
        ),
        (
            Method::POST,
            format!("{base}/processor-tasks?limit=10&offset=0"),
            Bytes::new(),
        ),
        (
            Method::PUT,
            format!("{base}/processor-tasks?limit=10&offset=0"),
            body.clone(),
        ),
    ] {
        let changed = rebuild(&request, method, &uri, body);
        assert_eq!(verify(&changed).unwrap_err(), mismatch(), "{uri}");
    }
    // What the canonical form does not see may change: the order of the query, the host in the
    // URI (the signed one is the Host header) and a trailing `/`.
    for uri in [
        format!("{base}/processor-tasks?offset=0&limit=10"),
        format!("{base}/processor-tasks/?limit=10&offset=0"),
        "http://localhost:8080/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks?limit=10&offset=0".to_owned(),
        "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks?limit=10&offset=0".to_owned(),
    ] {
        let same = rebuild(&request, Method::POST, &uri, body.clone());
        assert!(verify(&same).is_ok(), "{uri}");
    }
}

#[test]
fn dates_outside_the_skew_either_way() {
    let request = signed();
    let behind = verifier_at(T + 16 * 60).verify(&request).unwrap_err();
    assert!(
        matches!(behind, VerifyError::DateOutsideSkew { direction: SkewDirection::Behind, offset, .. } if offset == Duration::from_secs(960)),
        "{behind:?}"
    );
    let ahead = verifier_at(T - 16 * 60).verify(&request).unwrap_err();
    assert!(
        matches!(ahead, VerifyError::DateOutsideSkew { direction: SkewDirection::Ahead, offset, .. } if offset == Duration::from_secs(960)),
        "{ahead:?}"
    );
    assert!(verifier_at(T + 15 * 60).verify(&request).is_ok());
    assert!(verifier_at(T - 15 * 60).verify(&request).is_ok());
}

#[test]
fn a_changed_date_breaks_the_signature() {
    let mut request = signed();
    request
        .headers_mut()
        .insert(X_SDK_DATE, HeaderValue::from_static("20191115T033656Z"));
    assert_eq!(verify(&request).unwrap_err(), mismatch());
}

#[test]
fn an_unsigned_date_is_rejected() {
    // Sign without `X-Sdk-Date` being signed: take its name out of SignedHeaders.
    let mut request = signed();
    let authorization = request.headers()[AUTHORIZATION]
        .to_str()
        .unwrap()
        .replace(";x-sdk-date", "");
    request.headers_mut().insert(
        AUTHORIZATION,
        HeaderValue::from_str(&authorization).unwrap(),
    );
    let error = verify(&request).unwrap_err();
    assert_eq!(error, VerifyError::HeaderNotSigned { name: X_SDK_DATE });
    assert!(error.to_string().contains("x-sdk-date"));
}

#[test]
fn an_unsigned_security_token_is_rejected() {
    let mut request = signed();
    request.headers_mut().insert(
        X_SECURITY_TOKEN,
        HeaderValue::from_static("added-after-signing"),
    );
    assert_eq!(
        verify(&request).unwrap_err(),
        VerifyError::HeaderNotSigned {
            name: X_SECURITY_TOKEN
        }
    );
}

#[test]
fn a_security_token_round_trips() {
    let mut request = Request::delete("https://h.example.com/v2/p/processor-tasks/t")
        .body(Bytes::new())
        .unwrap();
    signer_at(T)
        .sign(&mut request, &key().with_security_token("temporary"))
        .unwrap();
    let verified = verify(&request).unwrap();
    assert_eq!(verified.security_token().unwrap().expose(), "temporary");
}

#[test]
fn a_signed_header_missing_from_the_request() {
    let mut request = signed();
    request.headers_mut().remove(CONTENT_TYPE);
    let error = verify(&request).unwrap_err();
    assert_eq!(
        error,
        VerifyError::SignedHeaderMissing {
            name: "content-type".into()
        }
    );
    assert!(error.to_string().contains("content-type"));
}

#[test]
fn a_missing_host_header_is_taken_from_the_uri() {
    // An HTTP/2 server sees the authority in the URI rather than a Host header.
    let mut request = signed();
    request.headers_mut().remove(HOST);
    assert!(verify(&request).is_ok());
    let relative = rebuild(
        &request,
        Method::POST,
        "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks?limit=10&offset=0",
        request.body().clone(),
    );
    assert_eq!(
        verify(&relative).unwrap_err(),
        VerifyError::SignedHeaderMissing {
            name: "host".into()
        }
    );
}

#[test]
fn unknown_access_key() {
    let mut request = Request::get("/").body(Bytes::new()).unwrap();
    signer_at(T)
        .sign(&mut request, &api_auth::AccessKey::new("NOBODY", SK))
        .unwrap();
    assert_eq!(
        verify(&request).unwrap_err(),
        VerifyError::UnknownAccessKey {
            access_key_id: "NOBODY".into()
        }
    );
}

#[test]
fn missing_and_garbage_authorization() {
    let mut request = signed();
    request.headers_mut().remove(AUTHORIZATION);
    assert_eq!(
        verify(&request).unwrap_err(),
        VerifyError::MissingAuthorization
    );

    let set = |request: &mut Request<Bytes>, value: &[u8]| {
        request
            .headers_mut()
            .insert(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
    };
    set(&mut request, b"garbage");
    assert_eq!(
        verify(&request).unwrap_err(),
        VerifyError::UnsupportedAlgorithm {
            found: Some("garbage".into())
        }
    );
    set(&mut request, b"SDK-HMAC-SHA256 \xff\xfe");
    assert_eq!(
        verify(&request).unwrap_err(),
        VerifyError::MalformedAuthorization(MalformedAuthorization::NotAscii)
    );
    set(&mut request, b"SDK-HMAC-SHA256 Access=ak, Signature=00");
    let error = verify(&request).unwrap_err();
    assert_eq!(
        error,
        VerifyError::MalformedAuthorization(MalformedAuthorization::MissingField(
            AuthorizationField::SignedHeaders
        ))
    );
    assert!(
        error.to_string().contains("SignedHeaders= is missing"),
        "{error}"
    );
}
