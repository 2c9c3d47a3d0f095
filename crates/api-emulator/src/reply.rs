//! JSON responses: success bodies, the service's error shape, and the headers every reply has.

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

use api_model::ErrorCode;

/// The header the service puts its request id in.
pub(crate) const X_REQUEST_ID: &str = "x-request-id";

/// The message of `APIG.0101`, as the gateway words it.
pub(crate) const API_NOT_FOUND_MESSAGE: &str =
    "The API does not exist or has not been published in the environment";

/// The content type of JSON bodies.
const JSON: &str = "application/json";

/// A response the emulator sends: status, body (JSON unless said otherwise; none for `204`),
/// and extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) retry_after: Option<u32>,
    pub(crate) close: bool,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
}

impl Reply {
    /// `200` with `value` as JSON.
    pub(crate) fn ok(value: &impl Serialize) -> Self {
        Self::json_value(StatusCode::OK, value)
    }

    /// `status` with `value` as JSON.
    pub(crate) fn json_value(status: StatusCode, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self::json(status, Bytes::from(body)),
            Err(error) => Self::error(
                &ErrorCode::InternalError,
                format!("Internal error: cannot serialize the response: {error}"),
            ),
        }
    }

    /// `200 {}`.
    pub(crate) fn empty_object() -> Self {
        Self::json(StatusCode::OK, Bytes::from_static(b"{}"))
    }

    /// `204` with no body.
    pub(crate) fn no_content() -> Self {
        Self::json(StatusCode::NO_CONTENT, Bytes::new())
    }

    /// `status` with `body` as `text/plain; charset=utf-8`.
    pub(crate) fn text(status: StatusCode, body: impl Into<String>) -> Self {
        Self {
            content_type: "text/plain; charset=utf-8",
            ..Self::json(status, Bytes::from(body.into()))
        }
    }

    fn json(status: StatusCode, body: Bytes) -> Self {
        Self {
            status,
            body,
            retry_after: None,
            close: false,
            content_type: JSON,
            headers: Vec::new(),
        }
    }

    /// The service's error shape, `{"error_code": …, "error_msg": …}`, with the status the
    /// code is documented with (500 for a code with none).
    pub(crate) fn error(code: &ErrorCode, message: impl AsRef<str>) -> Self {
        let status = code
            .status()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::error_code(status, code.as_str(), message.as_ref())
    }

    /// The error shape with a code of another service (IAM, STS) than ModelArts.
    pub(crate) fn error_code(status: StatusCode, code: &str, message: &str) -> Self {
        let body = ErrorBody {
            error_code: code,
            error_msg: message,
        };
        // Two strings always serialize; the fallback keeps the shape all the same.
        let body = serde_json::to_vec(&body).map_or_else(
            |_| {
                Bytes::from_static(
                    br#"{"error_code":"ModelArts.0010","error_msg":"Internal error."}"#,
                )
            },
            Bytes::from,
        );
        Self::json(status, body)
    }

    /// The error with the code's documented meaning as the message, followed by `detail`.
    pub(crate) fn error_with_meaning(code: &ErrorCode, detail: &str) -> Self {
        let meaning = code.meaning().unwrap_or("Error.");
        if detail.is_empty() {
            Self::error(code, meaning)
        } else {
            Self::error(code, format!("{meaning} {detail}"))
        }
    }

    /// `404 APIG.0101`.
    pub(crate) fn api_not_found() -> Self {
        Self::error(&ErrorCode::ApiNotFound, API_NOT_FOUND_MESSAGE)
    }

    /// The same reply with `Retry-After: secs`.
    pub(crate) fn with_retry_after(mut self, secs: u32) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// The same reply with the header `name: value` too.
    pub(crate) fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The same reply with `Connection: close` (HTTP/1).
    pub(crate) fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    /// The HTTP response, with `X-Request-Id`, the extra headers and, when there is a body,
    /// `Content-Type` (`application/json` unless the reply is text).
    pub(crate) fn into_response(self, request_id: HeaderValue) -> Response<Full<Bytes>> {
        let has_body = !self.body.is_empty();
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        if has_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        headers.insert(X_REQUEST_ID, request_id);
        if let Some(secs) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.close {
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(reply: &Reply) -> serde_json::Value {
        serde_json::from_slice(&reply.body).unwrap_or_default()
    }

    #[test]
    fn error_shape_and_status() {
        let reply = Reply::error_with_meaning(&ErrorCode::TaskNotFound, "task_id=x");
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(body(&reply)["error_code"], "ModelArts.4700");
        assert_eq!(
            body(&reply)["error_msg"],
            "The task does not exist. task_id=x"
        );
        let unavailable = Reply::error(&ErrorCode::GatewayUnavailable, "down");
        assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body(&unavailable)["error_code"], "ModelArts.4700");
        let not_found = Reply::api_not_found();
        assert_eq!(not_found.status, StatusCode::NOT_FOUND);
        assert_eq!(body(&not_found)["error_code"], "APIG.0101");
    }

    #[test]
    fn response_headers() {
        let response = Reply::error(&ErrorCode::TooManyRequests, "slow down")
            .with_retry_after(3)
            .closing()
            .into_response(HeaderValue::from_static("abc"));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[X_REQUEST_ID], "abc");
        assert_eq!(response.headers()[RETRY_AFTER], "3");
        assert_eq!(response.headers()[CONNECTION], "close");
        let plain = Reply::empty_object().into_response(HeaderValue::from_static("x"));
        assert!(plain.headers().get(RETRY_AFTER).is_none());
        assert!(plain.headers().get(CONNECTION).is_none());
    }

    #[test]
    fn text_replies_and_extra_headers() {
        let response = Reply::text(StatusCode::OK, "token")
            .with_header(
                HeaderName::from_static("x-subject-token"),
                HeaderValue::from_static("abc"),
            )
            .into_response(HeaderValue::from_static("id"));
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(response.headers()["x-subject-token"], "abc");
        assert_eq!(response.headers()[X_REQUEST_ID], "id");
        let custom = Reply::error_code(StatusCode::BAD_REQUEST, "STS.0001", "bad");
        assert_eq!(body(&custom)["error_code"], "STS.0001");
        assert_eq!(body(&custom)["error_msg"], "bad");
        let created = Reply::json_value(StatusCode::CREATED, &serde_json::json!({"a": 1}));
        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(body(&created)["a"], 1);
    }

    #[test]
    fn no_content_has_no_body_and_no_content_type() {
        let response = Reply::no_content().into_response(HeaderValue::from_static("id"));
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(response.headers().get(CONTENT_TYPE).is_none());
        assert_eq!(response.headers()[X_REQUEST_ID], "id");
        assert!(http_body::Body::is_end_stream(response.body()));
    }
}
