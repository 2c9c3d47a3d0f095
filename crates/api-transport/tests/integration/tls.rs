//! HTTPS: private CAs, untrusted and mismatched certificates, HTTP/2 over ALPN.

use api_transport::{BuildError, HyperTransport, Transport, TransportError};
use http::{Method, Version};

use crate::common::{TestPki, builder, ok_json, request, start_http, start_https};

#[tokio::test]
async fn private_ca_added_is_trusted() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let transport = builder()
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}/v1/tasks", server.addr.port());
        let response = transport.send(request(Method::GET, &url)).await.unwrap();
        assert_eq!(response.body(), "{}");
    }
}

#[tokio::test]
async fn without_the_private_ca_it_is_a_tls_error() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let transport = builder().build().unwrap();
    let error = transport
        .send(request(Method::DELETE, &server.url("https", "/")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Tls { .. }), "{error:?}");
    assert!(!error.request_may_have_been_sent());
    assert!(
        error.to_string().contains("add_root_certificate"),
        "{error}"
    );
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn certificate_for_another_name_is_a_tls_error() {
    let pki = TestPki::for_names(&["api.example.test"]);
    let server = start_https(&pki, ok_json()).await;
    let transport = builder()
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let error = transport
        .send(request(Method::GET, &server.url("https", "/")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Tls { .. }), "{error:?}");
    assert!(
        error.to_string().contains("does not match the host name"),
        "{error}"
    );
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let server = start_http(ok_json()).await;
    let transport = builder().build().unwrap();
    let error = transport
        .send(request(Method::GET, &server.url("https", "/")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Tls { .. }), "{error:?}");
    assert!(!error.request_may_have_been_sent());
}

#[tokio::test]
async fn http2_is_negotiated_over_alpn_and_multiplexed_on_one_connection() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let transport = builder()
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    for _ in 0..5 {
        let response = transport
            .send(request(Method::DELETE, &server.url("https", "/v1/t")))
            .await
            .unwrap();
        assert_eq!(response.version(), Version::HTTP_2);
    }
    assert_eq!(server.connection_count(), 1);
    assert!(
        server
            .seen()
            .iter()
            .all(|seen| seen.version == Version::HTTP_2)
    );
}

#[tokio::test]
async fn http1_over_tls_when_http2_is_off() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let transport = builder()
        .http2(false)
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let response = transport
        .send(request(Method::GET, &server.url("https", "/")))
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
}

#[tokio::test]
async fn only_added_roots_when_built_in_roots_are_off() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let transport = builder()
        .built_in_roots(false)
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    transport
        .send(request(Method::GET, &server.url("https", "/")))
        .await
        .unwrap();

    let error = HyperTransport::builder()
        .built_in_roots(false)
        .build()
        .unwrap_err();
    assert!(matches!(error, BuildError::NoRootCertificates), "{error:?}");
}

#[test]
fn explicit_crypto_provider_is_used() {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    assert!(
        HyperTransport::builder()
            .crypto_provider(provider)
            .build()
            .is_ok()
    );
}

#[test]
fn bad_pem_is_a_build_error() {
    let error = HyperTransport::builder()
        .add_root_certificate(b"hello")
        .unwrap_err();
    assert!(matches!(error, BuildError::NoCertificateInPem), "{error:?}");
}

#[test]
fn pem_and_certificate_errors_keep_their_cause_as_the_source() {
    use std::error::Error as _;

    let not_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    let error = HyperTransport::builder()
        .add_root_certificate(not_base64)
        .unwrap_err();
    assert!(matches!(error, BuildError::InvalidPem { .. }), "{error:?}");
    assert!(error.source().is_some(), "{error:?}");

    let not_a_certificate = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let error = HyperTransport::builder()
        .add_root_certificate(not_a_certificate)
        .unwrap_err();
    assert!(
        matches!(error, BuildError::InvalidRootCertificate { .. }),
        "{error:?}"
    );
    // The rustls error, of the version the crate re-exports.
    let source = error.source().unwrap();
    assert!(source.is::<api_transport::rustls::Error>(), "{source:?}");
}

#[test]
fn the_re_exported_rustls_builds_a_crypto_provider() {
    let provider = api_transport::rustls::crypto::ring::default_provider();
    assert!(
        HyperTransport::builder()
            .crypto_provider(std::sync::Arc::new(provider))
            .build()
            .is_ok()
    );
}
