//! Proxies: CONNECT tunnels for HTTPS, absolute-form forwarding for HTTP, bypass lists, and the environment.

use std::process::Command;

use api_transport::{HyperTransport, Transport};
use http::Method;

use crate::common::{TestPki, builder, ok_json, request, start_http, start_https, start_proxy};

#[tokio::test]
async fn https_goes_through_a_connect_tunnel() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let proxy = start_proxy().await;
    let transport = builder()
        .proxy(&proxy.url())
        .unwrap()
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    for _ in 0..3 {
        let response = transport
            .send(request(Method::GET, &server.url("https", "/v1/t")))
            .await
            .unwrap();
        assert_eq!(response.body(), "{}");
    }
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "one tunnel, reused: {seen:?}");
    assert_eq!(
        seen[0].request_line,
        format!("CONNECT {} HTTP/1.1", server.addr)
    );
    assert_eq!(seen[0].proxy_authorization, None);
    assert_eq!(server.connection_count(), 1);
}

#[tokio::test]
async fn proxy_credentials_go_in_the_connect_request() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let proxy = start_proxy().await;
    let url = format!("http://user:pa%20ss@{}", proxy.server.addr);
    let transport = builder()
        .proxy(&url)
        .unwrap()
        .add_root_certificate(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    transport
        .send(request(Method::GET, &server.url("https", "/")))
        .await
        .unwrap();
    // base64("user:pa ss")
    assert_eq!(
        proxy.seen()[0].proxy_authorization.as_deref(),
        Some("Basic dXNlcjpwYSBzcw==")
    );
    assert!(!format!("{transport:?}").contains("pa%20ss"));
}

#[tokio::test]
async fn plain_http_is_forwarded_in_absolute_form() {
    let target = start_http(ok_json()).await;
    let proxy = start_proxy().await;
    let url = format!("http://user:secret@{}", proxy.server.addr);
    let transport = builder().proxy(&url).unwrap().build().unwrap();
    let response = transport
        .send(request(Method::GET, &target.url("http", "/v1/a%2Fb?x=1")))
        .await
        .unwrap();
    assert_eq!(response.body(), "from the proxy");
    let seen = proxy.seen();
    assert_eq!(
        seen[0].request_line,
        format!("GET http://{}/v1/a%2Fb?x=1 HTTP/1.1", target.addr)
    );
    assert_eq!(
        seen[0].proxy_authorization.as_deref(),
        Some("Basic dXNlcjpzZWNyZXQ=")
    );
    assert_eq!(target.connection_count(), 0);
}

#[tokio::test]
async fn bypassed_hosts_go_direct() {
    let target = start_http(ok_json()).await;
    let proxy = start_proxy().await;
    let transport = builder()
        .proxy(&proxy.url())
        .unwrap()
        .proxy_bypass("127.0.0.1")
        .build()
        .unwrap();
    let response = transport
        .send(request(Method::GET, &target.url("http", "/")))
        .await
        .unwrap();
    assert_eq!(response.body(), "{}");
    assert!(proxy.seen().is_empty());
}

#[test]
fn invalid_proxy_urls_are_build_errors() {
    assert!(
        HyperTransport::builder()
            .proxy("https://proxy:443")
            .is_err()
    );
    assert!(
        HyperTransport::builder()
            .proxy("socks5://proxy:1080")
            .is_err()
    );
}

const CHILD_TARGET: &str = "API_TRANSPORT_TEST_CHILD_TARGET";
const CHILD_CA: &str = "API_TRANSPORT_TEST_CHILD_CA";

/// Runs in a child process (see `proxy_from_env`): sends one GET to `$CHILD_TARGET` with the
/// default builder, which reads the proxy environment. A no-op in a normal test run.
#[tokio::test]
async fn env_child() {
    let (Ok(target), Ok(ca)) = (std::env::var(CHILD_TARGET), std::env::var(CHILD_CA)) else {
        return;
    };
    let transport = HyperTransport::builder()
        .add_root_certificate(ca.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let response = transport.send(request(Method::GET, &target)).await.unwrap();
    assert_eq!(response.body(), "{}");
}

/// Runs `env_child` in a child process with `vars` as its only proxy settings.
async fn run_child(target: String, ca: String, vars: Vec<(&'static str, String)>) {
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(std::env::current_exe().unwrap());
        for name in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            command.env_remove(name);
        }
        for name in ["NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
            command.env_remove(name);
        }
        command
            .args(["--exact", "proxy::env_child", "--test-threads=1", "--quiet"])
            .env(CHILD_TARGET, target)
            .env(CHILD_CA, ca)
            .envs(vars)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "the child test failed: {}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_from_env_and_no_proxy() {
    let pki = TestPki::new();
    let server = start_https(&pki, ok_json()).await;
    let proxy = start_proxy().await;
    let target = server.url("https", "/v1/t");

    run_child(
        target.clone(),
        pki.ca_pem.clone(),
        vec![("https_proxy", proxy.url())],
    )
    .await;
    assert_eq!(proxy.seen().len(), 1, "HTTPS_PROXY is honoured by default");
    assert!(proxy.seen()[0].request_line.starts_with("CONNECT "));

    let vars = vec![
        ("HTTPS_PROXY", proxy.url()),
        ("NO_PROXY", "localhost,127.0.0.1".to_owned()),
    ];
    run_child(target, pki.ca_pem.clone(), vars).await;
    assert_eq!(proxy.seen().len(), 1, "NO_PROXY bypasses the proxy");
    assert_eq!(server.connection_count(), 2);
}

#[tokio::test]
async fn proxy_refusing_the_tunnel_is_a_connect_error() {
    let proxy = crate::common::start_raw(|mut stream| async move {
        crate::common::read_head(&mut stream).await;
        let _ = tokio::io::AsyncWriteExt::write_all(
            &mut stream,
            b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n",
        )
        .await;
    })
    .await;
    let transport = builder()
        .proxy(&format!("http://{}", proxy.addr))
        .unwrap()
        .build()
        .unwrap();
    let error = transport
        .send(request(
            Method::DELETE,
            "https://modelarts.example.test/v1/t",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, api_transport::TransportError::Connect { .. }),
        "{error:?}"
    );
    assert!(!error.request_may_have_been_sent());
}
