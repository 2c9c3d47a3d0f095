//! The command line: global settings and the subcommands, with their help text.

use std::{path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::filter::TaskFilter;

/// The `--help` epilogue: examples, where settings come from, exit statuses. `$demo` and
/// `$emulator` are the examples of the embedded emulator, empty when it is not built in.
macro_rules! after_help {
    ($demo:literal, $emulator:literal) => {
        concat!(
            "\
Examples:
",
            $demo,
            "  # Delete two tasks in cn-north-4, with the credentials and project the official SDKs
  # would find (env, ~/.huaweicloud/credentials, ECS metadata, pod identity, OIDC):
  processor-tasks --region cn-north-4 delete SNEJua7qdZZN8GvkcEr Bz91kAq0pLmN3xYt7Wc

  # See what was found, and where from (no secrets):
  processor-tasks --region cn-north-4 config

  # Delete a list of ids, 32 at a time, counting tasks already gone as success:
  processor-tasks delete --from-file ids.txt --concurrency 32 --if-exists --output json

  # Check a list without deleting anything:
  processor-tasks delete --from-file ids.txt --dry-run

  # Ctrl-C stops a batch cleanly (exit 130); go on where it stopped:
  processor-tasks delete -f ids.txt --output json > run1.jsonl
  processor-tasks delete -f ids.txt --output json --resume run1.jsonl > run2.jsonl

  # Find tasks, and look at one:
  processor-tasks list --status failed --type sys_data_cleaning --output table
  processor-tasks show SNEJua7qdZZN8GvkcEr --versions

  # Delete every failed task older than 30 days whose name holds nightly (asks first):
  processor-tasks delete --where --status failed --older-than 30d --name-contains nightly

",
            $emulator,
            "Where settings come from (first found wins):
  endpoint     --endpoint; the --region's; HUAWEICLOUD_SDK_ENDPOINT; the region's. A region's
               is HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>, else regions.yaml
               (HUAWEICLOUD_SDK_REGIONS_FILE or ~/.huaweicloud/regions.yaml), else the catalog
  region       --region; HUAWEICLOUD_SDK_REGION (an unknown one is refused, exit 2)
  credentials  --token-file, or --ak with --sk-file (or HUAWEICLOUD_SDK_SK); else the chain:
               OIDC STS (HUAWEICLOUD_OIDC_*), environment (HUAWEICLOUD_SDK_AK/_SK
               [/_SECURITY_TOKEN], HUAWEICLOUD_SDK_IDP_ID + _ID_TOKEN_FILE, _IAM_TOKEN),
               profile (HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials,
               [basiccredentials] then [basic]), ECS metadata, pod identity
               (HC_CONTAINER_CREDENTIALS_FULL_URI + HC_CONTAINER_AUTHORIZATION_TOKEN_FILE)
  project id   --project-id; else the one that comes with the credentials:
               HUAWEICLOUD_SDK_PROJECT_ID (with flags, environment or OIDC credentials), the
               profile's project_id (with the profile's); else discovered through IAM
               (GET /v3/projects?name=<region>)

Exit status:
  0    everything asked was done
  1    a task was not deleted, a request or the output failed, or the answer was no
  2    bad usage or bad input (flags, ids, id files, URLs, ports), found before anything
       is sent
  130  stopped by Ctrl-C (SIGINT); every request sent is recorded
  141  stdout was closed during a delete (the records it did not take go to stderr),
       or no output could be written; list and show stop quietly with 0
  143  stopped by SIGTERM; every request sent is recorded
"
        )
    };
}

#[cfg(feature = "emulator")]
const EXAMPLES: &str = after_help!(
    "  # See the main job work on a local emulator, no account needed:
  processor-tasks demo

",
    "  # Try it all on an in-process emulator with varied tasks, no account needed:
  processor-tasks --emulator list --status failed

  # Serve the emulator for your own tests:
  processor-tasks emulator --port 8080 --seed 100

"
);
#[cfg(not(feature = "emulator"))]
const EXAMPLES: &str = after_help!("", "");

