//! `SdkDate`: the UTC timestamp of the `X-Sdk-Date` header, written `YYYYMMDDTHHMMSSZ`.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::civil::{civil_from_days, days_from_civil, days_in_month};

const SECONDS_PER_DAY: i64 = 86_400;
/// 0000-01-01T00:00:00Z, in seconds since the Unix epoch.
const MIN_UNIX_SECONDS: i64 = days_from_civil(0, 1, 1) * SECONDS_PER_DAY;
/// 9999-12-31T23:59:59Z, in seconds since the Unix epoch.
const MAX_UNIX_SECONDS: i64 = days_from_civil(9999, 12, 31) * SECONDS_PER_DAY + SECONDS_PER_DAY - 1;

/// A UTC timestamp with one-second precision, as carried by the `X-Sdk-Date` header.
///
/// It displays and parses as `YYYYMMDDTHHMMSSZ` (for example `20191115T033655Z`) and covers the
/// years 0000 to 9999, the years that format can write.
///
/// ```
/// use api_auth::SdkDate;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let date = SdkDate::try_from(UNIX_EPOCH + Duration::from_secs(1_136_214_245))?;
/// assert_eq!(date.to_string(), "20060102T150405Z");
/// assert_eq!("20060102T150405Z".parse::<SdkDate>()?, date);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SdkDate {
    /// Seconds since 1970-01-01T00:00:00Z, within `MIN_UNIX_SECONDS..=MAX_UNIX_SECONDS`.
    unix_seconds: i64,
}

impl SdkDate {
    /// The date `unix_seconds` seconds after 1970-01-01T00:00:00Z (negative: before it).
    ///
    /// # Errors
    ///
    /// [`DateOutOfRangeError`] when the date falls outside the years 0000 to 9999.
    pub fn from_unix_seconds(unix_seconds: i64) -> Result<Self, DateOutOfRangeError> {
        if (MIN_UNIX_SECONDS..=MAX_UNIX_SECONDS).contains(&unix_seconds) {
            Ok(Self { unix_seconds })
        } else {
            Err(DateOutOfRangeError(()))
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative: before it).
    #[must_use]
    pub const fn unix_seconds(self) -> i64 {
        self.unix_seconds
    }

    /// The same instant as a [`SystemTime`], or `None` where the platform's `SystemTime` cannot
    /// hold it (Windows, for instance, starts in 1601).
    #[must_use]
    pub fn to_system_time(self) -> Option<SystemTime> {
        let magnitude = Duration::from_secs(self.unix_seconds.unsigned_abs());
        if self.unix_seconds >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        }
    }

    /// The 16 ASCII bytes `YYYYMMDDTHHMMSSZ`, written without allocating.
    #[must_use]
    pub fn to_bytes(self) -> [u8; 16] {
        let days = self.unix_seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = self.unix_seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        // The range check of the constructors keeps `year` within 0..=9999.
        let fields = [
            (year as u32 / 100, 0),
            (year as u32 % 100, 2),
            (month, 4),
            (day, 6),
            ((second_of_day / 3600) as u32, 9),
            ((second_of_day / 60 % 60) as u32, 11),
            ((second_of_day % 60) as u32, 13),
        ];
        let mut out = *b"00000000T000000Z";
        for (value, at) in fields {
            out[at] = b'0' + (value / 10 % 10) as u8;
            out[at + 1] = b'0' + (value % 10) as u8;
        }
        out
    }
}

impl TryFrom<SystemTime> for SdkDate {
    type Error = DateOutOfRangeError;

    /// The date of `time`, truncated to the second (towards the past).
    fn try_from(time: SystemTime) -> Result<Self, Self::Error> {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).map_err(|_| DateOutOfRangeError(()))?,
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).map_err(|_| DateOutOfRangeError(()))?;
                // 0.5 s before the epoch is in the second that starts 1 s before it.
                let partial = i64::from(before.subsec_nanos() > 0);
                -whole - partial
            }
        };
        Self::from_unix_seconds(seconds)
    }
}

impl fmt::Display for SdkDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.to_bytes();
        // Only ASCII digits, `T` and `Z` are ever written.
        f.write_str(std::str::from_utf8(&bytes).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for SdkDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SdkDate({self})")
    }
}

impl FromStr for SdkDate {
    type Err = ParseSdkDateError;

