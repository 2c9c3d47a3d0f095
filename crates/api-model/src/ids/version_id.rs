//! `VersionId`: the id of a task version, opaque like a task id, always one path segment.

use super::{IdKind, InvalidId, id_conversions, opaque::validate_opaque};

/// The id of a version of a data processing task (`task_version_id` in replies).
///
/// The same rules as [`TaskId`](crate::TaskId): opaque, but never empty, `.` or `..`, never
/// holding `/`, `\`, control, whitespace or invisible characters, at most
/// [`VersionId::MAX_LEN`] bytes.
///
/// ```
/// use api_model::VersionId;
///
/// let id: VersionId = "qSaudx2sbPvthHygckA".parse()?;
/// assert_eq!(id.as_str(), "qSaudx2sbPvthHygckA");
/// let err = "v/1".parse::<VersionId>().unwrap_err();
/// assert!(err.to_string().starts_with("invalid version id"), "{err}");
/// # Ok::<(), api_model::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionId(Box<str>);

impl VersionId {
    /// The longest id accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// The id as given (not percent-encoded).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn validate(value: &str) -> Result<(), InvalidId> {
        validate_opaque(IdKind::VersionId, value, Self::MAX_LEN)
    }
}

id_conversions!(VersionId);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IdRule;

    #[test]
    fn same_rules_as_task_ids_with_its_own_name() {
        assert!("qSaudx2sbPvthHygckA".parse::<VersionId>().is_ok());
        assert!("a?b".parse::<VersionId>().is_ok());
        let err = "..".parse::<VersionId>().unwrap_err();
        assert_eq!(err.kind(), IdKind::VersionId);
        assert_eq!(err.rule(), &IdRule::DotSegment);
        assert!(err.to_string().contains("version id"), "{err}");
        assert!("".parse::<VersionId>().is_err());
        assert!("a\u{200b}".parse::<VersionId>().is_err());
        assert!("x".repeat(129).parse::<VersionId>().is_err());
        assert!(serde_json::from_str::<VersionId>("\"a/b\"").is_err());
    }
}
