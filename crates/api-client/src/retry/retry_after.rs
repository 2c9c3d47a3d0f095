//! Reading `Retry-After`: delay-seconds or an HTTP date.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// The wait a reply asks for in `Retry-After`, as seconds or an HTTP date (a date in the past
/// is zero). A value that is neither is ignored.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("retry-after", "3".parse().unwrap());
/// assert_eq!(api_client::parse_retry_after(&headers), Some(std::time::Duration::from_secs(3)));
/// ```
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, value.parse().unwrap());
        parse_retry_after(&headers)
    }

    #[test]
    fn seconds_dates_and_garbage() {
        assert_eq!(parse("0"), Some(Duration::ZERO));
        assert_eq!(parse(" 17 "), Some(Duration::from_secs(17)));
        assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let parsed = parse(&future).unwrap();
        assert!(
            parsed > Duration::from_secs(100) && parsed <= Duration::from_secs(120),
            "{parsed:?}"
        );
        assert_eq!(parse("-1"), None);
        assert_eq!(parse("soon"), None);
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
    }
}
