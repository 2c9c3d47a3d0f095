//! Running a batch of deletes: bounded in flight, paced, slowing down when the service says so.

use std::{io, sync::Arc};

use api_client::{Deletion, DeletionStatus, Error, ProcessorTasks};
use api_model::{InvalidId, TaskId};
use tokio::{task::JoinSet, time::Instant};

use crate::{
    ids::{Entry, Location},
    pacing::{AdaptiveLimit, Pacer},
};

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second at most.
    pub rate: Option<f64>,
    /// Count "already gone" as success.
    pub if_exists: bool,
}

/// What became of one id.
#[derive(Debug)]
pub enum Outcome {
    /// Deleted, or already gone with `--if-exists`.
    Done(Deletion),
    /// The request failed.
    Failed(Error),
    /// The id is invalid and was skipped (`--skip-invalid`).
    Invalid(InvalidId),
}

/// One id and what became of it.
#[derive(Debug)]
pub struct Record {
    /// Where the id came from.
    pub location: Location,
    /// The id as written.
    pub task_id: String,
    /// What became of it.
    pub outcome: Outcome,
}

impl Record {
    /// Whether it counts as success.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, Outcome::Done(_))
    }
}

/// Deletes every valid id of `entries`, calling `on_record` for each id as it finishes.
/// Invalid ids are reported as [`Outcome::Invalid`] without a request.
pub async fn run(
    api: Arc<dyn ProcessorTasks>,
    entries: impl Iterator<Item = io::Result<Entry>>,
    options: &BatchOptions,
    mut on_record: impl FnMut(Record),
) -> io::Result<BatchStats> {
    let mut limit = AdaptiveLimit::new(options.concurrency);
    let mut pacer = options.rate.map(Pacer::new);
    let mut in_flight: JoinSet<Record> = JoinSet::new();
    let mut stats = BatchStats::default();
    let mut settle = |record: Record, limit: &mut AdaptiveLimit, stats: &mut BatchStats| {
        match &record.outcome {
            Outcome::Done(d) if d.throttled > 0 => limit.on_throttled(Instant::now()),
            Outcome::Done(_) => limit.on_success(),
            Outcome::Failed(e)
                if e.service_error()
                    .is_some_and(|s| s.status().as_u16() == 429) =>
            {
                limit.on_throttled(Instant::now())
            }
            _ => {}
        }
        stats.sent += u64::from(!matches!(record.outcome, Outcome::Invalid(_)));
        on_record(record);
    };
    for entry in entries {
        let entry = entry?;
        let task_id = match entry.raw.parse::<TaskId>() {
            Ok(id) => id,
            Err(e) => {
                settle(
                    Record {
                        location: entry.location,
                        task_id: entry.raw,
                        outcome: Outcome::Invalid(e),
                    },
                    &mut limit,
                    &mut stats,
                );
                continue;
            }
        };
        while in_flight.len() >= limit.limit() {
            if let Some(done) = in_flight.join_next().await {
                settle(done.map_err(io::Error::other)?, &mut limit, &mut stats);
            }
        }
        while let Some(done) = in_flight.try_join_next() {
            settle(done.map_err(io::Error::other)?, &mut limit, &mut stats);
        }
        if let Some(pacer) = pacer.as_mut() {
            pacer.wait().await;
        }
        let api = api.clone();
        let if_exists = options.if_exists;
        in_flight.spawn(async move {
            let result = if if_exists {
                api.delete_processor_task_if_exists(&task_id).await
            } else {
                api.delete_processor_task(&task_id).await
            };
            let outcome = match result {
                Ok(deletion) => Outcome::Done(deletion),
                Err(e) => Outcome::Failed(e),
            };
            Record {
                location: entry.location,
                task_id: entry.raw,
                outcome,
            }
        });
    }
    while let Some(done) = in_flight.join_next().await {
        settle(done.map_err(io::Error::other)?, &mut limit, &mut stats);
    }
    stats.lowest_concurrency = limit.lowest();
    Ok(stats)
}

/// Facts about a batch that no single record holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct BatchStats {
    /// Requests started (ids that were valid).
    pub sent: u64,
    /// The lowest concurrency the adaptive limit went down to.
    pub lowest_concurrency: usize,
}