/// Whether a command line asks for `--output json`, read without parsing it (for a command
/// line that does not parse: its error is then a JSON line too).
pub fn asks_for_json<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> bool {
    let is_json = |value: &str| value.eq_ignore_ascii_case("json");
    let mut args = args.into_iter().skip(1);
    let mut json = false;
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        let value = match arg {
            "-o" | "--output" => args.next().and_then(|v| v.to_str().map(str::to_owned)),
            _ => arg
                .strip_prefix("--output=")
                .or_else(|| arg.strip_prefix("-o="))
                .or_else(|| arg.strip_prefix("-o"))
                .map(str::to_owned),
        };
        if let Some(value) = value {
            // The last one counts, as clap takes it.
            json = is_json(&value);
        }
    }
    json
}

/// Where each shell looks for completions.
pub const COMPLETIONS_INSTALL: &str = "\
Install them where your shell looks, then start a new shell:
  bash:        processor-tasks completions bash > ~/.local/share/bash-completion/completions/processor-tasks
  zsh:         processor-tasks completions zsh > ~/.zfunc/_processor-tasks
               (and in ~/.zshrc, before compinit: fpath+=~/.zfunc)
  fish:        processor-tasks completions fish > ~/.config/fish/completions/processor-tasks.fish
  powershell:  processor-tasks completions powershell >> $PROFILE
  elvish:      processor-tasks completions elvish >> ~/.config/elvish/rc.elv";

/// `0.1.0 (commit 1a2b3c4d5e6f; tls: ring, webpki-roots)`: what `--version` prints.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (commit {}; tls: {})",
            env!("CARGO_PKG_VERSION"),
            env!("PROCESSOR_TASKS_COMMIT"),
            api_transport::COMPILED_TLS_FEATURES.join(", ")
        )
    })
}

/// Find and delete ModelArts processing tasks, safely and quickly.
#[derive(Debug, Parser)]
#[command(name = "processor-tasks", version = version(), after_help = EXAMPLES)]
pub struct Cli {
    /// Settings every command takes.
    #[command(flatten)]
    pub global: Global,
    /// Connection and call settings given before the command (they may go after it too).
    #[command(flatten)]
    pub client: ClientArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings that every command takes, before or after it.
#[derive(Debug, Args)]
pub struct Global {
    /// Output format.
    #[arg(long, short = 'o', global = true, value_enum, ignore_case = true, default_value_t = Output::Text)]
    pub output: Output,

    #[cfg_attr(
        feature = "emulator",
        doc = " Threads that send (or, for `emulator`, serve) requests. One keeps up with tens of"
    )]
    #[cfg_attr(
        not(feature = "emulator"),
        doc = " Threads that send requests. One keeps up with tens of"
    )]
    /// thousands of requests a second, and leaves the other cores free; more helps only when
    /// signing is the bottleneck.
    #[arg(long, global = true, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,

    /// Log what happens (tracing, to stderr; secrets are never logged). Repeat for more.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Where the service is, who is calling, and how: the commands that call the service
/// (`delete`, `list`, `show`, `config`) take these before or after the command name. A flag
/// beats what the client finds on its own (see "Where settings come from" in `--help`); given
/// both before and after the command, the one after wins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
#[command(next_help_heading = "Connection")]
pub struct ClientArgs {
    /// The endpoint URL, e.g. https://modelarts.eu-de.otc.t-systems.com [env: HUAWEICLOUD_SDK_ENDPOINT].
    /// It beats the region's endpoint; the region then only names the project to discover.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// The region, e.g. cn-north-4 [env: HUAWEICLOUD_SDK_REGION]. It picks the endpoint (one of
    /// the 22 ModelArts regions, or one HUAWEICLOUD_SDK_REGION_MODELARTS_{REGION} or
    /// regions.yaml names) and the project to discover.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// The project id, 32 lowercase letters and digits. Without it: HUAWEICLOUD_SDK_PROJECT_ID
    /// (with flags, environment or OIDC credentials), the profile's, else the one IAM lists for
    /// the region.
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,

    /// The access key id (else the credential chain finds one). Its secret key comes from
    /// --sk-file or HUAWEICLOUD_SDK_SK, never a flag.
    #[arg(long, value_name = "AK")]
    pub ak: Option<String>,

    /// Read the secret key from FILE instead of HUAWEICLOUD_SDK_SK; '-' reads stdin, and on a
    /// terminal asks for it without echo.
    #[arg(long, value_name = "FILE")]
    pub sk_file: Option<PathBuf>,

