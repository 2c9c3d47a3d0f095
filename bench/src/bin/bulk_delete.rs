//! `bench-bulk-delete --endpoint URL --project-id P (--ak AK | --token-file F) --ids-file F
//! [--concurrency 64] [--pool-max-idle N] [--buffered-stdout true|false]
//! [--runtime multi-thread|current-thread]` (SK from `HUAWEICLOUD_SDK_SK`): what
//! `processor-tasks delete --from-file F --concurrency C --if-exists --output json` does after
//! its checks — the same `api_cli::batch::run`, `Reporter` and `Summary`, with the CLI's retry
//! and timeout settings — with three of its settings as flags, to measure them one by one:
//!
//! - `--pool-max-idle N`: `HyperTransportBuilder::pool_max_idle_per_host`. Default: the
//!   transport's default (32). With fewer idle connections allowed than requests in flight, a
//!   batch closes and reopens connections (the CLI before commit c41bf1f: 14,351 `connect`s for
//!   50,000 deletes at concurrency 64); the CLI now sets it to the concurrency.
//! - `--buffered-stdout true`: the per-task JSON lines go through a `BufWriter` (as the CLI now
//!   does) instead of Rust's line-buffered stdout (one `write` system call per task).
//! - `--runtime multi-thread|current-thread`: Tokio's multi-threaded runtime (the default
//!   here, and the CLI's before commit cdefe67) or one thread (the CLI's default since).
//!
//! Prints the CLI's own `{"kind": "summary", ...}` line last.

use std::io::{BufWriter, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api_cli::batch::{self, BatchOptions};
use api_cli::cli::Output;
use api_cli::ids::IdList;
use api_cli::report::{Reporter, Summary};
use api_client::{Client, Credentials, RetryPolicy, Timeouts};
use api_transport::HyperTransport;
use bench::{Failure, Flags, main_with};

fn main() -> std::process::ExitCode {
    main_with("bench-bulk-delete", run)
}

fn run() -> Result<(), Failure> {
    let flags = Flags::from_env()?;
    let concurrency: usize = flags.parsed("concurrency", 64)?;
    let pool_max_idle: usize = flags.parsed(
        "pool-max-idle",
        api_transport::DEFAULT_POOL_MAX_IDLE_PER_HOST,
    )?;
    let buffered: bool = flags.parsed("buffered-stdout", false)?;
    let credentials = match flags.required("token-file") {
        Ok(path) => Credentials::token(std::fs::read_to_string(path)?.trim()),
        Err(_) => {
            let sk = std::env::var("HUAWEICLOUD_SDK_SK")
                .map_err(|_| Failure("set HUAWEICLOUD_SDK_SK or give --token-file".to_owned()))?;
            Credentials::ak_sk(flags.required("ak")?, sk)
        }
    };
    let transport = HyperTransport::builder()
        .pool_max_idle_per_host(pool_max_idle)
        .build()?;
    let client = Client::builder()
        .endpoint(flags.required("endpoint")?)
        .project_id(flags.required("project-id")?)
        .credentials(credentials)
        .transport(transport)
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .timeouts(Timeouts::default().with_attempt(Duration::from_secs(30)))
        .build()?;
    let mut ids = IdList::new(
        Vec::new(),
        Some(std::path::Path::new(flags.required("ids-file")?)),
    );
    let options = BatchOptions {
        if_exists: true,
        ..BatchOptions::new(concurrency)
    };
    let runtime = match flags.parsed("runtime", "multi-thread".to_owned())?.as_str() {
        "multi-thread" => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?,
        "current-thread" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        other => {
            return Err(Failure(format!(
                "--runtime {other:?}: multi-thread or current-thread"
            )));
        }
    };
    let stdout = std::io::stdout().lock();
    let out: Box<dyn std::io::Write> = if buffered {
        Box::new(BufWriter::with_capacity(64 * 1024, stdout))
    } else {
        Box::new(stdout)
    };
    let mut reporter = Reporter::new(Output::Json, out, std::io::stderr());
    let mut summary = Summary::default();
    let mut write_error = None;
    let started = Instant::now();
    let interrupts = api_cli::interrupt::Interrupts::manual();
    let end = runtime.block_on(batch::run(
        Arc::new(client),
        ids.entries()?,
        &options,
        &interrupts,
        |record| {
            summary.add(&record);
            if let Err(e) = reporter.record(&record) {
                write_error.get_or_insert(e);
            }
        },
    ));
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if let Some(e) = end.input_error {
        return Err(e.into());
    }
    summary.finish(started.elapsed(), &end);
    reporter.summary("delete", &summary)?;
    reporter.flush()?;
    // Flushes a BufWriter (dropping the reporter would too, but silently).
    drop(reporter);
    std::io::stdout().flush().map_err(Failure::from)
}
