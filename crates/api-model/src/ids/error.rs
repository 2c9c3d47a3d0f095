//! The error for an identifier that breaks a rule: it names the value (shortened) and the rule.

use std::fmt::{self, Write as _};

/// Which identifier was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// A [`ProjectId`](crate::ProjectId).
    ProjectId,
    /// A [`TaskId`](crate::TaskId).
    TaskId,
    /// A [`VersionId`](crate::VersionId).
    VersionId,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::ProjectId => "project id",
            IdKind::TaskId => "task id",
            IdKind::VersionId => "version id",
        })
    }
}

/// The rule an identifier broke. Positions are byte offsets into the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdRule {
    /// The value is empty.
    Empty,
    /// A project id must have exactly `expected` characters.
    WrongLength {
        /// The required length.
        expected: usize,
        /// The length found, in characters.
        actual: usize,
    },
    /// A project id holds only lowercase ASCII letters and digits.
    NotLowercaseAlphanumeric {
        /// The offending character.
        found: char,
        /// Its byte offset.
        position: usize,
    },
    /// The value is longer than `max` bytes.
    TooLong {
        /// The limit, in bytes.
        max: usize,
        /// The length found, in bytes.
        actual: usize,
    },
    /// `.` and `..` are path segments with a meaning of their own.
    DotSegment,
    /// `/` or `\` would split the request path once a gateway decodes it.
    PathSeparator {
        /// The separator found.
        found: char,
        /// Its byte offset.
        position: usize,
    },
    /// A control character (C0, DEL or C1).
    ControlCharacter {
        /// The character found.
        found: char,
        /// Its byte offset.
        position: usize,
    },
    /// Whitespace: real ids never hold any; it is almost always a copy-paste slip.
    Whitespace {
        /// The character found.
        found: char,
        /// Its byte offset.
        position: usize,
    },
    /// An invisible or bidirectional-formatting character, which makes one id look like another.
    InvisibleCharacter {
        /// The character found.
        found: char,
        /// Its byte offset.
        position: usize,
    },
}

impl fmt::Display for IdRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdRule::Empty => f.write_str("it is empty, and an id is required"),
            IdRule::WrongLength { expected, actual } => write!(
                f,
                "it has {actual} characters, but a project id has exactly {expected} lowercase letters and digits"
            ),
            IdRule::NotLowercaseAlphanumeric { found, position } => write!(
                f,
                "{} at byte {position} is not a lowercase ASCII letter or digit (a project id is 32 of [a-z0-9])",
                CodePoint(*found)
            ),
            IdRule::TooLong { max, actual } => {
                write!(f, "it is {actual} bytes long, and the limit is {max} bytes")
            }
            IdRule::DotSegment => {
                f.write_str("\".\" and \"..\" are relative path segments and can never be ids")
            }
            IdRule::PathSeparator { found, position } => write!(
                f,
                "{} at byte {position} is a path separator and would change the request path",
                CodePoint(*found)
            ),
            IdRule::ControlCharacter { found, position } => write!(
                f,
                "it holds the control character {} at byte {position}",
                CodePoint(*found)
            ),
            IdRule::Whitespace { found, position } => write!(
                f,
                "it holds whitespace ({}) at byte {position}; check for a stray space or line break",
                CodePoint(*found)
            ),
            IdRule::InvisibleCharacter { found, position } => write!(
                f,
                "it holds the invisible character {} at byte {position}, which makes it look like another id",
                CodePoint(*found)
            ),
        }
    }
}

/// An identifier that broke a rule. Its message names the value, shortened, and the rule.
///
/// ```
/// let err = "ab/cd".parse::<api_model::TaskId>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid task id "ab/cd": '/' (U+002F) at byte 2 is a path separator and would change the request path"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {value}: {rule}")]
pub struct InvalidId {
    kind: IdKind,
    value: String,
    rule: IdRule,
}

impl InvalidId {
    pub(crate) fn new(kind: IdKind, value: &str, rule: IdRule) -> Self {
        Self {
            kind,
            value: shorten(value),
            rule,
        }
    }

    /// Which identifier was invalid.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// The rule that was broken.
    pub fn rule(&self) -> &IdRule {
        &self.rule
    }

    /// The offending value, quoted, escaped and shortened for display.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Shows a character as `'c' (U+XXXX)`, escaping what would not print.
struct CodePoint(char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' (U+{:04X})",
            self.0.escape_debug(),
            u32::from(self.0)
        )
    }
}

/// How many characters of a bad value an error shows, counted after escaping.
const SHOWN_CHARS: usize = 40;

/// Quotes and escapes `value`, cutting it once the escaped text would pass [`SHOWN_CHARS`]
/// characters (an escape such as `\u{e0001}` counts as all of its characters).
fn shorten(value: &str) -> String {
    let mut out = String::with_capacity(SHOWN_CHARS + 32);
    out.push('"');
    let mut shown = 0;
    for c in value.chars() {
        let escaped = c.escape_debug();
        if shown + escaped.len() > SHOWN_CHARS {
            let _ = write!(out, "\"… ({} bytes in all)", value.len());
            return out;
        }
        shown += escaped.len();
        out.extend(escaped);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_quotes_escapes_and_cuts() {
        assert_eq!(shorten("abc"), "\"abc\"");
        assert_eq!(shorten("a\nb"), "\"a\\nb\"");
        let long = "x".repeat(10_000);
        let shown = shorten(&long);
        assert!(shown.starts_with(&format!("\"{}\"…", "x".repeat(SHOWN_CHARS))));
        assert!(shown.ends_with("(10000 bytes in all)"));
    }

    #[test]
    fn escapes_count_towards_the_cut() {
        // Found by fuzzing: 40 characters that escape to 10 each made a 400-character message.
        let shown = shorten(&"\u{e0001}".repeat(39));
        assert!(shown.chars().count() <= SHOWN_CHARS + 30, "{shown}");
        assert!(shown.ends_with("(156 bytes in all)"), "{shown}");
    }

    #[test]
    fn invisible_characters_are_escaped_in_messages() {
        let err = InvalidId::new(
            IdKind::TaskId,
            "ab\u{202e}c",
            IdRule::InvisibleCharacter {
                found: '\u{202e}',
                position: 2,
            },
        );
        let text = err.to_string();
        assert!(!text.contains('\u{202e}'), "{text}");
        assert!(text.contains("U+202E"), "{text}");
    }
}
