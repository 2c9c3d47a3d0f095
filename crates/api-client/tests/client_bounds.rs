//! Every wait is bounded: credentials are fetched inside the attempt's time, a hung or failing
//! source is retried like a request, the transport's response timer follows the attempt's,
//! and extreme durations never panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use api_client::credentials::{
    CredentialsError, CredentialsProvider, IamToken, RefreshingToken, TokenGrant, TokenSource,
};
use api_client::{Client, Credentials, Error, RetryPolicy, Timeouts};
use api_transport::{ResponseTimeout, SharedTransport};
use common::*;
use proptest::prelude::*;
use tokio::time::Instant;

/// A credentials provider that hangs on its first `hangs` calls, fails transiently on the next
/// `flaky`, then gives AK/SK credentials.
#[derive(Debug)]
struct Slow {
    calls: AtomicU32,
    hangs: u32,
    flaky: u32,
}

#[async_trait::async_trait]
impl CredentialsProvider for Slow {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.hangs {
            std::future::pending::<()>().await;
        }
        if n < self.hangs + self.flaky {
            return Err(CredentialsError::Unavailable {
                source_name: "a test source",
                reason: "503 from IAM".into(),
            });
        }
        Ok(Credentials::ak_sk(AK, SK))
    }
}

fn client_over(
    provider: impl CredentialsProvider + 'static,
    transport: api_transport::MockTransport,
    timeouts: Timeouts,
) -> Client {
    Client::builder()
        .endpoint("http://127.0.0.1:1")
        .project_id(PROJECT)
        .credentials_provider(Arc::new(provider))
        .shared_transport(SharedTransport::new(transport))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .timeouts(timeouts)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_hung_credentials_source_costs_one_attempt_then_the_call_goes_on() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "{}"))]);
    let client = client_over(
        Slow {
            calls: AtomicU32::new(0),
            hangs: 1,
            flaky: 0,
        },
        transport,
        Timeouts::default().with_attempt(Duration::from_secs(2)),
    );
    let started = Instant::now();
    let deleted = client.delete_processor_task(&task()).await.unwrap();
    assert_eq!(deleted.attempts, 2, "the hung fetch took the first attempt");
    assert_eq!(
        sent.lock().unwrap().len(),
        1,
        "nothing was sent without credentials"
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_source_that_always_hangs_ends_in_a_bounded_credentials_error() {
    let client = client_over(
        Slow {
            calls: AtomicU32::new(0),
            hangs: u32::MAX,
            flaky: 0,
        },
        api_transport::MockTransport::new(),
        Timeouts::default()
            .with_attempt(Duration::from_secs(2))
            .with_deadline(Duration::from_secs(60)),
    );
    let started = Instant::now();
    let err = client.delete_processor_task(&task()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
    let Error::Credentials(inner) = &err else {
        panic!("{err:?}")
    };
    assert!(inner.is_transient(), "{err}");
    assert!(
        err.to_string().contains("attempt's time limit of 2s"),
        "{err}"
    );
    assert!(!err.request_may_have_been_sent());
}

#[tokio::test(start_paused = true)]
async fn a_transient_credentials_failure_is_retried_even_for_a_post() {
    let (transport, sent) = scripted(vec![Ok(reply(
        200,
        r#"{"task_id": "SNEJua7qdZZN8GvkcEr"}"#,
    ))]);
    let client = client_over(
        Slow {
            calls: AtomicU32::new(0),
            hangs: 0,
            flaky: 2,
        },
        transport,
        Timeouts::default(),
    );
    let created = client
        .create_processor_task(api_model::CreateProcessorTaskRequest::new(
            "n",
            api_model::TemplateParam::new("sys_data_cleaning"),
        ))
        .await
        .unwrap();
    assert_eq!(created.task_id.as_str(), TASK);
    assert_eq!(sent.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_permanent_credentials_failure_is_not_retried() {
    #[derive(Debug)]
    struct Refusing(AtomicU32);
    #[async_trait::async_trait]
    impl CredentialsProvider for Refusing {
        async fn credentials(&self) -> Result<Credentials, CredentialsError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(CredentialsError::Source {
                source_name: "IAM",
                reason: "401 wrong password".into(),
            })
        }
    }
    let provider = Arc::new(Refusing(AtomicU32::new(0)));
    let client = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .project_id(PROJECT)
        .credentials_provider(provider.clone())
        .shared_transport(SharedTransport::new(api_transport::MockTransport::new()))
        .build()
        .unwrap();
    let err = client.delete_processor_task(&task()).await.unwrap_err();
    assert!(!err.is_retryable(), "{err}");
    assert_eq!(provider.0.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn the_transport_is_told_the_attempt_limit() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "{}"))]);
    let client = client_over(
        Slow {
            calls: AtomicU32::new(0),
            hangs: 0,
            flaky: 0,
        },
        transport,
        Timeouts::default().with_attempt(Duration::from_secs(60)),
    );
    client.delete_processor_task(&task()).await.unwrap();
    let sent = sent.lock().unwrap();
    let limit = sent[0].extensions().get::<ResponseTimeout>().unwrap().0;
    assert!(
        limit <= Duration::from_secs(60) && limit > Duration::from_secs(59),
        "{limit:?}"
    );
}

