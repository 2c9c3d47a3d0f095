//! Signs one DELETE many times: a fixed workload for profilers (`valgrind --tool=callgrind`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use api_auth::{AccessKey, SdkDate, Signer};
use http::{HeaderMap, HeaderValue, Method, Uri};

fn main() {
    let count: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let uri: Uri = "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr"
        .parse()
        .unwrap();
    let key = AccessKey::new(
        "HPUAEXAMPLEAK0000001",
        "sk-0123456789abcdefghijklmnopqrstuvwxyz0123",
    );
    let signer = Signer::new();
    let date = SdkDate::from_unix_seconds(1_795_867_200).unwrap();
    let mut last = HeaderValue::from_static("");
    for _ in 0..count {
        let mut headers = HeaderMap::new();
        headers.insert(
            "host",
            HeaderValue::from_static("modelarts.cn-north-4.myhuaweicloud.com"),
        );
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert(
            "x-project-id",
            HeaderValue::from_static("a4a5d4098fb4474fa22cd05f897d6b99"),
        );
        headers.insert(
            "user-agent",
            HeaderValue::from_static("modelarts-processor-tasks-rust/0.1.0"),
        );
        signer
            .sign_parts(&Method::DELETE, &uri, &mut headers, b"", &key, date)
            .unwrap();
        last = headers["authorization"].clone();
    }
    println!("{count} signatures, last {}", last.len());
}
