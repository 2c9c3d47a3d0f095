//! Running a batch of deletes: bounded in flight, paced, slowing down when the service says so,
//! and stopping cleanly when interrupted.

use std::{collections::HashMap, io, sync::Arc, time::Duration};

use api_client::{Deletion, DeletionStatus, Error, ProcessorTasks};
use api_model::{InvalidId, TaskId};
use tokio::{
    task::{self, JoinSet},
    time::Instant,
};

use crate::{
    ids::{Entry, IdSet, Location},
    interrupt::{Cause, Interrupts},
    pacing::{AdaptiveLimit, Pacer, Ramp},
};

/// How to run a batch.
pub struct BatchOptions {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second at most.
    pub rate: Option<f64>,
    /// Count "already gone" as success.
    pub if_exists: bool,
    /// How long requests in flight may take to finish once the batch is interrupted: the
    /// attempt timeout. Past it they are recorded as `unknown`.
    pub grace: Duration,
    /// Ids a previous run recorded as done (`--resume`): skipped without a request.
    pub done_before: IdSet,
    /// How many ids the batch holds, when known: room is made for them all at once.
    pub expected_ids: usize,
    /// Halve the concurrency on a throttle and recover slowly (`--throttling aimd`); otherwise
    /// the concurrency stays at its cap and the client's rate limiter paces.
    pub aimd: bool,
    /// The pace the client's rate limiter sends at, when it has one. Requests in flight are
    /// kept to what that pace sends in a quarter of `deadline`, so that none waits its turn
    /// past the deadline (a limit of 5 a minute with 64 in flight would).
    pub pace: Option<Pace>,
    /// The deadline of one call.
    pub deadline: Duration,
    /// Start slowly (see [`Ramp`]) until the cap, or until the client's rate limiter turns on
    /// (`pace` gives a rate). For `--throttling adaptive`; the other modes start at the cap.
    pub ramp: bool,
}

/// The pace of the client's rate limiter, in requests per second (`None` while unthrottled).
pub type Pace = Arc<dyn Fn() -> Option<f64> + Send + Sync>;

impl std::fmt::Debug for BatchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOptions")
            .field("concurrency", &self.concurrency)
            .field("rate", &self.rate)
            .field("if_exists", &self.if_exists)
            .field("aimd", &self.aimd)
            .field("deadline", &self.deadline)
            .field("ramp", &self.ramp)
            .finish_non_exhaustive()
    }
}

impl BatchOptions {
    /// Requests allowed in flight now: the cap (or AIMD's limit), and what the pace sends in a
    /// quarter of the deadline; until the client's limiter paces, the ramp's window.
    fn room(&self, limit: usize, ramp: &mut Ramp) -> usize {
        let pace = self.pace.as_ref().and_then(|pace| pace());
        let paced = pace.map_or(usize::MAX, |rate| {
            ((rate * self.deadline.as_secs_f64() / 4.0) as usize).max(1)
        });
        if pace.is_some() {
            ramp.finish();
        }
        limit.min(paced).min(ramp.limit())
    }
}

impl BatchOptions {
    /// `concurrency` in flight, no rate cap, no `--if-exists`, a 30 s grace, nothing to resume.
    pub fn new(concurrency: usize) -> Self {
        Self {
            concurrency,
            rate: None,
            if_exists: false,
            grace: Duration::from_secs(30),
            done_before: IdSet::default(),
            expected_ids: 0,
            aimd: false,
            pace: None,
            deadline: Duration::from_secs(120),
            ramp: false,
        }
    }
}

/// What became of one id.
#[derive(Debug)]
pub enum Outcome {
    /// Deleted, or already gone with `--if-exists`.
    Done(Deletion),
    /// The request failed.
    Failed(Error),
    /// The delete's attempts ran out on failures that may have reached the service (timeouts,
    /// lost connections, 5xx, 429), and asking for the task then found it gone: deleted.
    GoneAfterFailure(Error),
    /// The id is invalid and was skipped (`--skip-invalid`).
    Invalid(InvalidId),
    /// The id came earlier in the batch: deleted (or not) once, there.
    Duplicate {
        /// Where it came first.
        first: Location,
    },
    /// The request was in flight when the run stopped waiting for it: the task may or may not
    /// have been deleted.
    Unknown(String),
    /// The delete failed after a request that may have reached the service, and asking whether
    /// the task is still there failed too: it may or may not have been deleted.
    Unconfirmed {
        /// Why the delete failed.
        error: Error,
        /// Why asking failed.
        check: Error,
    },
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
        matches!(
            self.outcome,
            Outcome::Done(_) | Outcome::GoneAfterFailure(_) | Outcome::Duplicate { .. }
        )
    }
}

