//! Expiry times: computed with the emulator's clock, written as the SDKs parse them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use api_auth::SdkDate;

/// The latest expiry written: 9999-12-31T23:59:59.999999Z (a longer lifetime is cut to it).
fn latest() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(253_402_300_799) + Duration::from_micros(999_999)
}

/// `now + lifetime`, cut to whole microseconds (what the reply can say) and to year 9999.
pub(crate) fn expiry(now: SystemTime, lifetime: Duration) -> SystemTime {
    let at = now
        .checked_add(lifetime)
        .filter(|at| *at <= latest())
        .unwrap_or_else(latest);
    match at.duration_since(UNIX_EPOCH) {
        Ok(since) => {
            UNIX_EPOCH
                + Duration::from_micros(since.subsec_micros().into())
                + Duration::from_secs(since.as_secs())
        }
        Err(_) => at,
    }
}

/// `time` as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC), or without the fraction.
pub(crate) fn format(time: SystemTime, with_fraction: bool) -> String {
    let date = SdkDate::try_from(time)
        .or_else(|_| SdkDate::try_from(latest()))
        .unwrap_or_else(|_| unreachable!("9999-12-31 is within SdkDate's range"));
    // `YYYYMMDDTHHMMSSZ`: ASCII digits, `T` and `Z` only.
    let b = date.to_bytes().map(char::from);
    let mut text: String = [
        b[0], b[1], b[2], b[3], '-', b[4], b[5], '-', b[6], b[7], 'T', b[9], b[10], ':', b[11],
        b[12], ':', b[13], b[14],
    ]
    .into_iter()
    .collect();
    if with_fraction {
        let micros = time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.subsec_micros());
        text.push_str(&format!(".{micros:06}"));
    }
    text.push('Z');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_and_without_a_fraction() {
        let at = UNIX_EPOCH + Duration::from_secs(1_893_456_000) + Duration::from_micros(42);
        assert_eq!(format(at, true), "2030-01-01T00:00:00.000042Z");
        assert_eq!(format(at, false), "2030-01-01T00:00:00Z");
        assert_eq!(format(UNIX_EPOCH, true), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn expiries_are_whole_microseconds_and_bounded() {
        let now = UNIX_EPOCH + Duration::from_nanos(1_500_000_999);
        assert_eq!(
            expiry(now, Duration::from_secs(10)),
            UNIX_EPOCH + Duration::from_micros(11_500_000)
        );
        let far = expiry(now, Duration::MAX);
        assert_eq!(format(far, true), "9999-12-31T23:59:59.999999Z");
    }
}
