//! `list`: the tasks a filter matches, as a table, a JSON record a line, or ids only.

use std::{
    io::{BufWriter, Write},
    process::ExitCode,
    sync::Arc,
};

use api_client::ProcessorTasks;
use api_model::SortOrder;
use futures_util::TryStreamExt;
use serde_json::json;

use crate::{
    cli::{ClientArgs, Global, ListArgs, Output},
    config,
    error::CliError,
    filter::{self, TaskFilter},
    interrupt::{Cause, Interrupts},
    records, table,
};

/// Runs `list`. An interruption stops it after the tasks printed so far (exit 130 or 143).
pub async fn run(
    global: &Global,
    client: &ClientArgs,
    args: &ListArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    if args.quiet && global.output == Output::Json {
        return Err(CliError::Usage(
            "--quiet prints bare ids, one per line; it does not go with --output json".into(),
        ));
    }
    let target = config::connect(client, 1).await?;
    let api: Arc<dyn ProcessorTasks> = Arc::new(target.client.clone());
    let order = if args.oldest_first {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    };
    let style = if args.quiet {
        Style::Ids
    } else {
        match global.output {
            Output::Json => Style::Json,
            Output::Text | Output::Table => Style::Table { wide: args.wide },
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut shown = 0u64;
    let listing = print_tasks(
        api,
        &args.filter,
        order,
        args.limit,
        style,
        filter::now_ms(),
        &mut out,
        &mut shown,
    );
    let ended: Result<(), Cause> = tokio::select! {
        biased;
        cause = interrupts.stopped() => Err(cause),
        listed = listing => {
            if let Err(e) = listed {
                out.flush()?;
                target.shutdown().await;
                return Err(e);
            }
            Ok(())
        }
    };
    target.shutdown().await;
    let describe = args.filter.describe();
    if style == Style::Json {
        let interrupted = ended.as_ref().err().map(|cause| cause.as_str());
        let summary = records::summary(
            "list",
            json!({"tasks": shown, "filter": describe, "interrupted": interrupted.is_some(),
                   "interrupted_by": interrupted}),
        );
        table::json_line(&mut out, &summary)?;
    }
    out.flush()?;
    match ended {
        Ok(()) => {
            if matches!(style, Style::Table { .. }) {
                crate::note!("{shown} task(s) ({describe})");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(cause) => {
            crate::note!(
                "interrupted by {cause}: the listing is incomplete ({shown} task(s) shown)"
            );
            Ok(cause.exit_code())
        }
    }
}

/// How `list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Aligned columns (`wide`: names in full).
    Table {
        /// Show names in full rather than cut.
        wide: bool,
    },
    /// A JSON record a line.
    Json,
    /// Only the ids, a line each (`-q`), ready for `delete -f -`.
    Ids,
}

/// Prints the tasks `filter` matches, in `order`, at most `limit`, counting them in `shown`.
#[allow(clippy::too_many_arguments)]
pub async fn print_tasks(
    api: Arc<dyn ProcessorTasks>,
    filter: &TaskFilter,
    order: SortOrder,
    limit: Option<u64>,
    style: Style,
    now_ms: i64,
    out: &mut impl Write,
    shown: &mut u64,
) -> Result<(), CliError> {
    let mut tasks = filter::matching(api, filter, order, now_ms);
    if let Style::Table { wide } = style {
        table::task_header(out, wide)?;
    }
    while limit.is_none_or(|limit| *shown < limit) {
        let Some(task) = tasks.try_next().await? else {
            break;
        };
        match style {
            Style::Json => table::json_line(out, &records::task(&task))?,
            Style::Table { wide } => table::task_row(out, &task, wide)?,
            Style::Ids => writeln!(out, "{}", task.task_id)?,
        }
        *shown += 1;
    }
    Ok(())
}