/// How a batch ended: its facts, and what stopped it early, if anything did.
#[derive(Debug, Default)]
pub struct BatchEnd {
    /// Facts no single record holds.
    pub stats: BatchStats,
    /// What interrupted the batch, if something did.
    pub interrupted: Option<Cause>,
    /// Ids never sent because the batch stopped first (duplicates and ids done before not
    /// counted).
    pub not_attempted: u64,
    /// Ids skipped because a previous run recorded them done (`--resume`).
    pub done_before: u64,
    /// Reading the ids failed midway: the batch stopped there, after finishing what was in
    /// flight.
    pub input_error: Option<io::Error>,
    /// A failure that every other request would repeat (refused credentials, a wrong
    /// project, no connection, a failed TLS handshake) stopped the batch at the first; the
    /// message names it.
    pub doomed: Option<String>,
}

/// Deletes every valid id of `entries`, calling `on_record` for each id as it finishes.
///
/// Invalid ids are reported as [`Outcome::Invalid`], repeated ones as [`Outcome::Duplicate`],
/// both without a request. When `interrupts` asks to stop (or reading `entries` fails), no new
/// request starts; those in flight get `options.grace` to finish, and then, or at once when
/// `interrupts` abandons them, each is recorded as [`Outcome::Unknown`]. A failure that every
/// request would repeat ([`Error::dooms_every_call`]) stops the batch the same way, at the
/// first. Every id that was started gets exactly one record.
pub async fn run(
    api: Arc<dyn ProcessorTasks>,
    entries: impl IntoIterator<Item = io::Result<Entry>>,
    options: &BatchOptions,
    interrupts: &Interrupts,
    on_record: impl FnMut(Record),
) -> BatchEnd {
    run_noting(api, entries, options, interrupts, on_record, |_| {}).await
}

/// [`run`], also calling `on_not_attempted` with each id that was not sent because the batch
/// stopped first (for `--failed-to`).
pub async fn run_noting(
    api: Arc<dyn ProcessorTasks>,
    entries: impl IntoIterator<Item = io::Result<Entry>>,
    options: &BatchOptions,
    interrupts: &Interrupts,
    mut on_record: impl FnMut(Record),
    mut on_not_attempted: impl FnMut(&str),
) -> BatchEnd {
    let mut limit = AdaptiveLimit::new(options.concurrency);
    let mut ramp = Ramp::new(options.concurrency);
    if !options.ramp {
        ramp.finish();
    }
    let mut pacer = options.rate.map(Pacer::new);
    let mut flight = Flight::default();
    let mut seen = IdSet::with_capacity(options.expected_ids);
    let mut end = BatchEnd::default();
    let mut entries = entries.into_iter();
    let mut doomed: Option<String> = None;
    let mut settled = false;
    // Feed requests until the input ends, fails, the run is asked to stop, or a failure shows
    // that every request would fail.
    while !interrupts.is_stopping() && doomed.is_none() {
        let entry = match entries.next() {
            None => break,
            Some(Ok(entry)) => entry,
            Some(Err(e)) => {
                end.input_error = Some(e);
                break;
            }
        };
        let Some(ready) = first_sight(entry, options, &mut seen, &mut end, &mut on_record) else {
            continue;
        };
        // Wait for room, settling what finishes meanwhile. Until the first reply, one request
        // at a time: a wrong secret key then costs one failed sign-in, not one per slot.
        let mut stopped = false;
        while flight.len()
            >= if settled {
                options.room(limit.limit(), &mut ramp)
            } else {
                1
            }
            && !stopped
        {
            tokio::select! {
                biased;
                _ = interrupts.stopped() => stopped = true,
                done = flight.next() => {
                    if let Some(record) = done {
                        settle(record, options.aimd.then_some(&mut limit), &mut doomed, &mut on_record);
                        ramp.on_reply();
                        settled = true;
                        stopped = doomed.is_some();
                    }
                }
            }
        }
        if !stopped && let Some(pacer) = pacer.as_mut() {
            tokio::select! {
                biased;
                _ = interrupts.stopped() => stopped = true,
                () = pacer.wait() => {}
            }
        }
        if !stopped {
            while let Some(record) = flight.try_next() {
                settle(
                    record,
                    options.aimd.then_some(&mut limit),
                    &mut doomed,
                    &mut on_record,
                );
                ramp.on_reply();
                settled = true;
            }
        }
        if stopped || doomed.is_some() {
            end.not_attempted += 1;
            on_not_attempted(&ready.raw);
            break;
        }
        end.stats.sent += 1;
        flight.spawn(Arc::clone(&api), ready, options.if_exists);
    }
    end.interrupted = interrupts.state().cause();
    if end.interrupted.is_some() || doomed.is_some() {
        end.not_attempted += count_rest(entries, options, &mut seen, &mut on_not_attempted);
    }
    // Drain: wait for what is in flight; once stopped, no longer than the grace.
    let mut grace_ends: Option<Instant> = None;
    while !flight.is_empty() {
        if grace_ends.is_none() && interrupts.is_stopping() {
            let now = Instant::now();
            grace_ends = Some(now.checked_add(options.grace).unwrap_or(now));
        }
        let grace_ends_at = grace_ends.unwrap_or_else(Instant::now);
        tokio::select! {
            biased;
            () = interrupts.abandoned() => {
                flight.abandon("a second SIGINT stopped the wait for it", &mut on_record);
            }
            done = flight.next() => {
                if let Some(record) = done {
                    settle(record, options.aimd.then_some(&mut limit), &mut doomed, &mut on_record);
                }
            }
            () = tokio::time::sleep_until(grace_ends_at), if grace_ends.is_some() => {
                let why = format!(
                    "it was still in flight {:?} after the run was interrupted",
                    options.grace
                );
                flight.abandon(&why, &mut on_record);
            }
            _ = interrupts.stopped(), if grace_ends.is_none() => {}
        }
    }
    end.interrupted = interrupts.state().cause();
    end.doomed = doomed;
    end.stats.lowest_concurrency = limit.lowest();
    end
}

