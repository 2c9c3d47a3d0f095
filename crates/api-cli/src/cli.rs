//! The command line: global settings and the subcommands, with their help text.

use std::{path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::filter::TaskFilter;

const EXAMPLES: &str = "\
Examples:
  # See the main job work on a local emulator, no account needed:
  processor-tasks demo

  # Delete two tasks in cn-north-4 (credentials from HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK):
  processor-tasks --region cn-north-4 --project-id a4a5d4098fb4474fa22cd05f897d6b99 \\
      delete SNEJua7qdZZN8GvkcEr Bz91kAq0pLmN3xYt7Wc

  # Delete a list of ids, 32 at a time, counting tasks already gone as success:
  processor-tasks delete --from-file ids.txt --concurrency 32 --if-exists --output json

  # Check a list without deleting anything:
  processor-tasks delete --from-file ids.txt --dry-run

  # Find tasks, and look at one:
  processor-tasks list --status failed --type sys_data_cleaning --output table
  processor-tasks show SNEJua7qdZZN8GvkcEr --versions

  # Delete every failed task older than 30 days whose name holds nightly (asks first):
  processor-tasks delete --where --status failed --older-than 30d --name-contains nightly

  # Try it all on an in-process emulator with varied tasks, no account needed:
  processor-tasks --emulator list --status failed

  # Serve the emulator for your own tests:
  processor-tasks emulator --port 8080 --seed 100
";

/// Find and delete ModelArts processing tasks, safely and quickly.
#[derive(Debug, Parser)]
#[command(name = "processor-tasks", version, after_help = EXAMPLES)]
pub struct Cli {
    /// Settings every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings that every command takes. Connection settings go before the command
/// (`processor-tasks --region R delete ID`); output and retry settings go anywhere.
#[derive(Debug, Args)]
pub struct Global {
    /// The endpoint URL, e.g. https://modelarts.eu-de.otc.t-systems.com.
    #[arg(long, env = "HUAWEICLOUD_SDK_ENDPOINT", conflicts_with = "region")]
    pub endpoint: Option<String>,

    /// The region; the endpoint is https://modelarts.{region}.myhuaweicloud.com.
    #[arg(long, env = "HUAWEICLOUD_SDK_REGION")]
    pub region: Option<String>,

    /// The project id (32 lowercase letters and digits).
    #[arg(long, env = "HUAWEICLOUD_SDK_PROJECT_ID")]
    pub project_id: Option<String>,

    /// The access key id. Its secret key comes from HUAWEICLOUD_SDK_SK or --sk-file, never a flag.
    #[arg(long, env = "HUAWEICLOUD_SDK_AK")]
    pub ak: Option<String>,

    /// Read the secret key from FILE ('-' for stdin) instead of HUAWEICLOUD_SDK_SK.
    #[arg(long, value_name = "FILE")]
    pub sk_file: Option<PathBuf>,

    /// Authenticate with the IAM token in FILE ('-' for stdin) instead of an AK/SK
    /// (or set HUAWEICLOUD_SDK_IAM_TOKEN).
    #[arg(long, value_name = "FILE", conflicts_with = "sk_file")]
    pub token_file: Option<PathBuf>,

    /// Run against an emulator started in this process, with demo credentials and seeded tasks.
    #[arg(long)]
    pub emulator: bool,

    /// How many tasks the --emulator seeds (their ids are printed when there are few).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub emulator_tasks: usize,

    /// Allow plain http to a host that is not this machine (credentials cross in the clear).
    #[arg(long)]
    pub allow_insecure_http: bool,

    /// Attempts per request, the first included (1 disables retries).
    #[arg(long, global = true, default_value_t = 3, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,

    /// Time limit of one attempt, e.g. 30s or 500ms.
    #[arg(long, global = true, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub attempt_timeout: Duration,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// Threads that send requests. One keeps up with tens of thousands of requests a second,
    /// and leaves the other cores free; more helps only when signing is the bottleneck.
    #[arg(long, global = true, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,

    /// Log what happens (tracing, to stderr; secrets are never logged). Repeat for more.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For people: errors as they happen, then a summary.
    Text,
    /// For scripts: one JSON object per task and one summary object, a line each.
    Json,
    /// Aligned columns: what `text` prints for `list` and `show` too.
    Table,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Delete processing tasks by id, or those a filter matches (--where).
    Delete(DeleteArgs),
    /// List processing tasks, filtered by status, type, name or age.
    List(ListArgs),
    /// Show one processing task (and its versions with --versions).
    Show(ShowArgs),
    /// Seed an emulator, delete its tasks through the whole stack, and verify nothing else went.
    Demo(DemoArgs),
    /// Serve the emulator standalone, for your own tests.
    Emulator(api_emulator::EmulatorArgs),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `delete`: which tasks, and how.
#[derive(Debug, Args)]
#[command(
    after_help = "Every id is checked before anything is sent: if one is invalid, nothing is deleted \
(exit 2) unless --skip-invalid is given. Ids that begin with '-' go after '--'.

With --where, the tasks to delete are those the filters match (at least one filter is \
required). They are listed first and printed; then the command asks for confirmation on the \
terminal. Without a terminal on stdin, --yes is required. Tasks already gone by then count \
as success."
)]
pub struct DeleteArgs {
    /// Task ids to delete.
    #[arg(value_name = "TASK_ID")]
    pub task_ids: Vec<String>,

    /// Delete the tasks that the filters (--status, --type, --name-contains, --older-than) match.
    #[arg(long = "where", conflicts_with_all = ["task_ids", "from_file", "skip_invalid"])]
    pub where_filter: bool,

    /// The filters of --where.
    #[command(flatten)]
    pub filter: TaskFilter,

    /// With --where: delete without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Read ids from FILE, one per line ('-' for stdin); blank lines and '#' comments are skipped.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub from_file: Option<PathBuf>,

    /// Requests in flight at most.
    #[arg(long, short = 'c', default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// Requests per second at most: from 0.01 to 100000.
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Count tasks that are already gone (400 ModelArts.4700) as success.
    #[arg(long)]
    pub if_exists: bool,

    /// Check the ids and print what would be deleted; send nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Delete the valid ids and report the invalid ones, instead of refusing the whole batch.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Skip the ids that FILE, the JSON output of an earlier run (--output json), records as
    /// deleted or already gone: re-running an interrupted batch costs only what is left.
    #[arg(long, value_name = "FILE", conflicts_with = "where_filter")]
    pub resume: Option<PathBuf>,
}

/// `list`: which tasks to show.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The filters.
    #[command(flatten)]
    pub filter: TaskFilter,

    /// Show at most N tasks.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Oldest first (the default is newest first).
    #[arg(long)]
    pub oldest_first: bool,
}

