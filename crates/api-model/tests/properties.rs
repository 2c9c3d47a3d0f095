//! Property tests: accepted ids never change the path's shape; reply parsing never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_model::{DeleteProcessorTask, Endpoint, Operation, ProjectId, TaskId, parse_error_body};
use bytes::Bytes;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";

/// Strings biased towards the characters that attack paths.
fn hostile_string() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("/".to_owned()),
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("%2F".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("\\".to_owned()),
        Just(" ".to_owned()),
        Just("\r\n".to_owned()),
        Just("\0".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("\u{ff0f}".to_owned()),
        "[A-Za-z0-9]{1,19}",
        any::<String>(),
    ];
    proptest::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn accepted_task_ids_stay_one_segment(raw in hostile_string()) {
        let Ok(task) = raw.parse::<TaskId>() else { return Ok(()); };
        let op = DeleteProcessorTask::new(PROJECT.parse().unwrap(), task);
        let request = op.build_request(&"https://example.com".parse::<Endpoint>().unwrap()).unwrap();
        let path = request.uri().path();
        let segments: Vec<&str> = path.split('/').collect();
        prop_assert_eq!(segments.len(), 5, "{}", path);
        prop_assert_eq!(segments[0], "");
        prop_assert_eq!(segments[1], "v2");
        prop_assert_eq!(segments[2], PROJECT);
        prop_assert_eq!(segments[3], "processor-tasks");
        prop_assert!(segments[4] != "." && segments[4] != ".." && !segments[4].is_empty());
        prop_assert!(segments[4].bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(percent_decode_str(segments[4]).decode_utf8().unwrap(), raw.as_str());
        prop_assert!(request.uri().query().is_none());
    }

    #[test]
    fn project_ids_are_exactly_32_lowercase_alphanumerics(raw in prop_oneof!["[a-z0-9]{32}", hostile_string()]) {
        let valid = raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        prop_assert_eq!(raw.parse::<ProjectId>().is_ok(), valid);
    }

    #[test]
    fn error_messages_stay_short(raw in any::<String>()) {
        if let Err(e) = raw.parse::<TaskId>() {
            prop_assert!(e.to_string().chars().count() < 400);
        }
    }

    #[test]
    fn reply_parsing_never_panics(status in 100u16..1000, body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_error_body(&body);
        let mut response = http::Response::new(Bytes::from(body));
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        let _ = DeleteProcessorTask::parse_response(&response);
    }

    #[test]
    fn json_shaped_replies_never_panic(status in 400u16..600, code in any::<String>(), msg in any::<String>(), nest in 0usize..6) {
        let mut body = serde_json::json!({"error_code": code, "error_msg": msg});
        for _ in 0..nest { body = serde_json::json!({"error": body}); }
        let mut response = http::Response::new(Bytes::from(body.to_string()));
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        let err = DeleteProcessorTask::parse_response(&response).unwrap_err();
        let _ = err.to_string();
    }
}
