//! The batch runner against a fake API: bounded in flight, paced, and every id accounted for
//! when it is interrupted, abandoned, fed duplicates or a failing input.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

use api_client::MockProcessorTasks;
use api_model::{
    CreateProcessorTaskRequest, CreateProcessorTaskResponse, CreateProcessorTaskVersionRequest,
    CreateProcessorTaskVersionResponse, GetProcessorTaskItemsQuery, GetProcessorTaskItemsResponse,
    ListProcessorTaskVersionsQuery, ListProcessorTaskVersionsResponse, ListProcessorTasksQuery,
    ListProcessorTasksResponse, ProcessorTask, ProcessorTaskVersion, UpdateProcessorTaskRequest,
    VersionId,
};
use tokio::sync::Semaphore;

fn entries(ids: &[&str]) -> Vec<io::Result<Entry>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            Ok(Entry {
                location: Location::Argument(i + 1),
                raw: (*id).to_owned(),
            })
        })
        .collect()
}

fn many(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("t{i}")).collect()
}

fn refs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}

fn options(concurrency: usize) -> BatchOptions {
    BatchOptions::new(concurrency)
}

async fn run_all(
    api: Arc<dyn ProcessorTasks>,
    input: Vec<io::Result<Entry>>,
    opts: &BatchOptions,
    interrupts: &Interrupts,
) -> (Vec<Record>, BatchEnd) {
    let mut records = Vec::new();
    let end = run(api, input, opts, interrupts, |r| records.push(r)).await;
    (records, end)
}

#[tokio::test]
async fn every_valid_id_is_deleted_once_and_invalid_ones_are_reported() {
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task()
        .times(3)
        .returning(|_| Ok(Deletion::deleted(None, 1)));
    api.expect_delete_processor_task_if_exists().never();
    let (records, end) = run_all(
        Arc::new(api),
        entries(&["a", "b", "../x", "c"]),
        &options(2),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(end.stats.sent, 3);
    assert!(end.interrupted.is_none() && end.input_error.is_none());
    assert_eq!(records.len(), 4);
    assert_eq!(records.iter().filter(|r| r.succeeded()).count(), 3);
    let invalid: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Invalid(_)))
        .collect();
    assert_eq!(invalid[0].location, Location::Argument(3));
}