/// Whether a deletion found the task already gone.
pub fn already_gone(d: &Deletion) -> bool {
    d.status == DeletionStatus::AlreadyGone
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_client::MockProcessorTasks;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn entries(ids: &[&str]) -> impl Iterator<Item = io::Result<Entry>> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                Ok(Entry {
                    location: Location::Argument(i + 1),
                    raw: (*id).to_owned(),
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn options(concurrency: usize) -> BatchOptions {
        BatchOptions {
            concurrency,
            rate: None,
            if_exists: false,
        }
    }

    #[tokio::test]
    async fn every_valid_id_is_deleted_once_and_invalid_ones_are_reported() {
        let mut api = MockProcessorTasks::new();
        api.expect_delete_processor_task()
            .times(3)
            .returning(|_| Ok(Deletion::deleted(None, 1)));
        api.expect_delete_processor_task_if_exists().never();
        let mut records = Vec::new();
        let stats = run(
            Arc::new(api),
            entries(&["a", "b", "../x", "c"]),
            &options(2),
            |r| records.push(r),
        )
        .await
        .unwrap();
        assert_eq!(stats.sent, 3);
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
        let mut n = 0;
        run(Arc::new(api), entries(&["a", "b"]), &opts, |r| {
            assert!(r.succeeded());
            n += 1;
        })
        .await
        .unwrap();
        assert_eq!(n, 2);
    }

    use api_model::{
        CreateProcessorTaskRequest, CreateProcessorTaskResponse, CreateProcessorTaskVersionRequest,
        CreateProcessorTaskVersionResponse, GetProcessorTaskItemsQuery,
        GetProcessorTaskItemsResponse, ListProcessorTaskVersionsQuery,
        ListProcessorTaskVersionsResponse, ListProcessorTasksQuery, ListProcessorTasksResponse,
        ProcessorTask, ProcessorTaskVersion, UpdateProcessorTaskRequest, VersionId,
    };

    /// A fake API that records the most requests in flight at once.
    #[derive(Debug, Default)]
    struct Gauge {
        now: AtomicUsize,
        peak: AtomicUsize,
        throttle_first: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl ProcessorTasks for Gauge {
        async fn delete_processor_task(&self, _id: &TaskId) -> Result<Deletion, Error> {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            let throttled = u32::from(
                self.throttle_first
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
                    .is_ok(),
            );
            Ok(Deletion::deleted(None, 1 + throttled).with_throttled(throttled))
        }
        async fn delete_processor_task_if_exists(&self, id: &TaskId) -> Result<Deletion, Error> {
            self.delete_processor_task(id).await
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
        async fn delete_processor_task_version(
            &self,
            _: &TaskId,
            _: &VersionId,
        ) -> Result<(), Error> {
            Err(unused())
        }
        async fn stop_processor_task_version(
            &self,
            _: &TaskId,
            _: &VersionId,
        ) -> Result<(), Error> {
            Err(unused())
        }
    }

    /// What the gauge answers for the operations a batch never calls.
    fn unused() -> Error {
        Error::InvalidInput(api_client::InvalidInput::Config(
            "a batch of deletes only deletes".into(),
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_bounded_and_halves_on_throttling() {
        let ids: Vec<String> = (0..200).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();

        let gauge = Arc::new(Gauge::default());
        let stats = run(gauge.clone(), entries(&refs), &options(8), |_| {})
            .await
            .unwrap();
        assert_eq!(gauge.peak.load(Ordering::SeqCst), 8);
        assert_eq!(stats.lowest_concurrency, 8);

        let throttled = Arc::new(Gauge {
            throttle_first: AtomicUsize::new(1),
            ..Gauge::default()
        });
        let stats = run(throttled, entries(&refs), &options(8), |_| {})
            .await
            .unwrap();
        assert_eq!(stats.lowest_concurrency, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_cap_spaces_requests() {
        let gauge = Arc::new(Gauge::default());
        let started = tokio::time::Instant::now();
        let opts = BatchOptions {
            rate: Some(50.0),
            ..options(8)
        };
        let ids: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        run(gauge, entries(&refs), &opts, |_| {}).await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
}
