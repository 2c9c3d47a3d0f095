//! Reading a throttled reply: status 429 or the gateway's and ModelArts' throttling codes, the
//! limit the message states, and whether it is a quota that will not come back soon.

use std::time::Duration;

use api_model::ServiceError;

/// The codes that mean "too many requests", whatever the status.
const THROTTLING_CODES: [&str; 3] = ["APIG.0308", "APIGW.0308", "ModelArts.4206"];

/// What a reply says about throttling.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Throttle {
    /// Too many requests for now; `limit` is the rate the message states, if it does.
    #[non_exhaustive]
    Rate {
        /// The server's limit, in requests per second.
        limit: Option<ServerLimit>,
    },
    /// A quota that will not come back for hours (a per-hour or per-day limit, or "Daily quota
    /// exhausted"): retrying would not help.
    QuotaExhausted,
}

/// A limit the gateway states: `limit:N,time:W unit`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ServerLimit {
    /// Requests allowed per window.
    pub requests: f64,
    /// The window.
    pub per: Duration,
}

impl ServerLimit {
    /// The limit in requests per second.
    pub fn per_second(&self) -> f64 {
        self.requests / self.per.as_secs_f64().max(1e-3)
    }
}

/// Whether `error` is a throttled reply, and what kind.
pub fn throttle_of(error: &ServiceError) -> Option<Throttle> {
    let code = error.code().as_str();
    let throttled = error.status().as_u16() == 429 || THROTTLING_CODES.contains(&code);
    if !throttled {
        return None;
    }
    let message = error.message();
    if message.to_ascii_lowercase().contains("quota exhausted") {
        return Some(Throttle::QuotaExhausted);
    }
    match parse_limit(message) {
        Some(limit) if limit.per >= Duration::from_secs(3600) => Some(Throttle::QuotaExhausted),
        limit => Some(Throttle::Rate { limit }),
    }
}

/// `…over ratelimit,limit:100,time:1 minute` → 100 per 60 s.
fn parse_limit(message: &str) -> Option<ServerLimit> {
    let lower = message.to_ascii_lowercase();
    let after = &lower[lower.find("limit:")? + "limit:".len()..];
    let (requests, rest) = after.split_once(',')?;
    let requests: f64 = requests
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0)?;
    let rest = rest.trim_start().strip_prefix("time:")?;
    let mut words = rest.split_whitespace();
    let count: u64 = words.next()?.parse().ok().filter(|n| *n > 0)?;
    let unit = words
        .next()?
        .trim_end_matches(|c: char| !c.is_ascii_alphabetic());
    let seconds = match unit {
        "second" | "seconds" | "s" => 1,
        "minute" | "minutes" | "m" => 60,
        "hour" | "hours" | "h" => 3600,
        "day" | "days" | "d" => 86_400,
        _ => return None,
    };
    Some(ServerLimit {
        requests,
        per: Duration::from_secs(count.checked_mul(seconds)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, StatusCode};

    fn reply(status: u16, body: &str) -> ServiceError {
        ServiceError::from_reply(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
        )
    }

    #[test]
    fn the_three_body_shapes_and_the_codes() {
        let limit = |n: f64, s: u64| {
            Some(Throttle::Rate {
                limit: Some(ServerLimit {
                    requests: n,
                    per: Duration::from_secs(s),
                }),
            })
        };
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"error_msg":"The throttling threshold has been reached: policy ip over ratelimit,limit:5,time:5 second","error_code":"APIGW.0308","request_id":"r"}"#
            )),
            limit(5.0, 5)
        );
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute"}"#
            )),
            limit(100.0, 60)
        );
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"status_code":429,"request_id":"r","error_code":"APIGW.0308","error_message":"policy api over ratelimit,limit:2000,time:1 minute"}"#
            )),
            limit(2000.0, 60)
        );
        // ModelArts' own per-API limit, no numbers; a bare 429; a throttling code on another status.
        let bare = Some(Throttle::Rate { limit: None });
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"error_code":"ModelArts.4206","error_msg":"Excessive number of requests to DeleteProcessorTask"}"#
            )),
            bare
        );
        assert_eq!(throttle_of(&reply(429, "")), bare);
        assert_eq!(
            throttle_of(&reply(503, r#"{"error_code":"APIG.0308","error_msg":"x"}"#)),
            bare
        );
        assert_eq!(
            throttle_of(&reply(503, r#"{"error_code":"APIG.0201","error_msg":"x"}"#)),
            None
        );
        assert_eq!(
            throttle_of(&reply(
                400,
                r#"{"error_code":"ModelArts.4700","error_msg":"x"}"#
            )),
            None
        );
    }

    #[test]
    fn quotas_for_hours_are_not_rate_limits() {
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"error_code":"APIG.0308","error_msg":"Daily quota exhausted"}"#
            )),
            Some(Throttle::QuotaExhausted)
        );
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"error_code":"APIG.0308","error_msg":"policy user over ratelimit,limit:1000,time:1 day"}"#
            )),
            Some(Throttle::QuotaExhausted)
        );
        assert_eq!(
            throttle_of(&reply(
                429,
                r#"{"error_code":"APIG.0308","error_msg":"policy user over ratelimit,limit:10,time:2 hour"}"#
            )),
            Some(Throttle::QuotaExhausted)
        );
    }

    #[test]
    fn odd_messages_give_no_limit_and_no_panic() {
        for message in [
            "limit:",
            "limit:x,time:1 second",
            "limit:5,time:0 second",
            "limit:-1,time:1 second",
            "limit:5,time:1 fortnight",
            "limit:1e400,time:1 second",
            "limit:5,time:99999999999999999999 day",
            "ümlaut limit:5,time:1 SECOND.",
        ] {
            let body =
                serde_json::json!({"error_code": "APIG.0308", "error_msg": message}).to_string();
            let _ = throttle_of(&reply(429, &body));
        }
        assert_eq!(
            parse_limit("ümlaut LIMIT:5,TIME:1 SECOND."),
            Some(ServerLimit {
                requests: 5.0,
                per: Duration::from_secs(1)
            })
        );
    }
}
