//! Pod identity (`POST /v1/credentials`) and STS OIDC (`POST /v5/agencies/assume-with-oidc`).

use api_emulator::{DEMO_POD_IDENTITY_TOKEN, Emulator, IdentityConfig};
use http::Method;
use serde_json::{Value, json};

use super::*;

const OIDC_PATH: &str = "/v5/agencies/assume-with-oidc";

fn oidc_body() -> Value {
    json!({
        "provider_urn": "iam::0123456789:identityprovider:github",
        "agency_urn": "iam::0123456789:agency:ci",
        "agency_session_name": "oidc-sts-session",
        "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        "duration_seconds": 900,
    })
}

async fn assume(emu: &Emulator, body: &str) -> Raw {
    call(
        emu,
        Method::POST,
        OIDC_PATH,
        &[("content-type", "application/json;charset=UTF-8")],
        body,
    )
    .await
}

#[tokio::test]
async fn pod_identity_needs_the_pods_token() {
    let clock = ManualClock::new();
    let emu = Emulator::builder().clock(clock).start().await.unwrap();
    let answer = pod_credentials(&emu, DEMO_POD_IDENTITY_TOKEN).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    let issued = Issued::from(&json, POD);
    issued.assert_shapes();
    assert_eq!(issued.expires, "2030-01-01T01:00:00.000000Z");
    for field in [
        "assumedAgency",
        "audience",
        "podIdentityAssociationId",
        "subject",
    ] {
        assert!(!json[field].as_str().unwrap().is_empty(), "{field}: {json}");
    }

    let message = pod_credentials(&emu, "Bearer demo-pod-identity-token")
        .await
        .expect_error(401, "APIG.0301");
    assert!(message.contains("not valid"), "{message}");
    let no_token = call(&emu, Method::POST, "/v1/credentials", &[], "{}").await;
    assert!(
        no_token
            .expect_error(401, "APIG.0301")
            .contains("Authorization")
    );
    let not_json = call(
        &emu,
        Method::POST,
        "/v1/credentials",
        &[("authorization", DEMO_POD_IDENTITY_TOKEN)],
        "[",
    )
    .await;
    not_json.expect_error(400, "IAM.0007");
    // Another method on the path is not a route.
    call(&emu, Method::GET, "/v1/credentials", &[], "")
        .await
        .expect_error(404, "APIG.0101");
    let stats = emu.identity_stats();
    assert_eq!(
        (stats.pod_credentials_issued, stats.requests_refused),
        (1, 3)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn pod_identity_takes_a_configured_token() {
    let emu = Emulator::builder()
        .identity(IdentityConfig::new().pod_identity_token("my-pod-token"))
        .start()
        .await
        .unwrap();
    assert_eq!(pod_credentials(&emu, "my-pod-token").await.status, 200);
    assert_eq!(
        pod_credentials(&emu, DEMO_POD_IDENTITY_TOKEN).await.status,
        401
    );
    // An empty body is taken as {}.
    let answer = call(
        &emu,
        Method::POST,
        "/v1/credentials",
        &[("authorization", "my-pod-token")],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn oidc_gives_the_duration_asked_for() {
    let clock = ManualClock::new();
    let emu = Emulator::builder().clock(clock).start().await.unwrap();
    let answer = assume(&emu, &oidc_body().to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json.as_object().unwrap().len(), 1, "{json}");
    let issued = Issued::from(&json, STS);
    issued.assert_shapes();
    assert_eq!(issued.expires, "2030-01-01T00:15:00.000000Z");
    // With policies too.
    let mut with_policy = oidc_body();
    with_policy["policy"] = json!("{\"Version\":\"5.0\"}");
    with_policy["policy_ids"] = json!(["p1", "p2"]);
    assert_eq!(assume(&emu, &with_policy.to_string()).await.status, 200);
    assert_eq!(emu.identity_stats().oidc_credentials_issued, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn oidc_lifetimes_are_capped_by_an_explicit_ttl() {
    let clock = ManualClock::new();
    let emu = Emulator::builder()
        .clock(clock)
        .identity(IdentityConfig::new().credential_ttl(Duration::from_secs(60)))
        .start()
        .await
        .unwrap();
    let answer = assume(&emu, &oidc_body().to_string()).await;
    let issued = Issued::from(&answer.json(), STS);
    assert_eq!(issued.expires, "2030-01-01T00:01:00.000000Z");
    emu.shutdown().await;
}

#[tokio::test]
async fn oidc_refuses_incomplete_requests_with_sts_0001() {
    let emu = Emulator::builder().start().await.unwrap();
    let mut bodies = vec!["".to_owned(), "not json".to_owned(), "[]".to_owned()];
    for field in [
        "provider_urn",
        "agency_urn",
        "agency_session_name",
        "id_token",
        "duration_seconds",
    ] {
        let mut missing = oidc_body();
        missing.as_object_mut().unwrap().remove(field);
        bodies.push(missing.to_string());
        let mut empty = oidc_body();
        empty[field] = json!("");
        bodies.push(empty.to_string());
    }
    for (field, value) in [
        ("duration_seconds", json!("900")),
        ("duration_seconds", json!(0)),
        ("duration_seconds", json!(-5)),
        ("duration_seconds", json!(1.5)),
        ("id_token", json!(7)),
        ("policy", json!({"Version": "5.0"})),
        ("policy_ids", json!("p1")),
        ("policy_ids", json!([1])),
    ] {
        let mut wrong = oidc_body();
        wrong[field] = value;
        bodies.push(wrong.to_string());
    }
    for body in &bodies {
        let message = assume(&emu, body).await.expect_error(400, "STS.0001");
        assert!(!message.is_empty());
    }
    let stats = emu.identity_stats();
    assert_eq!(stats.oidc_credentials_issued, 0);
    assert_eq!(stats.requests_refused, bodies.len() as u64);
    emu.shutdown().await;
}
