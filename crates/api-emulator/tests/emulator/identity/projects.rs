//! Project discovery: `GET /v3/projects?name=<region>`, signed, with `X-IAM-Trace-Id`.

use api_auth::{AccessKey, Signer};
use api_emulator::{DEMO_DOMAIN_ID, Emulator, IdentityConfig};
use http::Method;

use super::*;
use crate::common::{AK, OTHER_PROJECT, PROJECT, SK, builder, other_project, project};

#[track_caller]
fn trace_id(answer: &Raw) -> String {
    let trace = answer.header("x-iam-trace-id").to_owned();
    assert_eq!(trace.len(), 32, "{trace}");
    assert!(trace.bytes().all(|b| b.is_ascii_hexdigit()));
    trace
}

#[tokio::test]
async fn zero_one_and_two_projects_by_region() {
    let emu = builder(0)
        .identity(
            IdentityConfig::new()
                .region_projects("af-north-1", vec![])
                .region_projects("cn-north-9", vec![project(), other_project()]),
        )
        .start()
        .await
        .unwrap();
    let key = AccessKey::new(AK, SK);
    let signer = Signer::new();

    // Not configured: one project, the identity project (the first the AK is bound to).
    let answer = list_projects(&emu, "cn-north-4", &key, &signer).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let first_trace = trace_id(&answer);
    let json = answer.json();
    assert_eq!(
        json,
        serde_json::json!({
            "projects": [{"id": PROJECT, "name": "cn-north-4", "domain_id": DEMO_DOMAIN_ID, "enabled": true}],
            "links": {},
        })
    );

    let none = list_projects(&emu, "af-north-1", &key, &signer).await;
    assert_eq!(none.status, 200);
    assert_eq!(none.json()["projects"], serde_json::json!([]));
    assert_ne!(trace_id(&none), first_trace);

    let two = list_projects(&emu, "cn-north-9", &key, &signer).await;
    let ids: Vec<String> = two.json()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [PROJECT, OTHER_PROJECT]);
    assert_eq!(emu.identity_stats().project_lookups, 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_lookup_must_be_signed_by_accepted_credentials() {
    let emu = builder(0).start().await.unwrap();
    let signer = Signer::new();

    let unsigned = call(&emu, Method::GET, "/v3/projects?name=cn-north-4", &[], "").await;
    let message = unsigned.expect_error(401, "APIG.0301");
    assert!(message.contains("SDK-HMAC-SHA256"), "{message}");
    trace_id(&unsigned);

    // A token is not enough: this API takes AK/SK only.
    let with_token = call(
        &emu,
        Method::GET,
        "/v3/projects?name=cn-north-4",
        &[("x-auth-token", crate::common::TOKEN)],
        "",
    )
    .await;
    with_token.expect_error(401, "APIG.0301");
    trace_id(&with_token);

    let wrong = list_projects(&emu, "cn-north-4", &AccessKey::new(AK, "wrong-sk"), &signer).await;
    assert!(
        wrong
            .expect_error(401, "APIG.0301")
            .contains("signature does not match")
    );
    let unknown = AccessKey::new("UNKNOWNACCESSKEY0000", SK);
    list_projects(&emu, "cn-north-4", &unknown, &signer)
        .await
        .expect_error(401, "APIG.0301");

    // Signed, but no region.
    let mut no_name = request(&emu, Method::GET, "/v3/projects", &[], "");
    signer.sign(&mut no_name, &AccessKey::new(AK, SK)).unwrap();
    let no_name = send(no_name).await;
    no_name.expect_error(400, "IAM.0007");
    trace_id(&no_name);
    let mut empty_name = request(&emu, Method::GET, "/v3/projects?name=", &[], "");
    signer
        .sign(&mut empty_name, &AccessKey::new(AK, SK))
        .unwrap();
    send(empty_name).await.expect_error(400, "IAM.0007");

    assert_eq!(emu.stats().auth_failures, 4);
    let stats = emu.identity_stats();
    assert_eq!((stats.project_lookups, stats.requests_refused), (6, 6));
    emu.shutdown().await;
}

#[tokio::test]
async fn any_accepted_ak_may_look_up_projects_whatever_its_project() {
    // The AK is bound to another project than the identity project: no project check here.
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &other_project())
        .identity(IdentityConfig::new().project(project()))
        .start()
        .await
        .unwrap();
    let answer = list_projects(&emu, "eu-west-0", &AccessKey::new(AK, SK), &Signer::new()).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["projects"][0]["id"], PROJECT);
    assert_eq!(answer.json()["projects"][0]["name"], "eu-west-0");
    emu.shutdown().await;
}

#[tokio::test]
async fn other_paths_fall_through_to_404() {
    let emu = builder(0).start().await.unwrap();
    for (method, path) in [
        (Method::POST, "/v3/projects"),
        (Method::GET, "/v3/projects/"),
        (Method::GET, "/v3/projects/x"),
        (Method::GET, "/v3.0/OS-AUTH/id-token/tokens"),
        (Method::PUT, "/openstack/latest/securitykey"),
    ] {
        call(&emu, method, path, &[], "")
            .await
            .expect_error(404, "APIG.0101");
    }
    assert_eq!(emu.identity_stats().requests_refused, 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn identity_bodies_are_limited_too() {
    let emu = builder(0).max_body_size(64).start().await.unwrap();
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(100));
    call(
        &emu,
        Method::POST,
        "/v5/agencies/assume-with-oidc",
        &[("content-type", "application/json")],
        &big,
    )
    .await
    .expect_error(413, "APIG.0201");
    emu.shutdown().await;
}

#[cfg(feature = "cli")]
#[tokio::test]
async fn the_flags_configure_the_standalone_emulator() {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        emulator: api_emulator::EmulatorArgs,
    }

    let region = format!("cn-north-9={PROJECT},{OTHER_PROJECT}");
    let cli = Cli::try_parse_from([
        "emu",
        "--project-id",
        PROJECT,
        "--region-projects",
        &region,
        "--region-projects",
        "af-north-1=",
        "--credential-ttl",
        "90s",
    ])
    .unwrap();
    let emu = cli.emulator.builder().unwrap().start().await.unwrap();
    let banner = cli.emulator.banner(&emu);
    assert!(banner.contains("credentials last 90s"), "{banner}");
    assert!(
        banner.contains(api_emulator::DEMO_POD_IDENTITY_TOKEN),
        "{banner}"
    );
    let key = AccessKey::new(api_emulator::DEMO_AK, api_emulator::DEMO_SK);
    let signer = Signer::new();
    let count = |answer: Raw| answer.json()["projects"].as_array().unwrap().len();
    assert_eq!(
        count(list_projects(&emu, "cn-north-9", &key, &signer).await),
        2
    );
    assert_eq!(
        count(list_projects(&emu, "af-north-1", &key, &signer).await),
        0
    );
    let one = list_projects(&emu, "cn-north-4", &key, &signer).await;
    assert_eq!(one.json()["projects"][0]["id"], PROJECT);
    emu.shutdown().await;
}
