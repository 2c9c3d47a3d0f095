//! `demo`: the main job on a fresh machine. Seed an emulator, delete through the whole stack
//! (HTTP, AK/SK signing, retries under injected faults), then prove nothing else was touched.

use std::{io::Write, process::ExitCode, sync::Arc, time::Duration};

use api_client::{Client, Credentials, RetryPolicy, Timeouts};
use api_emulator::{
    DEMO_AK, DEMO_SK, Emulator, FaultConfig, TaskStatus, demo_project_id, seeded_tasks,
};
use tokio::time::Instant;

use crate::{
    batch::{self, BatchOptions},
    cli::{DemoArgs, Global, Output},
    error::CliError,
    ids::IdList,
    report::{Reporter, Summary},
};

/// The RNG seed of the demo, so every run is the same.
const DEMO_SEED: u64 = 2026;

/// Runs `demo`.
pub async fn run(global: &Global, args: &DemoArgs) -> Result<ExitCode, CliError> {
    if !(0.0..=0.5).contains(&args.fault_rate) {
        return Err(CliError::Usage(
            "--fault-rate must be between 0 and 0.5".into(),
        ));
    }
    let project = demo_project_id();
    let mut tasks = seeded_tasks(&project, args.tasks + args.survivors, DEMO_SEED);
    for task in &mut tasks {
        task.status = TaskStatus::Completed; // initializing tasks refuse deletion (403 ModelArts.4850)
    }
    let survivors = tasks.split_off(args.tasks);
    let rate = args.fault_rate;
    let faults = FaultConfig {
        seed: DEMO_SEED,
        too_many_requests: rate * 0.3,
        internal_error: rate * 0.2,
        unavailable: rate * 0.2,
        drop_connection: rate * 0.15,
        delete_then_drop: rate * 0.15,
        retry_after_secs: 0,
        ..FaultConfig::default()
    };
    let emulator = Emulator::builder()
        .ak_sk(DEMO_AK, DEMO_SK, &project)
        .with_tasks(&project, tasks.iter().cloned())
        .with_tasks(&project, survivors.iter().cloned())
        .faults(faults)
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;

    let mut ids_file = tempfile::NamedTempFile::new()?;
    for task in &tasks {
        writeln!(ids_file, "{}", task.task_id)?;
    }
    ids_file.flush()?;
    let text = global.output != Output::Json;
    if text {
        println!(
            "demo: an emulator at {} holds {} tasks; deleting {} of them (ids from {}) with {} in flight,\n      \
             while the emulator fails {:.0}% of requests (429, 500, 503, dropped connections)\n",
            emulator.endpoint(),
            tasks.len() + survivors.len(),
            tasks.len(),
            ids_file.path().display(),
            args.concurrency,
            rate * 100.0
        );
    }

    let client = Client::builder()
        .shared_transport(crate::config::transport(usize::from(args.concurrency))?)
        .endpoint(&emulator.endpoint())
        .project_id(project.as_str())
        .credentials(Credentials::ak_sk(DEMO_AK, DEMO_SK))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(global.max_attempts.max(8))
                .with_initial_backoff(Duration::from_millis(20))
                .with_max_backoff(Duration::from_millis(500)),
        )
        .timeouts(Timeouts::default().with_attempt(global.attempt_timeout))
        .build()?;
    let options = BatchOptions {
        concurrency: usize::from(args.concurrency),
        rate: None,
        if_exists: true,
    };
    let mut ids = IdList::new(Vec::new(), Some(ids_file.path()));
    let mut reporter = Reporter::new(global.output, std::io::stdout().lock(), std::io::stderr());
    let mut summary = Summary::default();
    let started = Instant::now();
    let stats = batch::run(Arc::new(client), ids.entries()?, &options, |record| {
        summary.add(&record);
        let _ = reporter.record(&record);
    })
    .await?;
    summary.finish(started.elapsed(), stats);
    reporter.summary(&summary)?;

    let store = emulator.store();
    let left = tasks
        .iter()
        .filter(|t| store.contains(&project, &t.task_id))
        .count();
    let kept = survivors
        .iter()
        .filter(|t| store.contains(&project, &t.task_id))
        .count();
    let served = emulator.stats();
    let faults = served.faults_total();
    emulator.shutdown().await;
    let verified = left == 0 && kept == survivors.len() && summary.all_succeeded();
    if text {
        println!(
            "\nemulator:      {} requests served, {faults} faults injected",
            served.requests_received
        );
        println!(
            "verified:      {} of {} targeted tasks are gone; {} of {} other tasks remain{}",
            tasks.len() - left,
            tasks.len(),
            kept,
            survivors.len(),
            if verified { "" } else { "  <-- MISMATCH" }
        );
    } else {
        println!(
            "{}",
            serde_json::json!({"verification": {"targeted": tasks.len(), "targeted_left": left, "others": survivors.len(), "others_kept": kept, "faults_injected": faults, "ok": verified}})
        );
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
