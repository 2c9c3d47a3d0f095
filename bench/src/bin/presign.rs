//! `bench-presign --endpoint URL --project-id P --ak AK --ids-file F --out FILE` (SK from
//! `HUAWEICLOUD_SDK_SK`): signs, ahead of time, one DELETE per id of F with the headers
//! `api-client` signs (Host, Content-Type, User-Agent, X-Project-Id, X-Sdk-Date), so that wrk
//! can replay them (`bench/wrk/delete.lua ... signed`) and the emulator verifies the same
//! signatures as for the CLI, while the load generator spends nothing on signing. The dates
//! are now: the requests are valid for the emulator's clock-skew window (15 minutes).
//!
//! Each line of FILE: the id, then header name and value pairs, all separated by tabs.

use std::io::{BufWriter, Write as _};

use api_auth::{AccessKey, Signer};
use bench::{Failure, Flags, main_with};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderValue, Request, Uri};

fn main() -> std::process::ExitCode {
    main_with("bench-presign", run)
}

fn run() -> Result<(), Failure> {
    let flags = Flags::from_env()?;
    let sk = std::env::var("HUAWEICLOUD_SDK_SK")
        .map_err(|_| Failure("set HUAWEICLOUD_SDK_SK".to_owned()))?;
    let key = AccessKey::new(flags.required("ak")?, sk.as_str());
    let endpoint: Uri = flags.required("endpoint")?.parse()?;
    let authority = endpoint
        .authority()
        .ok_or_else(|| Failure("--endpoint has no host".to_owned()))?
        .as_str()
        .to_owned();
    let project = flags.required("project-id")?;
    let ids = std::fs::read_to_string(flags.required("ids-file")?)?;
    let signer = Signer::new();
    let mut out = BufWriter::new(std::fs::File::create(flags.required("out")?)?);
    for id in ids.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut request = Request::delete(format!(
            "http://{authority}/v2/{project}/processor-tasks/{id}"
        ))
        .body(Bytes::new())?;
        let headers = request.headers_mut();
        headers.insert(HOST, HeaderValue::from_str(&authority)?);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(api_client::USER_AGENT));
        headers.insert("x-project-id", HeaderValue::from_str(project)?);
        signer
            .sign(&mut request, &key)
            .map_err(|e| Failure(e.to_string()))?;
        write!(out, "{id}")?;
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| Failure(format!("header {name} is not text")))?;
            write!(out, "\t{name}\t{value}")?;
        }
        writeln!(out)?;
    }
    out.flush().map_err(Failure::from)
}
