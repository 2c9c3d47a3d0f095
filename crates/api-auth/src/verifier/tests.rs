//! Unit tests of the verifier, with a mock clock.

use super::*;
use crate::clock::MockClock;
use crate::{AccessKey, Signer};
use http::HeaderValue;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
/// 20191115T033655Z
const SIGNED_AT: u64 = 1_573_789_015;

fn clock_at(unix_seconds: u64, times: usize) -> Arc<dyn Clock> {
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .times(times)
        .return_const(UNIX_EPOCH + Duration::from_secs(unix_seconds));
    Arc::new(clock)
}

fn verifier(now: u64) -> Verifier {
    Verifier::new(|ak: &str| (ak == AK).then(|| SecretKey::new(SK))).with_clock(clock_at(now, 1))
}

/// A request signed at `SIGNED_AT`, with the key's clock read once.
fn signed_request(key: &AccessKey) -> Request<Vec<u8>> {
    let mut request = Request::post("https://service.region.example.com/v1/p/things?b=2&a=1")
        .header("host", "service.region.example.com")
        .header("content-type", "application/json")
        .body(b"{\"name\":\"x\"}".to_vec())
        .unwrap();
    Signer::with_clock(clock_at(SIGNED_AT, 1))
        .sign(&mut request, key)
        .unwrap();
    request
}

fn skew_error(now: u64) -> VerifyError {
    verifier(now)
        .verify(&signed_request(&AccessKey::new(AK, SK)))
        .unwrap_err()
}

#[test]
fn accepts_a_request_within_the_skew() {
    for now in [SIGNED_AT - 900, SIGNED_AT, SIGNED_AT + 900] {
        let verified = verifier(now)
            .verify(&signed_request(&AccessKey::new(AK, SK)))
            .unwrap();
        assert_eq!(verified.access_key_id(), AK);
        assert_eq!(verified.date().unix_seconds(), SIGNED_AT as i64);
        assert!(verified.security_token().is_none());
    }
}

#[test]
fn rejects_a_date_too_far_behind() {
    let error = skew_error(SIGNED_AT + 901);
    assert_eq!(
        error,
        VerifyError::DateOutsideSkew {
            date: "20191115T033655Z".parse().unwrap(),
            offset: Duration::from_secs(901),
            direction: SkewDirection::Behind,
            max_skew: DEFAULT_MAX_SKEW,
        }
    );
    let message = error.to_string();
    assert!(message.contains("15m 1s behind"), "{message}");
    assert!(message.contains("allowed 15m"), "{message}");
    assert!(message.contains("clock"), "{message}");
}

