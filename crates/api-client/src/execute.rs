//! The attempt loop every operation runs: authenticate, send, read, classify, back off.

use std::time::Duration;

use api_model::{Operation, ResponseError};
use api_transport::{TimeoutPhase, Transport as _, TransportError};
use bytes::Bytes;
use http::{Request, Uri};
use tokio::time::Instant;
use tracing::{Instrument, field};

use crate::{
    Client, Error, Throttling, TimeoutKind,
    authenticate::authenticate,
    error::InvalidInput,
    retry::{AttemptOutcome, Backoff, RetryDecision, classify, parse_retry_after},
    throttle::{RETRY_COST, TIMEOUT_RETRY_COST, Throttle, throttle_of},
};

/// The most throttled attempts of one call retried on the rate limiter (the deadline usually
/// ends a call long before).
pub(crate) const MAX_THROTTLED_RETRIES: u32 = 100;

/// A successful call: the output, the last reply's request id and the attempts made.
pub(crate) struct Done<T> {
    pub(crate) output: T,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
    /// Attempts answered 429.
    pub(crate) throttled: u32,
}

/// A failed call: the error, how many of its attempts were answered 429, and whether an
/// attempt before the last may have reached the server and been carried out there.
pub(crate) struct Failed {
    pub(crate) error: Error,
    pub(crate) throttled: u32,
    /// An earlier attempt timed out, lost its connection after sending, or was answered 5xx:
    /// the service may have done what it asked. Never set by a 429 or another 4xx, which the
    /// gateway or the service refused without acting.
    pub(crate) earlier_maybe_applied: bool,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Self {
            error,
            throttled: 0,
            earlier_maybe_applied: false,
        }
    }
}

/// Whether a failed attempt may have reached the service and been carried out.
fn may_have_been_applied(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } => true,
        Error::Transport { sent, .. } => *sent,
        Error::Service { source, .. } => source.status().is_server_error(),
        _ => false,
    }
}

/// A transport error of the last attempt says "never sent" only when no attempt before it
/// may have reached the service either: the call's request may have been carried out.
fn sent_if_earlier(error: Error, earlier_maybe_applied: bool) -> Error {
    match error {
        Error::Transport {
            source,
            sent: false,
            attempts,
        } if earlier_maybe_applied => Error::Transport {
            source,
            sent: true,
            attempts,
        },
        other => other,
    }
}

