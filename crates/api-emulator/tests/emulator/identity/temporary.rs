//! Temporary credentials on the other routes: accepted with their security token for the
//! identity project until they expire by the emulator's clock, then 401.

use api_auth::{AccessKey, Signer};
use api_emulator::{DEMO_POD_IDENTITY_TOKEN, Emulator, IdentityConfig, Route};
use http::Method;

use super::*;
use crate::common::{Client, OTHER_PROJECT, PROJECT, builder, collection, other_project};

async fn issue(emu: &Emulator) -> Issued {
    let answer = pod_credentials(emu, DEMO_POD_IDENTITY_TOKEN).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    Issued::from(&answer.json(), POD)
}

#[tokio::test]
async fn accepted_with_their_token_until_they_expire() {
    let clock = ManualClock::new();
    let emu = builder(3)
        .clock(clock.clone())
        .identity(IdentityConfig::new().credential_ttl(Duration::from_secs(600)))
        .start()
        .await
        .unwrap();
    let issued = issue(&emu).await;
    assert_eq!(issued.expires, "2030-01-01T00:10:00.000000Z");
    let signer = Signer::with_clock(clock.clone());
    let client = Client::with_key(&emu, issued.key()).with_signer(signer.clone());

    // The identity project (the first the builder's credentials are bound to): accepted.
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    answer.expect(200, None);
    assert_eq!(answer.json["count"], 3);
    assert_eq!(
        list_projects(&emu, "cn-north-4", &issued.key(), &signer)
            .await
            .status,
        200
    );
    // Another project: 403.
    client
        .call(Method::GET, &collection(OTHER_PROJECT), "")
        .await
        .expect(403, Some("ModelArts.0210"));

    // Without the security token, or with another one: 401.
    let bare = AccessKey::new(issued.access.clone(), issued.secret.as_str());
    let answer = Client::with_key(&emu, bare)
        .with_signer(signer.clone())
        .call(Method::GET, &collection(PROJECT), "")
        .await;
    answer.expect(401, Some("APIG.0301"));
    assert!(
        answer.message().contains("X-Security-Token"),
        "{}",
        answer.message()
    );
    let other = issue(&emu).await;
    let mixed = AccessKey::new(issued.access.clone(), issued.secret.as_str())
        .with_security_token(other.token.clone());
    let answer = Client::with_key(&emu, mixed)
        .with_signer(signer.clone())
        .call(Method::GET, &collection(PROJECT), "")
        .await;
    answer.expect(401, Some("APIG.0301"));
    assert!(
        answer.message().contains("not the one issued"),
        "{}",
        answer.message()
    );

    // One second before the expiry: still accepted.
    clock.advance(Duration::from_secs(599));
    client
        .call(Method::GET, &collection(PROJECT), "")
        .await
        .expect(200, None);
    // At the expiry: refused, on every route.
    clock.advance(Duration::from_secs(1));
    let answer = client.call(Method::GET, &collection(PROJECT), "").await;
    answer.expect(401, Some("APIG.0301"));
    assert!(
        answer.message().contains("security token has expired"),
        "{}",
        answer.message()
    );
    let projects = list_projects(&emu, "cn-north-4", &issued.key(), &signer).await;
    assert!(
        projects
            .expect_error(401, "APIG.0301")
            .contains("security token has expired")
    );

    let identity = emu.identity_stats();
    // Authenticated: two lists, a lookup, and the 403 (refused for its project, not its key).
    assert_eq!(identity.temporary_credentials_accepted, 4);
    assert_eq!(identity.temporary_credentials_expired, 2);
    assert_eq!(identity.pod_credentials_issued, 2);
    let stats = emu.stats();
    assert_eq!(stats.auth_failures, 4);
    assert_eq!(stats.responses(Route::ListTasks, 200), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_configured_project_binds_them() {
    let clock = ManualClock::new();
    let emu = builder(0)
        .seed(&other_project(), 2)
        .clock(clock.clone())
        .identity(IdentityConfig::new().project(other_project()))
        .start()
        .await
        .unwrap();
    let issued = issue(&emu).await;
    let client = Client::with_key(&emu, issued.key()).with_signer(Signer::with_clock(clock));
    // The common client sends X-Project-Id: PROJECT; send the matching one.
    let mut request = client.signed(Method::GET, &collection(OTHER_PROJECT), "");
    request.headers_mut().insert(
        "x-project-id",
        http::HeaderValue::from_static(OTHER_PROJECT),
    );
    client.signer.sign(&mut request, &client.key).unwrap();
    client.send(request).await.expect(200, None);
    client
        .call(Method::GET, &collection(PROJECT), "")
        .await
        .expect(403, Some("ModelArts.0210"));
    emu.shutdown().await;
}

#[tokio::test]
async fn without_credentials_they_bind_to_the_demo_project() {
    let clock = ManualClock::new();
    let emu = Emulator::builder()
        .seed(&api_emulator::demo_project_id(), 1)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let issued = issue(&emu).await;
    let client = Client::with_key(&emu, issued.key()).with_signer(Signer::with_clock(clock));
    let mut request = client.unsigned(Method::GET, &collection(api_emulator::DEMO_PROJECT_ID), "");
    request.headers_mut().remove("x-project-id");
    client.signer.sign(&mut request, &client.key).unwrap();
    client.send(request).await.expect(200, None);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_issues_are_all_distinct_and_counted() {
    let emu = Emulator::builder().start().await.unwrap();
    let emu = std::sync::Arc::new(emu);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let emu = emu.clone();
            tokio::spawn(async move { issue(&emu).await.access })
        })
        .collect();
    let mut keys = std::collections::HashSet::new();
    for task in tasks {
        assert!(keys.insert(task.await.unwrap()));
    }
    assert_eq!(emu.identity_stats().pod_credentials_issued, 50);
}
