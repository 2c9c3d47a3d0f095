//! Test doubles for the credential sources: a `MockTransport` that answers a script in order.

use std::sync::{Arc, Mutex};

use api_transport::{MockTransport, SharedTransport};
use bytes::Bytes;
use http::{Request, Response};

/// What the scripted transport saw.
pub(crate) type Seen = Arc<Mutex<Vec<Request<Bytes>>>>;

/// One expected request (method, path) and its answer (status, headers, body).
pub(crate) type Step = (
    &'static str,
    &'static str,
    u16,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

/// A transport expecting exactly these requests (method, path), in order, answering each with
/// (status, headers, body).
pub(crate) fn scripted(script: Vec<Step>) -> (SharedTransport, Seen) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let mut transport = MockTransport::new();
    let mut seq = mockall::Sequence::new();
    for (method, path, status, headers, body) in script {
        let seen = seen.clone();
        transport
            .expect_send()
            .times(1)
            .in_sequence(&mut seq)
            .withf(move |r| r.method().as_str() == method && r.uri().path() == path)
            .returning(move |r| {
                seen.lock().unwrap().push(r);
                let mut reply = Response::builder().status(status);
                for (name, value) in &headers {
                    reply = reply.header(*name, *value);
                }
                Box::pin(std::future::ready(Ok(reply
                    .body(Bytes::from_static(body.as_bytes()))
                    .unwrap())))
            });
    }
    (SharedTransport::new(transport), seen)
}