    /// Parses exactly `YYYYMMDDTHHMMSSZ`: 16 characters, a real calendar date, hours 00 to 23,
    /// minutes and seconds 00 to 59, nothing before or after.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        if bytes.len() != 16 {
            return Err(ParseSdkDateError::WrongLength {
                length: bytes.len(),
            });
        }
        for (position, &byte) in bytes.iter().enumerate() {
            let expected_ok = match position {
                8 => byte == b'T',
                15 => byte == b'Z',
                _ => byte.is_ascii_digit(),
            };
            if !expected_ok {
                return Err(ParseSdkDateError::UnexpectedCharacter { position });
            }
        }
        let number = |from: usize, to: usize| {
            bytes[from..to]
                .iter()
                .fold(0u32, |acc, &digit| acc * 10 + u32::from(digit - b'0'))
        };
        let year = i64::from(number(0, 4));
        let month = number(4, 6);
        let day = number(6, 8);
        let hour = number(9, 11);
        let minute = number(11, 13);
        let second = number(13, 15);
        if !(1..=12).contains(&month) {
            return Err(ParseSdkDateError::FieldOutOfRange {
                field: DateField::Month,
            });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(ParseSdkDateError::FieldOutOfRange {
                field: DateField::Day,
            });
        }
        if hour > 23 {
            return Err(ParseSdkDateError::FieldOutOfRange {
                field: DateField::Hour,
            });
        }
        if minute > 59 {
            return Err(ParseSdkDateError::FieldOutOfRange {
                field: DateField::Minute,
            });
        }
        if second > 59 {
            return Err(ParseSdkDateError::FieldOutOfRange {
                field: DateField::Second,
            });
        }
        let seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY
            + i64::from(hour * 3600 + minute * 60 + second);
        Ok(Self {
            unix_seconds: seconds,
        })
    }
}

/// A time outside the years 0000 to 9999, which `YYYYMMDDTHHMMSSZ` cannot write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the time is outside the years 0000 to 9999 that an X-Sdk-Date can carry; check the clock")]
pub struct DateOutOfRangeError(());

/// Why a string is not an `X-Sdk-Date` of the form `YYYYMMDDTHHMMSSZ`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseSdkDateError {
    /// The string is not 16 bytes long.
    #[error(
        "an X-Sdk-Date has 16 characters (YYYYMMDDTHHMMSSZ, e.g. 20191115T033655Z), this one has {length}"
    )]
    WrongLength {
        /// The length found, in bytes.
        length: usize,
    },
    /// A character is not the digit, `T` or `Z` that `YYYYMMDDTHHMMSSZ` has at its place.
    #[error(
        "an X-Sdk-Date is YYYYMMDDTHHMMSSZ (e.g. 20191115T033655Z); the character at position {position} does not fit"
    )]
    UnexpectedCharacter {
        /// The zero-based byte offset of the first character that does not fit.
        position: usize,
    },
    /// A field is out of its range (month 13, February 30, hour 24, ...).
    #[error("the {field} of the X-Sdk-Date is out of range")]
    FieldOutOfRange {
        /// The field that is out of range.
        field: DateField,
    },
}

/// A field of `YYYYMMDDTHHMMSSZ`, named in [`ParseSdkDateError::FieldOutOfRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateField {
    /// `MM`, 01 to 12.
    Month,
    /// `DD`, 01 to the length of the month.
    Day,
    /// `HH`, 00 to 23.
    Hour,
    /// The minutes, 00 to 59.
    Minute,
    /// `SS`, 00 to 59.
    Second,
}