    /// Authenticate with the IAM token in FILE ('-' for stdin) instead of an AK/SK
    /// (or set HUAWEICLOUD_SDK_IAM_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    // Without the `emulator` feature these two are not flags: always false and `None`. They
    // stay fields, so that the struct is the same with or without the feature.
    /// Run against an emulator started in this process, with demo credentials and seeded tasks.
    #[cfg_attr(feature = "emulator", arg(long))]
    #[cfg_attr(not(feature = "emulator"), arg(skip))]
    pub emulator: bool,

    /// How many tasks the --emulator seeds (default 10, at most 1,000,000; their ids are
    /// printed when there are few).
    #[cfg_attr(feature = "emulator", arg(long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1_000_000)))]
    #[cfg_attr(not(feature = "emulator"), arg(skip))]
    pub emulator_tasks: Option<usize>,

    /// Allow plain http to a host that is not this machine (credentials cross in the clear).
    #[arg(long)]
    pub allow_insecure_http: bool,

    /// Also trust the CA certificates in FILE (PEM), e.g. a company's TLS-inspecting proxy.
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,

    /// Send every request through the proxy at URL (http://host:port) instead of the one in
    /// HTTPS_PROXY / HTTP_PROXY. A password in URL shows in `ps`: prefer HTTPS_PROXY for one.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Attempts per request, the first included (1 disables retries; default 3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,

    /// Time limit of one attempt, e.g. 30s or 500ms (default 30s).
    #[arg(long, value_parser = crate::duration::timeout, value_name = "DURATION")]
    pub attempt_timeout: Option<Duration>,

    /// Time limit of one call, all its attempts and waits included, e.g. 2m (default 2m).
    #[arg(long, value_parser = crate::duration::timeout, value_name = "DURATION")]
    pub deadline: Option<Duration>,

    /// How to react when the service throttles (429): adaptive paces each API's requests with
    /// the client's rate limiter, which stays off until the first throttle, and a batch starts
    /// with one request in flight, an eighth more each round trip up to --concurrency (the
    /// default); aimd
    /// halves the concurrency on a throttle and recovers slowly (the previous behaviour, kept
    /// for comparison); off retries a throttle like any failure, within --max-attempts.
    #[arg(long, value_enum, ignore_case = true, value_name = "MODE")]
    pub throttling: Option<ThrottlingMode>,
}

/// How to react when the service throttles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ThrottlingMode {
    /// The client's adaptive rate limiter (per API; off until the first throttle).
    #[default]
    Adaptive,
    /// Halve the concurrency on a throttle, recover slowly; throttles count as attempts.
    Aimd,
    /// Plain retries: a throttle is retried like any failure, within --max-attempts.
    Off,
}

impl ClientArgs {
    /// These settings, with those of `later` (given after the command) winning.
    #[must_use]
    pub fn merged(&self, later: &ClientArgs) -> ClientArgs {
        let pick = |a: &Option<String>, b: &Option<String>| b.clone().or_else(|| a.clone());
        let pick_path = |a: &Option<PathBuf>, b: &Option<PathBuf>| b.clone().or_else(|| a.clone());
        ClientArgs {
            endpoint: pick(&self.endpoint, &later.endpoint),
            region: pick(&self.region, &later.region),
            project_id: pick(&self.project_id, &later.project_id),
            ak: pick(&self.ak, &later.ak),
            sk_file: pick_path(&self.sk_file, &later.sk_file),
            token_file: pick_path(&self.token_file, &later.token_file),
            emulator: self.emulator || later.emulator,
            emulator_tasks: later.emulator_tasks.or(self.emulator_tasks),
            allow_insecure_http: self.allow_insecure_http || later.allow_insecure_http,
            ca_bundle: pick_path(&self.ca_bundle, &later.ca_bundle),
            proxy: pick(&self.proxy, &later.proxy),
            max_attempts: later.max_attempts.or(self.max_attempts),
            attempt_timeout: later.attempt_timeout.or(self.attempt_timeout),
            deadline: later.deadline.or(self.deadline),
            throttling: later.throttling.or(self.throttling),
        }
    }

