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

/// Reads a `204 No Content` reply: its body is ignored.
pub fn no_content(_body: &[u8]) -> Result<(), String> {
    Ok(())
}

/// Reads a JSON body into `T`, naming the field and position of the first problem.
pub fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!("the body is not valid JSON ({e})")
        } else {
            format!("the JSON does not have the documented shape ({e})")
        }
    })
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
    fn json_names_the_problem() {
        #[derive(serde::Deserialize, Debug)]
        struct Page {
            #[allow(dead_code)]
            count: i32,
        }
        assert!(json::<Page>(b"{\"count\": 3}").is_ok());
        let wrong = json::<Page>(b"{\"count\": \"3\"}").unwrap_err();
        assert!(
            wrong.contains("documented shape") && wrong.contains("string"),
            "{wrong}"
        );
        let missing = json::<Page>(b"{}").unwrap_err();
        assert!(missing.contains("missing field `count`"), "{missing}");
        assert!(
            json::<Page>(b"<html>")
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert_eq!(no_content(b"anything"), Ok(()));
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
