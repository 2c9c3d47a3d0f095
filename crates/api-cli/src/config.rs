//! Building the client from flags, then the environment; or pointing it at an in-process emulator.

use std::{
    io::{IsTerminal, Read},
    path::Path,
};

use api_client::{
    Client, Credentials, Origin, RetryPolicy, Throttling, Timeouts,
    credentials::{EnvironmentCredentials, StaticCredentials},
};
#[cfg(feature = "emulator")]
use api_emulator::{DEMO_AK, DEMO_SK, DEMO_TOKEN, Emulator, demo_project_id};
use api_transport::{HyperTransport, SharedTransport};
use zeroize::Zeroizing;

use crate::{cli::ClientArgs, error::CliError};

/// The client of a run, and the emulator it talks to when `--emulator` was given.
#[non_exhaustive]
pub struct Target {
    /// The client.
    pub client: Client,
    /// The in-process emulator, if any; shut it down when done.
    #[cfg(feature = "emulator")]
    pub emulator: Option<Emulator>,
}

impl Target {
    /// Shuts down the in-process emulator, if there is one. Call it when the command is done.
    pub async fn shutdown(self) {
        #[cfg(feature = "emulator")]
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// Builds the client the flags describe, for up to `in_flight` requests at once. What the flags
/// leave out, the client resolves as the official SDKs do ([`api_client::ClientBuilder::load`]):
/// the environment, the profile file, the metadata service, pod identity, OIDC, and project-id
/// discovery through IAM. The CLI reads no environment variable of its own.
pub async fn connect(client: &ClientArgs, in_flight: usize) -> Result<Target, CliError> {
    let retry = RetryPolicy::default().with_max_attempts(client.max_attempts());
    let timeouts = Timeouts::default()
        .with_attempt(client.attempt_timeout())
        .with_deadline(client.deadline());
    let transport = transport(in_flight, client)?;
    let throttling = match client.throttling() {
        crate::cli::ThrottlingMode::Adaptive => Throttling::Adaptive,
        crate::cli::ThrottlingMode::Aimd | crate::cli::ThrottlingMode::Off => Throttling::Off,
    };
    #[cfg(feature = "emulator")]
    {
        if client.emulator {
            return emulated(client, transport, retry, timeouts, throttling).await;
        }
        if client.emulator_tasks.is_some() {
            return Err(CliError::Usage(
                "--emulator-tasks goes with --emulator".into(),
            ));
        }
    }
    let mut builder = Client::builder()
        .shared_transport(transport)
        .retry_policy(retry)
        .timeouts(timeouts)
        .throttling(throttling)
        .allow_insecure_http(client.allow_insecure_http);
    if let Some(url) = &client.endpoint {
        builder = builder.endpoint(url.trim());
    }
    if let Some(region) = &client.region {
        builder = builder.region(region.trim());
    }
    if let Some(project) = &client.project_id {
        builder = builder.project_id(project.trim());
    }
    if let Some(credentials) = credentials(client)? {
        builder = builder.credentials(credentials);
    }
    let client = builder.load().await.map_err(|e| match e {
        api_client::Error::InvalidInput(api_client::InvalidInput::Config(msg))
            if msg.starts_with("no endpoint") =>
        {
            let emulator = if cfg!(feature = "emulator") {
                ", or try --emulator"
            } else {
                ""
            };
            CliError::Usage(format!(
                "no endpoint: give --region R or --endpoint URL (or set HUAWEICLOUD_SDK_REGION \
                 or HUAWEICLOUD_SDK_ENDPOINT){emulator}"
            ))
        }
        other => other.into(),
    })?;
    Ok(Target {
        client,
        #[cfg(feature = "emulator")]
        emulator: None,
    })
}

/// The client of `--emulator`: an emulator in this process, seeded, with demo credentials.
#[cfg(feature = "emulator")]
async fn emulated(
    client: &ClientArgs,
    transport: SharedTransport,
    retry: RetryPolicy,
    timeouts: Timeouts,
    throttling: Throttling,
) -> Result<Target, CliError> {
    if client.endpoint.is_some() || client.region.is_some() {
        return Err(CliError::Usage(
            "--emulator runs its own endpoint: leave out --endpoint and --region".into(),
        ));
    }
    let tasks = client.emulator_tasks.unwrap_or(10);
    let project = demo_project_id();
    let emulator = Emulator::builder()
        .ak_sk(DEMO_AK, DEMO_SK, &project)
        .token(DEMO_TOKEN, &project)
        .seed_mixed(&project, tasks)
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;
    crate::note!(
        "using an in-process emulator at {} (project {project}, {tasks} seeded tasks of every \
         status but initializing, demo credentials)",
        emulator.endpoint(),
    );
    if tasks <= 20 {
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
        .throttling(throttling)
        .build()?;
    Ok(Target {
        client,
        emulator: Some(emulator),
    })
}

/// An HTTP transport that keeps a connection per request in flight (with fewer idle
/// connections allowed than requests in flight, a batch would close and reopen connections),
/// trusting `--ca-bundle` and going through `--proxy` when given.
pub fn transport(in_flight: usize, client: &ClientArgs) -> Result<SharedTransport, CliError> {
    let pool = in_flight.max(api_transport::DEFAULT_POOL_MAX_IDLE_PER_HOST);
    let mut builder = HyperTransport::builder().pool_max_idle_per_host(pool);
    if let Some(path) = &client.ca_bundle {
        let pem = std::fs::read(path).map_err(|e| {
            CliError::Usage(format!("cannot read --ca-bundle {}: {e}", path.display()))
        })?;
        builder = builder
            .add_root_certificate(&pem)
            .map_err(|e| CliError::Usage(format!("--ca-bundle {}: {e}", path.display())))?;
    }
    if let Some(url) = &client.proxy {
        builder = builder
            .proxy(url.trim())
            .map_err(|e| CliError::Usage(format!("--proxy: {e}")))?;
    }
    builder
        .build()
        .map(SharedTransport::new)
        .map_err(|e| CliError::Failed(format!("cannot set up HTTP: {e}")))
}

/// The credentials the flags give: a token file, or `--ak` with its secret key from
/// `--sk-file` (else the environment, through the client). `None`: the client's chain decides.
/// Secrets are never taken from flags.
fn credentials(client: &ClientArgs) -> Result<Option<StaticCredentials>, CliError> {
    match (&client.token_file, &client.sk_file, &client.ak) {
        (Some(_), Some(_), _) => Err(CliError::Usage(
            "give --token-file or --sk-file, not both".into(),
        )),
        (Some(_), None, Some(_)) => Err(CliError::Usage(
            "give --token-file or --ak, not both".into(),
        )),
        (Some(path), None, None) => {
            let token = read_secret(path, "IAM token")?;
            Ok(Some(StaticCredentials::new(
                Credentials::token(token.trim()),
                Origin::Given,
            )))
        }
        (None, None, None) => Ok(None),
        (None, sk_file, ak) => {
            // The AK from --ak or the environment, the SK from --sk-file or the environment:
            // the client reads the environment.
            let sk = sk_file
                .as_deref()
                .map(|path| read_secret(path, "secret key"))
                .transpose()?;
            let env = api_client::Environment::process();
            EnvironmentCredentials::with_overrides(
                ak.as_deref(),
                sk.as_deref().map(|s| s.as_str()),
                &env,
            )
            .map(|found| {
                Some(StaticCredentials::new(
                    found.credentials().clone(),
                    Origin::Given,
                ))
            })
            .map_err(|e| CliError::Usage(format!("{e}, or give --ak AK --sk-file FILE")))
        }
    }
}

/// Reads a secret from a file, or from stdin (`-`): on a terminal it asks for it without echo.
/// The buffers are wiped when dropped.
fn read_secret(path: &Path, what: &str) -> Result<Zeroizing<String>, CliError> {
    let text = if path == Path::new("-") {
        if std::io::stdin().is_terminal() {
            Zeroizing::new(rpassword::prompt_password(format!("{what}: "))?)
        } else {
            let mut text = Zeroizing::new(String::new());
            std::io::stdin().read_to_string(&mut text)?;
            text
        }
    } else {
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
            CliError::Usage(format!(
                "cannot read the {what} file {}: {e}",
                path.display()
            ))
        })?);
        Zeroizing::new(
            std::str::from_utf8(&bytes)
                .map_err(|_| {
                    CliError::Usage(format!(
                        "the {what} file {} is not UTF-8 text",
                        path.display()
                    ))
                })?
                .to_owned(),
        )
    };
    let secret = Zeroizing::new(text.trim().to_owned());
    if secret.is_empty() {
        return Err(CliError::Usage(format!(
            "the {what} in {} is empty",
            path.display()
        )));
    }
    Ok(secret)
}
