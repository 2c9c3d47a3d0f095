//! `TaskId`: an opaque task id that always stays exactly one path segment.

use super::{IdKind, InvalidId, id_conversions, opaque::validate_opaque};

/// The id of a processing task.
///
/// Task ids are opaque (every public example is 19 letters and digits), so few values are
/// refused: only those that could change the shape of the request path or that can never be
/// real ids. Refused: empty, `.` and `..`, `/` and `\`, control characters, whitespace,
/// invisible or bidirectional-formatting characters, and more than [`TaskId::MAX_LEN`] bytes.
/// Everything else is sent as one percent-encoded path segment.
///
/// ```
/// use api_model::TaskId;
///
/// let id: TaskId = "SNEJua7qdZZN8GvkcEr".parse()?;
/// assert_eq!(id.as_str(), "SNEJua7qdZZN8GvkcEr");
///
/// let err = "..".parse::<TaskId>().unwrap_err();
/// assert!(err.to_string().contains("relative path segments"));
/// # Ok::<(), api_model::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(Box<str>);

impl TaskId {
    /// The longest id accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// The id as given (not percent-encoded).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn validate(value: &str) -> Result<(), InvalidId> {
        validate_opaque(IdKind::TaskId, value, Self::MAX_LEN)
    }
}

id_conversions!(TaskId);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IdRule;

    fn rule_of(value: &str) -> IdRule {
        value.parse::<TaskId>().unwrap_err().rule().clone()
    }

    #[test]
    fn accepts_documented_and_opaque_ids() {
        for ok in [
            "SNEJua7qdZZN8GvkcEr",
            "a",
            "...",
            ".hidden",
            "a?b",
            "a#b",
            "%2F",
            "%2e%2e",
            "täsk",
            "аbc", // Cyrillic а: a look-alike, but one harmless encoded segment.
            &"x".repeat(128),
        ] {
            let id: TaskId = ok.parse().unwrap_or_else(|e| panic!("{ok:?}: {e}"));
            assert_eq!(id.as_str(), ok);
        }
    }

    #[test]
    fn refuses_each_rule_naming_it() {
        assert_eq!(rule_of(""), IdRule::Empty);
        assert_eq!(rule_of("."), IdRule::DotSegment);
        assert_eq!(rule_of(".."), IdRule::DotSegment);
        assert_eq!(
            rule_of(&"x".repeat(129)),
            IdRule::TooLong {
                max: 128,
                actual: 129
            }
        );
        assert_eq!(
            rule_of("a/b"),
            IdRule::PathSeparator {
                found: '/',
                position: 1
            }
        );
        assert_eq!(
            rule_of("a\\b"),
            IdRule::PathSeparator {
                found: '\\',
                position: 1
            }
        );
        assert_eq!(
            rule_of("ab\0"),
            IdRule::ControlCharacter {
                found: '\0',
                position: 2
            }
        );
        assert_eq!(
            rule_of("a\r\nb"),
            IdRule::ControlCharacter {
                found: '\r',
                position: 1
            }
        );
        assert_eq!(
            rule_of("a\u{7f}"),
            IdRule::ControlCharacter {
                found: '\u{7f}',
                position: 1
            }
        );
        assert_eq!(
            rule_of("a\u{85}"),
            IdRule::ControlCharacter {
                found: '\u{85}',
                position: 1
            }
        );
        assert_eq!(
            rule_of("a b"),
            IdRule::Whitespace {
                found: ' ',
                position: 1
            }
        );
        assert_eq!(
            rule_of("a\u{3000}"),
            IdRule::Whitespace {
                found: '\u{3000}',
                position: 1
            }
        );
        assert_eq!(
            rule_of("ab\u{200f}"),
            IdRule::InvisibleCharacter {
                found: '\u{200f}',
                position: 2
            }
        );
        assert_eq!(
            rule_of("\u{feff}ab"),
            IdRule::InvisibleCharacter {
                found: '\u{feff}',
                position: 0
            }
        );
    }

    #[test]
    fn messages_name_the_value_and_the_rule() {
        let err = "a b".parse::<TaskId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid task id \"a b\": it holds whitespace (' ' (U+0020)) at byte 1; check for a stray space or line break"
        );
        let err = "".parse::<TaskId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid task id \"\": it is empty, and an id is required"
        );
        let long = "y".repeat(10_000).parse::<TaskId>().unwrap_err();
        assert!(long.to_string().len() < 200, "{long}");
        assert!(long.to_string().contains("10000 bytes"), "{long}");
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<TaskId>("\"ok\"").is_ok());
        assert!(serde_json::from_str::<TaskId>("\"..\"").is_err());
        let id: TaskId = "x?y".parse().unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"x?y\"");
    }
}
