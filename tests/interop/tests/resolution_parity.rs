//! Given the same environment variables, credentials profile and regions file, the official
//! Python SDK (`huaweicloudsdkmodelarts` on `huaweicloudsdkcore`) and our client
//! (`ClientBuilder::load`) resolve the same endpoint and the same project id, discovering the
//! project through the emulator's IAM route (`GET /v3/projects?name=<region>`) when none is set;
//! and refuse the same setups.
//!
//! Each case builds a temporary HOME (`.huaweicloud/credentials`, `.huaweicloud/regions.yaml`)
//! and a set of variables; the Rust client sees exactly those variables
//! (`Environment::from_vars`, plus `HUAWEICLOUD_SDK_METADATA_DISABLED=true`), and the Python process exactly those plus what it needs to run
//! (`PATH`, no proxy). Python builds
//! `ModelArtsClient.new_builder().with_region(ModelArtsRegion.value_of(region)).build()` with no
//! credentials given (`tests/interop/python/resolution_parity.py`), so it runs its own chain.
//! Only setups where both chains stop at the environment or the profile are used: the Python
//! chain would otherwise call the ECS metadata service, and the Rust side has
//! `HUAWEICLOUD_SDK_METADATA_DISABLED=true` (which Python does not read) so that it never does.
//!
//! The Rust side runs first, then Python, so that the emulator's IAM counter shows one lookup per
//! side.
//!
//! Needs `PROCESSOR_TASKS_PYTHON` (a venv with `tests/interop/requirements.txt`); fails without.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use api_client::{Client, Error, Origin};
use api_emulator::{Emulator, IdentityConfig};
use api_model::ProjectId;
use interop_tests::{python, run_json, script};
use serde_json::Value;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
const OTHER_PROJECT: &str = "0b1e5c0ffee0b1e5c0ffee0b1e5c0ffe";
/// An access key the emulator does not know: signing with it fails, so a test that uses it by
/// mistake fails loudly.
const UNKNOWN_AK: &str = "UNKNOWNAKUNKNOWNAK00";

/// A temporary home directory with an empty `.huaweicloud/`, removed on drop.
struct Home {
    path: PathBuf,
}

impl Home {
    fn new(case: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "interop-resolution-parity-{case}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join(".huaweicloud")).unwrap();
        Self { path }
    }

    /// Writes `text` to `.huaweicloud/{name}` and returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let file = self.path.join(".huaweicloud").join(name);
        std::fs::write(&file, text).unwrap();
        file
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// One setup, seen by both sides: a home directory and the variables (HOME included).
struct Setup {
    home: Home,
    vars: Vec<(String, String)>,
}

impl Setup {
    fn new(case: &str) -> Self {
        let home = Home::new(case);
        let vars = vec![("HOME".to_owned(), home.path().display().to_string())];
        Self { home, vars }
    }

    fn var(mut self, name: &str, value: impl Into<String>) -> Self {
        self.vars.push((name.to_owned(), value.into()));
        self
    }

