//! The tower middleware stack of `examples/tower_stack.rs` (concurrency limit, timeout, `tower-http` tracing) around a real `HyperTransport` and a loopback server.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, Once};
use std::time::Duration;

use api_transport::{HyperTransport, SharedTransport, Transport, TransportError};
use bytes::Bytes;
use tracing::field::{Field, Visit};
use tracing::span;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

// The very stack the example shows, so that the example cannot rot unnoticed.
#[path = "../../examples/tower_stack.rs"]
mod example;

use example::{MAX_IN_FLIGHT, burst, start_server, with_middleware};

/// How long the server holds each request: long enough for requests to overlap.
const HOLD: Duration = Duration::from_millis(100);
/// How many requests are sent at once.
const BURST: usize = 8;

fn hyper() -> SharedTransport {
    SharedTransport::new(HyperTransport::builder().no_proxy().build().unwrap())
}

/// For each `host:port`: how many `tower_http::trace` `request` spans were opened for a URI
/// there, and how many of them logged their response.
static TRACED: Mutex<BTreeMap<String, (usize, usize)>> = Mutex::new(BTreeMap::new());

/// Installs [`TraceCounter`] as the global subscriber, once. Global rather than per thread:
/// tracing caches whether a callsite is enabled, and a per-thread subscriber races with the
/// other tests' threads over that cache. Tests tell their requests apart by server port.
fn count_traces() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(TraceCounter))
            .unwrap();
    });
}

fn traced(authority: &str) -> (usize, usize) {
    TRACED
        .lock()
        .unwrap()
        .get(authority)
        .copied()
        .unwrap_or_default()
}

/// Counts the spans and response events of `tower_http::trace` into [`TRACED`].
struct TraceCounter;

/// The `host:port` of a traced request, kept in its span.
struct Authority(String);

impl<S> tracing_subscriber::Layer<S> for TraceCounter
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let metadata = attrs.metadata();
        if !metadata.target().starts_with("tower_http::trace") || metadata.name() != "request" {
            return;
        }
        let mut uri = UriAuthority(None);
        attrs.record(&mut uri);
        let (Some(authority), Some(span)) = (uri.0, ctx.span(id)) else {
            return;
        };
        TRACED
            .lock()
            .unwrap()
            .entry(authority.clone())
            .or_default()
            .0 += 1;
        span.extensions_mut().insert(Authority(authority));
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "tower_http::trace::on_response" {
            return;
        }
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        if let Some(Authority(authority)) = span.extensions().get::<Authority>() {
            TRACED
                .lock()
                .unwrap()
                .entry(authority.clone())
                .or_default()
                .1 += 1;
        }
    }
}

/// Reads the authority of the `uri` field of a span.
struct UriAuthority(Option<String>);

impl Visit for UriAuthority {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "uri" {
            self.0 = format!("{value:?}")
                .parse::<http::Uri>()
                .ok()
                .and_then(|uri| uri.authority().map(ToString::to_string));
        }
    }
}

#[tokio::test]
async fn the_concurrency_limit_holds_and_every_request_is_traced() {
    count_traces();
    let (addr, stats) = start_server(HOLD).await.unwrap();
    let url = format!("http://{addr}/v1/x");

    let transport = with_middleware(hyper(), MAX_IN_FLIGHT, Duration::from_secs(10));
    assert_eq!(burst(&transport, &url, BURST).await.unwrap(), BURST);

    let peak = stats.peak.load(Ordering::SeqCst);
    assert!(
        (1..=MAX_IN_FLIGHT).contains(&peak),
        "the server saw {peak} requests at once; the limit is {MAX_IN_FLIGHT}"
    );
    assert_eq!(stats.served.load(Ordering::SeqCst), BURST);
    // A span per request, each closed by its response.
    assert_eq!(traced(&addr.to_string()), (BURST, BURST));
}

/// The control: without the stack the same burst overlaps more than the limit, so the test
/// above would see a limit that does not hold.
#[tokio::test]
async fn without_the_stack_the_burst_overlaps_beyond_the_limit() {
    let (addr, stats) = start_server(HOLD).await.unwrap();
    let url = format!("http://{addr}/v1/x");

    assert_eq!(burst(&hyper(), &url, BURST).await.unwrap(), BURST);

    let peak = stats.peak.load(Ordering::SeqCst);
    assert!(
        peak > MAX_IN_FLIGHT,
        "the server saw at most {peak} at once"
    );
}

#[tokio::test]
async fn the_timeout_layer_ends_a_slow_request() {
    count_traces();
    let (addr, _stats) = start_server(HOLD).await.unwrap();
    let transport = with_middleware(hyper(), MAX_IN_FLIGHT, Duration::from_millis(200));

    let request = http::Request::get(format!("http://{addr}/slow"))
        .body(Bytes::new())
        .unwrap();
    let started = std::time::Instant::now();
    let error = transport.send(request).await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(10), "{error:?}");
    // It may have reached the server: an `Io` error whose source is tower's `Elapsed`.
    assert!(matches!(error, TransportError::Io { .. }), "{error:?}");
    assert!(error.request_may_have_been_sent());
    let source = std::error::Error::source(&error).unwrap();
    assert!(source.is::<tower::timeout::error::Elapsed>(), "{source:?}");
}
