//! `delete`: check every id first, then delete them with bounded concurrency and report.

use std::{
    io::{self, IsTerminal, Write},
    process::ExitCode,
    sync::Arc,
};

use api_model::{DeleteProcessorTask, Operation as _, TaskId};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::time::Instant;

use crate::{
    batch::{self, BatchOptions, Outcome},
    cli::{ClientArgs, DeleteArgs, Global, Output},
    config::{self, Target},
    error::CliError,
    failed_to::FailedTo,
    ids::{Entry, IdList, IdSet},
    interrupt::{Cause, Interrupts},
    report::{Reporter, Summary},
    resume,
};

/// How many invalid ids are listed before "and N more".
const SHOWN_INVALID: usize = 20;

/// Runs `delete`.
pub async fn run(
    global: &Global,
    client: &ClientArgs,
    args: &DeleteArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    if args.from_file.as_deref() == Some(std::path::Path::new("-")) && client.secret_from_stdin() {
        return Err(CliError::Usage(
            "stdin cannot hold both the ids and a secret: use a file for one of them".into(),
        ));
    }
    if !args.filter.is_empty() || args.yes {
        return Err(CliError::Usage(
            "--status, --type, --name-contains, --older-than and --yes go with --where \
             (delete --where --status failed ...); nothing was deleted"
                .into(),
        ));
    }
    let mut ids = IdList::new(args.task_ids.clone(), args.from_file.as_deref());
    if ids.is_empty() {
        return Err(CliError::Usage(
            "nothing to delete: give task ids, or --from-file FILE ('-' for stdin)".into(),
        ));
    }
    let check = check_all(&mut ids)?;
    if check.invalid > 0 && !args.skip_invalid {
        let mut message = check.messages.join("\n");
        if check.invalid > check.messages.len() as u64 {
            message.push_str(&format!(
                "\n… and {} more",
                check.invalid - check.messages.len() as u64
            ));
        }
        message.push_str(&format!(
            "\n{} of {} ids are invalid, so nothing was deleted: fix them, or pass --skip-invalid to delete the valid ones",
            check.invalid, check.total
        ));
        return Err(CliError::Usage(message));
    }
    let done_before = match &args.resume {
        Some(path) => resume::done_in(path)?,
        None => IdSet::default(),
    };

    let mut reporter = Reporter::stdout(global.output).stopping(interrupts);
    if args.dry_run {
        let mut would = 0u64;
        let mut seen = IdSet::with_capacity(usize::try_from(check.total).unwrap_or(0));
        for entry in ids.entries()? {
            let entry = entry?;
            if entry.raw.parse::<TaskId>().is_err() || done_before.contains(&entry.raw) {
                continue;
            }
            // As the real run does: a repeated id is deleted once, and recorded as a duplicate.
            match seen.insert(&entry.raw, &entry.location) {
                Some(first) => reporter.record(&batch::Record {
                    location: entry.location,
                    task_id: entry.raw,
                    outcome: Outcome::Duplicate { first },
                })?,
                None => {
                    reporter.would_delete(&entry.location, &entry.raw)?;
                    would += 1;
                }
            }
        }
        reporter.dry_run_summary(would, check.invalid)?;
        reporter.flush()?;
        return Ok(ExitCode::SUCCESS);
    }

    let target = config::connect(client, usize::from(args.concurrency)).await?;
    // Created once the settings are known good, before anything is sent: a run refused as
    // bad usage leaves an earlier list in place.
    let failed_to = match args.failed_to.as_deref() {
        Some(path) => match FailedTo::create(path, ids.file_path()) {
            Ok(failed_to) => Some(failed_to),
            Err(e) => {
                target.shutdown().await;
                return Err(e);
            }
        },
        None => None,
    };
    let options = BatchOptions {
        concurrency: usize::from(args.concurrency),
        rate: args.rate,
        if_exists: args.if_exists,
        grace: client.attempt_timeout(),
        done_before,
        expected_ids: usize::try_from(check.total).unwrap_or(0),
        aimd: client.throttling() == crate::cli::ThrottlingMode::Aimd,
        pace: Some(pace_of(&target.client)),
        deadline: client.deadline(),
        ramp: client.throttling() == crate::cli::ThrottlingMode::Adaptive,
    };
    delete_all(
        global,
        target,
        ids.entries()?,
        check.total,
        &options,
        reporter,
        interrupts,
        failed_to,
    )
    .await
}

