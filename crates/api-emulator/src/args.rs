//! `EmulatorArgs`: the command-line flags of the standalone emulator, for any clap CLI to flatten.

use std::fmt;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use api_model::ProjectId;

use crate::body::DEFAULT_MAX_BODY_SIZE;
use crate::builder::EmulatorBuilder;
use crate::demo::{DEMO_AK, DEMO_POD_IDENTITY_TOKEN, DEMO_SK, DEMO_TOKEN, demo_project_id};
use crate::emulator::Emulator;
use crate::faults::{FaultConfig, InvalidFaultConfig};
use crate::identity::{DEFAULT_CREDENTIAL_TTL, IdentityArgs};
use crate::rate_limit::{InvalidRateLimit, RateLimitArgs};

/// The emulator's flags: address, seeding, credentials, faults, rate limit and identity
/// routes.
///
/// Flatten it into a clap command (`#[command(flatten)] emulator: EmulatorArgs`) and call
/// [`builder`](Self::builder). Credentials are accepted only when given explicitly: `--ak`
/// with its secret key in `--sk-file`, tokens in `--token-file`, never from the environment
/// (an exported `HUAWEICLOUD_SDK_SK` is a real secret, not the emulator's) and never a secret
/// as a flag (flags show in `ps`). With none of them, the demo credentials ([`DEMO_AK`],
/// [`DEMO_SK`], [`DEMO_TOKEN`]) are accepted.
///
/// ```
/// use clap::Parser;
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     emulator: api_emulator::EmulatorArgs,
/// }
///
/// let cli = Cli::try_parse_from(["emu", "--port", "0", "--seed", "5", "--fault-429", "0.1"])?;
/// assert_eq!(cli.emulator.seed, 5);
/// assert_eq!(cli.emulator.faults.fault_429, 0.1);
/// let _builder = cli.emulator.builder()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, clap::Args)]
pub struct EmulatorArgs {
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,

    /// The port to listen on; 0 picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,

    /// How many tasks to seed into the project: varied statuses, types, ages and versions, as
    /// `processor-tasks --emulator` has (deterministic ids, see --rng-seed).
    #[arg(long = "seed", value_name = "N", default_value_t = 0,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1_000_000))]
    pub seed: usize,

    /// The seed of the RNG behind task ids (and faults, unless --fault-seed is given).
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    pub rng_seed: u64,

    /// The access key id (AK) to accept, with its secret key in --sk-file. Without it (and
    /// without --token-file), the demo credentials are accepted.
    #[arg(long, value_name = "AK", requires = "sk_file")]
    pub ak: Option<String>,

    /// Read the secret key (SK) of --ak from FILE. A secret is never a flag, since flags show
    /// in `ps`, and never taken from the environment.
    #[arg(long, value_name = "FILE", requires = "ak")]
    pub sk_file: Option<std::path::PathBuf>,

    /// The project id the credentials are bound to (default: the demo project).
    #[arg(long, value_name = "PROJECT_ID")]
    pub project_id: Option<ProjectId>,

    /// Accept the token in FILE as X-Auth-Token for the project (repeatable; one token a file).
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_files: Vec<std::path::PathBuf>,

    /// The largest request body accepted, in bytes (larger: 413 APIG.0201).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_SIZE)]
    pub max_body_size: usize,

    /// The clock skew allowed for X-Sdk-Date, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub max_clock_skew: u64,

    /// Fault injection.
    #[command(flatten)]
    pub faults: FaultArgs,

    /// The API gateway's rate limit.
    #[command(flatten)]
    pub rate_limit: RateLimitArgs,

    /// The identity routes (metadata, pod identity, STS, IAM).
    #[command(flatten)]
    pub identity: IdentityArgs,
}

