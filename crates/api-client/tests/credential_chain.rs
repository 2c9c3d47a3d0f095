//! The default credential chain and project discovery end to end: `ClientBuilder::load` against
//! the emulator's identity endpoints over real sockets, with no process environment touched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{sync::Arc, time::Duration};

use api_client::{Client, Environment, Error, Origin};
use api_emulator::{DEMO_POD_IDENTITY_TOKEN, Emulator, IdentityConfig};
use api_model::ProjectId;

const AK: &str = "CHAINTESTAK000000001";
const SK: &str = "chain-test-secret-key-0123456789abcdefgh";
const REGION: &str = "cn-north-4";

fn project() -> ProjectId {
    "5c1e0a0b0c0d0e0f0011223344556677".parse().unwrap()
}

async fn emulator(identity: IdentityConfig) -> Emulator {
    Emulator::builder()
        .ak_sk(AK, SK, &project())
        .seed(&project(), 70)
        .identity(identity.project(project()))
        .start()
        .await
        .unwrap()
}

/// The variables that point the client's endpoints (service, IAM, STS) at `emu`, with the
/// metadata service off unless a test turns it on.
fn base_vars(emu: &Emulator) -> Vec<(String, String)> {
    vec![
        (
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4".into(),
            emu.endpoint(),
        ),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT".into(), emu.endpoint()),
        ("HUAWEICLOUD_SDK_STS_ENDPOINT".into(), emu.endpoint()),
        ("HOME".into(), "/nonexistent-home-for-tests".into()),
        ("HUAWEICLOUD_SDK_METADATA_DISABLED".into(), "true".into()),
    ]
}

fn with(mut vars: Vec<(String, String)>, more: &[(&str, &str)]) -> Environment {
    for (k, v) in more {
        vars.retain(|(name, _)| name != k);
        vars.push(((*k).into(), (*v).into()));
    }
    Environment::from_vars(vars)
}

async fn load(env: Environment) -> Result<Client, Error> {
    Client::builder()
        .environment(env)
        .region(REGION)
        .load()
        .await
}

/// Deletes one seeded task through `client`.
async fn delete_one(emu: &Emulator, client: &Client) {
    let id = emu.store().task_ids(&project())[0].clone();
    client.delete_processor_task(&id).await.unwrap();
}

#[tokio::test]
async fn metadata_credentials_and_a_discovered_project() {
    let emu = emulator(IdentityConfig::new()).await;
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &emu.endpoint()),
        ],
    );
    let client = load(env).await.unwrap();
    assert_eq!(client.project_id(), &project());
    assert_eq!(
        client.settings().project_origin,
        Origin::IamDiscovery(emu.endpoint())
    );
    assert_eq!(
        client.credentials_origin(),
        Some(Origin::Metadata(emu.endpoint()))
    );
    assert!(client.credentials_expiry().is_some());
    delete_one(&emu, &client).await;
    let stats = emu.identity_stats();
    assert_eq!(
        (stats.metadata_credentials_issued, stats.project_lookups),
        (1, 1)
    );
}

#[tokio::test]
async fn metadata_goes_direct_not_through_the_clients_transport() {
    let emu = emulator(IdentityConfig::new()).await;
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &emu.endpoint()),
        ],
    );
    // The client's own transport (a proxy, say) is never asked: the metadata service is on
    // the link-local network, reached directly.
    let client = Client::builder()
        .environment(env)
        .region(REGION)
        .project_id(project().as_str())
        .transport(api_transport::MockTransport::new())
        .load()
        .await
        .unwrap();
    assert_eq!(
        client.credentials_origin(),
        Some(Origin::Metadata(emu.endpoint()))
    );
    assert_eq!(emu.identity_stats().metadata_credentials_issued, 1);
}

/// A metadata address that accepts connections and never answers (a firewall that drops) costs
/// the chain one metadata timeout, and pod identity is reached.
#[tokio::test]
async fn a_metadata_service_that_never_answers_is_given_up() {
    let emu = emulator(IdentityConfig::new()).await;
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let dir = tempdir("silent");
    let token = dir.join("token");
    std::fs::write(&token, DEMO_POD_IDENTITY_TOKEN).unwrap();
    let uri = format!("{}/v1/credentials", emu.endpoint());
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &silent_url),
            ("HC_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            (
                "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token.to_str().unwrap(),
            ),
        ],
    );
    // Bounded by METADATA_TIMEOUT; the outer limit only turns a hang into a failure.
    let client = tokio::time::timeout(Duration::from_secs(20), load(env))
        .await
        .expect("the chain hung on a silent metadata service")
        .unwrap();
    assert_eq!(client.credentials_origin(), Some(Origin::PodIdentity(uri)));
    hold.abort();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_metadata_session_token_refused_once_is_replaced() {
    let emu = emulator(
        IdentityConfig::new()
            .metadata_token_required(true)
            .metadata_expire_tokens_once(true),
    )
    .await;
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &emu.endpoint()),
        ],
    );
    let client = load(env).await.unwrap();
    delete_one(&emu, &client).await;
    let stats = emu.identity_stats();
    assert_eq!(stats.metadata_token_puts, 2, "{stats:?}");
    assert_eq!(stats.metadata_credentials_issued, 1, "{stats:?}");
}