/// A token source that grants a token valid for `valid_for`, counting fetches.
#[derive(Debug)]
struct Granting {
    valid_for: Duration,
    fetches: AtomicU32,
}

#[async_trait::async_trait]
impl TokenSource for Granting {
    async fn fetch(&self) -> Result<TokenGrant, CredentialsError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Ok(TokenGrant::new(IamToken::new("t"), self.valid_for))
    }
}

/// Answers 503 twice, then 200, to any number of requests.
#[derive(Debug)]
struct Flaky(AtomicU32);

impl api_transport::Transport for Flaky {
    fn send(
        &self,
        _request: http::Request<bytes::Bytes>,
    ) -> api_transport::BoxFuture<
        'static,
        Result<http::Response<bytes::Bytes>, api_transport::TransportError>,
    > {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(reply(if n < 2 { 503 } else { 200 }, "{}")) })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No timeout, deadline, backoff or token life, however large or small, panics, and every
    /// call still ends.
    #[test]
    fn extreme_durations_never_panic(
        attempt in prop_oneof![Just(Duration::MAX), Just(Duration::ZERO), any::<u64>().prop_map(Duration::from_nanos), any::<u64>().prop_map(Duration::from_secs)],
        deadline in prop_oneof![Just(Duration::MAX), Just(Duration::ZERO), any::<u64>().prop_map(Duration::from_nanos), any::<u64>().prop_map(Duration::from_secs)],
        backoff in prop_oneof![Just(Duration::MAX), Just(Duration::ZERO), any::<u64>().prop_map(Duration::from_secs)],
        valid_for in prop_oneof![Just(Duration::MAX), Just(Duration::ZERO), any::<u64>().prop_map(Duration::from_secs)],
        margin in prop_oneof![Just(Duration::MAX), Just(Duration::ZERO), any::<u64>().prop_map(Duration::from_secs)],
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let source = Granting { valid_for, fetches: AtomicU32::new(0) };
            let provider = RefreshingToken::new(source).with_margin(margin);
            // Two calls: the second reads the cached expiry.
            provider.credentials().await.unwrap();
            provider.credentials().await.unwrap();

            let transport = Flaky(AtomicU32::new(0));
            let client = Client::builder()
                .endpoint("http://127.0.0.1:1")
                .project_id(PROJECT)
                .credentials_provider(Arc::new(provider))
                .shared_transport(SharedTransport::new(transport))
                .retry_policy(
                    RetryPolicy::default()
                        .with_max_attempts(3)
                        .with_initial_backoff(backoff)
                        .with_max_backoff(backoff)
                        .with_max_retry_after(backoff),
                )
                .timeouts(Timeouts::default().with_attempt(attempt).with_deadline(deadline))
                .build()
                .unwrap();
            // Paused time: even a wait of years passes at once. Whatever the result, it ends.
            let _ = tokio::time::timeout(Duration::from_secs(3600 * 24 * 365 * 1000), client.delete_processor_task(&task())).await;
        });
    }
}