/// `show`: one task.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The task id.
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Also list the task's versions.
    #[arg(long)]
    pub versions: bool,
}

/// `demo`: the size of the demonstration.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Tasks to seed and delete.
    #[arg(long, default_value_t = 2000)]
    pub tasks: usize,

    /// Other tasks in the same project that must survive.
    #[arg(long, default_value_t = 200)]
    pub survivors: usize,

    /// Fraction of requests the emulator fails (429, 500, 503, dropped connections), to show retries.
    #[arg(long, default_value_t = 0.1)]
    pub fault_rate: f64,

    /// Requests in flight at most.
    #[arg(long, short = 'c', default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
}

/// Parses `30s`, `500ms`, `2m` or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s or 500ms"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("unknown unit {unit:?}: use ms, s or m")),
    };
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err("a duration must be more than 0 and at most 1 hour".to_owned());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The smallest `--rate`: one request every 100 s.
pub const MIN_RATE: f64 = 0.01;
/// The largest `--rate`.
pub const MAX_RATE: f64 = 100_000.0;

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (MIN_RATE..=MAX_RATE).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a rate from {MIN_RATE} to {MAX_RATE} requests per second"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn rates_are_finite_and_in_range() {
        assert_eq!(parse_rate("10"), Ok(10.0));
        assert_eq!(parse_rate("0.01"), Ok(0.01));
        for bad in [
            "1e-20", "0", "-1", "inf", "NaN", "1e300", "100001", "", "fast",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("1h").is_err());
        assert!(parse_duration("fast").is_err());
    }
}
