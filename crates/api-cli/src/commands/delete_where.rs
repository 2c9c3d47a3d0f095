//! `delete --where`: list what the filters match, print it, confirm, then delete exactly that.

use std::{
    io::{self, BufWriter, IsTerminal, Write},
    process::ExitCode,
    sync::Arc,
    time::Duration,
};

use api_client::ProcessorTasks;
use api_model::{ProcessorTask, SortOrder};
use futures_util::TryStreamExt;

use crate::{
    batch::{BatchEnd, BatchOptions},
    cli::{ClientArgs, DeleteArgs, Global, Output},
    commands::delete::delete_all,
    config,
    confirm::{self, Confirmation},
    error::CliError,
    failed_to::FailedTo,
    filter::{self, TaskFilter},
    ids::{Entry, Location},
    interrupt::{Cause, Interrupts},
    report::{Reporter, Summary},
    table,
};

/// Runs `delete --where`.
pub async fn run(
    global: &Global,
    client: &ClientArgs,
    args: &DeleteArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    if args.filter.is_empty() {
        return Err(CliError::Usage(
            "--where needs at least one filter: --status, --type, --name-contains or --older-than"
                .into(),
        ));
    }
    let target = config::connect(client, usize::from(args.concurrency)).await?;
    let api: Arc<dyn ProcessorTasks> = Arc::new(target.client.clone());
    let Some(mut matched) = until_interrupted(
        interrupts,
        plan(Arc::clone(&api), &args.filter, filter::now_ms()),
    )
    .await
    .transpose()?
    else {
        return interrupted(global, target, interrupts, "while listing the tasks", 0).await;
    };

    // The plan is for the person deciding: stderr, so that `> out.txt` never hides it.
    let mut plan_out = BufWriter::new(io::stderr().lock());
    let what = args.filter.describe();
    if matched.is_empty() {
        writeln!(plan_out, "no task matches ({what}); nothing to delete")?;
        plan_out.flush()?;
        drop(plan_out);
        let mut reporter = Reporter::stdout(global.output);
        reporter.summary("delete", &crate::report::Summary::default())?;
        reporter.flush()?;
        return finish(target, ExitCode::SUCCESS).await;
    }
    table::task_header(&mut plan_out, false)?;
    for task in &matched {
        table::task_row(&mut plan_out, task, false)?;
    }
    writeln!(plan_out, "{} task(s) match ({what})", matched.len())?;
    plan_out.flush()?;
    drop(plan_out);

    let mut reporter = Reporter::stdout(global.output).stopping(interrupts);
    if args.dry_run {
        for (n, task) in matched.iter().enumerate() {
            reporter.would_delete(&Location::Matched(n + 1), task.task_id.as_str())?;
        }
        reporter.dry_run_summary(matched.len() as u64, 0)?;
        reporter.flush()?;
        return finish(target, ExitCode::SUCCESS).await;
    }
    let question = format!("Delete these {} task(s)?", matched.len());
    match confirm::decide(args.yes, io::stdin().is_terminal()) {
        Confirmation::Given => {}
        Confirmation::Ask => {
            // The answer is read on a blocking thread; an interruption does not wait for it.
            let answer = tokio::task::spawn_blocking(move || {
                confirm::ask(&question, &mut io::stdin().lock(), &mut io::stderr())
            });
            let agreed = match until_interrupted(interrupts, answer).await {
                None => {
                    crate::note!("");
                    let left = matched.len() as u64;
                    return interrupted(global, target, interrupts, "at the question", left).await;
                }
                Some(joined) => joined
                    .map_err(|e| CliError::Failed(format!("cannot ask for confirmation: {e}")))??,
            };
            if !agreed {
                crate::note!("nothing was deleted");
                let left = matched.len() as u64;
                return deleted_nothing(global, target, left, None, ExitCode::from(1)).await;
            }
            // Time passed while the question was open: delete only what still matches.
            let Some(fresh) = until_interrupted(
                interrupts,
                plan(Arc::clone(&api), &args.filter, filter::now_ms()),
            )
            .await
            .transpose()?
            else {
                let left = matched.len() as u64;
                return interrupted(
                    global,
                    target,
                    interrupts,
                    "while listing the tasks again",
                    left,
                )
                .await;
            };
            let (kept, changed) = still_matching(matched, &fresh);
            if !changed.is_empty() {
                crate::note!(
                    "{} task(s) no longer match since they were listed, and are kept: {}",
                    changed.len(),
                    changed.join(" ")
                );
            }
            matched = kept;
        }
        Confirmation::Refused => {
            let _ = finish(target, ExitCode::SUCCESS).await;
            return Err(CliError::Usage(format!(
                "refusing to delete {} task(s) without confirmation: stdin is not a terminal, \
                 so pass --yes once the list above is what you mean; nothing was deleted",
                matched.len()
            )));
        }
    }

    if matched.is_empty() {
        crate::note!("nothing left to delete");
        return deleted_nothing(global, target, 0, None, ExitCode::SUCCESS).await;
    }
    // Refused before anything is sent if it cannot be written.
    let failed_to = match args
        .failed_to
        .as_deref()
        .map(|path| FailedTo::create(path, None))
    {
        None => None,
        Some(Ok(failed_to)) => Some(failed_to),
        Some(Err(e)) => {
            let _ = finish(target, ExitCode::SUCCESS).await;
            return Err(e);
        }
    };
    let total = matched.len() as u64;
    let entries = matched.into_iter().enumerate().map(|(n, task)| {
        Ok(Entry {
            location: Location::Matched(n + 1),
            raw: task.task_id.to_string(),
        })
    });
    // A task deleted by someone else since it was listed is what was asked for: not a failure.
    let options = BatchOptions {
        if_exists: true,
        rate: args.rate,
        grace: client.attempt_timeout(),
        aimd: client.throttling() == crate::cli::ThrottlingMode::Aimd,
        pace: Some(super::delete::pace_of(&target.client)),
        deadline: client.deadline(),
        ramp: client.throttling() == crate::cli::ThrottlingMode::Adaptive,
        ..BatchOptions::new(usize::from(args.concurrency))
    };
    delete_all(
        global, target, entries, total, &options, reporter, interrupts, failed_to,
    )
    .await
}