    fn file(self, name: &str, text: &str) -> Self {
        self.home.write(name, text);
        self
    }
}

/// The Rust client, loaded from exactly the setup's variables (plus metadata disabled).
async fn rust_side(setup: &Setup, region: &str) -> Result<Client, Error> {
    let mut vars = setup.vars.clone();
    vars.push((
        "HUAWEICLOUD_SDK_METADATA_DISABLED".to_owned(),
        "true".to_owned(),
    ));
    Client::builder()
        .environment(api_client::Environment::from_vars(vars))
        .region(region)
        .load()
        .await
}

/// What the official SDK resolved (`resolution_parity.py`'s JSON), with exactly the setup's
/// variables and the few a Python process needs.
async fn python_side(setup: &Setup, region: &str) -> Value {
    let python = python().unwrap_or_else(|e| panic!("{e}"));
    let mut command = Command::new(&python);
    command
        .arg(script("resolution_parity.py"))
        .arg(region)
        .env_clear()
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null());
    for name in ["PATH", "SYSTEMROOT", "LANG", "LC_ALL"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command.envs(setup.vars.iter().map(|(k, v)| (k, v)));
    tokio::task::spawn_blocking(move || run_json(&mut command, Duration::from_secs(60)))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// An endpoint for comparison: only a trailing `/` is dropped.
fn normalised(endpoint: &str) -> &str {
    endpoint.strip_suffix('/').unwrap_or(endpoint)
}

/// Both sides resolved, to the same endpoint and project id; returns the Rust client and
/// Python's answer for further checks.
#[track_caller]
fn assert_same(python: &Value, rust: Result<Client, Error>) -> (Client, Value) {
    assert!(
        python.get("error").is_none(),
        "the official SDK failed: {python}"
    );
    let client = rust.unwrap_or_else(|e| panic!("our client failed: {e}\n(Python: {python})"));
    let settings = client.settings();
    let py_endpoint = python["endpoint"].as_str().unwrap();
    let rs_endpoint = settings.endpoint.to_string();
    assert_eq!(
        normalised(&rs_endpoint),
        normalised(py_endpoint),
        "endpoint mismatch: Rust {rs_endpoint} ({:?}), Python {python}",
        settings.endpoint_origin
    );
    assert_eq!(
        settings.project_id.as_str(),
        python["project_id"].as_str().unwrap(),
        "project id mismatch: Rust {} ({:?}), Python {python}",
        settings.project_id,
        settings.project_origin
    );
    (client, python.clone())
}

/// The emulator, accepting `AK`/`SK` for `PROJECT`, with `identity`.
async fn emulator(identity: IdentityConfig) -> Emulator {
    let project: ProjectId = PROJECT.parse().unwrap();
    Emulator::builder()
        .ak_sk(AK, SK, &project)
        .identity(identity.project(project))
        .start()
        .await
        .unwrap()
}

/// A loopback URL where nothing listens (a port bound and released), for a setting that must
/// lose to another: using it fails.
fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// Runs the Rust side, then the Python side, checking that each made `lookups` IAM project
/// lookups.
async fn both(
    emu: &Emulator,
    setup: &Setup,
    region: &str,
    lookups: u64,
) -> (Value, Result<Client, Error>) {
    let rust = rust_side(setup, region).await;
    assert_eq!(
        emu.identity_stats().project_lookups,
        lookups,
        "IAM lookups by our client ({:?})",
        rust.as_ref().map(|c| c.settings().clone())
    );
    let python = python_side(setup, region).await;
    assert_eq!(
        emu.identity_stats().project_lookups,
        2 * lookups,
        "IAM lookups by the official SDK ({python})"
    );
    (python, rust)
}

/// a. AK/SK and the IAM endpoint from the environment, the region's endpoint from
/// `HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4`: both discover the project at the emulator and
/// use the emulator's endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_credentials_and_env_overrides() {
    let region = "cn-north-4";
    let emu =
        emulator(IdentityConfig::new().region_projects(region, vec![PROJECT.parse().unwrap()]))
            .await;
    let setup = Setup::new("env")
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emu.endpoint(),
        );
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let (client, python) = assert_same(&python, rust);
    let settings = client.settings();
    assert_eq!(normalised(&settings.endpoint.to_string()), emu.endpoint());
    assert_eq!(
        settings.endpoint_origin,
        Origin::Env("HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4".into())
    );
    assert_eq!(settings.project_id.as_str(), PROJECT);
    assert_eq!(
        settings.project_origin,
        Origin::IamDiscovery(emu.endpoint())
    );
    assert_eq!(python["iam_endpoint"], emu.endpoint(), "{python}");
    assert_eq!(python["credentials_from"], "env", "{python}");
    assert_eq!(
        client.credentials_origin(),
        Some(Origin::Env("HUAWEICLOUD_SDK_AK".into()))
    );
    emu.shutdown().await;
}

