//! The rate limit over real sockets: a token bucket and a fixed window per (project, API), the
//! throttled reply, Retry-After, counting 429s, and changes while running. Time is a manual
//! clock the emulator and the signer share, so nothing sleeps and every count is exact.

use std::sync::Arc;
use std::time::Duration;

use api_auth::Signer;
use api_emulator::{
    Emulator, FaultConfig, FaultKind, InvalidRateLimit, RateLimit, RateLimitMode,
    RateLimitSchedule, Route, StartError,
};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{Method, Request};

use crate::common::*;
use crate::identity::ManualClock;

/// The gateway's message for 10/s.
const TEN_PER_SECOND: &str =
    "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second";

async fn start(limit: Option<RateLimit>, tasks: usize) -> (Emulator, Client, Arc<ManualClock>) {
    start_with(builder(tasks), limit).await
}

async fn start_with(
    builder: api_emulator::EmulatorBuilder,
    limit: Option<RateLimit>,
) -> (Emulator, Client, Arc<ManualClock>) {
    let clock = ManualClock::new();
    let mut builder = builder.clock(clock.clone());
    if let Some(limit) = limit {
        builder = builder.rate_limit(limit);
    }
    let emu = builder.start().await.unwrap();
    let client = Client::new(&emu).with_signer(Signer::with_clock(clock.clone()));
    (emu, client, clock)
}

