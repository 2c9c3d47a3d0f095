//! Identifiers: `TaskId` and `ProjectId` `FromStr` on arbitrary text; an accepted task id always
//! builds a path with exactly one segment in its place, which decodes back to the id.
#![no_main]

use api_model::{DeleteProcessorTask, Endpoint, Operation, ProjectId, TaskId};
use libfuzzer_sys::fuzz_target;

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";

/// The bound api-model's own property test promises for an id error message. A fuzz find
/// (escapes counted after the cut) once broke it; tests/interop/tests/fuzz_regressions.rs keeps
/// it fixed.
const MESSAGE_BOUND: usize = 400;

fn percent_decode(segment: &str) -> Vec<u8> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII");
            out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    // ProjectId: exactly 32 lowercase ASCII letters and digits.
    let valid_project = text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    match text.parse::<ProjectId>() {
        Ok(project) => {
            assert!(valid_project, "accepted {text:?}");
            assert_eq!(project.as_str(), text);
        }
        Err(e) => {
            assert!(!valid_project, "refused {text:?}: {e}");
            assert!(e.to_string().chars().count() < MESSAGE_BOUND);
        }
    }

    // TaskId: when accepted, the built path has exactly five segments and the last is the id.
    match text.parse::<TaskId>() {
        Ok(task) => {
            assert!(!text.is_empty() && text.len() <= TaskId::MAX_LEN);
            let op = DeleteProcessorTask::new(PROJECT.parse().expect("valid"), task);
            let path = op.path();
            let segments: Vec<&str> = path.split('/').collect();
            assert_eq!(segments.len(), 5, "{path}");
            assert_eq!(
                &segments[..4],
                ["", "v2", PROJECT, "processor-tasks"],
                "{path}"
            );
            let segment = segments[4];
            assert!(
                !segment.is_empty() && segment != "." && segment != "..",
                "{path}"
            );
            assert!(
                segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{path}"
            );
            assert_eq!(percent_decode(segment), text.as_bytes(), "{path}");
            let endpoint: Endpoint = "https://modelarts.eu-de.otc.t-systems.com"
                .parse()
                .expect("valid endpoint");
            let request = op
                .build_request(&endpoint)
                .expect("an accepted id always builds");
            assert_eq!(request.uri().path(), path);
            assert!(request.uri().query().is_none());
        }
        Err(e) => {
            assert!(e.to_string().chars().count() < MESSAGE_BOUND);
        }
    }
});
