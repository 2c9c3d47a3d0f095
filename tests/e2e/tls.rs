//! Item 1: the full stack over TLS with a private CA (HTTP/2 by ALPN), and an untrusted
//! certificate refused before any request reaches a handler.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;

use api_client::{Credentials, DeletionStatus, Error};
use api_transport::TransportError;
use e2e_tests::*;
use http::Version;

/// Seeds three tasks and serves HTTPS with a leaf of `pki`, offering `alpn`.
async fn https_emulator(pki: &TestPki, alpn: &[&[u8]]) -> api_emulator::Emulator {
    emulator()
        .with_tasks(&project(), ["tls-one", "tls-two", "tls-three"].map(task))
        .tls(pki.server_config(alpn))
        .start()
        .await
        .unwrap()
}

/// A transport that trusts only the test CA.
fn trusting(pki: &TestPki, http2: bool) -> RecordingTransport {
    RecordingTransport::new(
        transport_builder()
            .built_in_roots(false)
            .add_root_certificate(pki.ca_pem.as_bytes())
            .unwrap()
            .http2(http2)
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn a_delete_succeeds_over_https_with_http2_when_negotiated() {
    let pki = TestPki::new();
    let emu = https_emulator(&pki, &[b"h2", b"http/1.1"]).await;
    assert!(emu.endpoint().starts_with("https://127.0.0.1:"));

    let recording = trusting(&pki, true);
    let client = client_builder(
        &emu.endpoint(),
        Credentials::ak_sk(AK, SK),
        recording.shared(),
    )
    .build()
    .unwrap();
    let deleted = client
        .delete_processor_task(&task_id("tls-one"))
        .await
        .unwrap();
    assert_eq!(deleted.status, DeletionStatus::Deleted);
    assert_eq!(deleted.attempts, 1);
    assert!(deleted.request_id.is_some());

    // The certificate names `localhost` too: a host name (SNI) works as well as the IP.
    let by_name = client_builder(
        &emu.endpoint().replace("127.0.0.1", "localhost"),
        Credentials::token(TOKEN),
        recording.shared(),
    )
    .build()
    .unwrap();
    let deleted = by_name
        .delete_processor_task(&task_id("tls-two"))
        .await
        .unwrap();
    assert_eq!(deleted.status, DeletionStatus::Deleted);

    let versions = recording.versions();
    eprintln!("TLS with ALPN h2+http/1.1: reply versions {versions:?}");
    assert_eq!(versions, [Version::HTTP_2, Version::HTTP_2]);
    let stats = emu.stats();
    assert_eq!(stats.requests_received, 2);
    assert_eq!(stats.tasks_deleted, 2);
    let left: Vec<String> = emu
        .store()
        .task_ids(&project())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(left, ["tls-three"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn without_http2_the_same_stack_speaks_http1_over_tls() {
    let pki = TestPki::new();
    let emu = https_emulator(&pki, &[b"h2", b"http/1.1"]).await;
    let recording = trusting(&pki, false);
    let client = client_builder(
        &emu.endpoint(),
        Credentials::ak_sk(AK, SK),
        recording.shared(),
    )
    .build()
    .unwrap();
    client
        .delete_processor_task(&task_id("tls-one"))
        .await
        .unwrap();
    assert_eq!(recording.versions(), [Version::HTTP_11]);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_any_request_is_sent() {
    let pki = TestPki::new();
    let emu = https_emulator(&pki, &[b"h2", b"http/1.1"]).await;
    let before = emu.store().task_ids(&project());

    // No CA added: only the built-in (webpki) roots, which do not know the test CA.
    let recording = RecordingTransport::new(transport_builder().build().unwrap());
    let client = client_builder(
        &emu.endpoint(),
        Credentials::ak_sk(AK, SK),
        recording.shared(),
    )
    .build()
    .unwrap();
    let error = client
        .delete_processor_task(&task_id("tls-one"))
        .await
        .unwrap_err();

    let Error::Transport {
        source, attempts, ..
    } = &error
    else {
        panic!("expected a transport error, got {error:?}");
    };
    assert!(
        matches!(source, TransportError::Tls { .. }),
        "expected TransportError::Tls, got {source:?}"
    );
    assert!(!error.request_may_have_been_sent());
    assert!(!source.request_may_have_been_sent());
    // A certificate problem does not go away by itself: not retried.
    assert_eq!(*attempts, 1);
    assert!(!error.is_retryable());
    let message = error.to_string();
    assert!(message.contains("TLS handshake"), "{message}");
    assert!(message.contains("add_root_certificate"), "{message}");
    assert!(message.contains("was never sent"), "{message}");
    // The rustls error is in the source chain.
    let mut chain = String::new();
    let mut next = error.source();
    while let Some(cause) = next {
        chain.push_str(&format!(" <- {cause}"));
        next = cause.source();
    }
    assert!(chain.to_lowercase().contains("certificate"), "{chain}");

    let stats = emu.stats();
    assert!(stats.connections_accepted >= 1, "{stats:?}");
    assert_eq!(stats.requests_received, 0, "{stats:?}");
    assert_eq!(stats.tasks_deleted, 0);
    assert_eq!(emu.store().task_ids(&project()), before);
    emu.shutdown().await;
}
