//! `delete`: check every id first, then delete them with bounded concurrency and report.

use std::{
    io::{self, BufWriter, IsTerminal, Write},
    process::ExitCode,
    sync::Arc,
};

use api_model::TaskId;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::time::Instant;

use crate::{
    batch::{self, BatchOptions},
    cli::{DeleteArgs, Global, Output},
    config::{self, Target},
    error::CliError,
    ids::{Entry, IdList},
    report::{Reporter, Summary},
};

/// How many invalid ids are listed before "and N more".
const SHOWN_INVALID: usize = 20;

/// Runs `delete`.
pub async fn run(global: &Global, args: &DeleteArgs) -> Result<ExitCode, CliError> {
    if args.from_file.as_deref() == Some(std::path::Path::new("-"))
        && (global.sk_file.as_deref() == Some(std::path::Path::new("-"))
            || global.token_file.as_deref() == Some(std::path::Path::new("-")))
    {
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

    // Buffered: one write per task to a pipe costs more than the delete's own bookkeeping.
    let stdout = BufWriter::new(std::io::stdout().lock());
    let mut reporter = Reporter::new(global.output, stdout, std::io::stderr());
    if args.dry_run {
        let mut summary = Summary::default();
        for entry in ids.entries()? {
            let entry = entry?;
            if entry.raw.parse::<TaskId>().is_ok() {
                reporter.would_delete(&entry.location, &entry.raw)?;
            } else {
                summary.invalid += 1;
            }
        }
        reporter.flush()?;
        if global.output != Output::Json {
            eprintln!(
                "dry run: {} ids would be deleted, {} skipped as invalid; nothing was sent",
                check.total - check.invalid,
                check.invalid
            );
        }
        return Ok(ExitCode::SUCCESS);
    }

    let target = config::connect(global, usize::from(args.concurrency)).await?;
    let options = BatchOptions {
        concurrency: usize::from(args.concurrency),
        rate: args.rate,
        if_exists: args.if_exists,
    };
    delete_all(
        global,
        target,
        ids.entries()?,
        check.total,
        &options,
        reporter,
    )
    .await
}

/// Deletes every entry with the batch runner, reporting each as it ends and a summary, then
/// shuts down the emulator if there is one. Exit 0 when every task was deleted (or already
/// gone with `if_exists`), else 1.
pub async fn delete_all<O: Write, E: Write>(
    global: &Global,
    target: Target,
    entries: impl Iterator<Item = io::Result<Entry>>,
    total: u64,
    options: &BatchOptions,
    mut reporter: Reporter<O, E>,
) -> Result<ExitCode, CliError> {
    let progress = progress_bar(global, total);
    let mut summary = Summary::default();
    let mut write_error = None;
    let started = Instant::now();
    let stats = batch::run(
        Arc::new(target.client.clone()),
        entries,
        options,
        |record| {
            summary.add(&record);
            progress.inc(1);
            let printed = progress.suspend(|| reporter.record(&record));
            if let Err(e) = printed {
                write_error.get_or_insert(e);
            }
        },
    )
    .await?;
    progress.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    summary.finish(started.elapsed(), stats);
    reporter.summary(&summary)?;
    reporter.flush()?;
    target.shutdown().await;
    Ok(if summary.all_succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
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
    for entry in ids.entries()? {
        let entry = entry?;
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

/// A progress bar on a terminal; a hidden one otherwise.
fn progress_bar(global: &Global, total: u64) -> ProgressBar {
    if global.output == Output::Json || !std::io::stderr().is_terminal() || total < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}") {
        bar.set_style(style);
    }
    bar
}
