//! Authentication failures over a real socket: each is a 401 (or 403/400 for the project), says
//! what is wrong without leaking the expected signature, and changes nothing.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use api_auth::{AccessKey, MockClock, Signer};
use api_emulator::Emulator;
use http::{HeaderValue, Method};

use crate::common::*;

/// Deletes a seeded task with `request` built by `make`, expects `status`/`code`, and checks the
/// task is still there.
async fn refused(
    emu: &Emulator,
    client: &Client,
    make: impl FnOnce(&Client, &str) -> http::Request<bytes::Bytes>,
    status: u16,
    code: &str,
) -> String {
    let task = ids(emu, &project())[0].clone();
    let before = emu.store().count(&project());
    let answer = client.send(make(client, &task)).await;
    answer.expect(status, Some(code));
    assert!(emu.store().contains(&project(), &task.parse().unwrap()));
    assert_eq!(emu.store().count(&project()), before);
    answer.message().to_owned()
}

fn delete_path(task: &str) -> String {
    item(PROJECT, task)
}

#[tokio::test]
async fn missing_malformed_and_wrong_signatures_are_401_apig_0301() {
    let emu = builder(5).start().await.unwrap();
    let client = Client::new(&emu);

    let message = refused(
        &emu,
        &client,
        |c, t| c.unsigned(Method::DELETE, &delete_path(t), ""),
        401,
        "APIG.0301",
    )
    .await;
    assert!(message.contains("no credentials"), "{message}");

    let message = refused(
        &emu,
        &client,
        |c, t| {
            let mut request = c.signed(Method::DELETE, &delete_path(t), "");
            request.headers_mut().insert(
                "authorization",
                HeaderValue::from_static(
                    "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, Signature=abc",
                ),
            );
            request
        },
        401,
        "APIG.0301",
    )
    .await;
    assert!(message.contains("malformed"), "{message}");

    let wrong = Client::with_key(&emu, AccessKey::new(AK, "not-the-secret-key"));
    let wrong_request = wrong.signed(Method::DELETE, &delete_path(&ids(&emu, &project())[0]), "");
    let sent_signature = wrong_request.headers()["authorization"]
        .to_str()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    let message = refused(&emu, &wrong, |_, _| wrong_request, 401, "APIG.0301").await;
    assert!(message.contains("signature does not match"), "{message}");
    assert!(!message.contains(&sent_signature));
    assert!(!message.contains(SK));

    let unknown = Client::with_key(&emu, AccessKey::new("UNKNOWNACCESSKEY0000", SK));
    let message = refused(
        &emu,
        &unknown,
        |c, t| c.signed(Method::DELETE, &delete_path(t), ""),
        401,
        "APIG.0301",
    )
    .await;
    assert!(message.contains("unknown"), "{message}");

    let stats = emu.stats();
    assert_eq!(stats.auth_failures, 4);
    assert_eq!(stats.tasks_deleted, 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_tampered_signed_header_or_path_is_refused() {
    let emu = builder(5).start().await.unwrap();
    let client = Client::new(&emu);
    refused(
        &emu,
        &client,
        |c, t| {
            let mut request = c.signed(Method::DELETE, &delete_path(t), "");
            // Signed as application/json; changed after signing.
            request
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("text/plain"));
            request
        },
        401,
        "APIG.0301",
    )
    .await;
    refused(
        &emu,
        &client,
        |c, t| {
            let mut request = c.signed(Method::DELETE, &delete_path(t), "");
            request.headers_mut().remove("x-project-id");
            request
        },
        401,
        "APIG.0301",
    )
    .await;
    // Signed for one task, sent for another.
    let victim = ids(&emu, &project())[1].clone();
    let signed = client.signed(Method::DELETE, &delete_path("SomeOtherTask000000"), "");
    let (mut parts, body) = signed.into_parts();
    parts.uri = format!("{}{}", client.endpoint, delete_path(&victim))
        .parse()
        .unwrap();
    client
        .send(http::Request::from_parts(parts, body))
        .await
        .expect(401, Some("APIG.0301"));
    assert!(emu.store().contains(&project(), &victim.parse().unwrap()));
    emu.shutdown().await;
}

#[tokio::test]
async fn dates_outside_the_skew_are_refused() {
    let emu = builder(3)
        .max_clock_skew(Duration::from_secs(300))
        .start()
        .await
        .unwrap();
    for offset in [-600_i64, 600] {
        let mut clock = MockClock::new();
        clock.expect_now().returning(move || {
            let now = SystemTime::now();
            if offset < 0 {
                now - Duration::from_secs(offset.unsigned_abs())
            } else {
                now + Duration::from_secs(offset.unsigned_abs())
            }
        });
        let client = Client::new(&emu).with_signer(Signer::with_clock(Arc::new(clock)));
        let message = refused(
            &emu,
            &client,
            |c, t| c.signed(Method::DELETE, &delete_path(t), ""),
            401,
            "APIG.0301",
        )
        .await;
        assert!(message.contains("X-Sdk-Date"), "{message}");
        assert!(
            message.contains(if offset < 0 { "behind" } else { "ahead of" }),
            "{message}"
        );
    }
    // Within the window: accepted.
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .returning(|| SystemTime::now() - Duration::from_secs(200));
    let client = Client::new(&emu).with_signer(Signer::with_clock(Arc::new(clock)));
    let task = ids(&emu, &project())[0].clone();
    client.delete(&task).await.expect(200, None);
    emu.shutdown().await;
}

#[tokio::test]
async fn tokens_are_checked_and_bound_to_their_project() {
    let emu = builder(5).start().await.unwrap();
    let client = Client::new(&emu);
    let with_token = |token: &'static str| {
        move |c: &Client, t: &str| {
            let mut request = c.unsigned(Method::DELETE, &delete_path(t), "");
            request
                .headers_mut()
                .insert("x-auth-token", HeaderValue::from_static(token));
            request
        }
    };
    let message = refused(&emu, &client, with_token("not-a-token"), 401, "APIG.0301").await;
    assert!(message.contains("X-Auth-Token"), "{message}");
    // A valid token of another project.
    refused(
        &emu,
        &client,
        with_token("other-token"),
        403,
        "ModelArts.0210",
    )
    .await;

    let task = ids(&emu, &project())[0].clone();
    client
        .send(with_token(TOKEN)(&client, &task))
        .await
        .expect(200, None);
    assert!(!emu.store().contains(&project(), &task.parse().unwrap()));
    emu.shutdown().await;
}

#[tokio::test]
async fn project_mismatch_is_403_and_an_invalid_project_400() {
    let emu = builder(5).seed(&other_project(), 2).start().await.unwrap();
    let client = Client::new(&emu);
    let theirs = ids(&emu, &other_project())[0].clone();
    let answer = client
        .call(Method::DELETE, &item(OTHER_PROJECT, &theirs), "")
        .await;
    answer.expect(403, Some("ModelArts.0210"));
    assert_eq!(emu.store().count(&other_project()), 2);

    client
        .call(Method::DELETE, &item("not-a-project-id", &theirs), "")
        .await
        .expect(400, Some("ModelArts.0210"));
    client
        .call(
            Method::GET,
            &collection("A4A5D4098FB4474FA22CD05F897D6B99"),
            "",
        )
        .await
        .expect(400, Some("ModelArts.0210"));
    assert_eq!(emu.store().count(&project()), 5);
    assert_eq!(emu.stats().tasks_deleted, 0);
    emu.shutdown().await;
}
