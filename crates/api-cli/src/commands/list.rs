//! `list`: the tasks a filter matches, as a table or a JSON object per line.

use std::{
    io::{BufWriter, Write},
    process::ExitCode,
    sync::Arc,
};

use api_client::ProcessorTasks;
use api_model::SortOrder;
use futures_util::TryStreamExt;

use crate::{
    cli::{ClientArgs, Global, ListArgs, Output},
    config,
    error::CliError,
    filter::{self, TaskFilter},
    interrupt::Interrupts,
    table,
};

/// Runs `list`. An interruption stops it after the tasks printed so far (exit 130 or 143).
pub async fn run(
    global: &Global,
    client: &ClientArgs,
    args: &ListArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    let target = config::connect(client, 1).await?;
    let api: Arc<dyn ProcessorTasks> = Arc::new(target.client.clone());
    let order = if args.oldest_first {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let listing = print_tasks(
        api,
        &args.filter,
        order,
        args.limit,
        global.output,
        filter::now_ms(),
        &mut out,
    );
    let shown = tokio::select! {
        biased;
        cause = interrupts.stopped() => Err(cause),
        shown = listing => Ok(shown?),
    };
    out.flush()?;
    target.shutdown().await;
    match shown {
        Ok(shown) => {
            if global.output != Output::Json {
                crate::note!("{shown} task(s) ({})", args.filter.describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(cause) => {
            crate::note!("interrupted by {cause}: the listing is incomplete");
            Ok(cause.exit_code())
        }
    }
}

/// Prints the tasks `filter` matches, in `order`, at most `limit`; returns how many.
pub async fn print_tasks(
    api: Arc<dyn ProcessorTasks>,
    filter: &TaskFilter,
    order: SortOrder,
    limit: Option<u64>,
    output: Output,
    now_ms: i64,
    out: &mut impl Write,
) -> Result<u64, CliError> {
    let mut tasks = filter::matching(api, filter, order, now_ms);
    let mut shown = 0u64;
    if output != Output::Json {
        table::task_header(out)?;
    }
    while limit.is_none_or(|limit| shown < limit) {
        let Some(task) = tasks.try_next().await? else {
            break;
        };
        match output {
            Output::Json => table::json_line(out, &task)?,
            Output::Text | Output::Table => table::task_row(out, &task)?,
        }
        shown += 1;
    }
    Ok(shown)
}