/// An id checked and ready to delete.
struct Ready {
    task_id: TaskId,
    location: Location,
    raw: String,
}

/// Checks an entry before any request: its id must be valid, new in this batch, and not done
/// before. Returns the id to delete, or `None` after recording why not.
fn first_sight(
    entry: Entry,
    options: &BatchOptions,
    seen: &mut IdSet,
    end: &mut BatchEnd,
    on_record: &mut impl FnMut(Record),
) -> Option<Ready> {
    let task_id = match entry.raw.parse::<TaskId>() {
        Ok(id) => id,
        Err(e) => {
            on_record(Record {
                location: entry.location,
                task_id: entry.raw,
                outcome: Outcome::Invalid(e),
            });
            return None;
        }
    };
    if options.done_before.contains(task_id.as_str()) {
        end.done_before += 1;
        return None;
    }
    if let Some(first) = seen.insert(task_id.as_str(), &entry.location) {
        on_record(Record {
            location: entry.location,
            task_id: entry.raw,
            outcome: Outcome::Duplicate { first },
        });
        return None;
    }
    Some(Ready {
        task_id,
        location: entry.location,
        raw: entry.raw,
    })
}

/// How many of the remaining entries would have been sent: valid, new and not done before.
fn count_rest(
    entries: impl Iterator<Item = io::Result<Entry>>,
    options: &BatchOptions,
    seen: &mut IdSet,
    on_not_attempted: &mut impl FnMut(&str),
) -> u64 {
    let mut rest = 0;
    for entry in entries {
        let Ok(entry) = entry else { break };
        let Ok(task_id) = entry.raw.parse::<TaskId>() else {
            continue;
        };
        if !options.done_before.contains(task_id.as_str())
            && seen.insert(task_id.as_str(), &entry.location).is_none()
        {
            rest += 1;
            on_not_attempted(&entry.raw);
        }
    }
    rest
}

/// Passes a finished request's record on, adapting the concurrency, and notes the first
/// failure that every request would repeat.
fn settle(
    record: Record,
    limit: Option<&mut AdaptiveLimit>,
    doomed: &mut Option<String>,
    on_record: &mut impl FnMut(Record),
) {
    if let Outcome::Failed(e) | Outcome::Unconfirmed { check: e, .. } = &record.outcome
        && e.dooms_every_call()
        && doomed.is_none()
    {
        *doomed = Some(e.to_string());
    }
    if let Some(limit) = limit {
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
    }
    on_record(record);
}

