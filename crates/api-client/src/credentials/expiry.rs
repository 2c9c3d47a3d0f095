//! Reading the expiry of temporary credentials: RFC 3339 UTC, with or without fractional seconds.

use std::time::{Duration, SystemTime};

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// Parses `2030-01-01T00:00:00.000000Z`, `2030-01-01T00:00:00Z` or any RFC 3339 time with an
/// offset. The official SDK accepts only the first form.
pub(crate) fn parse_expiry(text: &str) -> Result<SystemTime, String> {
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|e| format!("the expiry {text:?} is not an RFC 3339 time: {e}"))?;
    let nanos = at.unix_timestamp_nanos();
    let abs = nanos.unsigned_abs();
    let magnitude = u64::try_from(abs / 1_000_000_000)
        .map(|secs| Duration::new(secs, (abs % 1_000_000_000) as u32))
        .map_err(|_| format!("the expiry {text:?} is out of range"))?;
    let time = if nanos >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(magnitude)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(magnitude)
    };
    time.ok_or_else(|| format!("the expiry {text:?} is out of range"))
}

/// `time` as RFC 3339 UTC with whole seconds, for reports.
pub(crate) fn format_time(time: SystemTime) -> String {
    let seconds = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{seconds} s after 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_and_without_fraction() {
        let a = parse_expiry("2030-01-01T00:00:00.000000Z").unwrap();
        let b = parse_expiry("2030-01-01T00:00:00Z").unwrap();
        let c = parse_expiry("2030-01-01T08:00:00.5+08:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(c.duration_since(a).unwrap(), Duration::from_millis(500));
        assert_eq!(format_time(a), "2030-01-01T00:00:00Z");
        for bad in ["", "2030-01-01", "tomorrow", "2030-01-01T00:00:00"] {
            assert!(parse_expiry(bad).is_err(), "{bad}");
        }
    }
}
