//! `QueryString`: how generated operations write their query parameters.

use std::fmt::{self, Write as _};

use percent_encoding::utf8_percent_encode;

use crate::path::PATH_SEGMENT;

/// A query string under construction: `name=value` pairs joined by `&`, each value
/// percent-encoded outside RFC 3986 "unreserved" (so what is sent is already the canonical
/// form the AK/SK signature covers).
///
/// ```
/// let mut query = api_model::QueryString::default();
/// query.push("limit", 50);
/// query.push("task_name", "a b&c");
/// assert_eq!(query.finish().as_deref(), Some("limit=50&task_name=a%20b%26c"));
/// assert_eq!(api_model::QueryString::default().finish(), None);
/// ```
#[derive(Debug, Default, Clone)]
pub struct QueryString(String);

impl QueryString {
    /// Appends `name=value`; `name` must be a plain ASCII name (the generator's names are).
    pub fn push(&mut self, name: &str, value: impl fmt::Display) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(name);
        self.0.push('=');
        let value = value.to_string();
        // Writing to a String never fails.
        let _ = write!(self.0, "{}", utf8_percent_encode(&value, PATH_SEGMENT));
    }

    /// Appends `name=a,b,c` (an array sent as one comma-joined value).
    pub fn push_joined<T: fmt::Display>(&mut self, name: &str, values: &[T]) {
        let joined = values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        self.push(name, joined);
    }

    /// The query without the `?`, or `None` when it is empty.
    #[must_use]
    pub fn finish(self) -> Option<String> {
        (!self.0.is_empty()).then_some(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_values_and_joins_arrays() {
        let mut query = QueryString::default();
        query.push_joined("version_id", &["a", "b c"]);
        query.push("ok", true);
        assert_eq!(
            query.finish().as_deref(),
            Some("version_id=a%2Cb%20c&ok=true")
        );
    }
}
