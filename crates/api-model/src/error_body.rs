//! Parsing error bodies in every shape the official SDKs accept.

use serde_json::{Map, Value};

/// The code and message found in an error body, when there were any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// `error_code`, `errorCode` or `code`.
    pub code: Option<String>,
    /// `error_msg`, `error_message`, `errorMsg` or `message`.
    pub message: Option<String>,
}

const CODE_KEYS: [&str; 3] = ["error_code", "errorCode", "code"];
const MESSAGE_KEYS: [&str; 4] = ["error_msg", "error_message", "errorMsg", "message"];
/// How deep nested objects are searched (`{"error": {"code": ..}}` is depth 1).
const MAX_DEPTH: usize = 4;

/// Finds the error code and message in a body, as the official SDKs do.
///
/// Accepts `error_code`/`error_msg`, `error_code`/`error_message`, `errorCode`/`errorMsg` and
/// `code`/`message`, at the top level or in nested objects (the shallowest match wins). A code
/// sent as a number is kept as its decimal text. Anything else (HTML, an empty body, JSON
/// without those keys) gives an empty [`ErrorBody`]; this function never fails or panics.
///
/// ```
/// use api_model::parse_error_body;
///
/// let body = parse_error_body(br#"{"error": {"errorCode": "ModelArts.4700", "errorMsg": "gone"}}"#);
/// assert_eq!(body.code.as_deref(), Some("ModelArts.4700"));
/// assert_eq!(body.message.as_deref(), Some("gone"));
/// assert_eq!(parse_error_body(b"<html>502</html>"), Default::default());
/// ```
pub fn parse_error_body(body: &[u8]) -> ErrorBody {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return ErrorBody::default();
    };
    let mut level: Vec<&Map<String, Value>> = vec![&object];
    for _ in 0..=MAX_DEPTH {
        for map in &level {
            let found = ErrorBody {
                code: first_text(map, &CODE_KEYS),
                message: first_text(map, &MESSAGE_KEYS),
            };
            if found.code.is_some() {
                return found;
            }
        }
        // No code at this depth: a message alone still beats nothing, but look deeper first.
        let next: Vec<&Map<String, Value>> = level
            .iter()
            .flat_map(|map| map.values())
            .filter_map(Value::as_object)
            .collect();
        if next.is_empty() {
            break;
        }
        level = next;
    }
    ErrorBody {
        code: None,
        message: first_text(&object, &MESSAGE_KEYS),
    }
}

/// The first of `keys` that holds a non-empty string or a number, as text.
fn first_text(map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| match map.get(*key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: &str) -> (Option<String>, Option<String>) {
        let b = parse_error_body(body.as_bytes());
        (b.code, b.message)
    }

    fn some(code: &str, msg: &str) -> (Option<String>, Option<String>) {
        (Some(code.to_owned()), Some(msg.to_owned()))
    }

    #[test]
    fn every_documented_shape() {
        assert_eq!(
            parsed(r#"{"error_code":"ModelArts.4700","error_msg":"m"}"#),
            some("ModelArts.4700", "m")
        );
        assert_eq!(
            parsed(r#"{"error_code":"ModelArts.4700","error_message":"m"}"#),
            some("ModelArts.4700", "m")
        );
        assert_eq!(
            parsed(r#"{"errorCode":"APIG.0101","errorMsg":"m"}"#),
            some("APIG.0101", "m")
        );
        assert_eq!(parsed(r#"{"code":"X.1","message":"m"}"#), some("X.1", "m"));
    }

    #[test]
    fn nested_objects_shallowest_first() {
        assert_eq!(
            parsed(r#"{"error":{"code":"APIG.0301","message":"m"}}"#),
            some("APIG.0301", "m")
        );
        assert_eq!(
            parsed(
                r#"{"a":{"b":{"error_code":"deep","error_msg":"d"}},"c":{"code":"shallow","message":"s"}}"#
            ),
            some("shallow", "s")
        );
    }

    #[test]
    fn numbers_and_partial_bodies() {
        assert_eq!(parsed(r#"{"code":401,"message":"m"}"#), some("401", "m"));
        assert_eq!(
            parsed(r#"{"message":"only"}"#),
            (None, Some("only".to_owned()))
        );
        assert_eq!(parsed(r#"{"error_code":"","error_msg":""}"#), (None, None));
    }

    #[test]
    fn non_json_and_non_objects_are_empty() {
        for body in [
            "",
            "<html><body>502 Bad Gateway</body></html>",
            "[1,2]",
            "\"s\"",
            "{\"error_code\": \"trunc",
            "null",
        ] {
            assert_eq!(parsed(body), (None, None), "{body}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
        assert_eq!(parsed(&deep), (None, None));
    }
}
