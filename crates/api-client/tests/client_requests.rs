//! What the client sends: the exact path and headers, and signatures the verifier accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use api_auth::{SecretKey, Verifier};
use api_client::{Client, Credentials, DeletionStatus, RetryPolicy, Timeouts, USER_AGENT};
use common::*;

#[tokio::test(start_paused = true)]
async fn sends_the_documented_request_with_every_header_signed() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "{ }"))]);
    let deleted = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap();
    assert_eq!(deleted.status, DeletionStatus::Deleted);
    assert_eq!(deleted.attempts, 1);
    assert_eq!(deleted.request_id.as_deref(), Some("rid-200"));

    let sent = sent.lock().unwrap();
    let request = &sent[0];
    assert_eq!(request.method(), "DELETE");
    assert_eq!(
        request.uri(),
        "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr"
    );
    let h = request.headers();
    assert_eq!(h["host"], "modelarts.cn-north-4.myhuaweicloud.com");
    assert_eq!(h["content-type"], "application/json");
    assert_eq!(h["user-agent"], USER_AGENT);
    assert!(
        USER_AGENT.contains("modelarts-processor-tasks")
            && USER_AGENT.contains(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(h["x-project-id"], PROJECT);
    assert_eq!(h["x-sdk-date"], "20261128T120001Z");
    let auth = h["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with(&format!(
            "SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature="
        )),
        "{auth}"
    );
    assert!(h["authorization"].is_sensitive());
    assert!(request.body().is_empty());

    // The server-side verifier accepts it (its clock is the same fixed one).
    let verifier = Verifier::new(|ak: &str| (ak == AK).then(|| SecretKey::new(SK)))
        .with_clock(ticking_clock());
    assert_eq!(verifier.verify(request).unwrap().access_key_id(), AK);
    let wrong =
        Verifier::new(|_: &str| Some(SecretKey::new("another-sk"))).with_clock(ticking_clock());
    assert!(wrong.verify(request).is_err());
}

#[tokio::test(start_paused = true)]
async fn temporary_credentials_sign_the_security_token() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "{}"))]);
    client_with(
        transport,
        Credentials::temporary(AK, SK, "session-token-value"),
    )
    .delete_processor_task(&task())
    .await
    .unwrap();
    let sent = sent.lock().unwrap();
    let h = sent[0].headers();
    assert_eq!(h["x-security-token"], "session-token-value");
    assert!(
        h["authorization"]
            .to_str()
            .unwrap()
            .contains("x-security-token")
    );
}

#[tokio::test(start_paused = true)]
async fn token_auth_sends_x_auth_token_and_no_signature() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "{}"))]);
    client_with(transport, Credentials::token("iam-token-value"))
        .delete_processor_task(&task())
        .await
        .unwrap();
    let sent = sent.lock().unwrap();
    let h = sent[0].headers();
    assert_eq!(h["x-auth-token"], "iam-token-value");
    assert!(h["x-auth-token"].is_sensitive());
    assert!(h.get("authorization").is_none() && h.get("x-sdk-date").is_none());
}

#[tokio::test(start_paused = true)]
async fn every_attempt_is_signed_afresh() {
    let (transport, sent) = scripted(vec![
        Ok(error_reply(503, "ModelArts.4700")),
        Ok(reply(200, "{}")),
    ]);
    let deleted = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap();
    assert_eq!(deleted.attempts, 2);
    let sent = sent.lock().unwrap();
    assert_ne!(
        sent[0].headers()["x-sdk-date"],
        sent[1].headers()["x-sdk-date"]
    );
    assert_ne!(
        sent[0].headers()["authorization"],
        sent[1].headers()["authorization"]
    );
    let verifier = Verifier::new(|_: &str| Some(SecretKey::new(SK))).with_clock(ticking_clock());
    for request in sent.iter() {
        verifier.verify(request).unwrap();
    }
}

#[tokio::test]
async fn credentials_come_from_the_provider_before_each_attempt() {
    let mut provider = api_client::credentials::MockCredentialsProvider::new();
    provider
        .expect_credentials()
        .times(2)
        .returning(|| Ok(Credentials::token("t")));
    let (transport, _sent) = scripted(vec![
        Ok(error_reply(500, "ModelArts.0010")),
        Ok(reply(200, "{}")),
    ]);
    let client = api_client::Client::builder()
        .endpoint("http://127.0.0.1:1")
        .project_id(PROJECT)
        .credentials(provider)
        .transport(transport)
        .retry_policy(
            api_client::RetryPolicy::default()
                .with_initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    assert_eq!(
        client
            .delete_processor_task(&task())
            .await
            .unwrap()
            .attempts,
        2
    );
}

#[tokio::test]
async fn a_failing_provider_sends_nothing() {
    let mut provider = api_client::credentials::MockCredentialsProvider::new();
    provider.expect_credentials().times(1).returning(|| {
        Err(api_client::CredentialsError::Missing(
            "set HUAWEICLOUD_SDK_AK".into(),
        ))
    });
    let mut transport = api_transport::MockTransport::new();
    transport.expect_send().never();
    let client = api_client::Client::builder()
        .endpoint("http://localhost:1")
        .project_id(PROJECT)
        .credentials(provider)
        .transport(transport)
        .build()
        .unwrap();
    let err = client.delete_processor_task(&task()).await.unwrap_err();
    assert!(matches!(err, api_client::Error::Credentials(_)), "{err:?}");
    assert_eq!(err.attempts(), 0);
    assert!(!err.request_may_have_been_sent());
    assert!(err.to_string().contains("HUAWEICLOUD_SDK_AK"), "{err}");
}

#[test]
fn builder_refuses_cleartext_to_other_machines() {
    let build = |url: &str, allow: bool| {
        api_client::Client::builder()
            .endpoint(url)
            .project_id(PROJECT)
            .credentials(Credentials::ak_sk(AK, SK))
            .transport(api_transport::MockTransport::new())
            .allow_insecure_http(allow)
            .build()
    };
    let err = build("http://modelarts.example.com", false).unwrap_err();
    assert!(err.to_string().contains("in the clear"), "{err}");
    assert!(build("http://modelarts.example.com", true).is_ok());
    for loopback in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ] {
        assert!(build(loopback, false).is_ok(), "{loopback}");
    }
    assert!(build("https://modelarts.example.com", false).is_ok());
}

