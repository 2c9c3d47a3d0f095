//! The Rust signer against the official one: `tests/interop/python/signer_vectors.py` signs
//! varied requests with `huaweicloudsdkcore`'s `Signer` (as its service clients do, date fixed)
//! and prints them; each is signed again with `api_auth::Signer::sign_parts` and the
//! `Authorization`, `X-Sdk-Date` and `X-Security-Token` headers must be byte-identical.
//!
//! Each request the SDK signed is also checked with `api_auth::Verifier`, as the emulator (or
//! any server built on api-auth) would check it on arrival.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use api_auth::{AccessKey, Clock, SdkDate, SecretKey, SignError, Signer, Verifier};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use interop_tests::{python, python_command, run_json, script};
use serde_json::Value;

/// The fewest vectors the comparison must cover.
const MIN_VECTORS: usize = 20;

/// Requests the official SDK signs in a way `api_auth` does not reproduce, on purpose or as a
/// known bug; each is still checked, against the expectation written here.
fn known_divergence(name: &str) -> Option<&'static str> {
    // None at present: `UNSIGNED-PAYLOAD` was one until api_auth implemented it (see
    // `unsigned_payload_matches_the_sdk` below).
    let _ = name;
    None
}

#[derive(Debug)]
struct FixedClock(SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// One request signed by the SDK.
struct Vector {
    json: Value,
}

impl Vector {
    fn str(&self, key: &str) -> &str {
        self.json[key]
            .as_str()
            .unwrap_or_else(|| panic!("vector field {key} is not a string: {}", self.json))
    }

    fn opt(&self, key: &str) -> Option<&str> {
        self.json[key].as_str()
    }

    fn name(&self) -> &str {
        self.str("name")
    }

    fn method(&self) -> Method {
        Method::from_bytes(self.str("method").as_bytes()).unwrap()
    }

    fn uri(&self) -> Uri {
        self.str("uri")
            .parse()
            .unwrap_or_else(|e| panic!("{}: uri {:?}: {e}", self.name(), self.str("uri")))
    }

    fn body(&self) -> Vec<u8> {
        hex_decode(self.str("body_hex"))
    }

    fn headers(&self, key: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        for pair in self.json[key].as_array().unwrap() {
            let name = pair[0].as_str().unwrap();
            let value = pair[1].as_str().unwrap();
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value.as_bytes())
                    .unwrap_or_else(|e| panic!("{}: header {name}: {e}", self.name())),
            );
        }
        map
    }

    fn key(&self) -> AccessKey {
        let key = AccessKey::new(self.str("ak"), self.str("sk"));
        match self.opt("security_token") {
            Some(token) => key.with_security_token(token),
            None => key,
        }
    }

    fn date(&self) -> SdkDate {
        self.str("x_sdk_date").parse().unwrap()
    }

    /// Whether a header the signer signs has a value that is not visible ASCII (or space/tab),
    /// which `api_auth::Signer` refuses by design (`SignError::InvalidHeaderValue`).
    fn has_non_ascii_signed_value(&self) -> bool {
        self.json["headers_to_sign"]
            .as_array()
            .unwrap()
            .iter()
            .any(|pair| {
                !pair[0].as_str().unwrap().contains('_')
                    && pair[1]
                        .as_str()
                        .unwrap()
                        .bytes()
                        .any(|b| !(0x20..0x7f).contains(&b))
            })
    }

    /// The inputs and the SDK's intermediate text, for a mismatch report.
    fn describe(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "  request: {} {}", self.str("method"), self.str("uri"));
        let _ = writeln!(out, "  headers given to the signer:");
        for pair in self.json["headers_to_sign"].as_array().unwrap() {
            let _ = writeln!(out, "    {}: {:?}", pair[0], pair[1]);
        }
        let _ = writeln!(
            out,
            "  security token: {}",
            self.opt("security_token")
                .map_or("none".to_owned(), |t| format!("{} chars", t.len()))
        );
        let _ = writeln!(out, "  body: {:?}", String::from_utf8_lossy(&self.body()));
        let _ = writeln!(out, "  the SDK's canonical request:");
        for line in self.str("canonical_request").split('\n') {
            let _ = writeln!(out, "    | {line}");
        }
        let _ = writeln!(out, "  the SDK's string to sign:");
        for line in self.str("string_to_sign").split('\n') {
            let _ = writeln!(out, "    | {line}");
        }
        out
    }
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The vectors, from one run of the Python script shared by every test of this file.
fn vectors() -> Vec<Vector> {
    static DOCUMENT: OnceLock<Result<Value, String>> = OnceLock::new();
    let document = DOCUMENT.get_or_init(|| {
        let python = python()?;
        run_json(
            python_command(&python).arg(script("signer_vectors.py")),
            Duration::from_secs(60),
        )
    });
    let document = document.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(document["sdk_version"], "3.1.219", "the pinned SDK version");
    document["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .map(|json| Vector { json })
        .collect()
}

/// Signs the vector's request with api_auth: the headers of `X-Sdk-Date`,
/// `X-Security-Token` and `Authorization`, or the signer's error.
fn sign_with_rust(vector: &Vector) -> Result<[Option<String>; 3], SignError> {
    let mut headers = vector.headers("headers_to_sign");
    Signer::new().sign_parts(
        &vector.method(),
        &vector.uri(),
        &mut headers,
        &vector.body(),
        &vector.key(),
        vector.date(),
    )?;
    let get = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    Ok([
        get("authorization"),
        get("x-sdk-date"),
        get("x-security-token"),
    ])
}

/// A side-by-side of two `Authorization` values, part by part.
fn authorization_diff(expected: &str, actual: &str) -> String {
    let parts = |value: &str| -> Vec<String> {
        value
            .split_once(' ')
            .map_or(vec![value.to_owned()], |(algorithm, rest)| {
                std::iter::once(algorithm.to_owned())
                    .chain(rest.split(", ").map(str::to_owned))
                    .collect()
            })
    };
    let (expected, actual) = (parts(expected), parts(actual));
    let mut out = String::new();
    for index in 0..expected.len().max(actual.len()) {
        let e = expected.get(index).map_or("", String::as_str);
        let a = actual.get(index).map_or("", String::as_str);
        let mark = if e == a { "   " } else { "!! " };
        let _ = writeln!(out, "  {mark}sdk:  {e}");
        if e != a {
            let _ = writeln!(out, "  {mark}rust: {a}");
        }
    }
    out
}

#[test]
fn rust_signer_matches_the_official_python_signer() {
    let vectors = vectors();
    let mut identical = 0;
    let mut refused_as_designed = 0;
    let mut mismatches = Vec::new();
    for vector in &vectors {
        let name = vector.name();
        if known_divergence(name).is_some() {
            continue;
        }
        let expected = [
            vector.opt("authorization").map(str::to_owned),
            vector.opt("x_sdk_date").map(str::to_owned),
            vector.opt("x_security_token").map(str::to_owned),
        ];
        match sign_with_rust(vector) {
            Ok(actual) if actual == expected => identical += 1,
            Ok(actual) => {
                let mut report = format!("{name}: the signatures differ\n");
                report.push_str(&authorization_diff(
                    expected[0].as_deref().unwrap_or(""),
                    actual[0].as_deref().unwrap_or(""),
                ));
                for (index, header) in ["X-Sdk-Date", "X-Security-Token"].iter().enumerate() {
                    if expected[index + 1] != actual[index + 1] {
                        let _ = writeln!(
                            report,
                            "  !! {header}: sdk {:?}, rust {:?}",
                            expected[index + 1],
                            actual[index + 1]
                        );
                    }
                }
                report.push_str(&vector.describe());
                mismatches.push(report);
            }
            Err(SignError::InvalidHeaderValue { .. }) if vector.has_non_ascii_signed_value() => {
                // The SDK signs such values as UTF-8; api_auth refuses to (documented), and its
                // Verifier still accepts what the SDK sent (checked below).
                refused_as_designed += 1;
            }
            Err(error) => mismatches.push(format!(
                "{name}: the Rust signer refused the request: {error}\n{}",
                vector.describe()
            )),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} vectors differ from huaweicloudsdkcore's signer:\n\n{}",
        mismatches.len(),
        vectors.len(),
        mismatches.join("\n")
    );
    assert!(
        identical >= MIN_VECTORS,
        "only {identical} vectors compared identical; the script should make at least {MIN_VECTORS}"
    );
    assert_eq!(refused_as_designed, 1, "raw_non_ascii_header_value only");
    eprintln!(
        "{identical} vectors byte-identical, {refused_as_designed} refused by design (non-ASCII \
         header value), {} known divergence(s) checked separately",
        vectors
            .iter()
            .filter(|v| known_divergence(v.name()).is_some())
            .count()
    );
}

#[test]
fn rust_verifier_accepts_what_the_official_sdk_sends() {
    let mut failures = Vec::new();
    let vectors = vectors();
    for vector in &vectors {
        if known_divergence(vector.name()).is_some() {
            continue;
        }
        let (ak, sk) = (vector.str("ak").to_owned(), vector.str("sk").to_owned());
        let verifier = Verifier::new(move |id: &str| (id == ak).then(|| SecretKey::new(&sk)))
            .with_clock(Arc::new(FixedClock(
                vector.date().to_system_time().unwrap(),
            )));
        let headers = vector.headers("headers_sent");
        match verifier.verify_parts(&vector.method(), &vector.uri(), &headers, &vector.body()) {
            Ok(verified) => {
                assert_eq!(verified.access_key_id(), vector.str("ak"));
                assert_eq!(
                    verified.security_token().map(|t| t.expose()),
                    vector.opt("security_token"),
                    "{}",
                    vector.name()
                );
            }
            Err(error) => {
                failures.push(format!("{}: {error}\n{}", vector.name(), vector.describe()))
            }
        }
    }
    assert!(
        failures.is_empty(),
        "api_auth::Verifier refused {} of {} requests signed by huaweicloudsdkcore:\n\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

/// `key=value` with every byte outside `A-Za-z0-9-._~` escaped, in lowercase hex (the SDK
/// writes uppercase), and a key without a value written bare (the SDK writes `key=`).
fn unusual_query(pairs: &[Value]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|pair| {
            let (key, value) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            if value.is_empty() {
                encode(key)
            } else {
                format!("{}={}", encode(key), encode(value))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The SDK sends the query sorted and encoded its way; a request whose query comes in the
/// caller's order, with lowercase escapes and bare keys, has the same canonical query and so
/// the same signature.
#[test]
fn query_order_and_spelling_do_not_change_the_signature() {
    let vectors = vectors();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for vector in &vectors {
        let pairs = vector.json["query_pairs"].as_array().unwrap();
        if pairs.is_empty() || known_divergence(vector.name()).is_some() {
            continue;
        }
        let path = vector.uri().path().to_owned();
        let uri: Uri = format!("{path}?{}", unusual_query(pairs)).parse().unwrap();
        let mut headers = vector.headers("headers_to_sign");
        Signer::new()
            .sign_parts(
                &vector.method(),
                &uri,
                &mut headers,
                &vector.body(),
                &vector.key(),
                vector.date(),
            )
            .unwrap();
        let actual = headers["authorization"].to_str().unwrap();
        compared += 1;
        if actual != vector.str("authorization") {
            mismatches.push(format!(
                "{} sent as {uri}:\n{}{}",
                vector.name(),
                authorization_diff(vector.str("authorization"), actual),
                vector.describe()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(compared >= 10, "only {compared} vectors have a query");
}

/// An empty path. huaweicloudsdkcore cannot sign one (`Signer._process_canonical_uri` indexes
/// `url_path[-1]` of an empty string: `IndexError`), so its clients always send at least `/`;
/// api_auth signs an authority-only URI (`https://host`, `https://host?a=1`) as that `/`, which
/// is what such a request carries on the wire.
#[test]
fn an_empty_path_signs_like_the_root() {
    let vectors = vectors();
    let mut compared = 0;
    for name in ["raw_root_path", "raw_root_path_no_query"] {
        let vector = vectors.iter().find(|v| v.name() == name).unwrap();
        let query = vector
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let uri: Uri = format!("https://{}{query}", vector.str("host"))
            .parse()
            .unwrap();
        let mut headers = vector.headers("headers_to_sign");
        Signer::new()
            .sign_parts(
                &vector.method(),
                &uri,
                &mut headers,
                &vector.body(),
                &vector.key(),
                vector.date(),
            )
            .unwrap();
        assert_eq!(
            headers["authorization"].to_str().unwrap(),
            vector.str("authorization"),
            "{uri}"
        );
        compared += 1;
    }
    assert_eq!(compared, 2);
}

/// huaweicloudsdkcore signs a request whose `Content-Type` is neither JSON nor BSON with
/// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` and uses that literal as the payload hash of the
/// canonical request (`Signer._process_content_header` and `_process_hash_payload`). api_auth
/// does the same (it once hashed the body, a divergence this suite found), and its verifier
/// accepts the SDK's request.
#[test]
fn unsigned_payload_matches_the_sdk() {
    let vectors = vectors();
    let vector = vectors
        .iter()
        .find(|v| v.name() == "text_body_unsigned_payload")
        .unwrap();
    assert!(vector.str("authorization").contains("x-sdk-content-sha256"));
    assert!(
        vector
            .str("canonical_request")
            .ends_with("\nUNSIGNED-PAYLOAD")
    );
    let rust = sign_with_rust(vector).unwrap();
    assert_eq!(rust[0].as_deref(), vector.opt("authorization"));
    let (ak, sk) = (vector.str("ak").to_owned(), vector.str("sk").to_owned());
    let verifier = Verifier::new(move |id: &str| (id == ak).then(|| SecretKey::new(&sk)))
        .with_clock(Arc::new(FixedClock(
            vector.date().to_system_time().unwrap(),
        )));
    let result = verifier.verify_parts(
        &vector.method(),
        &vector.uri(),
        &vector.headers("headers_sent"),
        &vector.body(),
    );
    assert!(result.is_ok(), "{result:?}");
}
