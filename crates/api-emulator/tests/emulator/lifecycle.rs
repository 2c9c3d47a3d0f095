//! Starting, serving and stopping: ports, keep-alive, graceful shutdown, drop, the background
//! runtime, the demo setup, and the raw path log.

use std::time::Duration;

use api_auth::AccessKey;
use api_emulator::{
    DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_TASK_COUNT, DEMO_TOKEN, Emulator, FaultConfig,
    StartError, Task, demo_project_id,
};
use http::{HeaderValue, Method};
use tokio::net::TcpStream;

use crate::common::*;

#[tokio::test]
async fn port_zero_is_ephemeral_and_a_taken_port_is_an_error() {
    let emu = builder(0).start().await.unwrap();
    assert_ne!(emu.addr().port(), 0);
    assert_eq!(emu.endpoint(), format!("http://{}", emu.addr()));
    let taken = Emulator::builder().bind(emu.addr()).start().await;
    assert!(matches!(taken, Err(StartError::Bind { .. })), "{taken:?}");
    let message = taken.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("cannot listen on"), "{message}");
    emu.shutdown().await;
}

#[tokio::test]
async fn invalid_faults_are_refused_at_start() {
    let bad = FaultConfig {
        internal_error: 0.7,
        unavailable: 0.7,
        ..FaultConfig::default()
    };
    let result = builder(0).faults(bad).start().await;
    assert!(matches!(result, Err(StartError::InvalidFaults(_))));
}

#[tokio::test]
async fn keep_alive_reuses_one_connection() {
    let emu = builder(0).start().await.unwrap();
    let client = Client::new(&emu);
    for _ in 0..20 {
        client
            .call(Method::GET, &collection(PROJECT), "")
            .await
            .expect(200, None);
    }
    assert_eq!(emu.stats().connections_accepted, 1);
    assert_eq!(emu.stats().requests_received, 20);
    emu.shutdown().await;
}

#[tokio::test]
async fn shutdown_finishes_open_requests_then_stops_listening() {
    let slow = FaultConfig {
        latency: Duration::from_millis(300),
        ..FaultConfig::default()
    };
    let emu = builder(1).faults(slow).start().await.unwrap();
    let addr = emu.addr();
    let client = Client::new(&emu);
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.call(Method::GET, &collection(PROJECT), "").await }
    });
    // The request is in the server (inside its 300 ms of latency) when the shutdown starts.
    emu.received(1).await;
    emu.shutdown().await;
    in_flight.await.unwrap().expect(200, None);
    assert!(TcpStream::connect(addr).await.is_err(), "still listening");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let emu = builder(0).start().await.unwrap();
    let addr = emu.addr();
    drop(emu);
    let mut stopped = false;
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(stopped, "still listening after drop");
}

#[test]
fn a_background_emulator_serves_sync_callers() {
    let emu = builder(4).start_background(2).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let task = ids(&emu, &project())[0].clone();
    runtime.block_on(async {
        let client = Client::new(&emu);
        client.delete(&task).await.expect(200, None);
    });
    assert_eq!(emu.store().count(&project()), 3);
    let addr = emu.addr();
    runtime.block_on(emu.shutdown());
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[tokio::test]
async fn the_demo_accepts_its_public_credentials() {
    let emu = Emulator::demo().start().await.unwrap();
    let project = demo_project_id();
    assert_eq!(emu.store().count(&project), DEMO_TASK_COUNT);
    let tasks = ids(&emu, &project);

    let client = Client::with_key(&emu, AccessKey::new(DEMO_AK, DEMO_SK));
    let mut request = client.signed(Method::DELETE, &item(DEMO_PROJECT_ID, &tasks[0]), "");
    // The helper signs X-Project-Id for the test project; sign again without it.
    request.headers_mut().remove("x-project-id");
    client.signer.sign(&mut request, &client.key).unwrap();
    client.send(request).await.expect(200, None);

    let mut with_token = client.unsigned(Method::DELETE, &item(DEMO_PROJECT_ID, &tasks[1]), "");
    with_token.headers_mut().remove("x-project-id");
    with_token
        .headers_mut()
        .insert("x-auth-token", HeaderValue::from_static(DEMO_TOKEN));
    client.send(with_token).await.expect(200, None);
    assert_eq!(emu.store().count(&project), DEMO_TASK_COUNT - 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn paths_are_logged_exactly_as_sent_and_hostile_ids_round_trip() {
    let hostile = [
        "a?b",
        "a#b",
        "%2F",
        "...",
        "täsk",
        "a+b=c&d",
        "x%41y",
        "semi;colon",
    ];
    let tasks = hostile
        .iter()
        .map(|id| Task::new(id.parse().unwrap(), *id, "sys_data_analyse"));
    let emu = builder(0)
        .with_tasks(&project(), tasks)
        .start()
        .await
        .unwrap();
    let client = Client::new(&emu);
    let mut sent = Vec::new();
    for id in hostile {
        let mut path = format!("/v2/{PROJECT}/processor-tasks/");
        api_model::push_segment(&mut path, id);
        let answer = client.call(Method::DELETE, &path, "").await;
        answer.expect(200, None);
        sent.push(path);
    }
    client
        .call(
            Method::GET,
            &format!("{}?limit=5&offset=0", collection(PROJECT)),
            "",
        )
        .await
        .expect(200, None);
    assert_eq!(emu.store().count(&project()), 0);
    let received = emu.received_paths();
    assert_eq!(received[..hostile.len()], sent[..]);
    assert_eq!(received[hostile.len()], collection(PROJECT));
    let requests = emu.received_requests();
    assert_eq!(
        requests[hostile.len()].query.as_deref(),
        Some("limit=5&offset=0")
    );
    assert_eq!(requests[0].method, Method::DELETE);
    assert_eq!(emu.received_paths_not_kept(), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_path_log_is_bounded() {
    let emu = builder(0).path_log_capacity(3).start().await.unwrap();
    let client = Client::new(&emu);
    for n in 0..5 {
        client.call(Method::GET, &format!("/unknown/{n}"), "").await;
    }
    assert_eq!(
        emu.received_paths(),
        ["/unknown/0", "/unknown/1", "/unknown/2"]
    );
    assert_eq!(emu.received_paths_not_kept(), 2);
    emu.shutdown().await;
}
