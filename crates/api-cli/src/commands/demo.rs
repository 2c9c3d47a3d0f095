//! `demo`: the main job on a fresh machine. Seed an emulator, delete through the whole stack
//! (HTTP, AK/SK signing, retries under injected faults), then prove nothing else was touched.

use std::{collections::HashSet, io::Write, process::ExitCode, sync::Arc, time::Duration};

use api_client::{Client, Credentials, RetryPolicy, Timeouts};
use api_emulator::{
    DEMO_AK, DEMO_SK, Emulator, FaultConfig, RateLimit, TaskStatus, demo_project_id, seeded_tasks,
};
use tokio::time::Instant;

use crate::{
    batch::{self, BatchOptions, Outcome},
    cli::{DemoArgs, Global, Output},
    error::CliError,
    ids::IdList,
    interrupt::Interrupts,
    report::{Reporter, Summary},
};

/// The RNG seed of the demo, so every run is the same.
const DEMO_SEED: u64 = 2026;
/// The emulator's gateway-like rate limit in the demo, requests per second.
const DEMO_RATE_LIMIT: f64 = 1000.0;

/// Runs `demo`. SIGINT or SIGTERM stop it like any batch: what is in flight finishes, then
/// the summary and the verification say how far it got.
pub async fn run(
    global: &Global,
    args: &DemoArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    let project = demo_project_id();
    let (to_delete, to_keep) = (args.tasks as usize, args.survivors as usize);
    let mut tasks = seeded_tasks(&project, to_delete + to_keep, DEMO_SEED);
    for task in &mut tasks {
        task.status = TaskStatus::Completed; // initializing tasks refuse deletion (403 ModelArts.4850)
    }
    let survivors = tasks.split_off(to_delete);
    let rate = args.fault_rate;
    // Faults at random; throttling the gateway's way, by rate (429 APIG.0308, no
    // Retry-After), which the client's rate limiter learns and paces under.
    let faults = FaultConfig {
        seed: DEMO_SEED,
        internal_error: rate * 0.3,
        unavailable: rate * 0.3,
        drop_connection: rate * 0.2,
        delete_then_drop: rate * 0.2,
        retry_after_secs: 0,
        ..FaultConfig::default()
    };
    let emulator = Emulator::builder()
        .ak_sk(DEMO_AK, DEMO_SK, &project)
        .with_tasks(&project, tasks.iter().cloned())
        .with_tasks(&project, survivors.iter().cloned())
        .faults(faults)
        .rate_limit(RateLimit::per_second(DEMO_RATE_LIMIT))
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;

    let mut ids_file = tempfile::NamedTempFile::new()?;
    for task in &tasks {
        writeln!(ids_file, "{}", task.task_id)?;
    }
    ids_file.flush()?;
    let text = global.output != Output::Json;
    let mut reporter = Reporter::stdout(global.output).stopping(interrupts);
    if text {
        reporter.line(&format!(
            "demo: an emulator at {} holds {} tasks; deleting {} of them (ids from {}) with {} in flight,\n      \
             while the emulator fails {:.0}% of requests (500, 503, dropped connections) and, like the API\n      \
             gateway, throttles above {DEMO_RATE_LIMIT} requests/s (429 APIG.0308)\n",
            emulator.endpoint(),
            tasks.len() + survivors.len(),
            tasks.len(),
            ids_file.path().display(),
            args.concurrency,
            rate * 100.0
        ))?;
    }

    let client = Client::builder()
        .shared_transport(crate::config::transport(
            usize::from(args.concurrency),
            &crate::cli::ClientArgs::default(),
        )?)
        .endpoint(&emulator.endpoint())
        .project_id(project.as_str())
        .credentials(Credentials::ak_sk(DEMO_AK, DEMO_SK))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(8)
                .with_initial_backoff(Duration::from_millis(20))
                .with_max_backoff(Duration::from_millis(500)),
        )
        .timeouts(Timeouts::default())
        .build()?;
    let options = BatchOptions {
        if_exists: true,
        grace: Timeouts::default().attempt(),
        pace: Some(super::delete::pace_of(&client)),
        ramp: true,
        ..BatchOptions::new(usize::from(args.concurrency))
    };
    let mut ids = IdList::new(Vec::new(), Some(ids_file.path()));
    let mut summary = Summary::default();
    // What the records say, to hold against the emulator's store afterwards.
    let mut recorded_gone = HashSet::new();
    let mut recorded_unknown = HashSet::new();
    let started = Instant::now();
    let client = Arc::new(client);
    let end = batch::run(
        client.clone(),
        ids.entries()?,
        &options,
        interrupts,
        |record| {
            summary.add(&record);
            match &record.outcome {
                Outcome::Done(_) | Outcome::GoneAfterFailure(_) => {
                    recorded_gone.insert(record.task_id.clone());
                }
                Outcome::Unknown(_) | Outcome::Unconfirmed { .. } => {
                    recorded_unknown.insert(record.task_id.clone());
                }
                _ => {}
            }
            let _ = reporter.record(&record);
        },
    )
    .await;
    summary.finish(started.elapsed(), &end);
    summary.send_rate =
        client.send_rate(<api_model::DeleteProcessorTask as api_model::Operation>::NAME);

    // Every targeted task is gone exactly when the records say so (a task in flight when the
    // wait was abandoned may be either), and every other task remains.
    let store = emulator.store();
    let gone: HashSet<String> = tasks
        .iter()
        .filter(|t| !store.contains(&project, &t.task_id))
        .map(|t| t.task_id.to_string())
        .collect();
    let unaccounted = gone
        .iter()
        .filter(|id| !recorded_gone.contains(*id) && !recorded_unknown.contains(*id))
        .count();
    let claimed_but_present = recorded_gone.difference(&gone).count();
    let kept = survivors
        .iter()
        .filter(|t| store.contains(&project, &t.task_id))
        .count();
    let served = emulator.stats();
    let faults = served.faults_total();
    emulator.shutdown().await;
    let records_match = unaccounted == 0 && claimed_but_present == 0 && kept == survivors.len();
    let verified = records_match && (end.interrupted.is_some() || gone.len() == tasks.len());
    let verification = serde_json::json!({"verification": {
        "targeted": tasks.len(), "targeted_left": tasks.len() - gone.len(),
        "others": survivors.len(), "others_kept": kept, "faults_injected": faults,
        "gone_but_not_recorded": unaccounted, "recorded_but_present": claimed_but_present,
        "ok": verified}});
    reporter.summary_with("demo", &summary, verification)?;
    if text {
        reporter.line(&format!(
            "\nemulator:      {} requests served, {faults} faults injected",
            served.requests_received
        ))?;
        reporter.line(&format!(
            "verified:      {} of {} targeted tasks are gone{}; {} of {} other tasks remain{}",
            gone.len(),
            tasks.len(),
            if end.interrupted.is_some() {
                ", each as its record says"
            } else {
                ""
            },
            kept,
            survivors.len(),
            if verified { "" } else { "  <-- MISMATCH" }
        ))?;
    }
    reporter.flush()?;
    if let Some(cause) = end.interrupted {
        return Ok(cause.exit_code());
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
