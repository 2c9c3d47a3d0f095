//! `show`: one task, and its versions with `--versions`.

use std::{
    io::{BufWriter, Write},
    process::ExitCode,
};

use api_model::TaskId;
use futures_util::TryStreamExt;
use serde_json::json;

use crate::{
    cli::{ClientArgs, Global, Output, ShowArgs},
    config,
    error::CliError,
    interrupt::Interrupts,
    records, table,
};

/// Runs `show`. An interruption stops it before anything is printed (exit 130 or 143).
pub async fn run(
    global: &Global,
    client: &ClientArgs,
    args: &ShowArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    let task_id: TaskId = args
        .task_id
        .parse()
        .map_err(|e| CliError::Usage(format!("{e}; nothing was sent")))?;
    let target = config::connect(client, 1).await?;
    let client = &target.client;
    let fetch = async {
        let task = client.describe_processor_task(&task_id).await?;
        let versions = if args.versions {
            client
                .list_processor_task_versions_stream(&task_id)
                .try_collect::<Vec<_>>()
                .await?
        } else {
            Vec::new()
        };
        Ok::<_, api_client::Error>((task, versions))
    };
    let (task, versions) = tokio::select! {
        biased;
        cause = interrupts.stopped() => {
            target.shutdown().await;
            crate::note!("interrupted by {cause}");
            return Ok(cause.exit_code());
        }
        fetched = fetch => fetched?,
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    match global.output {
        Output::Json => {
            // The same shape with or without --versions: the task, its versions, a summary.
            table::json_line(&mut out, &records::task(&task))?;
            for version in &versions {
                table::json_line(&mut out, &records::version(version))?;
            }
            let summary = if args.versions {
                json!({"task_id": task.task_id, "versions": versions.len()})
            } else {
                json!({"task_id": task.task_id})
            };
            table::json_line(&mut out, &records::summary("show", summary))?;
        }
        Output::Text | Output::Table => {
            table::task_details(&mut out, &task)?;
            if args.versions {
                writeln!(out)?;
                table::version_header(&mut out)?;
                for version in &versions {
                    table::version_row(&mut out, version)?;
                }
            }
        }
    }
    out.flush()?;
    target.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