impl Client {
    /// Runs `op` with retries within the deadline, and returns its output.
    pub(crate) async fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.execute(op)
            .await
            .map(|done| done.output)
            .map_err(|failed| failed.error)
    }

    /// Runs `op` with retries within the deadline.
    pub(crate) async fn execute<O: Operation>(&self, op: &O) -> Result<Done<O::Output>, Failed> {
        let request = op
            .build_request(&self.inner.endpoint)
            .map_err(|e| Error::InvalidInput(InvalidInput::Build(e)))?;
        let uri = request.uri().clone();
        let body = request.into_body();
        let span = tracing::info_span!(
            "processor_tasks",
            operation = O::NAME,
            path = uri.path(),
            attempts = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
        );
        self.run_attempts::<O>(&uri, &body).instrument(span).await
    }

    async fn run_attempts<O: Operation>(
        &self,
        uri: &Uri,
        body: &Bytes,
    ) -> Result<Done<O::Output>, Failed> {
        let inner = &*self.inner;
        let started = Instant::now();
        // `None`: a deadline too far away for the clock, so none in practice.
        let deadline = started.checked_add(inner.timeouts.deadline());
        let limiter = match inner.throttling {
            Throttling::Adaptive => Some(self.limiter(O::NAME)),
            _ => None,
        };
        let quota = &inner.partition.quota;
        let mut backoff = Backoff::new();
        let mut attempt = 0u32;
        let mut throttled = 0u32;
        // Throttled attempts retried on the limiter: they do not count against the attempts.
        let mut waived = 0u32;
        // Retry-quota tokens this call spent.
        let mut spent = 0u32;
        let mut maybe_applied = false;
        loop {
            if let Some(limiter) = &limiter {
                let acquired = match deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline, limiter.acquire())
                        .await
                        .is_ok(),
                    None => {
                        limiter.acquire().await;
                        true
                    }
                };
                if !acquired {
                    let error = Error::Timeout {
                        kind: TimeoutKind::Deadline,
                        limit: inner.timeouts.deadline(),
                        attempts: attempt,
                    };
                    return Err(Failed {
                        error: sent_if_earlier(error, maybe_applied),
                        throttled,
                        earlier_maybe_applied: maybe_applied,
                    });
                }
            }
            attempt = attempt.saturating_add(1);
            let sent_at = Instant::now();
            let result = self
                .attempt::<O>(uri, body, attempt, deadline)
                .instrument(tracing::debug_span!(
                    "attempt",
                    attempt,
                    status = field::Empty,
                    request_id = field::Empty
                ))
                .await;
            let throttle = match &result {
                Err((error, _)) => error.service_error().and_then(throttle_of),
                Ok(_) => None,
            };
            if let Some(limiter) = &limiter {
                // Every reply counts (a lost connection or a timeout tells nothing of the rate).
                let replied = match &result {
                    Ok(_) => true,
                    Err((error, _)) => error.service_error().is_some(),
                };
                if replied {
                    let stated = match throttle {
                        Some(Throttle::Rate { limit }) => limit.map(|l| l.per_second()),
                        _ => None,
                    };
                    limiter.on_reply(throttle.is_some(), stated, sent_at.elapsed());
                }
            }
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            let (error, decision) = match result {
                Ok(mut done) => {
                    done.throttled = throttled;
                    quota.on_success(spent);
                    if let Some(id) = &done.request_id {
                        span.record("request_id", id.as_str());
                    }
                    tracing::info!(elapsed_ms = millis(started.elapsed()), "succeeded");
                    return Ok(done);
                }
                Err(failure) => failure,
            };
            if let Some(source) = error.service_error() {
                span.record("status", source.status().as_u16());
            }
            if throttle.is_some() {
                throttled = throttled.saturating_add(1);
            }
            let failed = |error| Failed {
                error: sent_if_earlier(error, maybe_applied),
                throttled,
                earlier_maybe_applied: maybe_applied,
            };
            match (throttle, decision) {
                // A quota gone for hours: retrying would not help.
                (Some(Throttle::QuotaExhausted), _) => return Err(failed(error)),
                // Throttled: wait on the limiter (and a Retry-After, if the gateway sent one),
                // without spending an attempt or the retry quota.
                (Some(Throttle::Rate { .. }), RetryDecision::Retry { at_least })
                    if limiter.is_some() =>
                {
                    if waived >= MAX_THROTTLED_RETRIES {
                        return Err(failed(error));
                    }
                    waived += 1;
                    if let Some(wait) = at_least.map(|w| w.min(inner.retry.max_retry_after())) {
                        let wakes = Instant::now().checked_add(wait);
                        if deadline.is_some_and(|d| wakes.is_none_or(|w| w >= d)) {
                            return Err(failed(error));
                        }
                        tokio::time::sleep(wait).await;
                    }
                    tracing::debug!("throttled; retrying on the rate limiter");
                    continue;
                }
                _ => {}
            }
            let counted = attempt.saturating_sub(waived);
            let retry_after = match decision {
                RetryDecision::Retry { at_least } if counted < inner.retry.max_attempts() => {
                    at_least
                }
                _ => return Err(failed(error)),
            };
            let delay = backoff.delay(&inner.retry, counted, retry_after);
            let wakes = Instant::now().checked_add(delay);
            if deadline.is_some_and(|deadline| wakes.is_none_or(|wakes| wakes >= deadline)) {
                tracing::info!(
                    delay_ms = millis(delay),
                    "not retrying: the wait would pass the deadline"
                );
                return Err(failed(error));
            }
            if throttle.is_none() {
                let cost = match error {
                    Error::Timeout { .. } => TIMEOUT_RETRY_COST,
                    _ => RETRY_COST,
                };
                if !quota.try_take(cost) {
                    tracing::info!(
                        "not retrying: the retry quota is spent (the service keeps failing)"
                    );
                    return Err(failed(error));
                }
                spent = spent.saturating_add(cost);
            }
            maybe_applied |= may_have_been_applied(&error);
            tracing::info!(delay_ms = millis(delay), error = %error, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt, credentials included, within the attempt timeout and the deadline. On
    /// failure, the error and whether it may be retried.
    async fn attempt<O: Operation>(
        &self,
        uri: &Uri,
        body: &Bytes,
        attempt: u32,
        deadline: Option<Instant>,
    ) -> Result<Done<O::Output>, (Error, RetryDecision)> {
        let inner = &*self.inner;
        let stop = RetryDecision::Stop;
        let began = Instant::now();
        let remaining = deadline.map(|deadline| deadline.saturating_duration_since(began));
        let (limit, kind) = match remaining {
            Some(remaining) if remaining < inner.timeouts.attempt() => {
                (remaining, TimeoutKind::Deadline)
            }
            _ => (inner.timeouts.attempt(), TimeoutKind::Attempt),
        };
        // A source that hangs (an IAM endpoint that never answers) costs this attempt, not
        // every call: when the attempt's time is up, its fetch is dropped.
        let credentials = match tokio::time::timeout(limit, inner.credentials.credentials()).await {
            Ok(Ok(credentials)) => credentials,
            Ok(Err(e)) => {
                // Nothing was sent, so even a POST may try again when the source may recover.
                let decision = if e.is_transient() {
                    RetryDecision::Retry { at_least: None }
                } else {
                    stop
                };
                return Err((Error::Credentials(e), decision));
            }
            Err(_elapsed) => {
                let decision = match kind {
                    TimeoutKind::Deadline => stop,
                    _ => RetryDecision::Retry { at_least: None },
                };
                return Err((
                    Error::Credentials(crate::CredentialsError::Unavailable {
                        source_name: "the credentials provider",
                        reason: format!(
                            "no credentials within the attempt's time limit of {limit:?}"
                        ),
                    }),
                    decision,
                ));
            }
        };
        let limit = limit.saturating_sub(began.elapsed());
        let mut request = Request::new(body.clone());
        *request.method_mut() = O::METHOD;
        *request.uri_mut() = uri.clone();
        authenticate(
            &mut request,
            &inner.host,
            &inner.project_header,
            &inner.headers,
            &credentials,
            &inner.signer,
        )
        .map_err(|e| (Error::Credentials(e), stop))?;
        // The transport times its response by the same limit, so that one timer decides.
        request
            .extensions_mut()
            .insert(api_transport::ResponseTimeout(limit));

        let sent_at = Instant::now();
        let reply = tokio::time::timeout(limit, inner.transport.send(request)).await;
        let latency_ms = millis(sent_at.elapsed());
        let span = tracing::Span::current();
        let response = match reply {
            Ok(Ok(response)) => response,
            Ok(Err(source)) if !is_response_timeout(&source) => {
                tracing::debug!(latency_ms, error = %source, "transport failed");
                let decision = classify(AttemptOutcome::Transport(&source), O::IDEMPOTENT);
                let sent = source.request_may_have_been_sent();
                return Err((
                    Error::Transport {
                        source,
                        sent,
                        attempts: attempt,
                    },
                    decision,
                ));
            }
            // Our timer, or the transport's response timer, which was given the same limit:
            // either way this attempt ran out of its time.
            _ => {
                tracing::debug!(latency_ms, "attempt timed out");
                let limit = match kind {
                    TimeoutKind::Deadline => inner.timeouts.deadline(),
                    _ => inner.timeouts.attempt(),
                };
                let decision = match kind {
                    TimeoutKind::Deadline => stop,
                    _ => classify(AttemptOutcome::TimedOut, O::IDEMPOTENT),
                };
                return Err((
                    Error::Timeout {
                        kind,
                        limit,
                        attempts: attempt,
                    },
                    decision,
                ));
            }
        };
        let status = response.status();
        span.record("status", status.as_u16());
        let request_id = response
            .headers()
            .get(api_model::REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        tracing::debug!(latency_ms, status = status.as_u16(), "reply received");
        match O::parse_response(&response) {
            Ok(output) => Ok(Done {
                output,
                request_id,
                attempts: attempt,
                throttled: 0,
            }),
            Err(ResponseError::Service(source)) => {
                let outcome = AttemptOutcome::Status {
                    status,
                    retry_after: parse_retry_after(response.headers()),
                };
                Err((
                    Error::Service {
                        source,
                        attempts: attempt,
                    },
                    classify(outcome, O::IDEMPOTENT),
                ))
            }
            Err(ResponseError::Decode(source)) => Err((
                Error::Decode {
                    source,
                    attempts: attempt,
                },
                stop,
            )),
        }
    }
}

fn is_response_timeout(error: &TransportError) -> bool {
    matches!(
        error,
        TransportError::Timeout {
            phase: TimeoutPhase::Response,
            ..
        }
    )
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