#[test]
fn builder_names_what_is_missing_or_invalid() {
    let err = api_client::Client::builder()
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("no endpoint"), "{err}");
    let err = api_client::Client::builder()
        .region("cn-north-4")
        .project_id("ABC")
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid project id \"ABC\""), "{err}");
    let err = api_client::Client::builder()
        .region("Bad Region")
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown region \"Bad Region\""), "{err}");
    let err = api_client::Client::builder()
        .region("eu-de")
        .project_id(PROJECT)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown region \"eu-de\"") && err.contains("cn-north-4"),
        "{err}"
    );
    let err = api_client::Client::builder()
        .region("cn-north-4")
        .project_id(PROJECT)
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("no credentials"), "{err}");
    let c = api_client::Client::builder()
        .region("ap-southeast-1")
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk(AK, SK))
        .build()
        .unwrap();
    assert_eq!(
        c.endpoint().to_string(),
        "https://modelarts.ap-southeast-1.myhuaweicloud.cn"
    );
    let _ = Arc::new(c);
}

#[tokio::test(start_paused = true)]
async fn the_app_name_and_default_headers_are_sent_and_signed() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "{}"))]);
    let client = Client::builder()
        .endpoint("https://modelarts.cn-north-4.myhuaweicloud.com")
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk(AK, SK))
        .transport(transport)
        .clock(ticking_clock())
        .app_name("nightly-cleaner", "1.4.2")
        .default_header("X-Trace-Id", "trace-1")
        .build()
        .unwrap();
    client.delete_processor_task(&task()).await.unwrap();
    let sent = sent.lock().unwrap();
    let h = sent[0].headers();
    assert_eq!(
        h["user-agent"],
        format!("{USER_AGENT} nightly-cleaner/1.4.2")
    );
    assert_eq!(h["x-trace-id"], "trace-1");
    let auth = h["authorization"].to_str().unwrap();
    assert!(
        auth.contains(
            "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date;x-trace-id,"
        ),
        "{auth}"
    );
    let verifier = Verifier::new(|ak: &str| (ak == AK).then(|| SecretKey::new(SK)))
        .with_clock(ticking_clock());
    assert!(verifier.verify(&sent[0]).is_ok());

    for refused in [
        Client::builder().app_name("nightly cleaner", "1"),
        Client::builder().default_header("Authorization", "x"),
        Client::builder().default_header("X-Trace-Id", "a\r\nb"),
    ] {
        let err = refused
            .endpoint("https://modelarts.cn-north-4.myhuaweicloud.com")
            .project_id(PROJECT)
            .credentials(Credentials::ak_sk(AK, SK))
            .build()
            .unwrap_err();
        assert!(matches!(err, api_client::Error::InvalidInput(_)), "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn handles_with_other_settings_share_the_clients_transport() {
    // One transport (one pool) answers both: the client retries a 503 up to its 3 attempts,
    // the handle made with one attempt stops at the first; the handle's timeouts and
    // throttling are its own, and the client's are unchanged.
    let (transport, sent) = scripted(vec![
        Ok(reply(503, "{}")),
        Ok(reply(503, "{}")),
        Ok(reply(200, "{}")),
        Ok(reply(503, "{}")),
    ]);
    let client = client_with_retry(
        transport,
        RetryPolicy::default()
            .with_max_attempts(3)
            .with_initial_backoff(std::time::Duration::from_millis(1)),
    );
    let impatient = client
        .with_retry_policy(RetryPolicy::default().with_max_attempts(1))
        .with_timeouts(Timeouts::default().with_deadline(std::time::Duration::from_secs(5)))
        .with_throttling(api_client::Throttling::Off);
    assert_eq!(
        client
            .delete_processor_task(&task())
            .await
            .unwrap()
            .attempts,
        3
    );
    let err = impatient.delete_processor_task(&task()).await.unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(sent.lock().unwrap().len(), 4);
    assert_eq!(
        impatient.timeouts().deadline(),
        std::time::Duration::from_secs(5)
    );
    assert_eq!(client.timeouts(), Timeouts::default());
    assert_eq!(client.send_rate("DeleteProcessorTask"), None);
}