#[test]
fn rejects_a_date_too_far_ahead() {
    let error = skew_error(SIGNED_AT - 3600);
    assert!(
        matches!(
            error,
            VerifyError::DateOutsideSkew {
                offset,
                direction: SkewDirection::Ahead,
                ..
            } if offset == Duration::from_secs(3600)
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("1h ahead of the server's clock"));
}

#[test]
fn the_skew_is_configurable() {
    let request = signed_request(&AccessKey::new(AK, SK));
    let strict = verifier(SIGNED_AT + 61).with_max_skew(Duration::from_secs(60));
    assert_eq!(strict.max_skew(), Duration::from_secs(60));
    assert!(matches!(
        strict.verify(&request),
        Err(VerifyError::DateOutsideSkew {
            direction: SkewDirection::Behind,
            ..
        })
    ));
    let lenient = verifier(SIGNED_AT + 7200).with_max_skew(Duration::from_secs(7200));
    assert!(lenient.verify(&request).is_ok());
}

#[test]
fn the_clock_fraction_of_a_second_does_not_count() {
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .return_const(UNIX_EPOCH + Duration::from_millis((SIGNED_AT + 900) * 1000 + 999));
    let verifier = Verifier::new(|_: &str| Some(SecretKey::new(SK))).with_clock(Arc::new(clock));
    assert!(
        verifier
            .verify(&signed_request(&AccessKey::new(AK, SK)))
            .is_ok()
    );
}

#[test]
fn returns_the_signed_security_token() {
    let request = signed_request(&AccessKey::new(AK, SK).with_security_token("temp-token"));
    let verified = verifier(SIGNED_AT).verify(&request).unwrap();
    assert_eq!(
        verified.security_token().map(SecurityToken::expose),
        Some("temp-token")
    );
    assert!(!format!("{verified:?}").contains("temp-token"));
}

#[test]
fn an_unsigned_security_token_is_rejected() {
    let mut request = signed_request(&AccessKey::new(AK, SK));
    request
        .headers_mut()
        .insert(X_SECURITY_TOKEN, HeaderValue::from_static("smuggled"));
    let error = Verifier::new(|_: &str| Some(SecretKey::new(SK)))
        .verify(&request)
        .unwrap_err();
    assert_eq!(
        error,
        VerifyError::HeaderNotSigned {
            name: X_SECURITY_TOKEN
        }
    );
}

#[test]
fn date_checks_come_before_the_key_lookup() {
    // Unknown key, but the date is missing: the date error wins, and no clock is read.
    let mut request = signed_request(&AccessKey::new("someone-else", SK));
    request.headers_mut().remove(X_SDK_DATE);
    let verifier = Verifier::new(|_: &str| None).with_clock(clock_at(SIGNED_AT, 0));
    assert_eq!(verifier.verify(&request), Err(VerifyError::MissingDate));

    for (bad, expected) in [
        (
            &b"2019-11-15T03:36:55Z"[..],
            crate::ParseSdkDateError::WrongLength { length: 20 },
        ),
        (
            &b"20191115T033655\xff"[..],
            crate::ParseSdkDateError::UnexpectedCharacter { position: 15 },
        ),
    ] {
        request
            .headers_mut()
            .insert(X_SDK_DATE, HeaderValue::from_bytes(bad).unwrap());
        assert_eq!(
            verifier.verify(&request),
            Err(VerifyError::MalformedDate(expected))
        );
    }
}

#[test]
fn unknown_access_key() {
    let request = signed_request(&AccessKey::new("UNKNOWNAK", SK));
    let error = verifier(SIGNED_AT).verify(&request).unwrap_err();
    assert_eq!(
        error,
        VerifyError::UnknownAccessKey {
            access_key_id: "UNKNOWNAK".into()
        }
    );
    assert!(error.to_string().contains("UNKNOWNAK"));
}

#[test]
fn extreme_dates_and_clocks_do_not_overflow() {
    let verifier = Verifier::new(|_: &str| None).with_max_skew(Duration::MAX);
    for date in ["00000101T000000Z", "99991231T235959Z"] {
        let date: SdkDate = date.parse().unwrap();
        for now in [
            UNIX_EPOCH,
            UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 100),
        ] {
            assert!(verifier.check_skew(date, now).is_ok());
        }
    }
    let strict = verifier.with_max_skew(Duration::ZERO);
    let error = strict
        .check_skew("00000101T000000Z".parse().unwrap(), UNIX_EPOCH)
        .unwrap_err();
    assert!(matches!(
        error,
        VerifyError::DateOutsideSkew { direction: SkewDirection::Behind, offset, .. }
            if offset == Duration::from_secs(62_167_219_200)
    ));
}

#[test]
fn debug_shows_no_lookup() {
    let debug = format!("{:?}", Verifier::new(|_: &str| Some(SecretKey::new(SK))));
    assert!(
        debug.starts_with("Verifier { clock: SystemClock, max_skew: 900s"),
        "{debug}"
    );
    assert!(!debug.contains(SK));
}

#[test]
fn a_hash_map_is_a_lookup() {
    let keys = std::collections::HashMap::from([(AK.to_owned(), SecretKey::new(SK))]);
    let verifier = Verifier::new(keys).with_clock(clock_at(SIGNED_AT, 1));
    let verified = verifier
        .verify(&signed_request(&AccessKey::new(AK, SK)))
        .unwrap();
    assert_eq!(verified.access_key_id(), AK);
}