/// b. AK/SK and the IAM endpoint from the profile's `[basiccredentials]` section (no credentials
/// in the environment), the endpoint from regions.yaml: both agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_credentials_and_regions_file() {
    let region = "cn-north-4";
    let emu =
        emulator(IdentityConfig::new().region_projects(region, vec![PROJECT.parse().unwrap()]))
            .await;
    let endpoint = emu.endpoint();
    let setup = Setup::new("profile")
        .file(
            "credentials",
            &format!("[basiccredentials]\nak = {AK}\nsk = {SK}\niam_endpoint = {endpoint}\n"),
        )
        .file(
            "regions.yaml",
            &format!("ModelArts:\n  - id: {region}\n    endpoint: {endpoint}\n"),
        );
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let (client, python) = assert_same(&python, rust);
    let settings = client.settings();
    assert_eq!(normalised(&settings.endpoint.to_string()), endpoint);
    assert!(
        matches!(settings.endpoint_origin, Origin::RegionsFile(_)),
        "{:?}",
        settings.endpoint_origin
    );
    assert_eq!(settings.project_id.as_str(), PROJECT);
    assert_eq!(
        settings.project_origin,
        Origin::IamDiscovery(endpoint.clone())
    );
    assert_eq!(python["iam_endpoint"], endpoint, "{python}");
    assert_eq!(python["credentials_from"], "profile", "{python}");
    assert!(
        matches!(&client.credentials_origin(), Some(Origin::Profile { section, .. }) if section == "basiccredentials"),
        "{:?}",
        client.credentials_origin()
    );
    emu.shutdown().await;
}

/// c. A catalog region with no endpoint override (`ap-southeast-1`, on `.myhuaweicloud.cn`),
/// the project discovered through `HUAWEICLOUD_SDK_IAM_ENDPOINT`: both agree. Nothing is sent
/// to the endpoint, so it need not be reachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_region_with_discovered_project() {
    let region = "ap-southeast-1";
    let emu = emulator(IdentityConfig::new()).await;
    let setup = Setup::new("catalog")
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint());
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let (client, _) = assert_same(&python, rust);
    let settings = client.settings();
    assert_eq!(
        settings.endpoint.to_string(),
        "https://modelarts.ap-southeast-1.myhuaweicloud.cn"
    );
    assert_eq!(settings.endpoint_origin, Origin::Catalog);
    assert_eq!(settings.project_id.as_str(), PROJECT);
    assert_eq!(
        settings.project_origin,
        Origin::IamDiscovery(emu.endpoint())
    );
    emu.shutdown().await;
}

/// d. IAM lists two projects under the region's name: both refuse, naming both ids (and IAM's
/// trace id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_projects_in_the_region_are_refused_by_both() {
    let region = "cn-north-9";
    let emu = emulator(IdentityConfig::new().region_projects(
        region,
        vec![PROJECT.parse().unwrap(), OTHER_PROJECT.parse().unwrap()],
    ))
    .await;
    let setup = Setup::new("two-projects")
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_9",
            emu.endpoint(),
        );
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let error = match rust {
        Err(error @ Error::ProjectDiscovery { .. }) => error.to_string(),
        Err(other) => panic!("expected Error::ProjectDiscovery, got {other:?}"),
        Ok(client) => panic!("our client accepted two projects: {:?}", client.settings()),
    };
    let py_error = python["error"]
        .as_str()
        .unwrap_or_else(|| panic!("the official SDK accepted two projects: {python}"));
    assert_eq!(python["error_type"], "SdkException", "{python}");
    for message in [error.as_str(), py_error] {
        for id in [PROJECT, OTHER_PROJECT] {
            assert!(message.contains(id), "{id} not named: {message}");
        }
        assert!(message.contains("X-IAM-Trace-Id"), "{message}");
    }
    emu.shutdown().await;
}

/// IAM lists no project under the region's name: both refuse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_project_in_the_region_is_refused_by_both() {
    let region = "af-north-1";
    let emu = emulator(IdentityConfig::new().region_projects(region, vec![])).await;
    let setup = Setup::new("no-project")
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint());
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let error = match rust {
        Err(error @ Error::ProjectDiscovery { .. }) => error.to_string(),
        Err(other) => panic!("expected Error::ProjectDiscovery, got {other:?}"),
        Ok(client) => panic!("our client accepted no project: {:?}", client.settings()),
    };
    let py_error = python["error"]
        .as_str()
        .unwrap_or_else(|| panic!("the official SDK accepted no project: {python}"));
    assert!(
        py_error.contains("Failed to get project id of region 'af-north-1'"),
        "{py_error}"
    );
    assert!(error.contains("af-north-1"), "{error}");
    emu.shutdown().await;
}

