//! `ServiceError`: a typed error reply of the service, with its status, code and request id.

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::{ErrorCode, parse_error_body};

/// The most bytes of a raw (non-JSON) error body kept as the message.
pub const RAW_BODY_LIMIT: usize = 512;

/// The header the service puts its request id in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// An error reply of the service: status, [`ErrorCode`], message and request id.
///
/// The code is keyed on the (status, code) pair: `ModelArts.4700` is [`ErrorCode::TaskNotFound`]
/// with 400 but [`ErrorCode::GatewayUnavailable`] with 503.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    request_id: Option<String>,
}

impl ServiceError {
    /// Makes an error from its parts (for tests and emulators; replies are read by
    /// [`ServiceError::from_reply`]).
    pub fn new(
        status: StatusCode,
        code: ErrorCode,
        message: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            request_id,
        }
    }

    /// Reads an error reply. Never fails: a body with no code keeps the HTTP status and (up to
    /// [`RAW_BODY_LIMIT`] bytes of) the raw body as the message.
    ///
    /// ```
    /// use api_model::{ErrorCode, ServiceError};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let body = br#"{"error_code": "ModelArts.4700", "error_msg": "Task does not exist."}"#;
    /// let err = ServiceError::from_reply(StatusCode::BAD_REQUEST, &HeaderMap::new(), body);
    /// assert_eq!(err.code(), &ErrorCode::TaskNotFound);
    /// assert_eq!(err.message(), "Task does not exist.");
    /// ```
    pub fn from_reply(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let parsed = parse_error_body(body);
        let code =
            ErrorCode::from_status_and_code(status.as_u16(), parsed.code.as_deref().unwrap_or(""));
        let message = parsed.message.unwrap_or_else(|| raw_excerpt(body));
        Self {
            status,
            code,
            message,
            request_id: request_id(headers),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error code, keyed on the (status, code) pair.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The service's message, or the start of the raw body when it sent no JSON error.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `X-Request-Id` of the reply, to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// What the error is about: the table's scope for a known code, else the status's
    /// ([`crate::ErrorScope::from_status`]), except that a 404 carrying a service code the
    /// table does not know is about the task: the service itself answered (a wrong address is
    /// answered by the gateway, `APIG.*`, or with no code at all).
    ///
    /// ```
    /// use api_model::{ErrorScope, ServiceError};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let wrong_sk = ServiceError::from_reply(StatusCode::UNAUTHORIZED, &HeaderMap::new(), br#"{"error_code":"APIG.0301"}"#);
    /// assert_eq!(wrong_sk.scope(), ErrorScope::Account);
    /// let odd = ServiceError::from_reply(StatusCode::FORBIDDEN, &HeaderMap::new(), b"");
    /// assert_eq!(odd.scope(), ErrorScope::Account);
    /// let no_route = ServiceError::from_reply(StatusCode::NOT_FOUND, &HeaderMap::new(), b"not found");
    /// assert_eq!(no_route.scope(), ErrorScope::Endpoint);
    /// let no_task = ServiceError::from_reply(StatusCode::NOT_FOUND, &HeaderMap::new(), br#"{"error_code":"ModelArts.4799"}"#);
    /// assert_eq!(no_task.scope(), ErrorScope::Task);
    /// ```
    pub fn scope(&self) -> crate::ErrorScope {
        if let Some(scope) = self.code.scope() {
            return scope;
        }
        let code = self.code.as_str();
        if self.status == http::StatusCode::NOT_FOUND
            && !code.is_empty()
            && !code.starts_with("APIG.")
        {
            return crate::ErrorScope::Task;
        }
        crate::ErrorScope::from_status(self.status.as_u16())
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What the service sent is made printable: a message could otherwise carry terminal
        // escape sequences to whoever reads the error.
        write!(f, "the service answered HTTP {}", self.status)?;
        if !self.code.as_str().is_empty() {
            write!(f, " {}", crate::printable(self.code.as_str(), 64))?;
        }
        write!(
            f,
            ": {}",
            crate::printable(&self.message, crate::MESSAGE_CHARS)
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", crate::printable(id, 128))?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// The `X-Request-Id` header, if present and printable.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Up to [`RAW_BODY_LIMIT`] bytes of a body as trimmed text, or a note that it was empty.
pub(crate) fn raw_excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(RAW_BODY_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    let visible: String = text.chars().filter(|c| !c.is_control()).collect();
    let mut out = visible.trim().to_owned();
    if out.is_empty() {
        return "(empty body)".to_owned();
    }
    if body.len() > RAW_BODY_LIMIT {
        out.push_str(&format!("… ({} bytes in all)", body.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn keyed_on_status_and_code() {
        let body = br#"{"error_code":"ModelArts.4700","error_msg":"x"}"#;
        let h = HeaderMap::new();
        assert_eq!(
            ServiceError::from_reply(StatusCode::BAD_REQUEST, &h, body).code(),
            &ErrorCode::TaskNotFound
        );
        assert_eq!(
            ServiceError::from_reply(StatusCode::SERVICE_UNAVAILABLE, &h, body).code(),
            &ErrorCode::GatewayUnavailable
        );
        assert_eq!(
            ServiceError::from_reply(StatusCode::NOT_FOUND, &h, body).code(),
            &ErrorCode::Unknown("ModelArts.4700".to_owned())
        );
    }

    #[test]
    fn html_and_empty_bodies_keep_status_and_raw_text() {
        let h = HeaderMap::new();
        let html = ServiceError::from_reply(
            StatusCode::BAD_GATEWAY,
            &h,
            b"<html>\r\n<h1>502 Bad Gateway</h1></html>",
        );
        assert_eq!(html.code(), &ErrorCode::Unknown(String::new()));
        assert_eq!(html.message(), "<html><h1>502 Bad Gateway</h1></html>");
        assert_eq!(
            html.to_string(),
            "the service answered HTTP 502 Bad Gateway: <html><h1>502 Bad Gateway</h1></html>"
        );
        let empty = ServiceError::from_reply(StatusCode::INTERNAL_SERVER_ERROR, &h, b"");
        assert_eq!(empty.message(), "(empty body)");
        // Found by fuzzing: a body of control characters alone is empty too.
        for only_controls in [&b"\x0f"[..], b"\x00", b" \x1b\x07 ", b"\x7f"] {
            let err = ServiceError::from_reply(StatusCode::BAD_GATEWAY, &h, only_controls);
            assert_eq!(err.message(), "(empty body)", "{only_controls:?}");
        }
    }

    #[test]
    fn raw_bodies_are_capped() {
        let big = vec![b'a'; 20 * 1024 * 1024];
        let err = ServiceError::from_reply(StatusCode::BAD_GATEWAY, &HeaderMap::new(), &big);
        assert!(err.message().len() < RAW_BODY_LIMIT + 64);
        assert!(err.message().ends_with("(20971520 bytes in all)"));
        // A cut inside a multi-byte character does not panic.
        let mut utf8 = vec![b'a'; RAW_BODY_LIMIT - 1];
        utf8.extend("é".repeat(10).as_bytes());
        let _ = raw_excerpt(&utf8);
    }

    #[test]
    fn request_id_and_display() {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID_HEADER, HeaderValue::from_static("req-1"));
        let err = ServiceError::from_reply(
            StatusCode::FORBIDDEN,
            &h,
            br#"{"error_code":"ModelArts.4850","error_msg":"initializing"}"#,
        );
        assert_eq!(err.request_id(), Some("req-1"));
        assert_eq!(
            err.to_string(),
            "the service answered HTTP 403 Forbidden ModelArts.4850: initializing (request id req-1)"
        );
    }
}
