//! The tower bridges (feature `tower`): a `Service` as a `Transport`, and `SharedTransport` as a `Service`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use api_transport::tower::TowerTransport;
use api_transport::{BoxError, SharedTransport, Transport, TransportError};
use bytes::Bytes;
use http::{Method, Request, Response};
use tower_service::Service;

use crate::common::request;

/// A service that fails `poll_ready` or `call` on demand, and counts calls.
#[derive(Clone, Default)]
struct Scripted {
    not_ready: bool,
    fail_call: Option<fn() -> BoxError>,
    calls: Arc<AtomicUsize>,
}

impl Service<Request<Bytes>> for Scripted {
    type Response = Response<Bytes>;
    type Error = BoxError;
    type Future = std::future::Ready<Result<Response<Bytes>, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        if self.not_ready {
            return Poll::Ready(Err(io::Error::other("overloaded").into()));
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Bytes>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(match self.fail_call {
            Some(error) => Err(error()),
            None => Ok(Response::new(Bytes::from(request.uri().path().to_owned()))),
        })
    }
}

#[tokio::test]
async fn a_tower_service_is_a_transport() {
    let service = Scripted::default();
    let transport = SharedTransport::new(TowerTransport::new(service.clone()));
    let response = transport
        .send(request(Method::GET, "https://host/v1/x"))
        .await
        .unwrap();
    assert_eq!(response.body(), "/v1/x");
    assert_eq!(service.calls.load(Ordering::SeqCst), 1);
    assert!(format!("{transport:?}").contains("TowerTransport"));
}

#[tokio::test]
async fn service_errors_map_by_phase() {
    let not_ready = TowerTransport::new(Scripted {
        not_ready: true,
        ..Scripted::default()
    });
    let error = not_ready
        .send(request(Method::GET, "https://host/"))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Connect { .. }), "{error:?}");

    let failing = TowerTransport::new(Scripted {
        fail_call: Some(|| io::Error::other("reset").into()),
        ..Scripted::default()
    });
    let error = failing
        .send(request(Method::GET, "https://host/"))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Io { .. }), "{error:?}");

    let passing_through = TowerTransport::new(Scripted {
        fail_call: Some(|| TransportError::body_too_large(7).into()),
        ..Scripted::default()
    });
    let error = passing_through
        .send(request(Method::GET, "https://host/"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit: 7, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn shared_transport_is_a_tower_service() {
    let mut service = SharedTransport::new(TowerTransport::new(Scripted::default()));
    std::future::poll_fn(|cx| Service::poll_ready(&mut service, cx))
        .await
        .unwrap();
    let response = Service::call(&mut service, request(Method::GET, "https://host/svc"))
        .await
        .unwrap();
    assert_eq!(response.body(), "/svc");
}

/// A service that is `Send` but not `Sync`, like `tower::util::BoxCloneService`.
#[derive(Clone, Default)]
struct NotSync {
    inner: Scripted,
    _not_sync: std::marker::PhantomData<std::cell::Cell<()>>,
}

impl Service<Request<Bytes>> for NotSync {
    type Response = Response<Bytes>;
    type Error = BoxError;
    type Future = std::future::Ready<Result<Response<Bytes>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Bytes>) -> Self::Future {
        self.inner.call(request)
    }
}

#[tokio::test]
async fn a_send_but_not_sync_service_works() {
    let transport = TowerTransport::new(NotSync::default());
    let response = transport
        .clone()
        .send(request(Method::GET, "https://host/ns"))
        .await
        .unwrap();
    assert_eq!(response.body(), "/ns");
    let _service: NotSync = transport.into_inner();
}
