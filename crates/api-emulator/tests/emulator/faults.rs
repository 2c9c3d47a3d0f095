//! Fault injection over a real socket: repeatable with a seed, no state change, dropped
//! connections, delete-then-drop, latency.

use std::time::Duration;

use api_emulator::{Emulator, FaultConfig, FaultKind};
use http::Method;

use crate::common::*;

fn mixed(seed: u64) -> FaultConfig {
    FaultConfig {
        seed,
        too_many_requests: 0.2,
        internal_error: 0.1,
        unavailable: 0.1,
        retry_after_secs: 2,
        ..FaultConfig::default()
    }
}

/// The statuses of 40 describe requests sent one after another.
async fn statuses(faults: FaultConfig) -> (Vec<u16>, Emulator) {
    let emu = builder(3).faults(faults).start().await.unwrap();
    let client = Client::new(&emu);
    let task = ids(&emu, &project())[0].clone();
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let answer = client.call(Method::GET, &item(PROJECT, &task), "").await;
        match answer.status() {
            200 => {}
            429 => {
                answer.expect(429, Some("ModelArts.4206"));
                assert_eq!(answer.response.headers()["retry-after"], "2");
            }
            500 => answer.expect(500, Some("ModelArts.0010")),
            503 => answer.expect(503, Some("ModelArts.4700")),
            other => panic!("unexpected status {other}"),
        }
        statuses.push(answer.status());
    }
    (statuses, emu)
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let (first, emu) = statuses(mixed(42)).await;
    let (again, _) = statuses(mixed(42)).await;
    let (other, _) = statuses(mixed(43)).await;
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(
        first.contains(&200) && first.iter().any(|s| *s != 200),
        "{first:?}"
    );
    let stats = emu.stats();
    let faults = stats.faults(FaultKind::TooManyRequests)
        + stats.faults(FaultKind::InternalError)
        + stats.faults(FaultKind::Unavailable);
    assert_eq!(faults, first.iter().filter(|s| **s != 200).count() as u64);
}

#[tokio::test]
async fn reply_faults_never_change_the_store() {
    let all_faults = FaultConfig {
        too_many_requests: 0.5,
        internal_error: 0.25,
        unavailable: 0.25,
        ..FaultConfig::default()
    };
    let emu = builder(10).faults(all_faults).start().await.unwrap();
    let client = Client::new(&emu);
    for task in ids(&emu, &project()) {
        let answer = client.delete(&task).await;
        assert!(
            matches!(answer.status(), 429 | 500 | 503),
            "{}",
            answer.json
        );
    }
    let created = client
        .call(
            Method::POST,
            &collection(PROJECT),
            r#"{"name":"n","template":{"id":"t"}}"#,
        )
        .await;
    assert_ne!(created.status(), 200);
    assert_eq!(emu.store().count(&project()), 10);
    assert_eq!(emu.stats().tasks_deleted, 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_dropped_connection_is_an_io_error_and_changes_nothing() {
    let drop_all = FaultConfig {
        drop_connection: 1.0,
        ..FaultConfig::default()
    };
    let emu = builder(2).faults(drop_all).start().await.unwrap();
    let client = Client::new(&emu);
    let task = ids(&emu, &project())[0].clone();
    let error = client
        .try_send(client.signed(Method::DELETE, &item(PROJECT, &task), ""))
        .await
        .unwrap_err();
    assert!(error.request_may_have_been_sent(), "{error:?}");
    assert!(emu.store().contains(&project(), &task.parse().unwrap()));
    assert_eq!(emu.stats().faults(FaultKind::DropConnection), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn delete_then_drop_deletes_and_the_client_sees_an_io_error() {
    let delete_then_drop = FaultConfig {
        delete_then_drop: 1.0,
        ..FaultConfig::default()
    };
    let emu = builder(2).faults(delete_then_drop).start().await.unwrap();
    let client = Client::new(&emu);
    let task = ids(&emu, &project())[0].clone();
    let error = client
        .try_send(client.signed(Method::DELETE, &item(PROJECT, &task), ""))
        .await
        .unwrap_err();
    assert!(error.request_may_have_been_sent(), "{error:?}");
    assert!(
        !emu.store().contains(&project(), &task.parse().unwrap()),
        "the task is deleted although the client never saw the reply"
    );
    // A retry of the same idempotent delete now finds nothing to delete (and is dropped too).
    assert!(
        client
            .try_send(client.signed(Method::DELETE, &item(PROJECT, &task), ""))
            .await
            .is_err()
    );
    // Reads are not affected by this mode.
    client
        .call(Method::GET, &collection(PROJECT), "")
        .await
        .expect(200, None);
    let stats = emu.stats();
    assert_eq!(stats.tasks_deleted, 1);
    assert_eq!(stats.faults(FaultKind::DeleteThenDrop), 2);
    assert_eq!(emu.store().count(&project()), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn latency_is_added_after_auth() {
    let slow = FaultConfig {
        latency: Duration::from_millis(150),
        ..FaultConfig::default()
    };
    let emu = builder(1).faults(slow).start().await.unwrap();
    let client = Client::new(&emu);
    // Counted, not timed (the length of the wait is checked under paused time in the
    // handler tests): each authenticated request waits, an unauthenticated one does not.
    for expected in [1, 2] {
        client
            .call(Method::GET, &collection(PROJECT), "")
            .await
            .expect(200, None);
        assert_eq!(emu.stats().faults(FaultKind::Latency), expected);
    }
    client
        .send(client.unsigned(Method::GET, &collection(PROJECT), ""))
        .await
        .expect(401, Some("APIG.0301"));
    assert_eq!(
        emu.stats().faults(FaultKind::Latency),
        2,
        "no latency before auth"
    );
    emu.shutdown().await;
}