/// Every task the filter matches, oldest last; each checked here as well as by the service.
pub async fn plan(
    api: Arc<dyn ProcessorTasks>,
    filter: &TaskFilter,
    now_ms: i64,
) -> Result<Vec<ProcessorTask>, CliError> {
    Ok(filter::matching(api, filter, SortOrder::Desc, now_ms)
        .try_collect()
        .await?)
}

/// `work`'s output, or `None` if the run is interrupted first.
async fn until_interrupted<T>(
    interrupts: &Interrupts,
    work: impl std::future::Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        biased;
        _ = interrupts.stopped() => None,
        out = work => Some(out),
    }
}

/// Ends a run interrupted before anything was deleted.
async fn interrupted(
    global: &Global,
    target: config::Target,
    interrupts: &Interrupts,
    when: &str,
    not_attempted: u64,
) -> Result<ExitCode, CliError> {
    let cause = interrupts.state().cause().unwrap_or(Cause::Interrupt);
    crate::note!("interrupted by {cause} {when}: nothing was deleted");
    deleted_nothing(
        global,
        target,
        not_attempted,
        Some(cause),
        cause.exit_code(),
    )
    .await
}

/// Ends a run that deleted nothing (declined, interrupted, nothing left): with `-o json`, the
/// summary scripts wait for, saying so.
async fn deleted_nothing(
    global: &Global,
    target: config::Target,
    not_attempted: u64,
    interrupted: Option<Cause>,
    code: ExitCode,
) -> Result<ExitCode, CliError> {
    target.shutdown().await;
    if global.output == Output::Json {
        let mut summary = Summary::default();
        let end = BatchEnd {
            not_attempted,
            interrupted,
            ..BatchEnd::default()
        };
        summary.finish(Duration::ZERO, &end);
        let mut reporter = Reporter::stdout(global.output);
        reporter.summary("delete", &summary)?;
        reporter.flush()?;
    }
    Ok(code)
}

