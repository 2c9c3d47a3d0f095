//! Item 5, extended by property tests: generated task and project ids, through the real
//! client and one emulator, are refused before I/O or sent as one segment, deleting nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;

use api_client::{Client, Credentials, Error, ErrorCode, InvalidInput, RetryPolicy};
use api_model::{IdKind, ProjectId, TaskId};
use api_transport::SharedTransport;
use e2e_tests::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::hostile::{DECOYS, Harness, assert_names_rule, rule_name};

const TASK_CASES: u32 = 256;
const PROJECT_CASES: u32 = 128;

/// A seeded runner: the same cases on every run, no persistence files.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Pieces that make paths change: separators, dots, escapes, query and fragment marks,
/// whitespace and control characters, look-alikes, invisible characters, and plain letters.
const PIECES: &[&str] = &[
    "/",
    "\\",
    ".",
    "..",
    "%",
    "%2F",
    "%2f",
    "%2e",
    "%2E",
    "%25",
    "%00",
    "2F",
    "?",
    "#",
    ";",
    "&",
    "=",
    "+",
    "@",
    ":",
    " ",
    "\t",
    "\r",
    "\n",
    "\0",
    "\u{7f}",
    "\u{85}",
    "\u{FF0F}",
    "\u{2215}",
    "\u{0430}",
    "\u{FF41}",
    "\u{202E}",
    "\u{200F}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{FE0F}",
    "\u{1F4A5}",
    "\u{e9}",
    "a",
    "b",
    "x",
    "A",
    "items",
    "~",
    "-",
    "_",
];

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(PIECES), 0..10).prop_map(|p| p.concat()),
        2 => any::<String>(),
        1 => "[ -~]{0,24}",
        1 => ".{100,140}",
    ]
}

#[test]
fn generated_task_ids_are_refused_or_deleted_alone() {
    let rt = runtime();
    let harness = rt.block_on(Harness::start());
    let (refused, sent) = (Cell::new(0u32), Cell::new(0u32));
    runner(TASK_CASES)
        .run(&hostile_string(), |raw| {
            let requests_before = harness.emu.stats().requests_received;
            match raw.parse::<TaskId>() {
                Err(error) => {
                    let rule = rule_name(error.rule());
                    prop_assert_ne!(rule, "other");
                    assert_names_rule(&error, IdKind::TaskId, rule);
                    prop_assert_eq!(harness.emu.stats().requests_received, requests_before);
                    refused.set(refused.get() + 1);
                }
                Ok(id) => {
                    prop_assert_eq!(id.as_str(), raw.as_str());
                    rt.block_on(harness.delete_one(&id));
                    sent.set(sent.get() + 1);
                }
            }
            harness.assert_untouched();
            Ok(())
        })
        .unwrap();
    eprintln!(
        "generated task ids: {TASK_CASES} cases, {} refused before any I/O, {} sent as one segment",
        refused.get(),
        sent.get()
    );
    assert!(
        refused.get() > 0 && sent.get() > 0,
        "the generator is one-sided"
    );
    assert_eq!(harness.emu.stats().requests_received, u64::from(sent.get()));
    rt.block_on(harness.emu.shutdown());
}

#[test]
fn generated_project_ids_are_refused_or_stopped_by_the_service() {
    let rt = runtime();
    let harness = rt.block_on(Harness::start());
    let transport = SharedTransport::new(http_transport());
    let strategy = prop_oneof![
        2 => "[a-z0-9]{32}",
        1 => "[a-z0-9/.%A-Z]{30,34}",
        2 => hostile_string(),
    ];
    let (refused, sent) = (Cell::new(0u32), Cell::new(0u32));
    runner(PROJECT_CASES)
        .run(&strategy, |raw| {
            let requests_before = harness.emu.stats().requests_received;
            let built = Client::builder()
                .endpoint(&harness.emu.endpoint())
                .project_id(&raw)
                .credentials(Credentials::ak_sk(AK, SK))
                .shared_transport(transport.clone())
                .retry_policy(RetryPolicy::disabled())
                .build();
            match (built, raw.parse::<ProjectId>()) {
                (Err(Error::InvalidInput(InvalidInput::Id(error))), Err(_)) => {
                    assert_names_rule(&error, IdKind::ProjectId, rule_name(error.rule()));
                    prop_assert_eq!(harness.emu.stats().requests_received, requests_before);
                    refused.set(refused.get() + 1);
                }
                (Ok(client), Ok(project)) if project.as_str() != PROJECT => {
                    // A well-formed project the credentials are not bound to: the request goes
                    // out as `/v2/{project}/processor-tasks/a` and the service refuses it.
                    let error = rt
                        .block_on(client.delete_processor_task(&task_id(DECOYS[0])))
                        .unwrap_err();
                    let service = error.service_error().expect("a service error");
                    prop_assert_eq!(service.status(), 403);
                    prop_assert_eq!(service.code(), &ErrorCode::ProjectIdMismatch);
                    let expected = format!("/v2/{project}/processor-tasks/a");
                    let paths = harness.emu.received_paths();
                    prop_assert_eq!(paths.last(), Some(&expected));
                    sent.set(sent.get() + 1);
                }
                // The one project the credentials are bound to: astronomically unlikely.
                (Ok(_), Ok(_)) => {}
                (built, parsed) => panic!(
                    "{raw:?}: the client and ProjectId disagree: {:?} vs {parsed:?}",
                    built.map(|_| "built")
                ),
            }
            harness.assert_untouched();
            Ok(())
        })
        .unwrap();
    eprintln!(
        "generated project ids: {PROJECT_CASES} cases, {} refused before any I/O, {} sent and refused with 403",
        refused.get(),
        sent.get()
    );
    assert!(
        refused.get() > 0 && sent.get() > 0,
        "the generator is one-sided"
    );
    assert_eq!(harness.emu.stats().tasks_deleted, 0);
    rt.block_on(harness.emu.shutdown());
}