#[tokio::test]
async fn if_exists_uses_the_idempotent_call() {
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task().never();
    api.expect_delete_processor_task_if_exists()
        .times(2)
        .returning(|_| Ok(Deletion::already_gone(None, 1)));
    let opts = BatchOptions {
        if_exists: true,
        ..options(4)
    };
    let (records, _) = run_all(
        Arc::new(api),
        entries(&["a", "b"]),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    assert!(records.iter().all(Record::succeeded));
    assert_eq!(records.len(), 2);
}

#[tokio::test]
async fn a_repeated_id_is_deleted_once_and_recorded_as_a_duplicate() {
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task()
        .times(2)
        .returning(|_| Ok(Deletion::deleted(None, 1)));
    let (records, end) = run_all(
        Arc::new(api),
        entries(&["a", "b", "a", "a"]),
        &options(1),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(end.stats.sent, 2);
    let duplicates: Vec<_> = records
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Duplicate { first } => Some((r.location.clone(), first.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        duplicates,
        [
            (Location::Argument(3), Location::Argument(1)),
            (Location::Argument(4), Location::Argument(1))
        ]
    );
}

#[tokio::test]
async fn ids_done_before_are_skipped_and_counted() {
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task()
        .times(1)
        .withf(|id| id.as_str() == "c")
        .returning(|_| Ok(Deletion::deleted(None, 1)));
    let mut done = IdSet::default();
    done.insert("a", &Location::Argument(1));
    done.insert("b", &Location::Argument(1));
    let opts = BatchOptions {
        done_before: done,
        ..options(2)
    };
    let (records, end) = run_all(
        Arc::new(api),
        entries(&["a", "b", "c"]),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(records.len(), 1);
    assert_eq!(end.done_before, 2);
}

/// A fake API whose deletes wait for a permit of `gate` (forever when it has none), count
/// themselves, and panic for the id `t13`.
#[derive(Debug)]
struct Gated {
    gate: Arc<Semaphore>,
    started: AtomicUsize,
    now: AtomicUsize,
    peak: AtomicUsize,
    throttle_first: AtomicUsize,
    delay: Duration,
    /// When each request started.
    starts: std::sync::Mutex<Vec<Instant>>,
}

impl Gated {
    fn new(permits: usize) -> Self {
        Self {
            gate: Arc::new(Semaphore::new(permits)),
            started: AtomicUsize::new(0),
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            throttle_first: AtomicUsize::new(0),
            delay: Duration::from_millis(10),
            starts: std::sync::Mutex::new(Vec::new()),
        }
    }

    async fn delete(&self, id: &TaskId) -> Result<Deletion, Error> {
        self.started.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut starts) = self.starts.lock() {
            starts.push(Instant::now());
        }
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        let permit = self.gate.acquire().await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        if let Ok(permit) = permit {
            permit.forget();
        }
        assert_ne!(id.as_str(), "t13", "a bug in a request's task");
        let throttled = u32::from(
            self.throttle_first
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
                .is_ok(),
        );
        Ok(Deletion::deleted(None, 1 + throttled).with_throttled(throttled))
    }
}

#[async_trait::async_trait]
impl ProcessorTasks for Gated {
    async fn delete_processor_task(&self, id: &TaskId) -> Result<Deletion, Error> {
        self.delete(id).await
    }
    async fn delete_processor_task_if_exists(&self, id: &TaskId) -> Result<Deletion, Error> {
        self.delete(id).await
    }
    async fn create_processor_task(
        &self,
        _: CreateProcessorTaskRequest,
    ) -> Result<CreateProcessorTaskResponse, Error> {
        Err(unused())
    }
    async fn list_processor_tasks(
        &self,
        _: ListProcessorTasksQuery,
    ) -> Result<ListProcessorTasksResponse, Error> {
        Err(unused())
    }
    async fn get_processor_task_items(
        &self,
        _: GetProcessorTaskItemsQuery,
    ) -> Result<GetProcessorTaskItemsResponse, Error> {
        Err(unused())
    }
    async fn describe_processor_task(&self, _: &TaskId) -> Result<ProcessorTask, Error> {
        Err(unused())
    }
    async fn update_processor_task(
        &self,
        _: &TaskId,
        _: UpdateProcessorTaskRequest,
    ) -> Result<(), Error> {
        Err(unused())
    }
    async fn list_processor_task_versions(
        &self,
        _: &TaskId,
        _: ListProcessorTaskVersionsQuery,
    ) -> Result<ListProcessorTaskVersionsResponse, Error> {
        Err(unused())
    }
    async fn create_processor_task_version(
        &self,
        _: &TaskId,
        _: CreateProcessorTaskVersionRequest,
    ) -> Result<CreateProcessorTaskVersionResponse, Error> {
        Err(unused())
    }
    async fn describe_processor_task_version(
        &self,
        _: &TaskId,
        _: &VersionId,
    ) -> Result<ProcessorTaskVersion, Error> {
        Err(unused())
    }
    async fn delete_processor_task_version(&self, _: &TaskId, _: &VersionId) -> Result<(), Error> {
        Err(unused())
    }
    async fn stop_processor_task_version(&self, _: &TaskId, _: &VersionId) -> Result<(), Error> {
        Err(unused())
    }
}

/// What the fake answers for the operations a batch never calls.
fn unused() -> Error {
    Error::InvalidInput(api_client::InvalidInput::Config(
        "a batch of deletes only deletes".into(),
    ))
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded_and_halves_on_throttling() {
    let ids = many(200);
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    let (_, end) = run_all(
        gauge.clone(),
        entries(&refs(&ids)),
        &options(8),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 8);
    assert_eq!(end.stats.lowest_concurrency, 8);

    let throttled = Arc::new(Gated {
        throttle_first: AtomicUsize::new(1),
        ..Gated::new(usize::MAX >> 4)
    });
    // With --throttling aimd, a throttle halves the concurrency; otherwise (the client's rate
    // limiter paces) it stays at its cap.
    let aimd = BatchOptions {
        aimd: true,
        ..options(8)
    };
    let (_, end) = run_all(
        throttled.clone(),
        entries(&refs(&ids)),
        &aimd,
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(end.stats.lowest_concurrency, 4);
    throttled.throttle_first.store(1, Ordering::SeqCst);
    let (_, end) = run_all(
        throttled,
        entries(&refs(&ids)),
        &options(8),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(end.stats.lowest_concurrency, 8);
}

#[tokio::test(start_paused = true)]
async fn in_flight_is_kept_to_what_the_pace_sends_within_the_deadline() {
    // Paced at 0.1/s with a 120 s deadline: 3 in flight at most, not 64 waiting their turn
    // past the deadline.
    let ids = many(20);
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    let opts = BatchOptions {
        pace: Some(Arc::new(|| Some(0.1))),
        deadline: Duration::from_secs(120),
        ..options(64)
    };
    run_all(
        gauge.clone(),
        entries(&refs(&ids)),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 3);
    // Unthrottled (no pace yet): the cap.
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    let opts = BatchOptions {
        pace: Some(Arc::new(|| None)),
        ..options(8)
    };
    run_all(
        gauge.clone(),
        entries(&refs(&ids)),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 8);
}

/// How many requests started at each instant, in order (under paused time, one round trip of
/// [`Gated`] each).
fn rounds(gauge: &Gated) -> Vec<usize> {
    let starts = gauge.starts.lock().map(|s| s.clone()).unwrap_or_default();
    let mut rounds: Vec<(Instant, usize)> = Vec::new();
    for start in starts {
        match rounds.last_mut() {
            Some((at, n)) if *at == start => *n += 1,
            _ => rounds.push((start, 1)),
        }
    }
    rounds.into_iter().map(|(_, n)| n).collect()
}

#[tokio::test(start_paused = true)]
async fn a_ramp_starts_at_one_and_grows_an_eighth_per_round_trip_to_the_cap() {
    let ids = many(600);
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    let opts = BatchOptions {
        pace: Some(Arc::new(|| None)),
        ramp: true,
        ..options(64)
    };
    run_all(
        gauge.clone(),
        entries(&refs(&ids)),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 64);
    let ramped = rounds(&gauge);
    assert_eq!(ramped[..8], [1; 8], "{ramped:?}");
    let to_cap = ramped.iter().position(|&n| n == 64).unwrap_or(usize::MAX);
    assert!((35..=50).contains(&to_cap), "{ramped:?}");
    // No round more than an eighth (and one) above the one before.
    for pair in ramped[..to_cap].windows(2) {
        assert!(pair[1] * 8 <= pair[0] * 9 + 8, "{ramped:?}");
    }

    // Without the ramp (--throttling off or aimd), the cap from the first reply on.
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    let opts = BatchOptions {
        pace: Some(Arc::new(|| None)),
        ..options(64)
    };
    run_all(
        gauge.clone(),
        entries(&refs(&ids)),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(rounds(&gauge)[..2], [1, 64]);
}

#[tokio::test(start_paused = true)]
async fn the_client_limiter_pacing_ends_the_ramp() {
    let ids = many(200);
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    // The limiter turns on (as at a first throttle) once 3 requests have started.
    let counter = gauge.clone();
    let opts = BatchOptions {
        pace: Some(Arc::new(move || {
            (counter.started.load(Ordering::SeqCst) >= 3).then_some(1000.0)
        })),
        ramp: true,
        ..options(64)
    };
    run_all(
        gauge.clone(),
        entries(&refs(&ids)),
        &opts,
        &Interrupts::manual(),
    )
    .await;
    let paced = rounds(&gauge);
    assert_eq!(paced[..4], [1, 1, 1, 64], "{paced:?}");
}

#[tokio::test(start_paused = true)]
async fn the_rate_cap_spaces_requests() {
    let gauge = Arc::new(Gated::new(usize::MAX >> 4));
    let started = tokio::time::Instant::now();
    let opts = BatchOptions {
        rate: Some(50.0),
        ..options(8)
    };
    let ids = many(51);
    run_all(gauge, entries(&refs(&ids)), &opts, &Interrupts::manual()).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// Runs a batch of 100 ids, 4 in flight, over `api`; `when_started(n)` runs once `n` deletes
/// have started. Returns the records, the batch's end and the deletes started.
async fn interrupted_run(
    api: Arc<Gated>,
    opts: &BatchOptions,
    interrupt_after: usize,
    then: impl FnOnce(&Interrupts) + Send + 'static,
) -> (Vec<Record>, BatchEnd, usize) {
    let ids = many(100);
    let interrupts = Interrupts::manual();
    let watcher = {
        let interrupts = interrupts.clone();
        let api = Arc::clone(&api);
        tokio::spawn(async move {
            // Bounded: a batch that never starts that many requests fails the test, not hangs.
            for _ in 0..100_000 {
                if api.started.load(Ordering::SeqCst) >= interrupt_after {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            interrupts.stop(Cause::Interrupt);
            then(&interrupts);
        })
    };
    let (records, end) = run_all(api.clone(), entries(&refs(&ids)), opts, &interrupts).await;
    let _ = watcher.await;
    let started = api.started.load(Ordering::SeqCst);
    (records, end, started)
}

/// Every id started has one record; the rest are counted as not attempted.
fn assert_accounted(records: &[Record], end: &BatchEnd, started: usize) {
    assert_eq!(records.len(), started, "one record per request started");
    let ids: std::collections::HashSet<_> = records.iter().map(|r| &r.task_id).collect();
    assert_eq!(ids.len(), records.len(), "no id recorded twice");
    assert_eq!(end.stats.sent as usize, started);
    assert_eq!(started as u64 + end.not_attempted, 100);
}

#[tokio::test(start_paused = true)]
async fn a_stop_lets_requests_in_flight_finish_and_counts_the_rest() {
    let api = Arc::new(Gated::new(usize::MAX >> 4));
    let (records, end, started) = interrupted_run(api, &options(4), 10, |_| {}).await;
    assert_eq!(end.interrupted, Some(Cause::Interrupt));
    assert!(records.iter().all(Record::succeeded), "in flight finished");
    assert!(end.not_attempted > 0 && started < 100, "{started} started");
    assert_accounted(&records, &end, started);
}

#[tokio::test(start_paused = true)]
async fn a_second_sigint_records_what_is_in_flight_as_unknown() {
    // One request opens the gate (the batch sends one alone until its reply), then the gate
    // stays shut: the next four would wait forever.
    let api = Arc::new(Gated::new(1));
    let (records, end, started) =
        interrupted_run(api, &options(4), 5, |interrupts| interrupts.abandon()).await;
    assert_eq!(started, 5);
    assert!(records[0].succeeded(), "the first one finished");
    assert!(
        records[1..]
            .iter()
            .all(|r| matches!(&r.outcome, Outcome::Unknown(why) if why.contains("second SIGINT")))
    );
    assert_accounted(&records, &end, started);
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_past_the_grace_are_recorded_as_unknown() {
    let api = Arc::new(Gated::new(0));
    let opts = BatchOptions {
        grace: Duration::from_secs(5),
        ..options(4)
    };
    let t0 = tokio::time::Instant::now();
    // The batch sends one request alone until its reply, which never comes.
    let (records, end, started) = interrupted_run(api, &opts, 1, |_| {}).await;
    assert_eq!(started, 1);
    assert!(t0.elapsed() >= Duration::from_secs(5) && t0.elapsed() < Duration::from_secs(6));
    assert!(
        records
            .iter()
            .all(|r| matches!(&r.outcome, Outcome::Unknown(why) if why.contains("5s after")))
    );
    assert_accounted(&records, &end, started);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_request_is_unknown_and_the_batch_goes_on() {
    let api = Arc::new(Gated::new(usize::MAX >> 4));
    let ids = many(30);
    let (records, end) = run_all(
        api,
        entries(&refs(&ids)),
        &options(4),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(records.len(), 30);
    let unknown: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Unknown(_)))
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].task_id, "t13");
    assert_eq!(unknown[0].location, Location::Argument(14));
    assert!(end.interrupted.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_failing_input_stops_feeding_but_drains_what_is_in_flight() {
    let api = Arc::new(Gated::new(usize::MAX >> 4));
    let mut input = entries(&refs(&many(10)));
    input.insert(6, Err(io::Error::other("the disk went away")));
    let (records, end) = run_all(api.clone(), input, &options(4), &Interrupts::manual()).await;
    assert_eq!(
        records.len(),
        6,
        "the six ids before the error, all finished"
    );
    assert!(records.iter().all(Record::succeeded));
    assert!(end.input_error.is_some());
    assert_eq!(api.started.load(Ordering::SeqCst), 6);
}

#[test]
fn a_hundred_thousand_distinct_ids_are_all_new() {
    // The set keeps a 128-bit key per id: no two of these may collide. (Its memory is
    // measured with the whole CLI by `cargo xtask bench`: peak RSS for 100,000 ids.)
    let mut set = IdSet::default();
    let location = Location::Line {
        source: Arc::from("ids.txt"),
        line: 1,
    };
    for i in 0..100_000 {
        assert!(set.insert(&format!("task{i:015}"), &location).is_none());
    }
    assert_eq!(set.len(), 100_000);
}

#[tokio::test]
async fn a_failure_every_request_would_repeat_stops_after_the_one_request_sent_alone() {
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task().times(1).returning(|_| {
        Err(Error::Service {
            source: api_client::ServiceError::from_reply(
                http::StatusCode::UNAUTHORIZED,
                &http::HeaderMap::new(),
                br#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            ),
            attempts: 1,
        })
    });
    let ids = many(50);
    let (records, end) = run_all(
        Arc::new(api),
        entries(&refs(&ids)),
        &options(16),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(records.len(), 1);
    assert_eq!(end.stats.sent, 1);
    assert_eq!(end.not_attempted, 49);
    assert!(end.doomed.unwrap().contains("APIG.0301"));
    assert!(end.interrupted.is_none());
}

fn refused(sent: bool) -> Error {
    Error::Transport {
        source: api_transport::TransportError::connect(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "refused",
        )),
        sent,
        attempts: 3,
    }
}

#[tokio::test]
async fn a_task_an_attempt_may_have_deleted_is_checked_and_unknown_when_the_check_fails() {
    // The first attempt's reply was lost, then the connection was refused: the delete may have
    // happened. Asking fails the same way, so the record is unknown, never failed, and since
    // every request would be refused, the batch stops there.
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task()
        .times(1)
        .returning(|_| Err(refused(true)));
    api.expect_describe_processor_task()
        .times(1)
        .returning(|_| Err(refused(false)));
    let ids = many(5);
    let (records, end) = run_all(
        Arc::new(api),
        entries(&refs(&ids)),
        &options(4),
        &Interrupts::manual(),
    )
    .await;
    assert_eq!(records.len(), 1);
    assert!(
        matches!(records[0].outcome, Outcome::Unconfirmed { .. }),
        "{:?}",
        records[0].outcome
    );
    let text = crate::records::delete(&records[0]).to_string();
    assert!(text.contains(r#""result":"unknown""#), "{text}");
    assert_eq!(end.not_attempted, 4);
    assert!(end.doomed.is_some());

    // Refused on every attempt: never sent, so failed without asking.
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task()
        .times(1)
        .returning(|_| Err(refused(false)));
    api.expect_describe_processor_task().never();
    let (records, _) = run_all(
        Arc::new(api),
        entries(&["a", "b"]),
        &options(4),
        &Interrupts::manual(),
    )
    .await;
    assert!(matches!(records[0].outcome, Outcome::Failed(_)));
}
