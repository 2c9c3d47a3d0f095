//! Durations in flags: one syntax everywhere, a number (decimals allowed) and a unit.
//!
//! Units: `ms`, `s`, `m` (minutes), `h`, `d`, `w`. `--attempt-timeout` and `--deadline` take a
//! plain number as seconds; `--older-than` needs a unit, since `30` alone is ambiguous.

use std::time::Duration;

const UNITS: [(&str, f64); 6] = [
    ("ms", 0.001),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3_600.0),
    ("d", 86_400.0),
    ("w", 604_800.0),
];

/// The units, for messages.
const UNIT_LIST: &str = "ms, s, m, h, d or w";

/// Parses `30s`, `1.5m`, `500ms`, `2w`…; a plain number is in `default_unit`, or refused when
/// there is none. The result must be more than 0 and at most `most`.
pub fn parse(text: &str, default_unit: Option<&str>, most: Duration) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = match (unit.trim(), default_unit) {
        ("", Some(default)) => default,
        ("", None) => {
            return Err(format!(
                "{text:?} has no unit: write it as 30d, 12h, 1.5h or 90m ({UNIT_LIST})"
            ));
        }
        (unit, _) => unit,
    };
    let scale = UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|(_, scale)| *scale)
        .ok_or_else(|| format!("unknown unit {unit:?} in {text:?}: use {UNIT_LIST}"))?;
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s, 1.5m or 2d"))?;
    let seconds = value * scale;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!("{text:?}: a duration must be more than 0"));
    }
    if seconds > most.as_secs_f64() {
        return Err(format!(
            "{text:?} is more than the most allowed, {}",
            format(most)
        ));
    }
    match Duration::try_from_secs_f64(seconds) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(format!("{text:?} is less than a nanosecond")),
    }
}

/// A timeout (`--attempt-timeout`, `--deadline`): seconds by default, at most an hour.
pub fn timeout(text: &str) -> Result<Duration, String> {
    parse(text, Some("s"), Duration::from_secs(3_600))
}

/// An age (`--older-than`): a unit is required, at most 100 years.
pub fn age(text: &str) -> Result<Duration, String> {
    parse(text, None, Duration::from_secs(100 * 365 * 86_400))
}

/// `30d`, `12h`, `90m`, `1.5s`: the largest unit that gives a whole number, else seconds.
pub fn format(duration: Duration) -> String {
    let ms = duration.as_millis();
    for (name, scale) in UNITS.iter().rev() {
        let unit_ms = (scale * 1000.0) as u128;
        if unit_ms > 0 && ms >= unit_ms && ms.is_multiple_of(unit_ms) {
            return format!("{}{name}", ms / unit_ms);
        }
    }
    format!("{}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_syntax_for_every_flag() {
        assert_eq!(timeout("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(timeout("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(timeout("7"), Ok(Duration::from_secs(7)));
        assert_eq!(timeout(" 30S "), Ok(Duration::from_secs(30)));
        assert_eq!(timeout("1h"), Ok(Duration::from_secs(3_600)));
        assert_eq!(age("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(age("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(age("1.5d"), Ok(Duration::from_secs(129_600)));
        assert_eq!(age("90m"), Ok(Duration::from_secs(5_400)));
        for bad in [
            "0s", "2h", "fast", "", "-1s", "1e400", "NaN", "inf", "1.2.3s",
        ] {
            assert!(timeout(bad).is_err(), "{bad}");
        }
        for bad in ["30", "d", "0d", "3y", "-1d", "99999999999999999w", "1e30d"] {
            assert!(age(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_back() {
        assert_eq!(format(Duration::from_secs(30 * 86_400)), "30d");
        assert_eq!(format(Duration::from_secs(14 * 86_400)), "2w");
        assert_eq!(format(Duration::from_secs(5_400)), "90m");
        assert_eq!(format(Duration::from_millis(1_500)), "1500ms");
    }

    proptest::proptest! {
        /// No text makes the parsers panic, and what they accept is within bounds.
        #[test]
        fn any_text_is_parsed_or_refused(text in ".{0,24}", number in proptest::num::f64::ANY, unit in "(ms|s|m|h|d|w|x|)") {
            for candidate in [text.clone(), format!("{number}{unit}")] {
                if let Ok(d) = timeout(&candidate) {
                    proptest::prop_assert!(d > Duration::ZERO && d <= Duration::from_secs(3_600));
                }
                if let Ok(d) = age(&candidate) {
                    proptest::prop_assert!(d > Duration::ZERO);
                }
            }
        }
    }
}