/// The requests in flight, each remembered by its task so that one that never reports (it
/// panicked, or is abandoned) still gets a record.
#[derive(Default)]
struct Flight {
    tasks: JoinSet<Record>,
    started: HashMap<task::Id, (Location, String)>,
}

impl Flight {
    fn len(&self) -> usize {
        self.tasks.len()
    }

    fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    fn spawn(&mut self, api: Arc<dyn ProcessorTasks>, ready: Ready, if_exists: bool) {
        let Ready {
            task_id,
            location,
            raw,
        } = ready;
        let record_location = location.clone();
        let record_raw = raw.clone();
        let handle = self.tasks.spawn(async move {
            let result = if if_exists {
                api.delete_processor_task_if_exists(&task_id).await
            } else {
                api.delete_processor_task(&task_id).await
            };
            let outcome = match result {
                Ok(deletion) => Outcome::Done(deletion),
                // A task an attempt may have deleted is never recorded failed unchecked.
                Err(e) if e.is_retryable() && e.request_may_have_been_sent() => {
                    check_after(&*api, &task_id, e).await
                }
                Err(e) => Outcome::Failed(e),
            };
            Record {
                location: record_location,
                task_id: record_raw,
                outcome,
            }
        });
        self.started.insert(handle.id(), (location, raw));
    }

    /// The next request to finish, as a record (`None` when none is in flight).
    async fn next(&mut self) -> Option<Record> {
        let joined = self.tasks.join_next_with_id().await?;
        Some(self.record_of(joined))
    }

    /// A request that has finished, without waiting.
    fn try_next(&mut self) -> Option<Record> {
        let joined = self.tasks.try_join_next_with_id()?;
        Some(self.record_of(joined))
    }

    fn record_of(&mut self, joined: Result<(task::Id, Record), task::JoinError>) -> Record {
        match joined {
            Ok((id, record)) => {
                self.started.remove(&id);
                record
            }
            Err(e) => {
                let (location, task_id) = self
                    .started
                    .remove(&e.id())
                    .unwrap_or((Location::Argument(0), String::new()));
                let why = if e.is_panic() {
                    "the request's task panicked; the task may or may not have been deleted"
                } else {
                    "the request was cancelled; the task may or may not have been deleted"
                };
                Record {
                    location,
                    task_id,
                    outcome: Outcome::Unknown(why.to_owned()),
                }
            }
        }
    }

    /// Stops every request still in flight, recording each as unknown.
    fn abandon(&mut self, why: &str, on_record: &mut impl FnMut(Record)) {
        // Those that finished but were not collected yet keep their real result.
        while let Some(record) = self.try_next() {
            on_record(record);
        }
        self.tasks.abort_all();
        for (_, (location, task_id)) in self.started.drain() {
            on_record(Record {
                location,
                task_id,
                outcome: Outcome::Unknown(format!(
                    "{why}: the task may or may not have been deleted"
                )),
            });
        }
        // The aborted tasks' join results carry nothing more.
        self.tasks.detach_all();
    }
}

/// After a delete whose attempts ran out on failures that may have reached the service, asks
/// once whether the task is still there: gone is deleted, there is failed, and no answer is
/// unknown. Never "failed" for a task that is gone.
async fn check_after(api: &dyn ProcessorTasks, task_id: &TaskId, error: Error) -> Outcome {
    match api.describe_processor_task(task_id).await {
        Ok(_) => Outcome::Failed(error),
        Err(e) if e.code() == Some(&api_client::ErrorCode::TaskNotFound) => {
            Outcome::GoneAfterFailure(error)
        }
        Err(check) => Outcome::Unconfirmed { error, check },
    }
}

/// Facts about a batch that no single record holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct BatchStats {
    /// Requests started (ids that were valid, new and not done before).
    pub sent: u64,
    /// The lowest concurrency the adaptive limit went down to.
    pub lowest_concurrency: usize,
}

/// Whether a deletion found the task already gone.
pub fn already_gone(d: &Deletion) -> bool {
    d.status == DeletionStatus::AlreadyGone
}

#[cfg(test)]
mod tests;