impl fmt::Display for DateField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Month => "month",
            Self::Day => "day",
            Self::Hour => "hour",
            Self::Minute => "minute",
            Self::Second => "second",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> SdkDate {
        SdkDate::from_unix_seconds(seconds).unwrap()
    }

    #[test]
    fn formats_the_vector_dates() {
        assert_eq!(at(1_136_214_245).to_string(), "20060102T150405Z");
        assert_eq!(at(1_573_789_015).to_string(), "20191115T033655Z");
        assert_eq!(at(0).to_string(), "19700101T000000Z");
        assert_eq!(at(-1).to_string(), "19691231T235959Z");
        assert_eq!(at(951_782_400).to_string(), "20000229T000000Z");
        assert_eq!(at(MIN_UNIX_SECONDS).to_string(), "00000101T000000Z");
        assert_eq!(at(MAX_UNIX_SECONDS).to_string(), "99991231T235959Z");
    }

    #[test]
    fn from_system_time_truncates_to_the_second() {
        let t = UNIX_EPOCH + Duration::from_millis(1_136_214_245_999);
        assert_eq!(SdkDate::try_from(t).unwrap(), at(1_136_214_245));
        let before = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(SdkDate::try_from(before).unwrap(), at(-1));
        let before = UNIX_EPOCH - Duration::from_secs(2);
        assert_eq!(SdkDate::try_from(before).unwrap(), at(-2));
        assert_eq!(
            at(1_136_214_245).to_system_time(),
            Some(UNIX_EPOCH + Duration::from_secs(1_136_214_245))
        );
        assert_eq!(
            at(-5).to_system_time(),
            Some(UNIX_EPOCH - Duration::from_secs(5))
        );
    }

    #[test]
    fn rejects_years_after_9999() {
        assert!(SdkDate::from_unix_seconds(MAX_UNIX_SECONDS + 1).is_err());
        assert!(SdkDate::from_unix_seconds(MIN_UNIX_SECONDS - 1).is_err());
        assert!(SdkDate::from_unix_seconds(i64::MAX).is_err());
        assert!(SdkDate::from_unix_seconds(i64::MIN).is_err());
        let far = UNIX_EPOCH + Duration::from_secs(MAX_UNIX_SECONDS as u64 + 1);
        assert!(SdkDate::try_from(far).is_err());
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(
            "20060102T150405Z".parse::<SdkDate>().unwrap(),
            at(1_136_214_245)
        );
        assert_eq!(
            "20000229T000000Z".parse::<SdkDate>().unwrap(),
            at(951_782_400)
        );
        assert_eq!(
            "2006-01-02T15:04:05Z".parse::<SdkDate>(),
            Err(ParseSdkDateError::WrongLength { length: 20 })
        );
        assert_eq!(
            "".parse::<SdkDate>(),
            Err(ParseSdkDateError::WrongLength { length: 0 })
        );
        assert_eq!(
            "20060102 150405Z".parse::<SdkDate>(),
            Err(ParseSdkDateError::UnexpectedCharacter { position: 8 })
        );
        assert_eq!(
            "20060102T150405z".parse::<SdkDate>(),
            Err(ParseSdkDateError::UnexpectedCharacter { position: 15 })
        );
        assert_eq!(
            "2006+102T150405Z".parse::<SdkDate>(),
            Err(ParseSdkDateError::UnexpectedCharacter { position: 4 })
        );
        // Multi-byte UTF-8 of the right byte length is still rejected, without panicking.
        assert!("2006010\u{e9}T15040Z".parse::<SdkDate>().is_err());
        let out_of_range = |s: &str| match s.parse::<SdkDate>() {
            Err(ParseSdkDateError::FieldOutOfRange { field }) => field,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(out_of_range("20061302T150405Z"), DateField::Month);
        assert_eq!(out_of_range("20060002T150405Z"), DateField::Month);
        assert_eq!(out_of_range("20060100T150405Z"), DateField::Day);
        assert_eq!(out_of_range("20230229T150405Z"), DateField::Day);
        assert_eq!(out_of_range("19000229T150405Z"), DateField::Day);
        assert_eq!(out_of_range("20060431T150405Z"), DateField::Day);
        assert_eq!(out_of_range("20060102T240405Z"), DateField::Hour);
        assert_eq!(out_of_range("20060102T156005Z"), DateField::Minute);
        assert_eq!(out_of_range("20060102T150460Z"), DateField::Second);
    }

    #[test]
    fn errors_explain_the_format() {
        let message = "2006".parse::<SdkDate>().unwrap_err().to_string();
        assert!(message.contains("YYYYMMDDTHHMMSSZ"), "{message}");
        let message = "20061302T150405Z"
            .parse::<SdkDate>()
            .unwrap_err()
            .to_string();
        assert_eq!(message, "the month of the X-Sdk-Date is out of range");
        assert_eq!(format!("{:?}", at(0)), "SdkDate(19700101T000000Z)");
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(seconds in MIN_UNIX_SECONDS..=MAX_UNIX_SECONDS) {
            let date = at(seconds);
            let text = date.to_string();
            prop_assert_eq!(text.len(), 16);
            prop_assert_eq!(text.parse::<SdkDate>(), Ok(date));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,20}") {
            let _ = text.parse::<SdkDate>();
        }

        #[test]
        fn parse_never_panics_on_near_misses(text in "[0-9TZ]{16}") {
            if let Ok(date) = text.parse::<SdkDate>() {
                prop_assert_eq!(date.to_string(), text);
            }
        }
    }
}