/// Asserts the throttled reply: 429 with exactly the gateway's body (its request id the one in
/// `X-Request-Id`), and `Retry-After` only when `retry_after` says so.
#[track_caller]
fn assert_throttled(answer: &Answer, message: &str, retry_after: Option<&str>) {
    assert_eq!(answer.status(), 429, "{}", answer.json);
    assert_eq!(answer.response.headers()[CONTENT_TYPE], "application/json");
    let id = answer.request_id();
    assert_eq!(id.len(), 32);
    let expected =
        format!(r#"{{"error_code":"APIG.0308","error_msg":"{message}","request_id":"{id}"}}"#);
    assert_eq!(
        String::from_utf8_lossy(answer.response.body()),
        expected.as_str()
    );
    assert_eq!(
        answer
            .response
            .headers()
            .get(RETRY_AFTER)
            .map(|value| value.to_str().unwrap()),
        retry_after
    );
}

/// Sends `n` list requests at the same instant: how many were admitted (the rest must be
/// throttled).
async fn lists(client: &Client, project: &str, n: usize) -> usize {
    let mut admitted = 0;
    for _ in 0..n {
        let answer = client.call(Method::GET, &collection(project), "").await;
        match answer.status() {
            200 => admitted += 1,
            429 => assert_eq!(answer.code(), "APIG.0308"),
            other => panic!("unexpected {other}: {}", answer.json),
        }
    }
    admitted
}

/// Lists until the first 429: how many were admitted.
async fn lists_until_throttled(client: &Client) -> usize {
    let mut admitted = 0;
    loop {
        let answer = client.call(Method::GET, &collection(PROJECT), "").await;
        match answer.status() {
            200 => admitted += 1,
            429 => return admitted,
            other => panic!("unexpected {other}: {}", answer.json),
        }
    }
}

#[tokio::test]
async fn a_token_bucket_admits_its_burst_then_its_rate() {
    let (emu, client, clock) = start(Some(RateLimit::per_second(10.0)), 3).await;
    // The burst: 10 at once, the rest throttled with the gateway's body and no Retry-After.
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let answer = client.call(Method::GET, &collection(PROJECT), "").await;
        if answer.status() == 429 {
            assert_throttled(&answer, TEN_PER_SECOND, None);
        } else {
            answer.expect(200, None);
        }
        statuses.push(answer.status());
    }
    assert_eq!(statuses[..10], [200; 10]);
    assert_eq!(statuses[10..], [429; 15]);

    // Then 10/s: one every 100 ms, however many come.
    let mut admitted = 0;
    for _ in 0..50 {
        clock.advance(Duration::from_millis(100));
        admitted += lists(&client, PROJECT, 3).await;
    }
    assert_eq!(admitted, 50, "5 s at 10/s");

    let stats = emu.stats();
    assert_eq!(stats.throttled, 15 + 100);
    assert_eq!(stats.throttled_for(Route::ListTasks), 115);
    assert_eq!(stats.responses(Route::ListTasks, 429), 115);
    assert_eq!(stats.responses(Route::ListTasks, 200), 60);
    assert_eq!(stats.faults_total(), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn throttled_deletes_never_reach_the_store() {
    let (emu, client, _clock) = start(Some(RateLimit::per_minute(4.0)), 10).await;
    let mut deleted = Vec::new();
    for task in ids(&emu, &project()) {
        let answer = client.delete(&task).await;
        match answer.status() {
            200 => deleted.push(task),
            429 => assert_throttled(
                &answer,
                "The throttling threshold has been reached: policy user over ratelimit,limit:4,time:1 minute",
                None,
            ),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(deleted.len(), 4);
    assert_eq!(emu.store().count(&project()), 6);
    let stats = emu.stats();
    assert_eq!(stats.tasks_deleted, 4);
    assert_eq!(stats.throttled_for(Route::DeleteTask), 6);
    emu.shutdown().await;
}

/// A list of `OTHER_PROJECT`, with its token.
fn other_project_list(client: &Client) -> Request<Bytes> {
    let mut request = client.unsigned(Method::GET, &collection(OTHER_PROJECT), "");
    request.headers_mut().remove("x-project-id");
    request
        .headers_mut()
        .insert("x-auth-token", "other-token".parse().unwrap());
    request
}

#[tokio::test]
async fn each_project_and_api_has_its_own_bucket() {
    let (emu, client, _clock) = start(Some(RateLimit::per_minute(3.0)), 10).await;
    assert_eq!(lists(&client, PROJECT, 5).await, 3);
    // Deletes are another API: their own 3.
    let mut statuses = Vec::new();
    for task in ids(&emu, &project()).iter().take(5) {
        statuses.push(client.delete(task).await.status());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    // Another project: its own 3 lists.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(client.send(other_project_list(&client)).await.status());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    // Unrouted requests are never limited.
    for _ in 0..5 {
        client
            .call(Method::GET, &format!("/v2/{PROJECT}/nothing"), "")
            .await
            .expect(404, Some("APIG.0101"));
    }
    let stats = emu.stats();
    assert_eq!(stats.throttled, 6);
    assert_eq!(stats.throttled_for(Route::ListTasks), 4);
    assert_eq!(stats.throttled_for(Route::DeleteTask), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn refused_requests_take_no_token() {
    let (emu, client, _clock) = start(Some(RateLimit::per_minute(1.0)), 1).await;
    for _ in 0..5 {
        client
            .send(client.unsigned(Method::GET, &collection(PROJECT), ""))
            .await
            .expect(401, Some("APIG.0301"));
        client
            .call(Method::GET, &collection(OTHER_PROJECT), "")
            .await
            .expect(403, Some("ModelArts.0210"));
    }
    assert_eq!(lists(&client, PROJECT, 3).await, 1);
    assert_eq!(emu.stats().throttled, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_fixed_window_resets_at_the_boundary() {
    let window = RateLimit::per_second(5.0).mode(RateLimitMode::FixedWindow);
    let (emu, client, clock) = start(Some(window), 1).await;
    // Windows are aligned to the start: [0, 1 s), [1 s, 2 s), …
    clock.advance(Duration::from_millis(400));
    assert_eq!(lists(&client, PROJECT, 8).await, 5);
    clock.advance(Duration::from_millis(599));
    assert_eq!(
        lists(&client, PROJECT, 8).await,
        0,
        "still the first window"
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(lists(&client, PROJECT, 8).await, 5, "the second window");
    // The gateway's way: 2N may pass across a boundary.
    clock.advance(Duration::from_millis(999));
    assert_eq!(lists(&client, PROJECT, 1).await, 0);
    clock.advance(Duration::from_millis(1));
    assert_eq!(lists(&client, PROJECT, 8).await, 5);
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    assert_throttled(
        &answer,
        "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second",
        None,
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn retry_after_when_asked() {
    // A bucket: the wait for the next token, rounded up.
    let bucket = RateLimit::per_minute(6.0).retry_after(true);
    let (emu, client, clock) = start(Some(bucket), 1).await;
    let message = "The throttling threshold has been reached: policy user over ratelimit,limit:6,time:1 minute";
    assert_eq!(lists(&client, PROJECT, 6).await, 6);
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    assert_throttled(&answer, message, Some("10"));
    clock.advance(Duration::from_millis(4_500));
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    assert_throttled(&answer, message, Some("6"));
    emu.shutdown().await;

    // A window: the time left in it, rounded up, at least 1.
    let window = RateLimit::per_second(2.0)
        .mode(RateLimitMode::FixedWindow)
        .retry_after(true);
    let (emu, client, clock) = start(Some(window), 1).await;
    clock.advance(Duration::from_millis(999));
    assert_eq!(lists(&client, PROJECT, 2).await, 2);
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    assert_throttled(
        &answer,
        "The throttling threshold has been reached: policy user over ratelimit,limit:2,time:1 second",
        Some("1"),
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn throttled_requests_count_only_when_asked() {
    for (count, expected) in [(false, 10), (true, 0)] {
        let limit = RateLimit::per_second(10.0).count_throttled(count);
        let (emu, client, clock) = start(Some(limit), 1).await;
        assert_eq!(lists(&client, PROJECT, 10).await, 10);
        // A client retrying every 50 ms: half get through, unless each 429 takes what there
        // is of the next token.
        let mut admitted = 0;
        for _ in 0..20 {
            clock.advance(Duration::from_millis(50));
            admitted += lists(&client, PROJECT, 1).await;
        }
        assert_eq!(admitted, expected, "count_throttled({count})");
        // A pause of one token's time lets one through either way.
        clock.advance(Duration::from_millis(100));
        assert_eq!(lists(&client, PROJECT, 2).await, 1);
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn the_random_429_fault_is_unchanged_beside_the_limit() {
    let faults = FaultConfig {
        too_many_requests: 1.0,
        retry_after_secs: 4,
        ..FaultConfig::default()
    };
    let (emu, client, _clock) =
        start_with(builder(1).faults(faults), Some(RateLimit::per_minute(2.0))).await;
    for n in 0..5 {
        let answer = client.call(Method::GET, &collection(PROJECT), "").await;
        if n < 2 {
            answer.expect(429, Some("ModelArts.4206"));
            assert_eq!(answer.response.headers()[RETRY_AFTER], "4");
        } else {
            assert_throttled(
                &answer,
                "The throttling threshold has been reached: policy user over ratelimit,limit:2,time:1 minute",
                None,
            );
        }
    }
    let stats = emu.stats();
    assert_eq!(stats.faults(FaultKind::TooManyRequests), 2);
    assert_eq!(stats.throttled, 3);
    assert_eq!(stats.responses(Route::ListTasks, 429), 5);
    emu.shutdown().await;
}

#[tokio::test]
async fn set_rate_limit_takes_effect_at_the_next_request() {
    let (emu, client, clock) = start(None, 1).await;
    assert_eq!(emu.rate_limit(), None);
    assert_eq!(lists(&client, PROJECT, 30).await, 30);
    emu.set_rate_limit(Some(RateLimit::per_second(5.0)))
        .unwrap();
    assert_eq!(lists(&client, PROJECT, 8).await, 5, "a full bucket");
    // Raised: no fresh burst, a faster refill.
    emu.set_rate_limit(Some(RateLimit::per_second(20.0)))
        .unwrap();
    assert_eq!(lists(&client, PROJECT, 3).await, 0);
    clock.advance(Duration::from_millis(100));
    assert_eq!(lists(&client, PROJECT, 5).await, 2);
    // Lowered: at most the new burst kept.
    clock.advance(Duration::from_secs(1));
    emu.set_rate_limit(Some(RateLimit::per_second(3.0)))
        .unwrap();
    assert_eq!(lists(&client, PROJECT, 30).await, 3);
    // An invalid limit changes nothing.
    assert!(matches!(
        emu.set_rate_limit(Some(RateLimit::per_second(f64::NAN))),
        Err(InvalidRateLimit::Rate { .. })
    ));
    assert_eq!(emu.rate_limit(), Some(RateLimit::per_second(3.0)));
    emu.set_rate_limit(None).unwrap();
    assert_eq!(lists(&client, PROJECT, 30).await, 30);
    assert_eq!(emu.rate_limit(), None);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_schedule_steps_the_limit_as_time_passes() {
    let schedule: RateLimitSchedule = "0s=100/s,2s=20/s,4s=100/s".parse().unwrap();
    let (emu, client, clock) = start_with(builder(1).rate_limit_schedule(schedule), None).await;
    // A client that sends until throttled every 100 ms, for 6 s.
    let mut per_tick = Vec::new();
    for tick in 0..60 {
        if tick > 0 {
            clock.advance(Duration::from_millis(100));
        }
        per_tick.push(lists_until_throttled(&client).await);
    }
    assert_eq!(per_tick[0], 100, "the first burst");
    assert!(per_tick[1..20].iter().all(|n| *n == 10), "{per_tick:?}");
    // At 2 s: 100 ms at the old rate (10 tokens, within the new burst of 20), then 20/s.
    assert_eq!(per_tick[20], 10);
    assert!(per_tick[21..40].iter().all(|n| *n == 2), "{per_tick:?}");
    // At 4 s: back to 100/s, without a fresh burst.
    assert_eq!(per_tick[40], 2);
    assert!(per_tick[41..].iter().all(|n| *n == 10), "{per_tick:?}");
    assert_eq!(emu.rate_limit(), Some(RateLimit::per_second(100.0)));

    // A schedule set while running counts from then.
    emu.set_rate_limit_schedule("1s=off".parse().unwrap())
        .unwrap();
    assert_eq!(lists(&client, PROJECT, 3).await, 0);
    clock.advance(Duration::from_secs(1));
    assert_eq!(lists(&client, PROJECT, 200).await, 200);
    assert_eq!(emu.rate_limit(), None);
    let bad = RateLimitSchedule::new().at(Duration::ZERO, Some(RateLimit::per_second(0.0)));
    assert!(emu.set_rate_limit_schedule(bad).is_err());
    emu.shutdown().await;
}

#[tokio::test]
async fn invalid_limits_refuse_to_start() {
    for builder in [
        builder(0).rate_limit(RateLimit::per_second(-1.0)),
        builder(0).rate_limit(RateLimit::per_second(1.5).mode(RateLimitMode::FixedWindow)),
        builder(0).rate_limit_schedule(
            RateLimitSchedule::new().at(Duration::from_secs(1), Some(RateLimit::per_minute(0.0))),
        ),
    ] {
        let error = builder.start().await.unwrap_err();
        assert!(matches!(error, StartError::InvalidRateLimit(_)), "{error}");
        assert!(error.to_string().contains("rate limit"), "{error}");
    }
}

#[cfg(feature = "cli")]
#[tokio::test]
async fn the_binary_refuses_bad_rate_limit_flags() {
    use std::process::Stdio;
    for (flags, expected) in [
        (&["--rate-limit", "0/s"][..], "above 0"),
        (&["--rate-limit", "10/hour"], "N/s or N/min"),
        (&["--rate-limit-burst", "5"], "needs --rate-limit"),
        (
            &[
                "--rate-limit",
                "10/s",
                "--rate-limit-mode",
                "window",
                "--rate-limit-burst",
                "5",
            ],
            "only applies to a token bucket",
        ),
        (&["--rate-limit-schedule", "10=5/s,x=off"], "schedule step"),
    ] {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_api-emulator"))
            .args(["--port", "0"])
            .args(flags)
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(!output.status.success(), "{flags:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{flags:?}: {stderr}");
    }
}