/// Precedence, on both sides: the profile's `iam_endpoint` beats `HUAWEICLOUD_SDK_IAM_ENDPOINT`,
/// and `HUAWEICLOUD_SDK_REGION_MODELARTS_<R>` beats the regions file; the files are the ones
/// `HUAWEICLOUD_SDK_CREDENTIALS_FILE` and `HUAWEICLOUD_SDK_REGIONS_FILE` name, not those in HOME.
/// The losing settings point where nothing listens, or at an endpoint that would differ.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_win_in_the_same_order() {
    let region = "cn-north-4";
    let emu = emulator(IdentityConfig::new()).await;
    let endpoint = emu.endpoint();
    let dead = dead_endpoint();
    let elsewhere = Home::new("files-elsewhere");
    let credentials = elsewhere.write(
        "named-credentials",
        &format!("[basiccredentials]\nak = {AK}\nsk = {SK}\niam_endpoint = {endpoint}\n"),
    );
    let regions = elsewhere.write(
        "named-regions.yaml",
        &format!("MODELARTS:\n  - id: {region}\n    endpoints: [{dead}]\n"),
    );
    let setup = Setup::new("overrides")
        // The files in HOME lose to the named ones.
        .file(
            "credentials",
            &format!("[basiccredentials]\nak = {UNKNOWN_AK}\nsk = {SK}\n"),
        )
        .file(
            "regions.yaml",
            &format!("ModelArts:\n  - id: {region}\n    endpoint: https://home-regions.example\n"),
        )
        .var(
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            credentials.display().to_string(),
        )
        .var(
            "HUAWEICLOUD_SDK_REGIONS_FILE",
            regions.display().to_string(),
        )
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", dead.clone())
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            endpoint.clone(),
        );
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let (client, python) = assert_same(&python, rust);
    let settings = client.settings();
    assert_eq!(normalised(&settings.endpoint.to_string()), endpoint);
    assert_eq!(
        settings.project_origin,
        Origin::IamDiscovery(endpoint.clone())
    );
    assert_eq!(python["iam_endpoint"], endpoint, "{python}");
    assert_eq!(python["credentials_from"], "profile", "{python}");
    assert!(
        matches!(&client.credentials_origin(), Some(Origin::Profile { path, .. }) if *path == credentials),
        "{:?}",
        client.credentials_origin()
    );

    // Without the env override, the named regions file wins over HOME's and the catalog.
    let setup = Setup {
        vars: setup
            .vars
            .iter()
            .filter(|(name, _)| name != "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4")
            .cloned()
            .collect(),
        home: setup.home,
    };
    // The SDK's project cache is per process, so each side looks the project up once more.
    let (python, rust) = both_again(&emu, &setup, region).await;
    let (client, _) = assert_same(&python, rust);
    assert_eq!(normalised(&client.settings().endpoint.to_string()), dead);
    assert_eq!(
        client.settings().endpoint_origin,
        Origin::RegionsFile(regions)
    );
    emu.shutdown().await;
}

/// [`both`] for a second round on the same emulator: one more lookup per side.
async fn both_again(emu: &Emulator, setup: &Setup, region: &str) -> (Value, Result<Client, Error>) {
    let before = emu.identity_stats().project_lookups;
    let rust = rust_side(setup, region).await;
    let python = python_side(setup, region).await;
    assert_eq!(emu.identity_stats().project_lookups, before + 2);
    (python, rust)
}

/// Credentials from the environment beat the profile, and then the profile's `project_id` is not
/// used (it belongs to the profile's credentials): both discover the project.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_credentials_ignore_the_profiles_project() {
    let region = "cn-north-4";
    let emu = emulator(IdentityConfig::new()).await;
    let setup = Setup::new("env-over-profile")
        .file(
            "credentials",
            &format!(
                "[basiccredentials]\nak = {UNKNOWN_AK}\nsk = {SK}\nproject_id = {OTHER_PROJECT}\n"
            ),
        )
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emu.endpoint(),
        );
    let (python, rust) = both(&emu, &setup, region, 1).await;
    let (client, python) = assert_same(&python, rust);
    assert_eq!(client.settings().project_id.as_str(), PROJECT);
    assert_eq!(
        client.settings().project_origin,
        Origin::IamDiscovery(emu.endpoint())
    );
    assert_eq!(python["credentials_from"], "env", "{python}");
    emu.shutdown().await;
}

