//! The bounds checks generated operations run before sending: ranges, lengths, characters.

use crate::InvalidParameter;

/// `value` must lie within `min..=max` (either bound may be absent). `label` says what the
/// value counts (`page index`), or is empty.
pub(crate) fn range(
    operation: &'static str,
    name: &'static str,
    label: &str,
    value: i128,
    min: Option<i128>,
    max: Option<i128>,
) -> Result<(), InvalidParameter> {
    let below = min.is_some_and(|min| value < min);
    let above = max.is_some_and(|max| value > max);
    if !(below || above) {
        return Ok(());
    }
    let allowed = match (min, max) {
        (Some(min), Some(max)) => format!("from {min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => String::new(),
    };
    Err(InvalidParameter {
        operation,
        name,
        reason: if label.is_empty() {
            format!("{value} is out of range: it must be {allowed}")
        } else {
            format!("{label} {value} is out of range: it must be {allowed}")
        },
    })
}

/// `value` must have at least `min` characters.
pub(crate) fn min_chars(
    operation: &'static str,
    name: &'static str,
    value: &str,
    min: usize,
) -> Result<(), InvalidParameter> {
    let count = value.chars().count();
    if count >= min {
        return Ok(());
    }
    Err(InvalidParameter {
        operation,
        name,
        reason: if count == 0 {
            "it is empty, and it is required".to_owned()
        } else {
            format!("it has {count} characters; at least {min} are needed")
        },
    })
}

/// `value` must have at most `max` characters.
pub(crate) fn max_chars(
    operation: &'static str,
    name: &'static str,
    value: &str,
    max: usize,
) -> Result<(), InvalidParameter> {
    let count = value.chars().count();
    if count <= max {
        return Ok(());
    }
    Err(InvalidParameter {
        operation,
        name,
        reason: format!("it has {count} characters; at most {max} are allowed"),
    })
}

/// `value` must hold none of `forbidden`.
pub(crate) fn forbidden_chars(
    operation: &'static str,
    name: &'static str,
    value: &str,
    forbidden: &str,
) -> Result<(), InvalidParameter> {
    match value.char_indices().find(|(_, c)| forbidden.contains(*c)) {
        None => Ok(()),
        Some((position, found)) => Err(InvalidParameter {
            operation,
            name,
            reason: format!(
                "{found:?} at byte {position} is not allowed; none of {forbidden} may appear"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(range("Op", "limit", "", 1, Some(1), Some(100)).is_ok());
        assert!(range("Op", "limit", "", 100, Some(1), Some(100)).is_ok());
        let err = range("Op", "limit", "", 101, Some(1), Some(100)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid limit for Op: 101 is out of range: it must be from 1 to 100"
        );
        assert!(range("Op", "offset", "", -1, Some(0), None).is_err());
        let err = range(
            "Op",
            "offset",
            "page index",
            1 << 31,
            Some(0),
            Some(i128::from(i32::MAX)),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid offset for Op: page index 2147483648 is out of range: it must be from 0 to 2147483647"
        );
    }

    #[test]
    fn lengths_and_characters() {
        assert!(min_chars("Op", "name", "a", 1).is_ok());
        let err = min_chars("Op", "name", "", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid name for Op: it is empty, and it is required"
        );
        assert!(max_chars("Op", "description", &"é".repeat(256), 256).is_ok());
        let err = max_chars("Op", "description", &"é".repeat(257), 256).unwrap_err();
        assert!(err.to_string().contains("257 characters"), "{err}");
        assert!(forbidden_chars("Op", "description", "fine text.", "^!<>").is_ok());
        let err = forbidden_chars("Op", "description", "a<b", "^!<>").unwrap_err();
        assert!(err.to_string().contains("'<' at byte 1"), "{err}");
    }
}