    /// Attempts per request.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts.unwrap_or(3)
    }

    /// The time limit of one attempt.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout.unwrap_or(Duration::from_secs(30))
    }

    /// How to react to throttling.
    pub fn throttling(&self) -> ThrottlingMode {
        self.throttling.unwrap_or_default()
    }

    /// The time limit of one call.
    pub fn deadline(&self) -> Duration {
        self.deadline.unwrap_or(Duration::from_secs(120))
    }

    /// Whether stdin is taken by a secret (`--sk-file -` or `--token-file -`).
    pub fn secret_from_stdin(&self) -> bool {
        let dash = Some(std::path::Path::new("-"));
        self.sk_file.as_deref() == dash || self.token_file.as_deref() == dash
    }
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
#[non_exhaustive]
pub enum Command {
    /// Delete processing tasks by id, or those a filter matches (--where).
    Delete(DeleteArgs),
    /// List processing tasks, filtered by status, type, name or age.
    List(ListArgs),
    /// Show one processing task (and its versions with --versions).
    Show(ShowArgs),
    /// Show the endpoint, region, project id and credentials a command would use, and where
    /// each comes from (never a secret).
    Config(ConfigArgs),
    /// Seed an emulator, delete its tasks through the whole stack, and verify nothing else went.
    #[cfg(feature = "emulator")]
    Demo(DemoArgs),
    /// Serve the emulator standalone, for your own tests.
    #[cfg(feature = "emulator")]
    Emulator(api_emulator::EmulatorArgs),
    /// Print shell completions (see --help for where to put them).
    #[command(after_help = COMPLETIONS_INSTALL)]
    Completions {
        /// The shell.
        #[arg(value_enum, ignore_case = true)]
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
    /// Where and how to call the service.
    #[command(flatten)]
    pub client: ClientArgs,

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

    /// Write the ids that did not succeed (failed, unknown, or not attempted because the run
    /// stopped) to FILE, one per line, ready for another `delete -f FILE`.
    #[arg(long, value_name = "FILE")]
    pub failed_to: Option<PathBuf>,
}

/// `list`: which tasks to show.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Where and how to call the service.
    #[command(flatten)]
    pub client: ClientArgs,

    /// The filters.
    #[command(flatten)]
    pub filter: TaskFilter,

    /// Show at most N tasks.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// Oldest first (the default is newest first).
    #[arg(long)]
    pub oldest_first: bool,

    /// Print only the ids, one per line: `list -q … | processor-tasks delete -f -`.
    #[arg(long, short = 'q', conflicts_with = "wide")]
    pub quiet: bool,

    /// Show names in full in the table, rather than cut to fit.
    #[arg(long)]
    pub wide: bool,
}

/// `config`: what a command would use.
#[derive(Debug, Args)]
#[command(
    after_help = "Credentials are fetched (from the metadata service, pod identity or \
STS when that is where they are) and the project id is discovered, as a delete would; nothing \
else is sent. Secrets are never printed: the access key shows only its last 4 characters."
)]
pub struct ConfigArgs {
    /// Where and how to call the service.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `show`: one task.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Where and how to call the service.
    #[command(flatten)]
    pub client: ClientArgs,

    /// The task id.
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Also list the task's versions.
    #[arg(long)]
    pub versions: bool,
}

/// `demo`: the size of the demonstration.
#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Tasks to seed and delete: 1 to 1000000.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub tasks: u32,

    /// Other tasks in the same project that must survive: 0 to 1000000.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub survivors: u32,

    /// Fraction of requests the emulator fails (429, 500, 503, dropped connections), to show
    /// retries: 0 to 0.5.
    #[arg(long, default_value_t = 0.1, value_parser = parse_fault_rate)]
    pub fault_rate: f64,

    /// Requests in flight at most.
    #[arg(long, short = 'c', default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
}

#[cfg(feature = "emulator")]
fn parse_fault_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=0.5).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a fraction from 0 to 0.5")),
    }
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
    fn a_command_line_that_asks_for_json_is_seen_without_parsing_it() {
        let asks = |line: &str| asks_for_json(line.split(' ').map(std::ffi::OsString::from));
        for yes in [
            "pt list -o json --bogus",
            "pt -oJSON list",
            "pt list --output=json",
            "pt list -o=Json",
            "pt --output text list --output json",
        ] {
            assert!(asks(yes), "{yes}");
        }
        for no in [
            "pt list --bogus",
            "pt list -o table",
            "pt list -o json --output text",
            "pt delete -- -o json",
            "pt list -o",
        ] {
            assert!(!asks(no), "{no}");
        }
    }

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
}
