//! The hashing floor of one signature, with the SHA-256 `api-auth` uses (RustCrypto `sha2` +
//! `hmac`; pure Rust on a CPU without SHA-NI) against `ring`'s (assembly with AVX2/AVX/SSSE3
//! paths; already in the dependency tree through rustls). Same inputs as the floors of
//! `crates/api-auth/benches/sign.rs`: SHA-256 of a 389-byte canonical request and
//! HMAC-SHA256 of a 98-byte string to sign with a pre-keyed HMAC.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

const SK: &[u8] = b"MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

fn hashing(c: &mut Criterion) {
    use hmac::{KeyInit, Mac};
    use sha2::Digest;

    let canonical_request = [b'a'; 389];
    let string_to_sign = [b'a'; 98];

    c.bench_function("sha2 (RustCrypto): sha256 of 389 bytes", |b| {
        b.iter(|| sha2::Sha256::digest(black_box(&canonical_request[..])))
    });
    c.bench_function("ring: sha256 of 389 bytes", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(&canonical_request[..])))
    });

    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SK).unwrap();
    c.bench_function(
        "hmac+sha2 (RustCrypto): hmac-sha256 of 98 bytes, pre-keyed",
        |b| {
            b.iter(|| {
                let mut mac = mac.clone();
                mac.update(black_box(&string_to_sign[..]));
                mac.finalize().into_bytes()
            })
        },
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SK);
    c.bench_function("ring: hmac-sha256 of 98 bytes, pre-keyed", |b| {
        b.iter(|| ring::hmac::sign(black_box(&key), black_box(&string_to_sign[..])))
    });
    c.bench_function(
        "hmac+sha2 (RustCrypto): hmac-sha256 of 98 bytes, keyed each time",
        |b| {
            b.iter(|| {
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(black_box(SK)).unwrap();
                mac.update(black_box(&string_to_sign[..]));
                mac.finalize().into_bytes()
            })
        },
    );
    c.bench_function("ring: hmac-sha256 of 98 bytes, keyed each time", |b| {
        b.iter(|| {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, black_box(SK));
            ring::hmac::sign(&key, black_box(&string_to_sign[..]))
        })
    });
}

criterion_group!(benches, hashing);
criterion_main!(benches);
