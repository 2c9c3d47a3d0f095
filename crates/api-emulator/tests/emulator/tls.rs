//! HTTPS with a private CA (rcgen): HTTP/2 by ALPN, signed requests accepted.

use std::sync::Arc;
use std::time::Duration;

use api_transport::HyperTransport;
use http::{Method, Version};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};

use crate::common::*;

/// A CA, and a server config whose leaf (signed by it) names 127.0.0.1 and localhost.
fn pki(alpn: &[&[u8]]) -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "api-emulator test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    (ca_cert.pem(), Arc::new(config))
}

fn https_transport(ca_pem: &str) -> HyperTransport {
    HyperTransport::builder()
        .no_proxy()
        .built_in_roots(false)
        .add_root_certificate(ca_pem.as_bytes())
        .unwrap()
        .response_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn https_serves_http2_by_alpn() {
    let (ca, config) = pki(&[b"h2", b"http/1.1"]);
    let emu = builder(3).tls(config).start().await.unwrap();
    assert!(emu.endpoint().starts_with("https://127.0.0.1:"));
    let mut client = Client::new(&emu);
    client.transport = https_transport(&ca);
    let task = ids(&emu, &project())[0].clone();
    let answer = client.delete(&task).await;
    answer.expect(200, None);
    assert_eq!(answer.response.version(), Version::HTTP_2);
    client
        .delete(&task)
        .await
        .expect(400, Some("ModelArts.4700"));
    client
        .send(client.unsigned(Method::GET, &collection(PROJECT), ""))
        .await
        .expect(401, Some("APIG.0301"));
    assert_eq!(emu.store().count(&project()), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn https_serves_http1_without_h2_in_alpn() {
    let (ca, config) = pki(&[b"http/1.1"]);
    let emu = builder(1).tls(config).start().await.unwrap();
    let mut client = Client::new(&emu);
    client.transport = https_transport(&ca);
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    answer.expect(200, None);
    assert_eq!(answer.response.version(), Version::HTTP_11);
    emu.shutdown().await;
}
