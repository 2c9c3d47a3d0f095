//! Item 7: at TRACE level, through retries and errors, with AK/SK, temporary credentials and
//! an IAM token, no secret and no `Authorization` value reaches the logs, errors or `Debug`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;

use api_client::{Client, Credentials};
use api_emulator::{FaultConfig, seeded_tasks};
use api_transport::SharedTransport;
use e2e_tests::*;

/// Temporary credentials: their own AK/SK and a security token.
const TEMP_AK: &str = "E2ETEMPAK00000000002";
const TEMP_SK: &str = "TEMP-SK-e2e-SECRET-0b9a8c7d6e5f40312233445566";
const SECURITY_TOKEN: &str = "SECURITY-TOKEN-e2e-SECRET-gQoJb3JpZ2luX2VjEJr";
/// Secrets of the failing clients: a wrong SK and a forged token are secrets all the same.
const WRONG_SK: &str = "WRONG-SK-e2e-SECRET-ffeeddccbbaa99887766";
const FORGED_TOKEN: &str = "FORGED-TOKEN-e2e-SECRET-a1b2c3d4e5f6";

#[tokio::test]
async fn no_secret_reaches_logs_errors_or_debug() {
    let logs = LogBuffer::new();
    let _capture = logs.capture();

    let tasks = seeded_tasks(&project(), 40, 99);
    let emu = emulator()
        .ak_sk(TEMP_AK, TEMP_SK, &project())
        .with_tasks(&project(), tasks.iter().cloned())
        .faults(FaultConfig {
            seed: 7,
            too_many_requests: 0.15,
            unavailable: 0.15,
            drop_connection: 0.1,
            retry_after_secs: 0,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();

    let recording = RecordingTransport::new(http_transport());
    let shared = recording.shared();
    let make = |credentials: Credentials| -> Client {
        client_builder(&emu.endpoint(), credentials, shared.clone())
            .retry_policy(fast_retries(10))
            // Throttles at random (not by rate) would teach the rate limiter a rate of a few per
            // second: retry them plainly. `throttling.rs` runs the limiter against a rate limit.
            .throttling(api_client::Throttling::Off)
            .build()
            .unwrap()
    };
    let credentials = [
        Credentials::ak_sk(AK, SK),
        Credentials::temporary(TEMP_AK, TEMP_SK, SECURITY_TOKEN),
        Credentials::token(TOKEN),
        Credentials::ak_sk(AK, WRONG_SK),
        Credentials::token(FORGED_TOKEN),
    ];

    // Everything a user could print: results, errors (Display, Debug, source chain), the
    // clients, the credentials, the transport.
    let mut texts: Vec<String> = Vec::new();
    let (mut successes, mut errors, mut repeats_taken_as_done) = (0, 0, 0);
    for (n, creds) in credentials.iter().enumerate() {
        let client = make(creds.clone());
        texts.push(format!("{client:?}"));
        texts.push(format!("{client:#?}"));
        texts.push(format!("{creds:?}"));
        texts.push(format!("{creds:#?}"));
        // Each client deletes its 8 tasks, then one of them again (a 400 error, unless a
        // fault before the 400 makes it look like that attempt's own doing).
        let mine = &tasks[n * 8..(n + 1) * 8];
        for task in mine.iter().chain(&mine[..1]) {
            match client.delete_processor_task(&task.task_id).await {
                Ok(deletion) if deletion.gone_on_retry => {
                    repeats_taken_as_done += 1;
                    texts.push(format!("{deletion:?}"));
                }
                Ok(deletion) => {
                    successes += 1;
                    texts.push(format!("{deletion:?}"));
                }
                Err(error) => {
                    errors += 1;
                    texts.push(error.to_string());
                    texts.push(format!("{error:?}"));
                    texts.push(format!("{error:#?}"));
                    let mut next = error.source();
                    while let Some(cause) = next {
                        texts.push(format!("{cause} / {cause:?}"));
                        next = cause.source();
                    }
                }
            }
        }
    }
    texts.push(format!("{recording:?}"));
    texts.push(format!("{shared:?}"));
    texts.push(format!("{:?}", SharedTransport::new(http_transport())));
    texts.push(format!("{emu:?}"));
    let stats = emu.stats();
    emu.shutdown().await;

    let log_text = logs.contents();
    let authorizations = recording.authorizations();
    eprintln!(
        "secrets: {successes} deletes, {errors} errors, {} requests ({} signed), faults {:?}, {} log lines",
        recording.exchanges().len(),
        authorizations.len(),
        stats.faults,
        log_text.lines().count()
    );

    // The run did what it should: retries and errors happened, and were logged at TRACE.
    assert_eq!(
        successes,
        8 * 3,
        "the three good clients delete their 8 tasks each"
    );
    assert_eq!(
        errors + repeats_taken_as_done,
        3 + 2 * 9,
        "one 400 per good client, every call of the bad ones"
    );
    assert!(stats.faults_total() > 0);
    assert!(
        log_text.contains("retrying"),
        "no retry was logged:\n{log_text}"
    );
    assert!(log_text.contains("DeleteProcessorTask"), "{log_text}");
    assert!(log_text.contains(" TRACE "), "{log_text}");
    // The transport's failures and the emulator's side were captured too.
    assert!(log_text.contains("transport failed"), "{log_text}");
    assert!(log_text.contains("api_emulator"), "{log_text}");
    assert!(
        log_text.contains("dropped the connection (fault)"),
        "{log_text}"
    );

    // The secrets really were sent (so their absence below means something).
    let tokens_sent = recording.header_values("x-auth-token");
    assert!(tokens_sent.iter().any(|t| t == TOKEN));
    assert!(tokens_sent.iter().any(|t| t == FORGED_TOKEN));
    assert!(
        recording
            .header_values("x-security-token")
            .iter()
            .any(|t| t == SECURITY_TOKEN)
    );
    assert!(authorizations.len() > 3 * 9);

    let everything = format!("{log_text}\n{}", texts.join("\n"));
    for secret in [SK, TEMP_SK, WRONG_SK, SECURITY_TOKEN, TOKEN, FORGED_TOKEN] {
        assert!(!everything.contains(secret), "the secret {secret:?} leaked");
    }
    for authorization in &authorizations {
        let signature = authorization
            .rsplit("Signature=")
            .next()
            .filter(|s| s.len() == 64)
            .unwrap_or_else(|| panic!("unexpected Authorization shape"));
        assert!(
            !everything.contains(authorization.as_str()),
            "an Authorization value leaked"
        );
        assert!(!everything.contains(signature), "a signature leaked");
    }
}