/// Deletes every entry with the batch runner, reporting each as it ends and a summary, then
/// shuts down the emulator if there is one.
///
/// Exit 0 when every task was deleted (or already gone with `if_exists`), 1 when some were
/// not, and 130, 143 or 141 when SIGINT, SIGTERM or a closed stdout stopped the run. A
/// failure to read the ids midway still writes every record and the summary, then fails.
#[allow(clippy::too_many_arguments)]
pub async fn delete_all<O: Write, E: Write>(
    global: &Global,
    target: Target,
    entries: impl Iterator<Item = io::Result<Entry>>,
    total: u64,
    options: &BatchOptions,
    mut reporter: Reporter<O, E>,
    interrupts: &Interrupts,
    failed_to: Option<FailedTo>,
) -> Result<ExitCode, CliError> {
    let leftovers = failed_to.as_ref();
    let progress = progress_bar(global, total);
    let mut summary = Summary::default();
    let mut write_error = None;
    let started = Instant::now();
    let end = batch::run_noting(
        Arc::new(target.client.clone()),
        entries,
        options,
        interrupts,
        |record| {
            summary.add(&record);
            progress.inc(1);
            if let Some(rate) = target.client.send_rate(DeleteProcessorTask::NAME) {
                progress.set_message(format!("paced at {rate:.0}/s"));
            }
            if let Some(leftovers) = leftovers
                && matches!(
                    record.outcome,
                    Outcome::Failed(_) | Outcome::Unknown(_) | Outcome::Unconfirmed { .. }
                )
            {
                leftovers.note(&record.task_id);
            }
            let printed = progress.suspend(|| reporter.record(&record));
            if let Err(e) = printed {
                // Neither stdout nor stderr takes records: nothing more can be accounted for.
                interrupts.stop(Cause::OutputFailed);
                write_error.get_or_insert(e);
            }
        },
        |task_id| {
            if let Some(leftovers) = leftovers {
                leftovers.note(task_id);
            }
        },
    )
    .await;
    progress.finish_and_clear();
    if let Some(cause) = end.doomed.as_ref().filter(|_| end.not_attempted > 0) {
        crate::note!(
            "error: stopped at the first of these failures, since every request would fail the \
             same way ({} id(s) not attempted): {cause}",
            end.not_attempted
        );
    }
    summary.finish(started.elapsed(), &end);
    summary.send_rate = target.client.send_rate(DeleteProcessorTask::NAME);
    let written = reporter
        .summary("delete", &summary)
        .and_then(|()| reporter.flush());
    target.shutdown().await;
    let leftovers_written = failed_to.map_or(Ok(()), FailedTo::finish);
    if let Some(e) = write_error {
        // The records that could not be written are lost to the reader; say so where possible.
        crate::note!("error: the records could not be written, so the run stopped: {e}");
        return Ok(Cause::OutputFailed.exit_code());
    }
    leftovers_written?;
    written?;
    if let Some(e) = end.input_error {
        return Err(CliError::Failed(format!(
            "reading the ids failed midway, so the batch stopped there (every request sent \
             is recorded above): {e}"
        )));
    }
    Ok(match end.interrupted {
        Some(cause) => cause.exit_code(),
        None if summary.all_succeeded() => ExitCode::SUCCESS,
        None => ExitCode::from(1),
    })
}

/// The first pass: counts the ids and collects messages for the invalid ones.
struct Check {
    total: u64,
    invalid: u64,
    messages: Vec<String>,
}

fn check_all(ids: &mut IdList) -> Result<Check, CliError> {
    let mut check = Check {
        total: 0,
        invalid: 0,
        messages: Vec::new(),
    };
    // Everything wrong with the input is bad input (exit 2), found before anything is sent.
    let usage = |e: std::io::Error| CliError::Usage(format!("{e}; nothing was deleted"));
    for entry in ids.entries().map_err(usage)? {
        let entry = entry.map_err(usage)?;
        check.total += 1;
        if let Err(e) = entry.raw.parse::<TaskId>() {
            check.invalid += 1;
            if check.messages.len() < SHOWN_INVALID {
                check.messages.push(format!("{}: {e}", entry.location));
            }
        }
    }
    Ok(check)
}

/// The pace of `client`'s rate limiter for deletes.
pub fn pace_of(client: &api_client::Client) -> crate::batch::Pace {
    let client = client.clone();
    Arc::new(move || client.send_rate(DeleteProcessorTask::NAME))
}

/// A progress bar on a terminal; a hidden one otherwise.
fn progress_bar(global: &Global, total: u64) -> ProgressBar {
    if global.output == Output::Json || !std::io::stderr().is_terminal() || total < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}")
    {
        bar.set_style(style);
    }
    bar
}
