//! What `ErrorCode` adds by hand to its generated part: text forms and serde.

use std::fmt;

use crate::ErrorCode;

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            "" => f.write_str("(no error code)"),
            code => f.write_str(&crate::printable(code, 64)),
        }
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_through_status_and_code() {
        assert!(!ErrorCode::KNOWN.is_empty());
        for code in ErrorCode::KNOWN {
            let status = code.status().unwrap();
            assert_eq!(
                &ErrorCode::from_status_and_code(status, code.as_str()),
                code
            );
            assert!(code.meaning().is_some());
        }
    }

    #[test]
    fn unknown_keeps_the_code_and_displays() {
        let unknown = ErrorCode::from_status_and_code(418, "ModelArts.9999");
        assert_eq!(unknown, ErrorCode::Unknown("ModelArts.9999".to_owned()));
        assert_eq!(unknown.to_string(), "ModelArts.9999");
        assert_eq!(unknown.status(), None);
        assert!(!unknown.is_retryable());
        assert_eq!(
            ErrorCode::Unknown(String::new()).to_string(),
            "(no error code)"
        );
    }

    #[test]
    fn retryable_codes_are_the_transient_ones() {
        assert!(ErrorCode::TooManyRequests.is_retryable());
        assert!(ErrorCode::GatewayUnavailable.is_retryable());
        assert!(!ErrorCode::TaskNotFound.is_retryable());
        assert!(!ErrorCode::TaskInitializing.is_retryable());
    }

    #[test]
    fn serializes_as_the_code() {
        assert_eq!(
            serde_json::to_string(&ErrorCode::TaskNotFound).unwrap(),
            "\"ModelArts.4700\""
        );
    }
}
