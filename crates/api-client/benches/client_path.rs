//! The cost of the whole client path (build, sign, send, parse) over a transport that answers at once.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use api_client::{Client, Credentials};
use api_transport::{BoxFuture, Transport, TransportError};
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response};

/// Answers `200 { }` immediately, without I/O.
#[derive(Debug)]
struct Instant200;

impl Transport for Instant200 {
    fn send(
        &self,
        _request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        Box::pin(async {
            Ok(Response::builder()
                .status(200)
                .header("x-request-id", "b7c1e0f2-bench")
                .body(Bytes::from_static(b"{ }"))
                .unwrap())
        })
    }
}

fn client(credentials: Credentials) -> Client {
    Client::builder()
        .endpoint("https://modelarts.cn-north-4.myhuaweicloud.com")
        .project_id("a4a5d4098fb4474fa22cd05f897d6b99")
        .credentials(credentials)
        .transport(Instant200)
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let task = "SNEJua7qdZZN8GvkcEr".parse().unwrap();
    let aksk = client(Credentials::ak_sk(
        "HPUAEXAMPLEAK0000001",
        "sk-0123456789abcdefghijklmnopqrstuvwxyz0123",
    ));
    let token = client(Credentials::token("MIIT-example-token"));
    c.bench_function("client_delete_aksk_instant_transport", |b| {
        b.iter(|| {
            rt.block_on(aksk.delete_processor_task(black_box(&task)))
                .unwrap()
        })
    });
    c.bench_function("client_delete_token_instant_transport", |b| {
        b.iter(|| {
            rt.block_on(token.delete_processor_task(black_box(&task)))
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