impl fmt::Debug for EmulatorArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorArgs")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("seed", &self.seed)
            .field("rng_seed", &self.rng_seed)
            .field("ak", &self.ak)
            .field("sk_file", &self.sk_file)
            .field("project_id", &self.project_id)
            .field("token_files", &self.token_files)
            .field("max_body_size", &self.max_body_size)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("faults", &self.faults)
            .field("rate_limit", &self.rate_limit)
            .field("identity", &self.identity)
            .finish()
    }
}

/// The fault-injection flags (see [`FaultConfig`]).
#[derive(Debug, Clone, clap::Args)]
pub struct FaultArgs {
    /// The fraction of requests answered 429 ModelArts.4206.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_429: f64,
    /// The fraction of requests answered 500 ModelArts.0010.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_500: f64,
    /// The fraction of requests answered 503 ModelArts.4700.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_503: f64,
    /// The fraction of requests whose connection is closed with no response.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_drop: f64,
    /// The fraction of DELETE requests that delete the task, then close the connection.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_delete_then_drop: f64,
    /// The seed of fault decisions (default: --rng-seed).
    #[arg(long, value_name = "SEED")]
    pub fault_seed: Option<u64>,
    /// Latency added to every authenticated request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// A random extra latency up to this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_jitter_ms: u64,
    /// The Retry-After of 429 replies, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    pub retry_after: u32,
}

impl FaultArgs {
    /// The fault configuration, seeded with `--fault-seed` or else `default_seed`.
    #[must_use]
    pub fn to_config(&self, default_seed: u64) -> FaultConfig {
        FaultConfig {
            seed: self.fault_seed.unwrap_or(default_seed),
            too_many_requests: self.fault_429,
            internal_error: self.fault_500,
            unavailable: self.fault_503,
            drop_connection: self.fault_drop,
            delete_then_drop: self.fault_delete_then_drop,
            latency: Duration::from_millis(self.latency_ms),
            latency_jitter: Duration::from_millis(self.latency_jitter_ms),
            retry_after_secs: self.retry_after,
        }
    }
}

