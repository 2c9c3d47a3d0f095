//! Success replies: every generated operation's `parse_response` on arbitrary JSON bodies.
//!
//! Input: 1 byte choosing the operation, then the body. A reply either decodes or is a
//! `DecodeError`, never a panic; what decodes survives a round trip through its own JSON.
#![no_main]

use api_model::{
    CreateProcessorTask, CreateProcessorTaskVersion, DescProcessorTaskVersion,
    DescribeProcessorTask, GetProcessorTaskItems, ListProcessorTaskVersions, ListProcessorTasks,
    Operation, ResponseError,
};
use bytes::Bytes;
use http::Response;
use libfuzzer_sys::fuzz_target;

/// Decodes `body` as `O`'s 200 reply; if it decodes, its own JSON must decode to the same value.
fn round_trip<O>(body: &[u8])
where
    O: Operation,
    O::Output: serde::Serialize + PartialEq + std::fmt::Debug,
{
    let reply = Response::new(Bytes::copy_from_slice(body));
    match O::parse_response(&reply) {
        Ok(output) => {
            let json = serde_json::to_vec(&output).expect("a decoded reply serializes");
            let again = O::parse_response(&Response::new(Bytes::from(json)))
                .expect("a decoded reply's own JSON decodes");
            assert_eq!(again, output);
        }
        Err(ResponseError::Decode(e)) => {
            assert!(!e.to_string().is_empty());
        }
        Err(ResponseError::Service(e)) => panic!("a 200 is never a service error: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 7 {
        0 => round_trip::<ListProcessorTasks>(body),
        1 => round_trip::<DescribeProcessorTask>(body),
        2 => round_trip::<ListProcessorTaskVersions>(body),
        3 => round_trip::<DescProcessorTaskVersion>(body),
        4 => round_trip::<GetProcessorTaskItems>(body),
        5 => round_trip::<CreateProcessorTask>(body),
        _ => round_trip::<CreateProcessorTaskVersion>(body),
    }
});
