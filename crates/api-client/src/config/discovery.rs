//! Project-id discovery: `GET /v3/projects?name=<region>` on IAM, signed with the credentials.

use std::time::Duration;

use api_auth::Signer;
use api_model::ProjectId;
use api_transport::SharedTransport;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, header};

use crate::{Credentials, Error};

/// Characters a query value keeps as they are (RFC 3986 unreserved).
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The id of the one project IAM lists under `region`'s name. Zero or several projects, a
/// refusal, or an unreadable reply are [`Error::ProjectDiscovery`], with IAM's trace id.
pub(crate) async fn discover_project(
    transport: &SharedTransport,
    signer: &Signer,
    iam: &str,
    region: &str,
    credentials: &Credentials,
    limit: Duration,
) -> Result<ProjectId, Error> {
    let fail =
        |reason: String, trace_id: Option<String>, transient: bool| Error::ProjectDiscovery {
            region: region.to_owned(),
            reason,
            trace_id,
            transient,
        };
    let url = format!(
        "{}/v3/projects?name={}",
        iam.trim_end_matches('/'),
        percent_encoding::utf8_percent_encode(region, QUERY_VALUE)
    );
    let uri: http::Uri = url.parse().map_err(|e| {
        fail(
            format!("the IAM endpoint {iam:?} is not a URL: {e}"),
            None,
            false,
        )
    })?;
    let host = uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        .ok_or_else(|| fail(format!("the IAM endpoint {iam:?} has no host"), None, false))?;
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::HOST, host)
        .header(header::USER_AGENT, crate::builder::USER_AGENT)
        .body(Bytes::new())
        .map_err(|e| fail(format!("cannot build the request: {e}"), None, false))?;
    crate::authenticate::apply_credentials(&mut request, credentials, signer)
        .map_err(Error::Credentials)?;
    let response = crate::credentials::fetch::exchange(transport, request, limit, "IAM")
        .await
        .map_err(|e| {
            fail(
                format!("IAM at {iam} did not answer: {e}"),
                None,
                e.is_transient(),
            )
        })?;
    let trace_id = response
        .headers()
        .get("x-iam-trace-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !response.status().is_success() {
        let error = api_model::ServiceError::from_reply(
            response.status(),
            response.headers(),
            response.body(),
        );
        let transient = crate::retry::status_is_transient(response.status().as_u16());
        return Err(fail(
            format!("IAM at {iam} refused: {error}"),
            trace_id,
            transient,
        ));
    }
    let reply: serde_json::Value = serde_json::from_slice(response.body()).map_err(|e| {
        fail(
            format!("IAM's reply is not JSON: {e}"),
            trace_id.clone(),
            false,
        )
    })?;
    let projects = reply
        .get("projects")
        .and_then(|p| p.as_array())
        .ok_or_else(|| {
            fail(
                "IAM's reply has no projects list".into(),
                trace_id.clone(),
                false,
            )
        })?;
    // Every entry counts, read or not: two projects are two, even if one has no readable id.
    let ids: Vec<String> = projects
        .iter()
        .map(|p| match p.get("id").and_then(|id| id.as_str()) {
            Some(id) => id.to_owned(),
            None => format!("(unreadable: {})", api_model::printable(&p.to_string(), 64)),
        })
        .collect();
    match ids.as_slice() {
        [] => Err(fail(
            format!(
                "IAM at {iam} lists no project named {region:?} in this account. Confirm that the \
                 project exists and the credentials may list it, or give the project id \
                 (HUAWEICLOUD_SDK_PROJECT_ID)"
            ),
            trace_id,
            false,
        )),
        [one] => one.parse::<ProjectId>().map_err(|e| {
            fail(
                format!("IAM named a project id that is not valid: {e}"),
                trace_id,
                false,
            )
        }),
        several => Err(fail(
            format!(
                "IAM at {iam} lists {} projects named {region:?}: [{}]. Give the one to use \
                 (HUAWEICLOUD_SDK_PROJECT_ID)",
                several.len(),
                several.join(", ")
            ),
            trace_id,
            false,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::scripted;

    async fn run(
        status: u16,
        body: &'static str,
    ) -> (Result<ProjectId, Error>, http::Request<Bytes>) {
        let (transport, seen) = scripted(vec![(
            "GET",
            "/v3/projects",
            status,
            vec![("x-iam-trace-id", "trace-1")],
            body,
        )]);
        let result = discover_project(
            &transport,
            &Signer::new(),
            "http://127.0.0.1:9/",
            "cn-north-4",
            &Credentials::temporary("AK", "SK", "ST"),
            Duration::from_secs(5),
        )
        .await;
        let request = seen.lock().unwrap().remove(0);
        (result, request)
    }

    #[tokio::test]
    async fn one_project_is_the_answer_and_the_request_is_signed() {
        let (result, request) = run(
            200,
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef","name":"cn-north-4"}]}"#,
        )
        .await;
        assert_eq!(result.unwrap().as_str(), "0123456789abcdef0123456789abcdef");
        assert_eq!(request.uri().query(), Some("name=cn-north-4"));
        let auth = request.headers()["authorization"].to_str().unwrap();
        assert!(auth.starts_with("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;user-agent;x-sdk-date;x-security-token"), "{auth}");
        assert_eq!(request.headers()["x-security-token"], "ST");
        assert!(
            request.headers().get("x-project-id").is_none()
                && request.headers().get("content-type").is_none()
        );
    }

    #[tokio::test]
    async fn zero_or_two_projects_and_refusals_say_so_with_the_trace_id() {
        let (result, _) = run(200, r#"{"projects":[]}"#).await;
        let text = result.unwrap_err().to_string();
        assert!(
            text.contains("no project named") && text.contains("trace-1"),
            "{text}"
        );
        let (result, _) = run(200, r#"{"projects":[{"id":"a"},{"id":"b"}]}"#).await;
        let text = result.unwrap_err().to_string();
        assert!(
            text.contains("2 projects") && text.contains("[a, b]") && text.contains("trace-1"),
            "{text}"
        );
        let (result, _) = run(
            401,
            r#"{"error":{"code":"IAM.0001","message":"bad signature"}}"#,
        )
        .await;
        let err = result.unwrap_err();
        assert!(
            !err.is_retryable() && err.to_string().contains("refused"),
            "{err}"
        );
        let (result, _) = run(503, "").await;
        assert!(result.unwrap_err().is_retryable());
    }
}
