//! The ECS metadata service: v1 (no token), session tokens, required tokens, an old service
//! without tokens, a token that expires once, and an instance without an agency.

use api_emulator::{Emulator, IdentityConfig};
use http::Method;

use super::*;

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const KEY_PATH: &str = "/openstack/latest/securitykey";
const AGENCY: &str = "Please configure Cloud Service Agency first";

async fn put_token(emu: &Emulator) -> Raw {
    call(
        emu,
        Method::PUT,
        TOKEN_PATH,
        &[("x-metadata-token-ttl-seconds", "21600")],
        "",
    )
    .await
}

async fn security_key(emu: &Emulator, token: Option<&str>) -> Raw {
    let headers: Vec<(&str, &str)> = token
        .map(|token| ("x-metadata-token", token))
        .into_iter()
        .collect();
    call(emu, Method::GET, KEY_PATH, &headers, "").await
}

#[track_caller]
fn assert_credential(answer: &Raw) -> Issued {
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json.as_object().unwrap().len(), 1, "{json}");
    assert_eq!(json["credential"].as_object().unwrap().len(), 4, "{json}");
    let issued = Issued::from(&json, KEYSTONE);
    issued.assert_shapes();
    issued
}

#[tokio::test]
async fn v1_and_session_token_modes() {
    let emu = Emulator::builder().start().await.unwrap();
    // v1: no token needed.
    let first = assert_credential(&security_key(&emu, None).await);
    // Session tokens: the TTL header is required and bounded.
    for ttl in [None, Some("0"), Some("21601"), Some("six hours")] {
        let headers: Vec<(&str, &str)> = ttl
            .map(|ttl| ("x-metadata-token-ttl-seconds", ttl))
            .into_iter()
            .collect();
        let answer = call(&emu, Method::PUT, TOKEN_PATH, &headers, "").await;
        assert_eq!(answer.status, 400, "{ttl:?}");
        assert!(answer.text().contains("X-Metadata-Token-Ttl-Seconds"));
    }
    let answer = put_token(&emu).await;
    assert_eq!(answer.status, 200);
    assert!(answer.header("content-type").starts_with("text/plain"));
    let token = answer.text();
    assert!(token.len() >= 32 && token.bytes().all(|b| b.is_ascii_alphanumeric()));
    let second = assert_credential(&security_key(&emu, Some(&token)).await);
    assert_ne!(first.access, second.access);
    // A token it did not issue is refused, without the agency text (clients retry).
    let answer = security_key(&emu, Some("not-a-token")).await;
    assert_eq!(answer.status, 401);
    assert!(!answer.text().contains(AGENCY));

    let stats = emu.identity_stats();
    assert_eq!(stats.metadata_token_puts, 5);
    assert_eq!(stats.metadata_credentials_issued, 2);
    assert_eq!(stats.requests_refused, 5);
    assert_eq!(stats.credentials_issued(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_required_token_and_an_old_service_without_tokens() {
    let emu = Emulator::builder()
        .identity(IdentityConfig::new().metadata_token_required(true))
        .start()
        .await
        .unwrap();
    let answer = security_key(&emu, None).await;
    assert_eq!(answer.status, 401);
    assert!(answer.text().contains("X-Metadata-Token"));
    assert!(!answer.text().contains(AGENCY));
    let token = put_token(&emu).await.text();
    assert_credential(&security_key(&emu, Some(&token)).await);
    emu.shutdown().await;

    let old = Emulator::builder()
        .identity(IdentityConfig::new().metadata_token_supported(false))
        .start()
        .await
        .unwrap();
    assert_eq!(put_token(&old).await.status, 404);
    assert_credential(&security_key(&old, None).await);
    let stats = old.identity_stats();
    assert_eq!(
        (stats.metadata_token_puts, stats.metadata_credentials_issued),
        (1, 1)
    );
    old.shutdown().await;
}

#[tokio::test]
async fn a_token_expires_once_then_a_new_one_works() {
    let emu = Emulator::builder()
        .identity(IdentityConfig::new().metadata_expire_tokens_once(true))
        .start()
        .await
        .unwrap();
    // Without a token (v1), nothing expires.
    assert_credential(&security_key(&emu, None).await);
    let first = put_token(&emu).await.text();
    let answer = security_key(&emu, Some(&first)).await;
    assert_eq!(answer.status, 401);
    assert!(answer.text().contains("expired"), "{}", answer.text());
    assert!(!answer.text().contains(AGENCY));
    // The expired token stays expired.
    assert_eq!(security_key(&emu, Some(&first)).await.status, 401);
    // A new token works, and keeps working.
    let second = put_token(&emu).await.text();
    assert_credential(&security_key(&emu, Some(&second)).await);
    assert_credential(&security_key(&emu, Some(&second)).await);
    let stats = emu.identity_stats();
    assert_eq!(stats.metadata_token_puts, 2);
    assert_eq!(stats.metadata_credentials_issued, 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_instance_without_an_agency() {
    let emu = Emulator::builder()
        .identity(IdentityConfig::new().metadata_agency_missing(true))
        .start()
        .await
        .unwrap();
    let token = put_token(&emu).await.text();
    for token in [None, Some(token.as_str())] {
        let answer = security_key(&emu, token).await;
        assert_eq!(answer.status, 401);
        assert!(answer.text().contains(AGENCY), "{}", answer.text());
    }
    assert_eq!(emu.identity_stats().metadata_credentials_issued, 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn session_tokens_expire_by_the_emulators_clock_and_expiries_can_lack_a_fraction() {
    let clock = ManualClock::new();
    let emu = Emulator::builder()
        .clock(clock.clone())
        .identity(IdentityConfig::new().expiry_without_fraction(true))
        .start()
        .await
        .unwrap();
    let token = call(
        &emu,
        Method::PUT,
        TOKEN_PATH,
        &[("x-metadata-token-ttl-seconds", "60")],
        "",
    )
    .await
    .text();
    let answer = security_key(&emu, Some(&token)).await;
    assert_eq!(answer.status, 200);
    // 2030-01-01T00:00:00Z + 1 h, without a fraction.
    assert_eq!(
        answer.json()["credential"]["expires_at"],
        "2030-01-01T01:00:00Z"
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(security_key(&emu, Some(&token)).await.status, 401);
    emu.shutdown().await;
}
