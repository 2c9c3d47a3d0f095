//! IAM federated id-token mode: `POST /v3.0/OS-AUTH/id-token/tokens` then
//! `POST /v3.0/OS-CREDENTIAL/securitytokens`.

use api_emulator::{Emulator, IdentityConfig};
use http::Method;
use serde_json::json;

use super::*;

const TOKENS_PATH: &str = "/v3.0/OS-AUTH/id-token/tokens";
const CREDENTIALS_PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";
const JSON_UTF8: (&str, &str) = ("content-type", "application/json;charset=UTF-8");

async fn subject_token(emu: &Emulator, idp: Option<&str>, body: &str) -> Raw {
    let mut headers = vec![JSON_UTF8];
    if let Some(idp) = idp {
        headers.push(("x-idp-id", idp));
    }
    call(emu, Method::POST, TOKENS_PATH, &headers, body).await
}

fn id_token_body(id: &str) -> String {
    json!({"auth": {"id_token": {"id": id}}}).to_string()
}

fn credentials_body(token: &str, duration: Option<u64>) -> String {
    let mut body = json!({
        "auth": {"identity": {"methods": ["token"], "token": {"id": token}}}
    });
    if let Some(duration) = duration {
        body["auth"]["identity"]["token"]["duration_seconds"] = json!(duration);
    }
    body.to_string()
}

async fn credentials(emu: &Emulator, body: &str) -> Raw {
    call(emu, Method::POST, CREDENTIALS_PATH, &[JSON_UTF8], body).await
}

#[tokio::test]
async fn an_id_token_gives_a_subject_token_then_credentials() {
    let clock = ManualClock::new();
    let emu = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let answer = subject_token(&emu, Some("my-idp"), &id_token_body("eyJ.id.token")).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let subject = answer.header("x-subject-token").to_owned();
    assert!(subject.len() >= 64);
    let json = answer.json();
    assert_eq!(json["token"]["expires_at"], "2030-01-02T00:00:00.000000Z");
    assert_eq!(
        json["token"]["user"]["OS-FEDERATION"]["identity_provider"]["id"],
        "my-idp"
    );

    // The SDKs ask for 6 hours.
    let answer = credentials(&emu, &credentials_body(&subject, Some(21_600))).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json["credential"].as_object().unwrap().len(), 4, "{json}");
    let issued = Issued::from(&json, KEYSTONE);
    issued.assert_shapes();
    assert_eq!(issued.expires, "2030-01-01T06:00:00.000000Z");
    // Without a duration: the credential TTL; the subject token is reusable.
    let answer = credentials(&emu, &credentials_body(&subject, None)).await;
    assert_eq!(
        Issued::from(&answer.json(), KEYSTONE).expires,
        "2030-01-01T01:00:00.000000Z"
    );
    // A day later the subject token has expired.
    clock.advance(Duration::from_secs(24 * 3600));
    let message = credentials(&emu, &credentials_body(&subject, Some(900)))
        .await
        .expect_error(401, "APIG.0301");
    assert!(message.contains("subject token"), "{message}");

    let stats = emu.identity_stats();
    assert_eq!(stats.federated_tokens_issued, 1);
    assert_eq!(stats.federated_credentials_issued, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_explicit_ttl_caps_federated_credentials() {
    let clock = ManualClock::new();
    let emu = Emulator::builder()
        .clock(clock)
        .identity(IdentityConfig::new().credential_ttl(Duration::from_secs(1800)))
        .start()
        .await
        .unwrap();
    let subject = subject_token(&emu, Some("idp"), &id_token_body("t")).await;
    let subject = subject.header("x-subject-token").to_owned();
    let answer = credentials(&emu, &credentials_body(&subject, Some(21_600))).await;
    assert_eq!(
        Issued::from(&answer.json(), KEYSTONE).expires,
        "2030-01-01T00:30:00.000000Z"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn incomplete_requests_are_refused() {
    let emu = Emulator::builder().start().await.unwrap();
    subject_token(&emu, None, &id_token_body("t"))
        .await
        .expect_error(400, "IAM.0007");
    subject_token(&emu, Some(" "), &id_token_body("t"))
        .await
        .expect_error(400, "IAM.0007");
    for body in [
        String::new(),
        "nope".to_owned(),
        id_token_body(""),
        json!({"auth": {"id_token": {}}}).to_string(),
        json!({"auth": {"id_token": {"id": 5}}}).to_string(),
    ] {
        subject_token(&emu, Some("idp"), &body)
            .await
            .expect_error(400, "IAM.0007");
    }
    let subject = subject_token(&emu, Some("idp"), &id_token_body("t")).await;
    let subject = subject.header("x-subject-token").to_owned();
    for body in [
        "nope".to_owned(),
        json!({"auth": {"identity": {"methods": ["password"], "token": {"id": subject}}}})
            .to_string(),
        json!({"auth": {"identity": {"token": {"id": subject}}}}).to_string(),
        credentials_body("", Some(900)),
        json!({"auth": {"identity": {"methods": ["token"], "token": {"id": subject, "duration_seconds": "900"}}}})
            .to_string(),
        json!({"auth": {"identity": {"methods": ["token"], "token": {"id": subject, "duration_seconds": 0}}}})
            .to_string(),
    ] {
        credentials(&emu, &body)
            .await
            .expect_error(400, "IAM.0007");
    }
    credentials(&emu, &credentials_body("not-a-subject-token", Some(900)))
        .await
        .expect_error(401, "APIG.0301");
    let stats = emu.identity_stats();
    assert_eq!(stats.federated_tokens_issued, 1);
    assert_eq!(stats.federated_credentials_issued, 0);
    assert_eq!(stats.requests_refused, 14);
    emu.shutdown().await;
}