/// Why [`EmulatorArgs`] cannot make an emulator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ArgsError {
    /// `--ak` without a secret key.
    #[error("--ak needs its secret key: give --sk-file FILE")]
    MissingSk,
    /// A secret key without `--ak`.
    #[error("--sk-file was given without --ak: give the access key id too")]
    MissingAk,
    /// The fault flags are invalid.
    #[error(transparent)]
    InvalidFaults(#[from] InvalidFaultConfig),
    /// A secret file could not be read, or is empty.
    #[error("cannot read the secret file {0}")]
    SecretFile(String),
    /// A `--region-projects` value is not `REGION=ID[,ID…]`.
    #[error("invalid --region-projects {0}")]
    InvalidRegionProjects(String),
    /// The rate-limit flags describe an invalid limit.
    #[error(transparent)]
    InvalidRateLimit(#[from] InvalidRateLimit),
    /// A flag that says how the rate limit counts, without a limit.
    #[error("{0} needs --rate-limit N/s (or N/min) or --rate-limit-schedule")]
    RateLimitFlagWithoutRate(&'static str),
}

impl EmulatorArgs {
    /// The project the credentials are bound to: `--project-id`, or the demo project.
    #[must_use]
    pub fn project(&self) -> ProjectId {
        self.project_id.clone().unwrap_or_else(demo_project_id)
    }

    /// Whether the demo credentials are accepted (no `--ak` and no `--token-file`).
    #[must_use]
    pub fn uses_demo_credentials(&self) -> bool {
        self.ak.is_none() && self.sk_file.is_none() && self.token_files.is_empty()
    }

    /// A builder configured by the flags.
    ///
    /// # Errors
    ///
    /// An AK without an SK (or the reverse), invalid fault rates, invalid rate-limit flags, or
    /// a secret file (SK, token, pod identity token) that cannot be read.
    pub fn builder(&self) -> Result<EmulatorBuilder, ArgsError> {
        let faults = self.faults.to_config(self.rng_seed);
        faults.validate()?;
        let (rate_limit, rate_limit_schedule) = self.rate_limit.to_config()?;
        let project = self.project();
        let mut builder = Emulator::builder()
            .bind(SocketAddr::new(self.host, self.port))
            .seed_mixed(&project, self.seed)
            .rng_seed(self.rng_seed)
            .faults(faults)
            .max_body_size(self.max_body_size)
            .max_clock_skew(Duration::from_secs(self.max_clock_skew))
            .identity(self.identity.to_config()?);
        if let Some(limit) = rate_limit {
            builder = builder.rate_limit(limit);
        }
        if let Some(schedule) = rate_limit_schedule {
            builder = builder.rate_limit_schedule(schedule);
        }
        let sk = self.sk_file.as_deref().map(read_secret).transpose()?;
        match (&self.ak, &sk) {
            (Some(ak), Some(sk)) => builder = builder.ak_sk(ak, sk.as_str(), &project),
            (Some(_), None) => return Err(ArgsError::MissingSk),
            (None, Some(_)) => return Err(ArgsError::MissingAk),
            (None, None) => {}
        }
        for path in &self.token_files {
            builder = builder.token(read_secret(path)?.as_str(), &project);
        }
        if self.uses_demo_credentials() {
            builder = builder
                .ak_sk(DEMO_AK, DEMO_SK, &project)
                .token(DEMO_TOKEN, &project);
        }
        Ok(builder)
    }

    /// What to tell the user once `emulator` runs: the endpoint and the credentials it
    /// accepts. A secret given by the user is never repeated; the demo ones are public.
    #[must_use]
    pub fn banner(&self, emulator: &Emulator) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "ModelArts processor-tasks emulator listening on {}",
            emulator.endpoint()
        );
        let _ = writeln!(text, "  project id: {}", self.project());
        if self.uses_demo_credentials() {
            let _ = writeln!(text, "  AK:         {DEMO_AK}");
            let _ = writeln!(text, "  SK:         {DEMO_SK}");
            let _ = writeln!(text, "  token:      {DEMO_TOKEN}");
        } else {
            if let Some(ak) = &self.ak {
                let _ = writeln!(text, "  AK:         {ak}");
                let _ = writeln!(text, "  SK:         (the one in --sk-file)");
            }
            if !self.token_files.is_empty() {
                let _ = writeln!(
                    text,
                    "  tokens:     {} given with --token-file",
                    self.token_files.len()
                );
            }
        }
        let _ = writeln!(
            text,
            "  tasks:      {} seeded (--rng-seed {})",
            self.seed, self.rng_seed
        );
        let faults = self.faults.to_config(self.rng_seed);
        if faults.is_active() {
            let _ = writeln!(text, "  faults:     {faults:?}");
        }
        for line in self.rate_limit.banner() {
            let _ = writeln!(text, "{line}");
        }
        let ttl = self
            .identity
            .credential_ttl
            .unwrap_or(DEFAULT_CREDENTIAL_TTL);
        let _ = writeln!(
            text,
            "  identity:   metadata, pod identity, STS and IAM routes; credentials last {ttl:?}"
        );
        if self.identity.pod_identity_token_file.is_none() {
            let _ = writeln!(text, "  pod token:  {DEMO_POD_IDENTITY_TOKEN}");
        }
        text.push_str("Press Ctrl-C to stop.");
        text
    }
}