#[tokio::test]
async fn without_an_agency_the_error_says_so_and_lists_every_provider() {
    let emu = emulator(IdentityConfig::new().metadata_agency_missing(true)).await;
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &emu.endpoint()),
        ],
    );
    let text = load(env).await.unwrap_err().to_string();
    assert!(text.contains("Cloud Service Agency"), "{text}");
    for provider in [
        "OIDC STS",
        "environment",
        "profile",
        "ECS metadata",
        "pod identity",
    ] {
        assert!(text.contains(provider), "{text}");
    }
}

#[tokio::test]
async fn pod_identity_is_reached_past_a_missing_metadata_service() {
    let emu = emulator(IdentityConfig::new()).await;
    let dir = tempdir("pod");
    let token = dir.join("token");
    std::fs::write(&token, DEMO_POD_IDENTITY_TOKEN).unwrap();
    let uri = format!("{}/v1/credentials", emu.endpoint());
    let env = with(
        base_vars(&emu),
        &[
            // Nothing listens on port 9: the chain skips the metadata service and goes on.
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", "http://127.0.0.1:9"),
            ("HC_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            (
                "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token.to_str().unwrap(),
            ),
        ],
    );
    let client = load(env).await.unwrap();
    assert_eq!(client.credentials_origin(), Some(Origin::PodIdentity(uri)));
    delete_one(&emu, &client).await;
    assert_eq!(emu.identity_stats().pod_credentials_issued, 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn oidc_and_federated_id_tokens() {
    let emu = emulator(IdentityConfig::new()).await;
    let env = with(
        base_vars(&emu),
        &[
            (
                "HUAWEICLOUD_OIDC_PROVIDER_URN",
                "iam::123:identity-provider:ci",
            ),
            ("HUAWEICLOUD_OIDC_AGENCY_URN", "iam::123:agency:deployer"),
            ("HUAWEICLOUD_OIDC_ID_TOKEN", "eyJ.ci-token.sig"),
        ],
    );
    let client = load(env).await.unwrap();
    assert_eq!(
        client.credentials_origin(),
        Some(Origin::OidcSts(emu.endpoint()))
    );
    delete_one(&emu, &client).await;

    let dir = tempdir("fed");
    let token = dir.join("id-token");
    std::fs::write(&token, "eyJ.federated.sig").unwrap();
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_IDP_ID", "corp-idp"),
            ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", token.to_str().unwrap()),
            // The federated token wins over AK/SK in the same environment.
            ("HUAWEICLOUD_SDK_AK", AK),
            ("HUAWEICLOUD_SDK_SK", SK),
        ],
    );
    let client = load(env).await.unwrap();
    assert!(
        matches!(client.credentials_origin(), Some(Origin::Federated { .. })),
        "{:?}",
        client.credentials_origin()
    );
    delete_one(&emu, &client).await;
    let stats = emu.identity_stats();
    assert_eq!(
        (
            stats.oidc_credentials_issued,
            stats.federated_credentials_issued,
            stats.project_lookups
        ),
        (1, 1, 2)
    );

    // A federated id token named by the profile, exchanged at the profile's IAM endpoint (the
    // variable points where nothing listens).
    std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap();
    std::fs::write(
        dir.join(".huaweicloud/credentials"),
        format!(
            "[basiccredentials]\nidp_id = corp-idp\nid_token_file = {}\niam_endpoint = {}\n",
            token.display(),
            emu.endpoint()
        ),
    )
    .unwrap();
    let env = with(
        base_vars(&emu),
        &[
            ("HOME", dir.to_str().unwrap()),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://127.0.0.1:9"),
        ],
    );
    let client = load(env).await.unwrap();
    assert!(
        matches!(client.credentials_origin(), Some(Origin::Federated { ref via, .. }) if matches!(**via, Origin::Profile { .. })),
        "{:?}",
        client.credentials_origin()
    );
    delete_one(&emu, &client).await;
    let stats = emu.identity_stats();
    assert_eq!(
        (stats.federated_credentials_issued, stats.project_lookups),
        (2, 3)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn profile_credentials_with_and_without_a_project_id() {
    let emu = emulator(IdentityConfig::new()).await;
    let dir = tempdir("profile");
    std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap();
    let file = dir.join(".huaweicloud/credentials");
    // The profile's IAM endpoint beats the variable (which points where nothing listens).
    std::fs::write(
        &file,
        format!(
            "[basic]\nak = {AK}\nsk = {SK}\niam_endpoint = {}\n",
            emu.endpoint()
        ),
    )
    .unwrap();
    let env = with(
        base_vars(&emu),
        &[
            ("HOME", dir.to_str().unwrap()),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://127.0.0.1:9"),
        ],
    );
    let client = load(env.clone()).await.unwrap();
    assert!(matches!(
        client.credentials_origin(),
        Some(Origin::Profile { .. })
    ));
    assert_eq!(
        client.settings().project_origin,
        Origin::IamDiscovery(emu.endpoint())
    );
    delete_one(&emu, &client).await;

    // The profile's project id counts; [basiccredentials] beats [basic].
    std::fs::write(
        &file,
        format!("[basic]\nak = WRONG\nsk = WRONG\n[basiccredentials]\nak = {AK}\nsk = {SK}\nproject_id = {}\n", project()),
    )
    .unwrap();
    let client = load(env).await.unwrap();
    assert!(
        matches!(&client.settings().project_origin, Origin::Profile { section, .. } if section == "basiccredentials")
    );
    delete_one(&emu, &client).await;
    assert_eq!(emu.identity_stats().project_lookups, 1);

    // A malformed file is reported, and the chain goes on to say what else it tried.
    std::fs::write(&file, "[basiccredentials\nak = x\n").unwrap();
    let text = load(with(base_vars(&emu), &[("HOME", dir.to_str().unwrap())]))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("not a valid INI file") && text.contains("pod identity"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn zero_or_two_projects_are_errors_with_the_trace_id() {
    let other: ProjectId = "99999999999999999999999999999999".parse().unwrap();
    let emu = emulator(
        IdentityConfig::new()
            .region_projects(REGION, vec![project(), other])
            .region_projects("cn-north-1", vec![]),
    )
    .await;
    let env = with(
        base_vars(&emu),
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)],
    );
    let err = load(env.clone()).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::ProjectDiscovery {
                trace_id: Some(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("99999999999999999999999999999999"),
        "{err}"
    );
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_AK", AK),
            ("HUAWEICLOUD_SDK_SK", SK),
            (
                "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_1",
                &emu.endpoint(),
            ),
        ],
    );
    let err = Client::builder()
        .environment(env)
        .region("cn-north-1")
        .load()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no project named \"cn-north-1\""),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_region_is_refused_before_any_io() {
    let emu = emulator(IdentityConfig::new()).await;
    let env = with(
        base_vars(&emu),
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)],
    );
    let err = Client::builder()
        .environment(env)
        .region("cn-nort-4")
        .load()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert_eq!(emu.identity_stats().project_lookups, 0);
    assert_eq!(emu.stats().requests_received, 0);
}

