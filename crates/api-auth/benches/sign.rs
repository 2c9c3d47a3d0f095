//! Signing one DELETE request of the processor-tasks API (goal: under 2 µs), and the hashing floor.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failure should panic.

use std::hint::black_box;

use api_auth::{AccessKey, SdkDate, Signer};
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Request, Uri};

const URL: &str = "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr";

fn headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        HOST,
        HeaderValue::from_static("modelarts.cn-north-4.myhuaweicloud.com"),
    );
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        "x-project-id",
        HeaderValue::from_static("a4a5d4098fb4474fa22cd05f897d6b99"),
    );
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static("processor-tasks-sdk-rust/0.1.0"),
    );
    headers
}

fn sign(c: &mut Criterion) {
    let key = AccessKey::new(
        "QTWAOYTTINDUT2QVKYUC",
        "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
    );
    let signer = Signer::new();
    let uri: Uri = URL.parse().expect("valid URL");
    let date: SdkDate = "20191115T033655Z".parse().expect("valid date");

    // The lower-level step with a fixed date, on a fresh copy of the headers each time.
    c.bench_function("sign_parts DELETE", |b| {
        let template = headers();
        b.iter_batched_ref(
            || template.clone(),
            |headers| {
                signer
                    .sign_parts(&Method::DELETE, &uri, headers, b"", black_box(&key), date)
                    .expect("signs")
            },
            criterion::BatchSize::SmallInput,
        );
    });

    // The whole `sign`, reading the system clock, re-signing the same request each time (the
    // previous Authorization is replaced, so the work is the same).
    c.bench_function("sign DELETE", |b| {
        let mut request = Request::delete(URL)
            .body(Bytes::new())
            .expect("valid request");
        *request.headers_mut() = headers();
        b.iter(|| {
            signer
                .sign(black_box(&mut request), black_box(&key))
                .expect("signs")
        });
    });
}

/// The hashing that any conforming signer must do for that request, for comparison: SHA-256 of
/// its 389-byte canonical request (7 blocks) and HMAC-SHA256 of the 98-byte string to sign with a
/// pre-keyed HMAC (3 blocks).
fn hashing_floor(c: &mut Criterion) {
    use hmac::{KeyInit, Mac};
    use sha2::Digest;

    let canonical_request = [b'a'; 389];
    c.bench_function("floor: sha256 of 389 bytes", |b| {
        b.iter(|| sha2::Sha256::digest(black_box(&canonical_request[..])))
    });
    let mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(b"MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc")
            .expect("any key length");
    let string_to_sign = [b'a'; 98];
    c.bench_function("floor: hmac-sha256 of 98 bytes", |b| {
        b.iter(|| {
            let mut mac = mac.clone();
            mac.update(black_box(&string_to_sign[..]));
            mac.finalize().into_bytes()
        })
    });
}

criterion_group!(benches, sign, hashing_floor);
criterion_main!(benches);
