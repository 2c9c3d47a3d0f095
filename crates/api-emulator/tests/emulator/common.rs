//! Helpers: a signing client over `api_transport::HyperTransport`, and fixed test values.

use std::time::Duration;

use api_auth::{AccessKey, Signer};
use api_emulator::{Emulator, EmulatorBuilder};
use api_model::ProjectId;
use api_transport::{HyperTransport, Transport, TransportError};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{Method, Request, Response};
use serde_json::Value;

pub const AK: &str = "QTWAOYTTINDUT2QVKYUC";
pub const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
pub const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
pub const OTHER_PROJECT: &str = "b4a5d4098fb4474fa22cd05f897d6b99";
pub const TOKEN: &str = "test-token";

pub fn project() -> ProjectId {
    PROJECT.parse().unwrap()
}

pub fn other_project() -> ProjectId {
    OTHER_PROJECT.parse().unwrap()
}

/// AK/SK and a token for `PROJECT`, a token for `OTHER_PROJECT`, and `n` seeded tasks.
pub fn builder(n: usize) -> EmulatorBuilder {
    Emulator::builder()
        .ak_sk(AK, SK, &project())
        .token(TOKEN, &project())
        .token("other-token", &other_project())
        .seed(&project(), n)
}

pub fn transport() -> HyperTransport {
    HyperTransport::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends requests to one emulator, signed with an access key like the official SDK does:
/// `Host` (the endpoint's authority), `X-Project-Id` and `Content-Type: application/json`,
/// all signed.
#[derive(Clone)]
pub struct Client {
    pub transport: HyperTransport,
    pub endpoint: String,
    pub key: AccessKey,
    pub signer: Signer,
}

impl Client {
    pub fn new(emulator: &Emulator) -> Self {
        Self::with_key(emulator, AccessKey::new(AK, SK))
    }

    pub fn with_key(emulator: &Emulator, key: AccessKey) -> Self {
        Self::for_endpoint(emulator.endpoint(), key)
    }

    pub fn for_endpoint(endpoint: String, key: AccessKey) -> Self {
        Self {
            transport: transport(),
            endpoint,
            key,
            signer: Signer::new(),
        }
    }

    pub fn with_signer(mut self, signer: Signer) -> Self {
        self.signer = signer;
        self
    }

    /// An unsigned request with the SDK's headers.
    pub fn unsigned(&self, method: Method, path: &str, body: &str) -> Request<Bytes> {
        let authority = self
            .endpoint
            .split_once("://")
            .map(|(_, rest)| rest.to_owned())
            .unwrap();
        Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.endpoint))
            .header(HOST, authority)
            .header(CONTENT_TYPE, "application/json")
            .header("x-project-id", PROJECT)
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    pub fn signed(&self, method: Method, path: &str, body: &str) -> Request<Bytes> {
        let mut request = self.unsigned(method, path, body);
        self.signer.sign(&mut request, &self.key).unwrap();
        request
    }

    pub async fn try_send(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, TransportError> {
        self.transport.send(request).await
    }

    pub async fn send(&self, request: Request<Bytes>) -> Answer {
        Answer::from(self.try_send(request).await.unwrap())
    }

    pub async fn call(&self, method: Method, path: &str, body: &str) -> Answer {
        self.send(self.signed(method, path, body)).await
    }

    pub async fn delete(&self, task: &str) -> Answer {
        self.call(Method::DELETE, &item(PROJECT, task), "").await
    }
}

/// A response with its body parsed as JSON (`Value::Null` when there is no body).
#[derive(Debug)]
pub struct Answer {
    pub response: Response<Bytes>,
    pub json: Value,
}

impl From<Response<Bytes>> for Answer {
    fn from(response: Response<Bytes>) -> Self {
        if response.body().is_empty() {
            return Self {
                response,
                json: Value::Null,
            };
        }
        let json = serde_json::from_slice(response.body()).unwrap_or_else(|e| {
            panic!(
                "the body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(response.body())
            )
        });
        Self { response, json }
    }
}

impl Answer {
    pub fn status(&self) -> u16 {
        self.response.status().as_u16()
    }

    pub fn code(&self) -> &str {
        self.json["error_code"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.json["error_msg"].as_str().unwrap_or("")
    }

    pub fn request_id(&self) -> String {
        self.response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// Asserts the status and, for an error, the code, the shape and the common headers.
    #[track_caller]
    pub fn expect(&self, status: u16, code: Option<&str>) {
        assert_eq!(self.status(), status, "{}", self.json);
        assert_eq!(
            self.response.headers()[CONTENT_TYPE],
            "application/json",
            "{}",
            self.json
        );
        assert_eq!(self.request_id().len(), 32);
        if let Some(code) = code {
            assert_eq!(self.code(), code, "{}", self.json);
            assert!(!self.message().is_empty(), "{}", self.json);
            let keys: Vec<&String> = self.json.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["error_code", "error_msg"], "{}", self.json);
        }
    }

    /// Asserts `204` with no body, no content type, and a request id.
    #[track_caller]
    pub fn expect_no_content(&self) {
        assert_eq!(self.status(), 204, "{}", self.json);
        assert!(self.response.body().is_empty());
        assert!(self.response.headers().get(CONTENT_TYPE).is_none());
        assert_eq!(self.request_id().len(), 32);
    }
}

pub fn item(project: &str, task: &str) -> String {
    format!("/v2/{project}/processor-tasks/{task}")
}

pub fn collection(project: &str) -> String {
    format!("/v2/{project}/processor-tasks")
}

pub fn versions(project: &str, task: &str) -> String {
    format!("{}/versions", item(project, task))
}

pub fn version(project: &str, task: &str, version: &str) -> String {
    format!("{}/versions/{version}", item(project, task))
}

/// The ids of the project's tasks, in list order.
pub fn ids(emulator: &Emulator, project: &ProjectId) -> Vec<String> {
    emulator
        .store()
        .task_ids(project)
        .iter()
        .map(ToString::to_string)
        .collect()
}