/// A secret from a file, trimmed, wiped from memory when dropped.
pub(crate) fn read_secret(path: &std::path::Path) -> Result<zeroize::Zeroizing<String>, ArgsError> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| ArgsError::SecretFile(format!("{}: {e}", path.display())))?,
    );
    let secret = zeroize::Zeroizing::new(text.trim().to_owned());
    if secret.is_empty() {
        return Err(ArgsError::SecretFile(format!(
            "{}: it is empty",
            path.display()
        )));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    fn parse(argv: &[&str]) -> Result<EmulatorArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("emu").chain(argv.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn defaults_use_the_demo_credentials_whatever_the_environment_says() {
        // No environment variable is read: an exported real SK is not the emulator's.
        let args = parse(&[]).unwrap();
        assert!(args.uses_demo_credentials());
        assert_eq!(args.port, 0);
        assert!(!args.faults.to_config(0).is_active());
    }

    #[test]
    fn flags_make_a_config() {
        let dir = tempfile::tempdir().unwrap();
        let sk = dir.path().join("sk");
        let token = dir.path().join("token");
        std::fs::write(&sk, "SK\n").unwrap();
        std::fs::write(&token, "t1").unwrap();
        let args = parse(&[
            "--port",
            "8080",
            "--seed",
            "3",
            "--rng-seed",
            "9",
            "--ak",
            "AK",
            "--sk-file",
            sk.to_str().unwrap(),
            "--project-id",
            "a4a5d4098fb4474fa22cd05f897d6b99",
            "--token-file",
            token.to_str().unwrap(),
            "--fault-500",
            "0.25",
            "--latency-ms",
            "7",
            "--retry-after",
            "3",
        ])
        .unwrap();
        assert_eq!(args.port, 8080);
        assert!(!args.uses_demo_credentials());
        let faults = args.faults.to_config(args.rng_seed);
        assert_eq!(faults.seed, 9);
        assert_eq!(faults.internal_error, 0.25);
        assert_eq!(faults.latency, Duration::from_millis(7));
        assert_eq!(faults.retry_after_secs, 3);
        assert!(args.builder().is_ok());
        let debug = format!("{args:?}");
        assert!(
            !debug.contains("\"SK\"") && !debug.contains("\"t1\""),
            "{debug}"
        );
        let banner_args = args.clone();
        assert!(!format!("{banner_args:?}").contains("t1\""));
    }

    #[test]
    fn identity_flags_make_an_identity_config() {
        let dir = tempfile::tempdir().unwrap();
        let pod = dir.path().join("pod");
        std::fs::write(&pod, "pod-secret\n").unwrap();
        let p1 = "a4a5d4098fb4474fa22cd05f897d6b99";
        let p2 = "b4a5d4098fb4474fa22cd05f897d6b99";
        let two = format!("cn-north-4={p1},{p2}");
        let args = parse(&[
            "--credential-ttl",
            "15m",
            "--metadata-token-required",
            "--metadata-agency-missing",
            "--pod-identity-token-file",
            pod.to_str().unwrap(),
            "--region-projects",
            &two,
            "--region-projects",
            "af-north-1=",
        ])
        .unwrap();
        assert_eq!(args.identity.credential_ttl, Some(Duration::from_secs(900)));
        let config = args.identity.to_config().unwrap();
        assert_eq!(config.credential_ttl, Duration::from_secs(900));
        assert!(config.ttl_explicit);
        assert!(config.metadata_token_required && config.metadata_agency_missing);
        assert!(config.metadata_token_supported && !config.metadata_expire_tokens_once);
        assert_eq!(config.pod_identity_token, "pod-secret");
        assert_eq!(config.region_projects.len(), 2);
        assert_eq!(config.region_projects["cn-north-4"].len(), 2);
        assert!(config.region_projects["af-north-1"].is_empty());
        assert!(args.builder().is_ok());
        for debug in [format!("{args:?}"), format!("{config:?}")] {
            assert!(!debug.contains("pod-secret"), "{debug}");
        }

        let defaults = parse(&[]).unwrap().identity.to_config().unwrap();
        assert_eq!(defaults.credential_ttl, DEFAULT_CREDENTIAL_TTL);
        assert!(!defaults.ttl_explicit && !defaults.metadata_token_required);
        assert_eq!(defaults.pod_identity_token, DEMO_POD_IDENTITY_TOKEN);

        for bad in [
            &["--credential-ttl", "0"][..],
            &["--credential-ttl", "soon"],
            &["--region-projects", "cn-north-4"],
            &["--region-projects", "cn-north-4=NOT-A-PROJECT"],
            &["--pod-identity-token", "t"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let mut missing = parse(&[]).unwrap();
        missing.identity.pod_identity_token_file = Some("/nonexistent/pod".into());
        assert!(matches!(missing.builder(), Err(ArgsError::SecretFile(_))));
    }

    #[test]
    fn rate_limit_flags_make_a_limit_and_a_schedule() {
        use crate::rate_limit::{RateLimit, RateLimitMode, RatePeriod};

        let off = parse(&[]).unwrap();
        assert!(!off.rate_limit.is_active());
        assert_eq!(off.rate_limit.to_config(), Ok((None, None)));

        let args = parse(&["--rate-limit", "20/s"]).unwrap();
        let (limit, schedule) = args.rate_limit.to_config().unwrap();
        assert_eq!(limit, Some(RateLimit::per_second(20.0)));
        assert_eq!(schedule, None);
        assert!(args.builder().is_ok());

        for (text, n, period) in [
            ("5/second", 5.0, RatePeriod::Second),
            ("600/min", 600.0, RatePeriod::Minute),
            ("1.5/minute", 1.5, RatePeriod::Minute),
        ] {
            let args = parse(&["--rate-limit", text]).unwrap();
            let limit = args.rate_limit.to_config().unwrap().0.unwrap();
            assert_eq!((limit.requests(), limit.period()), (n, period), "{text}");
        }

        let args = parse(&[
            "--rate-limit",
            "100/min",
            "--rate-limit-mode",
            "window",
            "--rate-limit-retry-after",
            "--rate-limit-count-throttled",
            "--rate-limit-schedule",
            "0s=100/min,500ms=20/min,1m=off",
        ])
        .unwrap();
        let (limit, schedule) = args.rate_limit.to_config().unwrap();
        let window = RateLimit::per_minute(100.0)
            .mode(RateLimitMode::FixedWindow)
            .retry_after(true)
            .count_throttled(true);
        assert_eq!(limit, Some(window.clone()));
        let schedule = schedule.unwrap();
        let steps = schedule.steps();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0], (Duration::ZERO, Some(window)));
        assert_eq!(steps[1].0, Duration::from_millis(500));
        assert_eq!(
            steps[1].1.as_ref().map(RateLimit::limit_mode),
            Some(RateLimitMode::FixedWindow),
            "the flags apply to every step"
        );
        assert_eq!(steps[2], (Duration::from_secs(60), None));
        assert!(args.builder().is_ok());

        let args = parse(&["--rate-limit", "10/s", "--rate-limit-burst", "3"]).unwrap();
        let limit = args.rate_limit.to_config().unwrap().0.unwrap();
        assert_eq!(limit.bucket_capacity(), 3.0);

        // Refused by clap: malformed or out-of-range values.
        for bad in [
            &["--rate-limit", "0/s"][..],
            &["--rate-limit", "-5/s"],
            &["--rate-limit", "inf/s"],
            &["--rate-limit", "NaN/min"],
            &["--rate-limit", "10"],
            &["--rate-limit", "10/h"],
            &["--rate-limit", "ten/s"],
            &["--rate-limit-mode", "sliding"],
            &["--rate-limit-burst", "0"],
            &["--rate-limit-burst", "-1"],
            &["--rate-limit-schedule", "10s"],
            &["--rate-limit-schedule", "10s=0/s"],
            &["--rate-limit-schedule", "10d=1/s"],
            &["--rate-limit-schedule", "-1s=1/s"],
            &["--rate-limit-schedule", ""],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let error = parse(&["--rate-limit", "0/s"]).unwrap_err().to_string();
        assert!(error.contains("above 0"), "{error}");

        // Refused by the builder: settings without a limit, impossible combinations.
        for (flags, expected) in [
            (
                &["--rate-limit-burst", "5"][..],
                ArgsError::RateLimitFlagWithoutRate("--rate-limit-burst"),
            ),
            (
                &["--rate-limit-mode", "bucket"],
                ArgsError::RateLimitFlagWithoutRate("--rate-limit-mode"),
            ),
            (
                &["--rate-limit-retry-after"],
                ArgsError::RateLimitFlagWithoutRate("--rate-limit-retry-after"),
            ),
            (
                &["--rate-limit-count-throttled"],
                ArgsError::RateLimitFlagWithoutRate("--rate-limit-count-throttled"),
            ),
            (
                &[
                    "--rate-limit",
                    "10/s",
                    "--rate-limit-mode",
                    "window",
                    "--rate-limit-burst",
                    "5",
                ],
                ArgsError::InvalidRateLimit(crate::rate_limit::InvalidRateLimit::BurstInWindow),
            ),
            (
                &[
                    "--rate-limit-schedule",
                    "0s=2.5/s",
                    "--rate-limit-mode",
                    "window",
                ],
                ArgsError::InvalidRateLimit(
                    crate::rate_limit::InvalidRateLimit::FractionalWindow { value: 2.5 },
                ),
            ),
        ] {
            let args = parse(flags).unwrap();
            assert_eq!(args.builder().err(), Some(expected), "{flags:?}");
        }
        let message = ArgsError::RateLimitFlagWithoutRate("--rate-limit-burst").to_string();
        assert_eq!(
            message,
            "--rate-limit-burst needs --rate-limit N/s (or N/min) or --rate-limit-schedule"
        );
    }

    #[test]
    fn the_banner_shows_the_rate_limit() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let args = parse(&[
                "--rate-limit",
                "10/s",
                "--rate-limit-burst",
                "20",
                "--rate-limit-schedule",
                "10s=20/s,20s=off",
                "--rate-limit-retry-after",
            ])
            .unwrap();
            let emulator = args.builder().unwrap().start().await.unwrap();
            let banner = args.banner(&emulator);
            assert!(
                banner.contains(
                    "  rate limit: 10/s token bucket, burst 20, Retry-After; per project and API, 429 APIG.0308"
                ),
                "{banner}"
            );
            assert!(
                banner.contains(
                    "  rate steps: 10s=20/s,20s=off from the start (token bucket, burst 20, Retry-After)"
                ),
                "{banner}"
            );
            let quiet = parse(&[]).unwrap();
            assert!(!quiet.banner(&emulator).contains("rate"), "no limit, no line");
            emulator.shutdown().await;
        });
    }

    #[test]
    fn refuses_bad_combinations() {
        // clap refuses a lone --ak or --sk-file; so does the builder.
        assert!(parse(&["--ak", "AK"]).is_err());
        assert!(parse(&["--sk-file", "x"]).is_err());
        let mut args = parse(&[]).unwrap();
        args.ak = Some("AK".into());
        assert_eq!(args.builder().err(), Some(ArgsError::MissingSk));
        args.ak = None;
        args.sk_file = Some("/nonexistent/sk".into());
        assert!(matches!(
            args.builder().err(),
            Some(ArgsError::SecretFile(_))
        ));
        args.sk_file = None;
        args.faults.fault_429 = 2.0;
        assert!(matches!(args.builder(), Err(ArgsError::InvalidFaults(_))));
        args.faults.fault_429 = 0.0;
        args.faults.latency_ms = u64::MAX;
        assert!(matches!(args.builder(), Err(ArgsError::InvalidFaults(_))));
        assert!(parse(&["--project-id", "NOT-A-PROJECT"]).is_err());
        assert!(
            parse(&["--token", "t1"]).is_err(),
            "a token is never a flag"
        );
    }
}
