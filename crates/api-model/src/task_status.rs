//! `TaskStatus`: the integer status of a task or version, with names and room for new codes.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The status of a processing task or task version, sent as an integer.
///
/// A code this version of the crate does not know is kept as [`TaskStatus::Other`], so a new
/// status on the service never makes a reply unreadable.
///
/// ```
/// use api_model::TaskStatus;
///
/// let status: TaskStatus = serde_json::from_str("3")?;
/// assert_eq!(status, TaskStatus::Failed);
/// assert_eq!(status.to_string(), "failed");
/// assert_eq!("failed".parse::<TaskStatus>(), Ok(TaskStatus::Failed));
/// assert_eq!("2".parse::<TaskStatus>(), Ok(TaskStatus::Completed));
/// assert_eq!(serde_json::from_str::<TaskStatus>("9")?, TaskStatus::Other(9));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TaskStatus {
    /// `0`: initializing. Such a task cannot be deleted yet (`403 ModelArts.4850`).
    Initializing,
    /// `1`: running.
    Running,
    /// `2`: completed.
    Completed,
    /// `3`: failed.
    Failed,
    /// `4`: stopped.
    Stopped,
    /// A code the service sent that this crate does not know.
    Other(i32),
}

impl TaskStatus {
    /// The documented statuses, in the order of their codes.
    pub const KNOWN: [TaskStatus; 5] = [
        Self::Initializing,
        Self::Running,
        Self::Completed,
        Self::Failed,
        Self::Stopped,
    ];

    /// The integer the service uses.
    #[must_use]
    pub fn code(self) -> i32 {
        match self {
            Self::Initializing => 0,
            Self::Running => 1,
            Self::Completed => 2,
            Self::Failed => 3,
            Self::Stopped => 4,
            Self::Other(code) => code,
        }
    }

    /// The status of an integer code.
    #[must_use]
    pub fn from_code(code: i32) -> Self {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::KNOWN.get(i).copied())
            .unwrap_or(Self::Other(code))
    }

    /// The lowercase name (`"failed"`), or `None` for an unknown code.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::Initializing => "initializing",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::Other(_) => return None,
        })
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "status {}", self.code()),
        }
    }
}

/// Why a status could not be read from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown task status {0:?}: use initializing, running, completed, failed, stopped, or a code 0 to 4"
)]
pub struct InvalidTaskStatus(String);

impl FromStr for TaskStatus {
    type Err = InvalidTaskStatus;

    /// A name (`failed`, any case; `initialized` is accepted too) or a documented code (`3`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.trim().to_ascii_lowercase();
        if lower == "initialized" {
            return Ok(Self::Initializing);
        }
        if let Some(status) = Self::KNOWN
            .iter()
            .find(|s| s.name() == Some(lower.as_str()))
        {
            return Ok(*status);
        }
        match lower.parse::<i32>() {
            Ok(code) if (0..=4).contains(&code) => Ok(Self::from_code(code)),
            _ => Err(InvalidTaskStatus(text.to_owned())),
        }
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.code())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i32::deserialize(deserializer).map(Self::from_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for status in TaskStatus::KNOWN {
            assert_eq!(TaskStatus::from_code(status.code()), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(serde_json::from_str::<TaskStatus>(&json).unwrap(), status);
            assert_eq!(status.to_string().parse::<TaskStatus>(), Ok(status));
        }
        assert_eq!(TaskStatus::from_code(-1), TaskStatus::Other(-1));
        assert_eq!(TaskStatus::Other(7).to_string(), "status 7");
        assert_eq!(serde_json::to_string(&TaskStatus::Other(7)).unwrap(), "7");
    }

    #[test]
    fn parsing_names_the_choices() {
        assert_eq!("FAILED".parse::<TaskStatus>(), Ok(TaskStatus::Failed));
        assert_eq!(
            "initialized".parse::<TaskStatus>(),
            Ok(TaskStatus::Initializing)
        );
        let err = "done".parse::<TaskStatus>().unwrap_err();
        assert!(err.to_string().contains("completed, failed"), "{err}");
        assert!("5".parse::<TaskStatus>().is_err());
        assert!(serde_json::from_str::<TaskStatus>("\"failed\"").is_err());
    }
}