/// A project id in the environment, or in the profile that gave the credentials, is used as it
/// is: neither side asks IAM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_project_id_skips_discovery_on_both_sides() {
    let region = "cn-north-4";
    let emu = emulator(IdentityConfig::new()).await;
    let setup = Setup::new("env-project")
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_PROJECT_ID", OTHER_PROJECT)
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emu.endpoint(),
        );
    let (python, rust) = both(&emu, &setup, region, 0).await;
    let (client, _) = assert_same(&python, rust);
    assert_eq!(client.settings().project_id.as_str(), OTHER_PROJECT);
    assert_eq!(
        client.settings().project_origin,
        Origin::Env("HUAWEICLOUD_SDK_PROJECT_ID".into())
    );

    let endpoint = emu.endpoint();
    let setup = Setup::new("profile-project")
        .file(
            "credentials",
            &format!(
                "[basiccredentials]\nak = {AK}\nsk = {SK}\nproject_id = {OTHER_PROJECT}\n\
                 iam_endpoint = {endpoint}\n"
            ),
        )
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            endpoint.clone(),
        );
    let (python, rust) = both(&emu, &setup, region, 0).await;
    let (client, _) = assert_same(&python, rust);
    assert_eq!(client.settings().project_id.as_str(), OTHER_PROJECT);
    assert!(
        matches!(client.settings().project_origin, Origin::Profile { .. }),
        "{:?}",
        client.settings().project_origin
    );
    emu.shutdown().await;
}

// Two mismatches this test's probes found, fixed in the client: the official SDK's answer is
// asserted on both sides.

/// `HUAWEICLOUD_SDK_PROJECT_ID` is read by the SDK's environment (and OIDC) provider only: with
/// credentials from the profile it is not used, so the SDK takes the profile's `project_id`, or
/// discovers the project; so does our client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_id_variable_is_ignored_with_profile_credentials() {
    let region = "cn-north-4";
    let emu = emulator(IdentityConfig::new()).await;
    let endpoint = emu.endpoint();
    // No project id in the profile: the SDK discovers PROJECT.
    let setup = Setup::new("profile-env-project")
        .file(
            "credentials",
            &format!("[basiccredentials]\nak = {AK}\nsk = {SK}\niam_endpoint = {endpoint}\n"),
        )
        .var("HUAWEICLOUD_SDK_PROJECT_ID", OTHER_PROJECT)
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            endpoint.clone(),
        );
    let rust = rust_side(&setup, region).await;
    let python = python_side(&setup, region).await;
    assert_eq!(python["project_id"], PROJECT, "{python}");
    let (client, _) = assert_same(&python, rust);
    assert_eq!(
        client.settings().project_origin,
        Origin::IamDiscovery(endpoint.clone())
    );

    // A project id in the profile: the SDK takes it, not the variable's.
    let setup = Setup::new("profile-project-env-project")
        .file(
            "credentials",
            &format!("[basiccredentials]\nak = {AK}\nsk = {SK}\nproject_id = {PROJECT}\n"),
        )
        .var("HUAWEICLOUD_SDK_PROJECT_ID", OTHER_PROJECT)
        .var("HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4", endpoint);
    let rust = rust_side(&setup, region).await;
    let python = python_side(&setup, region).await;
    assert_eq!(python["project_id"], PROJECT, "{python}");
    let (client, _) = assert_same(&python, rust);
    assert!(
        matches!(client.settings().project_origin, Origin::Profile { .. }),
        "{:?}",
        client.settings().project_origin
    );
    emu.shutdown().await;
}

/// `HUAWEICLOUD_SDK_IDP_ID` without `HUAWEICLOUD_SDK_ID_TOKEN_FILE`, next to AK/SK: the SDK's
/// environment provider uses the AK/SK (federated mode needs both); so does our client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_federated_setup_does_not_hide_env_keys() {
    let region = "cn-north-4";
    let emu = emulator(IdentityConfig::new()).await;
    let setup = Setup::new("half-idp")
        .var("HUAWEICLOUD_SDK_AK", AK)
        .var("HUAWEICLOUD_SDK_SK", SK)
        .var("HUAWEICLOUD_SDK_IDP_ID", "idp-ci")
        .var("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .var(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emu.endpoint(),
        );
    let rust = rust_side(&setup, region).await;
    let python = python_side(&setup, region).await;
    assert_eq!(python["credentials_from"], "env", "{python}");
    let (client, _) = assert_same(&python, rust);
    assert_eq!(
        client.settings().project_origin,
        Origin::IamDiscovery(emu.endpoint())
    );
    emu.shutdown().await;
}
