//! `bench-seq-delete --endpoint URL --project-id P --ak AK --ids-file F` (SK from
//! `HUAWEICLOUD_SDK_SK`): deletes every id of F one after the other through the SDK's
//! [`Client`] with its default transport (`HyperTransport`, one keep-alive connection) and AK/SK
//! signing, as a user's loop would, on a current-thread Tokio runtime.
//!
//! Prints `{"count", "deleted", "failed", "elapsed_seconds", "requests_per_second",
//! "cpu_seconds"}` (`cpu_seconds`: this process's user + system CPU during the loop).

use std::time::Instant;

use api_client::{Client, Credentials, TaskId};
use api_transport::HyperTransport;
use bench::{Failure, Flags, main_with, print_json, process_cpu_seconds};
use serde_json::json;

fn main() -> std::process::ExitCode {
    main_with("bench-seq-delete", run)
}

fn run() -> Result<(), Failure> {
    let flags = Flags::from_env()?;
    let sk = std::env::var("HUAWEICLOUD_SDK_SK")
        .map_err(|_| Failure("set HUAWEICLOUD_SDK_SK".to_owned()))?;
    let ids: Vec<TaskId> = std::fs::read_to_string(flags.required("ids-file")?)?
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.trim().parse())
        .collect::<Result<_, _>>()?;
    let client = Client::builder()
        .endpoint(flags.required("endpoint")?)
        .project_id(flags.required("project-id")?)
        .credentials(Credentials::ak_sk(flags.required("ak")?, sk))
        .transport(HyperTransport::builder().build()?)
        .build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut deleted, mut failed, mut first_error) = (0_u64, 0_u64, None);
    let cpu = process_cpu_seconds();
    let started = Instant::now();
    runtime.block_on(async {
        for id in &ids {
            match client.delete_processor_task(id).await {
                Ok(_) => deleted += 1,
                Err(error) => {
                    failed += 1;
                    first_error.get_or_insert_with(|| error.to_string());
                }
            }
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_seconds = match (cpu, process_cpu_seconds()) {
        (Some(before), Some(after)) => Some(after - before),
        _ => None,
    };
    print_json(&json!({
        "count": ids.len(),
        "deleted": deleted,
        "failed": failed,
        "first_error": first_error,
        "elapsed_seconds": elapsed,
        "requests_per_second": ids.len() as f64 / elapsed,
        "cpu_seconds": cpu_seconds,
    }))
}
