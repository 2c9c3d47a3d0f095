//! Times from the service (epoch milliseconds) as people and scripts read them, in UTC.

/// A moment split into its calendar fields, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// The year (may be negative, or past 9999, for times a service should not send).
    pub year: i64,
    /// 1 to 12.
    pub month: i64,
    /// 1 to 31.
    pub day: i64,
    /// 0 to 23.
    pub hour: i64,
    /// 0 to 59.
    pub minute: i64,
    /// 0 to 59.
    pub second: i64,
    /// 0 to 999.
    pub millisecond: i64,
}

/// Epoch milliseconds as calendar fields (Howard Hinnant's `civil_from_days`); total for any
/// `i64`.
pub fn civil(epoch_ms: i64) -> Civil {
    let seconds = epoch_ms.div_euclid(1000);
    let millisecond = epoch_ms.rem_euclid(1000);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: second_of_day / 3_600,
        minute: second_of_day % 3_600 / 60,
        second: second_of_day % 60,
        millisecond,
    }
}

/// Epoch milliseconds as RFC 3339 in UTC, with milliseconds: `2023-11-14T22:13:20.000Z`.
/// (A year outside 0 to 9999, which no real task has, is written with all its digits.)
pub fn rfc3339(epoch_ms: i64) -> String {
    let t = civil(epoch_ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        // Extremes do not panic.
        let _ = rfc3339(i64::MAX);
        let _ = rfc3339(i64::MIN);
    }
}
