//! The standalone binary: flags, the SK and a token from files, the banner, signed requests,
//! and a clean stop on SIGINT.

use std::process::Stdio;
use std::time::Duration;

use http::Method;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::common::*;

#[tokio::test]
async fn the_binary_serves_until_interrupted() {
    let secrets = tempfile::tempdir().unwrap();
    let sk_file = secrets.path().join("sk");
    let token_file = secrets.path().join("token");
    std::fs::write(&sk_file, SK).unwrap();
    std::fs::write(&token_file, TOKEN).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_api-emulator"))
        .args(["--port", "0", "--seed", "7", "--rng-seed", "3", "--ak", AK])
        .arg("--sk-file")
        .arg(&sk_file)
        .args(["--project-id", PROJECT, "--token-file"])
        .arg(&token_file)
        // A real secret in the environment is not the emulator's: it must be ignored.
        .env("HUAWEICLOUD_SDK_SK", "a-real-secret-not-for-the-emulator")
        .env("HUAWEICLOUD_SDK_AK", "REALAK")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    let endpoint = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let line = lines.next_line().await.unwrap().expect("the banner");
            banner.push(line.clone());
            if let Some(endpoint) =
                line.strip_prefix("ModelArts processor-tasks emulator listening on ")
            {
                break endpoint.to_owned();
            }
        }
    })
    .await
    .expect("no banner within 20 s");
    while banner
        .last()
        .is_none_or(|line| !line.starts_with("Press Ctrl-C"))
    {
        banner.push(lines.next_line().await.unwrap().unwrap());
    }
    let banner = banner.join("\n");
    assert!(banner.contains(AK), "{banner}");
    assert!(banner.contains(PROJECT), "{banner}");
    assert!(
        !banner.contains(SK),
        "the SK must never be printed: {banner}"
    );
    assert!(
        !banner.contains(TOKEN),
        "a user's token must never be printed: {banner}"
    );

    let client = Client::for_endpoint(endpoint, api_auth::AccessKey::new(AK, SK));
    let list = client.call(Method::GET, &collection(PROJECT), "").await;
    list.expect(200, None);
    assert_eq!(list.json["count"], 7);
    let first = list.json["tasks"][0]["task_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The same seed gives the same ids as the library.
    let expected = api_emulator::seeded_tasks_mixed(&project(), 7, 3);
    assert_eq!(first, expected[0].task_id.as_str());
    client.delete(&first).await.expect(200, None);

    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the emulator did not stop within 10 s of SIGINT")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn the_binary_refuses_an_ak_without_sk() {
    let output = Command::new(env!("CARGO_BIN_EXE_api-emulator"))
        .args(["--port", "0", "--ak", AK])
        .env_remove("HUAWEICLOUD_SDK_SK")
        .env_remove("HUAWEICLOUD_SDK_AK")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--sk-file"), "{stderr}");
}
