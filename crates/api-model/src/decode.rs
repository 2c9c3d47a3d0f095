//! Decoders for success bodies that generated operations share.

/// Reads the `{ }` that operations without output answer.
///
/// Any JSON object is accepted (new fields are ignored), and so is an empty body; anything
/// else is an error naming what was expected.
pub fn empty_object(body: &[u8]) -> Result<(), String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(other) => Err(format!(
            "expected a JSON object such as {{}}, got a JSON {}",
            json_kind(&other)
        )),
        Err(e) => Err(format!(
            "expected a JSON object such as {{}}, but it is not JSON ({e})"
        )),
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_objects_and_empty() {
        for ok in ["{}", "{ }", " {\"extra\": 1}\n", "", "  \n"] {
            assert_eq!(empty_object(ok.as_bytes()), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn refuses_the_rest_with_a_reason() {
        assert!(
            empty_object(b"[]")
                .unwrap_err()
                .contains("got a JSON array")
        );
        assert!(empty_object(b"<html>").unwrap_err().contains("not JSON"));
        assert!(empty_object(b"{\"a\":").unwrap_err().contains("not JSON"));
    }
}
