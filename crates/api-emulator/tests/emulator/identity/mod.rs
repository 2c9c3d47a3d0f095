//! The identity routes over real sockets: metadata, pod identity, STS OIDC, IAM federated
//! id-token and project discovery, and the temporary credentials they issue.

mod federated;
mod metadata;
mod pod_oidc;
mod projects;
mod temporary;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use api_auth::{AccessKey, Clock, Signer};
use api_emulator::Emulator;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderMap, Method, Request};
use serde_json::Value;

use crate::common::transport;
use api_transport::Transport;

/// 2030-01-01T00:00:00Z.
pub const START: u64 = 1_893_456_000;

/// A clock that stands still until told to move, shared by the emulator and the signer.
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    /// A clock at [`START`].
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(UNIX_EPOCH + Duration::from_secs(START))))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// A response with its body kept raw.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Raw {
    pub fn json(&self) -> Value {
        assert_eq!(
            self.headers[CONTENT_TYPE], "application/json",
            "{:?}",
            self.body
        );
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers[name].to_str().unwrap()
    }

    /// Asserts an error of the service shape.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        let json = self.json();
        assert_eq!(json["error_code"], code, "{json}");
        json["error_msg"].as_str().unwrap().to_owned()
    }
}

/// A request to `emu` with the `Host` header and `headers`.
pub fn request(
    emu: &Emulator,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Request<Bytes> {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("{}{path}", emu.endpoint()))
        .header(HOST, emu.addr().to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Bytes::from(body.to_owned())).unwrap()
}

pub async fn send(request: Request<Bytes>) -> Raw {
    let response = transport().send(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Raw {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// Sends `method path` with `headers` and `body`, unsigned.
pub async fn call(
    emu: &Emulator,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Raw {
    send(request(emu, method, path, headers, body)).await
}

/// `GET /v3/projects?name=region` signed with `key` as the SDKs sign it (no X-Project-Id, no
/// Content-Type), by `signer`.
pub async fn list_projects(emu: &Emulator, region: &str, key: &AccessKey, signer: &Signer) -> Raw {
    let mut request = request(
        emu,
        Method::GET,
        &format!("/v3/projects?name={region}"),
        &[("user-agent", "huaweicloud-usdk-python/3.0")],
        "",
    );
    signer.sign(&mut request, key).unwrap();
    send(request).await
}

/// The temporary credential in a reply, whatever its shape.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access: String,
    pub secret: String,
    pub token: String,
    pub expires: String,
}

impl Issued {
    /// From the wrapper `credential`/`credentials` and the field names of the shape.
    pub fn from(json: &Value, names: [&str; 4]) -> Self {
        let inner = json
            .get("credential")
            .or_else(|| json.get("credentials"))
            .unwrap_or_else(|| panic!("no credential in {json}"));
        let field = |name: &str| {
            inner[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name} in {json}"))
                .to_owned()
        };
        Self {
            access: field(names[0]),
            secret: field(names[1]),
            token: field(names[2]),
            expires: field(names[3]),
        }
    }

    pub fn key(&self) -> AccessKey {
        AccessKey::new(self.access.clone(), self.secret.as_str())
            .with_security_token(self.token.clone())
    }

    /// Asserts the shapes of the AK (20 uppercase letters and digits), SK (40 letters and
    /// digits), token (long) and expiry (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
    #[track_caller]
    pub fn assert_shapes(&self) {
        assert_eq!(self.access.len(), 20, "{}", self.access);
        assert!(
            self.access
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert_eq!(self.secret.len(), 40);
        assert!(self.secret.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(self.token.len() >= 100);
        assert_expiry_with_fraction(&self.expires);
    }
}

pub const KEYSTONE: [&str; 4] = ["access", "secret", "securitytoken", "expires_at"];
pub const POD: [&str; 4] = [
    "accessKeyId",
    "secretAccessKey",
    "securityToken",
    "expiration",
];
pub const STS: [&str; 4] = [
    "access_key_id",
    "secret_access_key",
    "security_token",
    "expiration",
];

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
#[track_caller]
pub fn assert_expiry_with_fraction(text: &str) {
    let bytes = text.as_bytes();
    assert_eq!(bytes.len(), 27, "{text}");
    for (at, byte) in bytes.iter().enumerate() {
        let expected_digit = !matches!(at, 4 | 7 | 10 | 13 | 16 | 19 | 26);
        assert_eq!(byte.is_ascii_digit(), expected_digit, "{text}");
    }
    assert_eq!(
        (&text[4..5], &text[10..11], &text[19..20], &text[26..]),
        ("-", "T", ".", "Z"),
        "{text}"
    );
}

/// The pod identity request: `Authorization: <token>`, body `{}`.
pub async fn pod_credentials(emu: &Emulator, token: &str) -> Raw {
    call(
        emu,
        Method::POST,
        "/v1/credentials",
        &[
            ("authorization", token),
            ("content-type", "application/json"),
        ],
        "{}",
    )
    .await
}
