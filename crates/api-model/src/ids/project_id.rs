//! `ProjectId`: the 32-character project id every path starts with.

use super::{IdKind, IdRule, InvalidId, id_conversions};

/// A project id: exactly 32 lowercase ASCII letters and digits, the documented format.
///
/// ```
/// use api_model::ProjectId;
///
/// let id: ProjectId = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
/// assert_eq!(id.as_str(), "a4a5d4098fb4474fa22cd05f897d6b99");
/// assert!("A4A5D4098FB4474FA22CD05F897D6B99".parse::<ProjectId>().is_err());
/// # Ok::<(), api_model::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(Box<str>);

impl ProjectId {
    /// The length of every project id.
    pub const LEN: usize = 32;

    /// The id as a string. It needs no percent-encoding in a path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn validate(value: &str) -> Result<(), InvalidId> {
        let fail = |rule| Err(InvalidId::new(IdKind::ProjectId, value, rule));
        if value.is_empty() {
            return fail(IdRule::Empty);
        }
        if let Some((position, found)) = value
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        {
            return fail(IdRule::NotLowercaseAlphanumeric { found, position });
        }
        if value.len() != Self::LEN {
            return fail(IdRule::WrongLength {
                expected: Self::LEN,
                actual: value.len(),
            });
        }
        Ok(())
    }
}

id_conversions!(ProjectId);

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "a4a5d4098fb4474fa22cd05f897d6b99";

    fn rule_of(value: &str) -> IdRule {
        value.parse::<ProjectId>().unwrap_err().rule().clone()
    }

    #[test]
    fn accepts_the_documented_format() {
        let id: ProjectId = GOOD.parse().unwrap();
        assert_eq!(id.to_string(), GOOD);
        assert_eq!(ProjectId::try_from(GOOD.to_owned()).unwrap(), id);
        assert_eq!(ProjectId::try_from(GOOD).unwrap(), id);
    }

    #[test]
    fn refuses_empty() {
        assert_eq!(rule_of(""), IdRule::Empty);
    }

    #[test]
    fn refuses_wrong_length() {
        assert_eq!(
            rule_of(&GOOD[..31]),
            IdRule::WrongLength {
                expected: 32,
                actual: 31
            }
        );
        assert_eq!(
            rule_of(&format!("{GOOD}0")),
            IdRule::WrongLength {
                expected: 32,
                actual: 33
            }
        );
    }

    #[test]
    fn refuses_uppercase_and_symbols_naming_the_position() {
        let upper = GOOD.replacen('a', "A", 1);
        assert_eq!(
            rule_of(&upper),
            IdRule::NotLowercaseAlphanumeric {
                found: 'A',
                position: 0
            }
        );
        let slash = format!("{}/{}", &GOOD[..10], &GOOD[11..]);
        assert_eq!(
            rule_of(&slash),
            IdRule::NotLowercaseAlphanumeric {
                found: '/',
                position: 10
            }
        );
        let err = slash.parse::<ProjectId>().unwrap_err();
        assert!(err.to_string().contains("[a-z0-9]"), "{err}");
        assert_eq!(err.kind(), IdKind::ProjectId);
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id: ProjectId = GOOD.parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{GOOD}\""));
        assert_eq!(serde_json::from_str::<ProjectId>(&json).unwrap(), id);
        let err = serde_json::from_str::<ProjectId>("\"short\"").unwrap_err();
        assert!(err.to_string().contains("invalid project id"), "{err}");
    }
}
