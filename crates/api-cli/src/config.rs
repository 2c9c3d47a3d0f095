//! Building the client from flags, then the environment; or pointing it at an in-process emulator.

use std::{io::Read, path::Path};

use api_client::{
    Client, Credentials, RetryPolicy, Timeouts,
    credentials::{ENV_SECURITY_TOKEN, ENV_SK, ENV_TOKEN},
};
use api_emulator::{DEMO_AK, DEMO_SK, DEMO_TOKEN, Emulator, demo_project_id};
use api_transport::{HyperTransport, SharedTransport};

use crate::{cli::Global, error::CliError};

/// The client of a run, and the emulator it talks to when `--emulator` was given.
pub struct Target {
    /// The client.
    pub client: Client,
    /// The in-process emulator, if any; shut it down when done.
    pub emulator: Option<Emulator>,
}

impl Target {
    /// Shuts down the in-process emulator, if there is one. Call it when the command is done.
    pub async fn shutdown(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// Builds the client the flags and environment describe, for up to `in_flight` requests at once.
pub async fn connect(global: &Global, in_flight: usize) -> Result<Target, CliError> {
    let retry = RetryPolicy::default().with_max_attempts(global.max_attempts);
    let timeouts = Timeouts::default().with_attempt(global.attempt_timeout);
    let transport = transport(in_flight)?;
    if global.emulator {
        let project = demo_project_id();
        let emulator = Emulator::builder()
            .ak_sk(DEMO_AK, DEMO_SK, &project)
            .token(DEMO_TOKEN, &project)
            .seed_mixed(&project, global.emulator_tasks)
            .start()
            .await
            .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;
        crate::note!(
            "using an in-process emulator at {} (project {project}, {} seeded tasks of every status but initializing, demo credentials)",
            emulator.endpoint(),
            global.emulator_tasks
        );
        if global.emulator_tasks <= 20 {
            let ids: Vec<String> = emulator
                .store()
                .task_ids(&project)
                .iter()
                .map(ToString::to_string)
                .collect();
            crate::note!("seeded task ids: {}", ids.join(" "));
        }
        let client = Client::builder()
            .shared_transport(transport)
            .endpoint(&emulator.endpoint())
            .project_id(project.as_str())
            .credentials(Credentials::ak_sk(DEMO_AK, DEMO_SK))
            .retry_policy(retry)
            .timeouts(timeouts)
            .build()?;
        return Ok(Target {
            client,
            emulator: Some(emulator),
        });
    }
    let mut builder = Client::builder()
        .shared_transport(transport)
        .retry_policy(retry)
        .timeouts(timeouts)
        .allow_insecure_http(global.allow_insecure_http);
    builder = match (&global.endpoint, &global.region) {
        (Some(url), _) => builder.endpoint(url),
        (None, Some(region)) => builder.region(region),
        (None, None) => {
            return Err(CliError::Usage(
                "no endpoint: give --region R or --endpoint URL (or set HUAWEICLOUD_SDK_REGION), or try --emulator".into(),
            ));
        }
    };
    let project = global.project_id.as_deref().ok_or_else(|| {
        CliError::Usage("no project id: give --project-id or set HUAWEICLOUD_SDK_PROJECT_ID".into())
    })?;
    let client = builder
        .project_id(project)
        .credentials(credentials(global)?)
        .build()?;
    Ok(Target {
        client,
        emulator: None,
    })
}

/// An HTTP transport that keeps a connection per request in flight: with fewer idle
/// connections allowed than requests in flight, a batch would close and reopen connections.
pub fn transport(in_flight: usize) -> Result<SharedTransport, CliError> {
    let pool = in_flight.max(api_transport::DEFAULT_POOL_MAX_IDLE_PER_HOST);
    HyperTransport::builder()
        .pool_max_idle_per_host(pool)
        .build()
        .map(SharedTransport::new)
        .map_err(|e| CliError::Failed(format!("cannot set up HTTP: {e}")))
}

/// The credentials: a token file, or the AK with its SK from a file or the environment, or an
/// IAM token from the environment. Secrets are never taken from flags.
fn credentials(global: &Global) -> Result<Credentials, CliError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(path) = &global.token_file {
        return Ok(Credentials::token(read_secret(path)?));
    }
    match (&global.ak, &global.sk_file) {
        (Some(ak), sk_file) => {
            let sk = match sk_file {
                Some(path) => read_secret(path)?,
                None => env(ENV_SK).ok_or_else(|| {
                    CliError::Usage(format!(
                        "no secret key for --ak {ak}: set {ENV_SK}, or give --sk-file FILE"
                    ))
                })?,
            };
            Ok(match env(ENV_SECURITY_TOKEN) {
                Some(token) => Credentials::temporary(ak.trim(), sk.trim(), token.trim()),
                None => Credentials::ak_sk(ak.trim(), sk.trim()),
            })
        }
        (None, Some(_)) => Err(CliError::Usage(
            "--sk-file needs --ak (or HUAWEICLOUD_SDK_AK)".into(),
        )),
        (None, None) => match env(ENV_TOKEN) {
            Some(token) => Ok(Credentials::token(token.trim())),
            None => Err(CliError::Usage(format!(
                "no credentials: set HUAWEICLOUD_SDK_AK and {ENV_SK} (or --ak with --sk-file FILE), \
                 or {ENV_TOKEN} (or --token-file FILE), or try --emulator"
            ))),
        },
    }
}

/// Reads a secret from a file or stdin (`-`), without its trailing newline.
fn read_secret(path: &Path) -> Result<String, CliError> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!(
                "cannot read the secret file {}: {e}",
                path.display()
            ))
        })?;
    }
    let secret = text.trim().to_owned();
    if secret.is_empty() {
        return Err(CliError::Usage(format!(
            "the secret file {} is empty",
            path.display()
        )));
    }
    Ok(secret)
}