/// The confirmed tasks that are still in `fresh` (the filter's matches now), and the ids of
/// those that are not.
pub fn still_matching(
    confirmed: Vec<ProcessorTask>,
    fresh: &[ProcessorTask],
) -> (Vec<ProcessorTask>, Vec<String>) {
    let now: std::collections::HashSet<&api_model::TaskId> =
        fresh.iter().map(|t| &t.task_id).collect();
    let (kept, changed): (Vec<_>, Vec<_>) = confirmed
        .into_iter()
        .partition(|t| now.contains(&t.task_id));
    (
        kept,
        changed.into_iter().map(|t| t.task_id.to_string()).collect(),
    )
}

async fn finish(target: config::Target, code: ExitCode) -> Result<ExitCode, CliError> {
    target.shutdown().await;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_client::MockProcessorTasks;
    use api_model::{ListProcessorTasksResponse, TaskStatus};

    fn task(id: &str, name: &str, status: TaskStatus, created: i64) -> ProcessorTask {
        serde_json::from_value(serde_json::json!({
            "task_id": id, "name": name, "status": status.code(), "create_time": created
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn the_plan_never_widens_what_the_service_matched() {
        // A service whose fuzzy name match and status filter are looser than asked.
        let mut api = MockProcessorTasks::new();
        api.expect_list_processor_tasks().returning(|query| {
            assert_eq!(query.status, Some(TaskStatus::Failed));
            assert_eq!(query.task_name.as_deref(), Some("nightly"));
            assert_eq!(query.offset, Some(0));
            Ok(ListProcessorTasksResponse::new(
                4,
                vec![
                    task("d", "nightly-4", TaskStatus::Failed, 99),
                    task("a", "nightly-1", TaskStatus::Failed, 50),
                    task("b", "Nightly-2", TaskStatus::Failed, 40),
                    task("c", "nightly-3", TaskStatus::Completed, 30),
                ],
            ))
        });
        let filter = TaskFilter {
            status: Some(TaskStatus::Failed),
            name_contains: Some("nightly".into()),
            older_than: Some(std::time::Duration::from_millis(20)),
            ..Default::default()
        };
        let plan = plan(Arc::new(api), &filter, 100).await.unwrap();
        let ids: Vec<&str> = plan.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(ids, ["a"]);
    }

    #[test]
    fn only_confirmed_tasks_that_still_match_are_kept() {
        let confirmed = vec![
            task("a", "n", TaskStatus::Failed, 1),
            task("b", "n", TaskStatus::Failed, 2),
            task("c", "n", TaskStatus::Failed, 3),
        ];
        // b changed (no longer matches); d is new (never confirmed).
        let fresh = vec![
            task("a", "n", TaskStatus::Failed, 1),
            task("c", "n", TaskStatus::Failed, 3),
            task("d", "n", TaskStatus::Failed, 4),
        ];
        let (kept, changed) = still_matching(confirmed, &fresh);
        let kept: Vec<&str> = kept.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(kept, ["a", "c"]);
        assert_eq!(changed, ["b"]);
    }

    #[tokio::test]
    async fn a_listing_error_fails_the_plan_so_nothing_is_deleted() {
        let mut api = MockProcessorTasks::new();
        api.expect_list_processor_tasks().returning(|_| {
            Err(api_client::Error::InvalidInput(
                api_client::InvalidInput::Config("broken".into()),
            ))
        });
        api.expect_delete_processor_task().never();
        api.expect_delete_processor_task_if_exists().never();
        let filter = TaskFilter {
            status: Some(TaskStatus::Failed),
            ..Default::default()
        };
        assert!(plan(Arc::new(api), &filter, 0).await.is_err());
    }
}
