//! More vectors, produced with the official Python SDK's signer (`huaweicloudsdkcore` 3.1.219,
//! `huaweicloudsdkcore.signer.signer.Signer`), for the edge cases of the canonical form.
//!
//! Each was made by signing an `SdkRequest` with `X-Sdk-Date: 20191115T033655Z`,
//! `Host: service.region.example.com`, the keys of the third official vector, and the decoded
//! query parameters given in the comment. Here the same request is written as a URL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failure should panic.

mod common;

use api_auth::Signer;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

fn sign(method: Method, url: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let mut map = HeaderMap::new();
    map.insert(
        "host",
        HeaderValue::from_static("service.region.example.com"),
    );
    for (name, value) in headers {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let uri: Uri = url.parse().unwrap();
    Signer::new()
        .sign_parts(
            &method,
            &uri,
            &mut map,
            body,
            &common::key(),
            "20191115T033655Z".parse().unwrap(),
        )
        .unwrap();
    map[AUTHORIZATION].to_str().unwrap().to_owned()
}

fn expected(signed_headers: &str, signature: &str) -> String {
    format!(
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

#[test]
fn encoded_slash_and_space_in_the_path() {
    // resource_path "/v1/a%2Fb/c%20d": the SDK unquotes the whole path before splitting it, so
    // the `%2F` separates segments: the canonical URI is "/v1/a/b/c%20d/".
    assert_eq!(
        sign(Method::GET, "/v1/a%2Fb/c%20d", &[], b""),
        expected(
            "host;x-sdk-date",
            "88e855300fad1a4c0187c0f005a44898a6ff1d65a147505479120ae812b2d1fc"
        )
    );
}

#[test]
fn unicode_path_and_a_query_needing_every_rule() {
    // resource_path "/v1/%E4%B8%80/x/", query [("test", "一 (&=?!#%.*)"), ("multi", "3"),
    // ("multi", "1"), ("path", "/tmp/123"), ("flag", ""), ("limit", "1")].
    assert_eq!(
        sign(
            Method::GET,
            "/v1/%E4%B8%80/x/?test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&multi=3&multi=1\
             &path=/tmp/123&flag&limit=1",
            &[],
            b""
        ),
        expected(
            "host;x-sdk-date",
            "fdc436386deabc259f6e430f731f13dca157c47c5890b9cd3a0bb9ab5eee6390"
        )
    );
}

#[test]
fn body_trimmed_value_and_an_unsigned_underscore_header() {
    // Headers Content-Type: application/json, X-Project-Id: "  p1  ", X_Custom: ignored.
    assert_eq!(
        sign(
            Method::POST,
            "/v2/p/processor-tasks",
            &[
                ("content-type", "application/json"),
                ("x-project-id", "  p1  "),
                ("x_custom", "ignored"),
            ],
            br#"{"name":"x"}"#
        ),
        expected(
            "content-type;host;x-project-id;x-sdk-date",
            "6840a106c930bf9c11646af9d4aea41551a6eb987089f8f86cc8acb8cf71f08d"
        )
    );
}

#[test]
fn the_benchmarked_delete() {
    assert_eq!(
        sign(
            Method::DELETE,
            "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr",
            &[
                ("content-type", "application/json"),
                ("x-project-id", "a4a5d4098fb4474fa22cd05f897d6b99"),
                ("user-agent", "processor-tasks-sdk-rust/0.1.0"),
            ],
            b""
        ),
        expected(
            "content-type;host;user-agent;x-project-id;x-sdk-date",
            "130f2f780509448a6406db233ea3f8905349412ef80bf7e7ed9c4fe139446296"
        )
    );
}

#[test]
fn reserved_characters_in_path_and_query() {
    // resource_path "/v1/a:b@c!$'()*,;=+&", query [("k+y", "v+l"), ("a", "~-._")]: a literal
    // `+` in a query is sent as `%2B` (a bare `+` would be a space).
    assert_eq!(
        sign(
            Method::GET,
            "/v1/a:b@c!$'()*,;=+&?k%2By=v%2Bl&a=~-._",
            &[],
            b""
        ),
        expected(
            "host;x-sdk-date",
            "9b946ad1c9f148c796a6abdd3accec84e84db0a3a51cc3785222218970e65272"
        )
    );
}
