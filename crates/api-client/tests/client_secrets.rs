//! No secret ever appears in tracing output (at TRACE), in errors or in `Debug`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    io,
    sync::{Arc, Mutex},
};

use api_client::{Client, Credentials, RetryPolicy};
use common::*;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn secrets_never_reach_logs_errors_or_debug() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let token = "iam-token-SECRET-77";
    let session = "session-token-SECRET-55";
    let mut texts = Vec::new();
    for creds in [
        Credentials::ak_sk(AK, SK),
        Credentials::temporary(AK, SK, session),
        Credentials::token(token),
    ] {
        let (transport, sent) = scripted(vec![
            Ok(error_reply(503, "ModelArts.4700")),
            Err(api_transport::TransportError::io(io::Error::other("reset"))),
            Ok(error_reply(401, "APIG.0301")),
        ]);
        let client = Client::builder()
            .endpoint("https://modelarts.cn-north-4.myhuaweicloud.com")
            .project_id(PROJECT)
            .credentials(creds.clone())
            .transport(transport)
            .retry_policy(RetryPolicy::default())
            .build()
            .unwrap();
        let err = client.delete_processor_task(&task()).await.unwrap_err();
        texts.push(err.to_string());
        texts.push(format!("{err:?}"));
        texts.push(format!("{client:?}"));
        texts.push(format!("{creds:?}"));
        let authorizations: Vec<String> = sent
            .lock()
            .unwrap()
            .iter()
            .filter_map(|r| {
                r.headers()
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned())
            })
            .collect();
        for auth in authorizations {
            let signature = auth.rsplit("Signature=").next().unwrap().to_owned();
            texts.push(format!("SIGNATURE-CHECK {signature}"));
        }
    }
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying"),
        "tracing captured nothing useful:\n{logs}"
    );
    assert!(
        logs.contains("DeleteProcessorTask") && logs.contains("attempt"),
        "{logs}"
    );

    let everything = format!("{logs}\n{}", texts.join("\n"));
    for secret in [SK, token, session] {
        assert!(
            !everything.contains(secret),
            "a secret leaked:\n{everything}"
        );
    }
    // Signatures (the Authorization values) are not logged either.
    for line in texts.iter().filter(|t| t.starts_with("SIGNATURE-CHECK ")) {
        let signature = line.trim_start_matches("SIGNATURE-CHECK ");
        assert!(
            !logs.contains(signature),
            "an Authorization value reached the logs"
        );
    }
    assert!(!logs.to_lowercase().contains("authorization"), "{logs}");
}