/// 50 calls at once with expired credentials cause one fetch, and expired credentials are
/// replaced before a request is sent with them. (A 3-second life: the only real wait here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_cause_one_refresh() {
    let emu = emulator(IdentityConfig::new().credential_ttl(Duration::from_secs(3))).await;
    let env = with(
        base_vars(&emu),
        &[
            ("HUAWEICLOUD_SDK_METADATA_DISABLED", "false"),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &emu.endpoint()),
        ],
    );
    let client = Arc::new(load(env).await.unwrap());
    let ids = emu.store().task_ids(&project());
    let burst = |ids: Vec<api_model::TaskId>| {
        let client = client.clone();
        async move {
            let calls: Vec<_> = ids
                .into_iter()
                .map(|id| {
                    let client = client.clone();
                    tokio::spawn(async move { client.delete_processor_task(&id).await })
                })
                .collect();
            for call in calls {
                call.await.unwrap().unwrap();
            }
        }
    };
    burst(ids[..10].to_vec()).await;
    assert_eq!(emu.identity_stats().metadata_credentials_issued, 1);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    burst(ids[10..60].to_vec()).await;
    let stats = emu.identity_stats();
    assert_eq!(stats.metadata_credentials_issued, 2, "{stats:?}");
    assert_eq!(stats.temporary_credentials_expired, 0, "{stats:?}");
    assert_eq!(emu.store().task_ids(&project()).len(), 10);
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "chain-{name}-{}-{}",
        std::process::id(),
        fastrand_u64()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
