//! Item 5: a table of hostile task ids and project ids. Each is refused before any I/O with an
//! error naming the rule, or sent as exactly one encoded segment that deletes that task only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_client::{Client, Credentials, DeletionStatus, Error, InvalidInput, RetryPolicy};
use api_emulator::{Emulator, seeded_tasks};
use api_model::{IdKind, IdRule, InvalidId, TaskId};
use api_transport::SharedTransport;
use e2e_tests::*;
use percent_encoding::percent_decode_str;

/// Tasks a path-changing bug would hit: `a` (from `a?b`, `a#b`, `a;b`, look-alikes of `a`),
/// `b` (from `a/../b`, `..%2Fb`), `ab` and `abc` (from ids with invisible characters
/// stripped), upper-case twins. No test id below is one of them.
pub(crate) const DECOYS: [&str; 9] = ["a", "b", "c", "ab", "abc", "A", "B", "x", "xx"];

/// The emulator holding the decoys and 20 ordinary tasks, and a client without retries.
pub(crate) struct Harness {
    pub(crate) emu: Emulator,
    pub(crate) client: Client,
    baseline: usize,
}

impl Harness {
    pub(crate) async fn start() -> Self {
        let emu = emulator()
            .with_tasks(&project(), DECOYS.map(task))
            .with_tasks(&project(), seeded_tasks(&project(), 20, 5))
            .start()
            .await
            .unwrap();
        let client = client_builder(
            &emu.endpoint(),
            Credentials::ak_sk(AK, SK),
            SharedTransport::new(http_transport()),
        )
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
        let baseline = emu.store().count(&project());
        Self {
            emu,
            client,
            baseline,
        }
    }

    /// Seeds a task with id `id`, deletes it through the client, and checks that exactly one
    /// request went out, as one encoded segment that decodes to `id`, and that nothing else
    /// was deleted.
    pub(crate) async fn delete_one(&self, id: &TaskId) {
        let store = self.emu.store();
        let seeded = store.insert(&project(), task(id.as_str()));
        let is_decoy = !seeded;
        assert!(
            seeded || DECOYS.contains(&id.as_str()),
            "test bug: {id:?} already in the store"
        );
        let paths_before = self.emu.received_paths().len();
        let deleted_before = self.emu.stats().tasks_deleted;

        let deletion = self
            .client
            .delete_processor_task(id)
            .await
            .unwrap_or_else(|e| panic!("{id:?} was not deleted: {e}"));
        assert_eq!(deletion.status, DeletionStatus::Deleted, "{id:?}");
        assert_eq!(deletion.attempts, 1, "{id:?}");

        let paths = self.emu.received_paths();
        assert_eq!(
            paths.len(),
            paths_before + 1,
            "{id:?}: not exactly one request"
        );
        assert_one_segment(&paths[paths_before], id.as_str());
        assert_eq!(self.emu.stats().tasks_deleted, deleted_before + 1, "{id:?}");
        assert!(!store.contains(&project(), id), "{id:?} is still there");
        if is_decoy {
            assert!(store.insert(&project(), task(id.as_str())));
        }
        self.assert_untouched();
    }

    /// The store holds what it held at the start: every decoy, and the baseline count.
    pub(crate) fn assert_untouched(&self) {
        let store = self.emu.store();
        for decoy in DECOYS {
            assert!(
                store.contains(&project(), &task_id(decoy)),
                "decoy {decoy:?} was deleted"
            );
        }
        assert_eq!(store.count(&project()), self.baseline);
    }
}

/// `path` is `/v2/{PROJECT}/processor-tasks/{segment}` where the segment is non-empty, holds
/// only unreserved characters and `%XX` escapes, and percent-decodes to `id`.
pub(crate) fn assert_one_segment(path: &str, id: &str) {
    let prefix = format!("/v2/{PROJECT}/processor-tasks/");
    let segment = path
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{id:?}: path {path:?} does not start with {prefix:?}"));
    assert!(!segment.is_empty(), "{id:?}: empty segment in {path:?}");
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .unwrap_or_else(|| panic!("{path:?}"));
                assert!(
                    hex.iter()
                        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)),
                    "{id:?}: bad escape in {path:?}"
                );
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => i += 1,
            other => panic!("{id:?}: raw byte {other:#04x} in the segment of {path:?}"),
        }
    }
    assert_eq!(
        percent_decode_str(segment).decode_utf8().unwrap(),
        id,
        "{id:?}: {path:?} decodes to another id"
    );
}

/// The name of a rule, to compare expectations with.
pub(crate) fn rule_name(rule: &IdRule) -> &'static str {
    match rule {
        IdRule::Empty => "Empty",
        IdRule::WrongLength { .. } => "WrongLength",
        IdRule::NotLowercaseAlphanumeric { .. } => "NotLowercaseAlphanumeric",
        IdRule::TooLong { .. } => "TooLong",
        IdRule::DotSegment => "DotSegment",
        IdRule::PathSeparator { .. } => "PathSeparator",
        IdRule::ControlCharacter { .. } => "ControlCharacter",
        IdRule::Whitespace { .. } => "Whitespace",
        IdRule::InvisibleCharacter { .. } => "InvisibleCharacter",
        _ => "other",
    }
}

/// What the message of each rule says, so the user learns which rule was broken.
fn rule_phrase(name: &str) -> &'static str {
    match name {
        "Empty" => "it is empty",
        "WrongLength" => "a project id has exactly 32",
        "NotLowercaseAlphanumeric" => "is not a lowercase ASCII letter or digit",
        "TooLong" => "bytes long, and the limit is 128 bytes",
        "DotSegment" => "relative path segments",
        "PathSeparator" => "is a path separator",
        "ControlCharacter" => "control character",
        "Whitespace" => "whitespace",
        "InvisibleCharacter" => "invisible character",
        other => panic!("no phrase for rule {other}"),
    }
}

/// The error names its kind and its rule, and is safe to print: short, one line, with no
/// control or bidirectional characters of the input.
pub(crate) fn assert_names_rule(error: &InvalidId, kind: IdKind, rule: &str) {
    assert_eq!(error.kind(), kind, "{error}");
    assert_eq!(rule_name(error.rule()), rule, "{error}");
    let message = error.to_string();
    let kind_text = match kind {
        IdKind::ProjectId => "invalid project id",
        _ => "invalid task id",
    };
    assert!(message.starts_with(kind_text), "{message}");
    assert!(message.contains(rule_phrase(rule)), "{message}");
    assert!(
        message.len() < 400,
        "message not shortened: {} bytes",
        message.len()
    );
    assert!(
        !message
            .chars()
            .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)),
        "message carries raw control characters: {message:?}"
    );
}

/// The hostile task ids, each with the rule that refuses it (`None`: sent as one segment).
fn hostile_task_ids() -> Vec<(String, Option<&'static str>)> {
    let sent = |id: &str| (id.to_owned(), None);
    let refused = |id: &str, rule: &'static str| (id.to_owned(), Some(rule));
    vec![
        refused("/", "PathSeparator"),
        refused("..", "DotSegment"),
        refused(".", "DotSegment"),
        sent("%2F"),
        sent("%2e%2e"),
        sent("%2E%2E%2F"),
        sent("?"),
        sent("#"),
        refused(" ", "Whitespace"),
        refused("a b", "Whitespace"),
        refused(" a", "Whitespace"),
        refused("a\u{3000}", "Whitespace"),
        refused("a\u{2028}b", "Whitespace"),
        refused("a\r\nb", "ControlCharacter"),
        refused("\r\n", "ControlCharacter"),
        refused("a\0b", "ControlCharacter"),
        refused("\t", "ControlCharacter"),
        refused("\u{7f}", "ControlCharacter"),
        refused("a\u{85}", "ControlCharacter"),
        sent("\u{FF0F}"),   // fullwidth solidus
        sent("\u{2215}"),   // division slash
        sent("\u{2044}b"),  // fraction slash
        sent("\u{0430}bc"), // Cyrillic а + bc: looks like the decoy "abc"
        sent("\u{FF41}"),   // fullwidth a: NFKC-normalizes to the decoy "a"
        refused("\u{202E}abc", "InvisibleCharacter"),
        refused("abc\u{200F}", "InvisibleCharacter"),
        refused("a\u{200B}b", "InvisibleCharacter"),
        refused("\u{FEFF}abc", "InvisibleCharacter"),
        refused("\u{1F5D1}\u{FE0F}", "InvisibleCharacter"), // wastebasket + variation selector
        sent("\u{1F4A5}"),                                  // emoji
        refused(&"x".repeat(10_000), "TooLong"),
        refused(&"x".repeat(129), "TooLong"),
        sent(&"x".repeat(128)),
        sent(&"\u{e9}".repeat(64)), // 128 bytes of é
        refused("", "Empty"),
        sent("%00"),
        sent("..%2F..%2F"),
        sent("..%2Fb"),
        sent("%c0%af"), // overlong UTF-8 slash
        sent("%u002F"),
        sent("%"),
        sent("%%32%46"),
        sent("a%20"),
        sent("b%2F"),
        refused("a/../b", "PathSeparator"),
        refused("b/", "PathSeparator"),
        refused("\\", "PathSeparator"),
        refused("..\\..\\b", "PathSeparator"),
        sent(";"),
        sent("a;b"),
        sent("&"),
        sent("="),
        sent("+"),
        sent("@"),
        sent(":"),
        sent("a?b"),
        sent("a#b"),
        sent("*"),
        sent("~"),
        sent("..."),
        sent(".a"),
        sent("b."),
        sent("items"),
        sent("processor-tasks"),
        sent("$(id)"),
        sent("'\"<script>"),
        sent("SNEJua7qdZZN8GvkcEr"),
    ]
}

/// The hostile project ids; every one breaks the 32-of-`[a-z0-9]` rule.
fn hostile_project_ids() -> Vec<(String, &'static str)> {
    let p = PROJECT;
    vec![
        (String::new(), "Empty"),
        ("/".to_owned(), "NotLowercaseAlphanumeric"),
        ("..".to_owned(), "NotLowercaseAlphanumeric"),
        ("%2F".to_owned(), "NotLowercaseAlphanumeric"),
        (p[..31].to_owned(), "WrongLength"),
        (format!("{p}0"), "WrongLength"),
        ("a".repeat(10_000), "WrongLength"),
        (p.to_uppercase(), "NotLowercaseAlphanumeric"),
        (
            format!("{}/{}", &p[..16], &p[17..]),
            "NotLowercaseAlphanumeric",
        ),
        (format!("{}%2F", &p[..29]), "NotLowercaseAlphanumeric"),
        (
            format!("{p}/../{OTHER_PROJECT}"),
            "NotLowercaseAlphanumeric",
        ),
        (format!("\u{0430}{}", &p[1..]), "NotLowercaseAlphanumeric"),
        (format!("{}\u{FF11}", &p[..31]), "NotLowercaseAlphanumeric"),
        (format!("{}\n", &p[..31]), "NotLowercaseAlphanumeric"),
        (format!(" {}", &p[1..]), "NotLowercaseAlphanumeric"),
        (format!("{}\u{200B}", &p[..31]), "NotLowercaseAlphanumeric"),
        (format!("{}?", &p[..31]), "NotLowercaseAlphanumeric"),
    ]
}

#[tokio::test]
async fn hostile_task_ids_are_refused_or_sent_as_exactly_one_segment() {
    let harness = Harness::start().await;
    let table = hostile_task_ids();
    assert!(table.len() >= 30);
    let (mut refused, mut sent) = (0, 0);
    for (raw, expected) in &table {
        let requests_before = harness.emu.stats().requests_received;
        match (raw.parse::<TaskId>(), expected) {
            (Err(error), Some(rule)) => {
                assert_names_rule(&error, IdKind::TaskId, rule);
                assert_eq!(harness.emu.stats().requests_received, requests_before);
                refused += 1;
            }
            (Ok(id), None) => {
                assert_eq!(id.as_str(), raw);
                harness.delete_one(&id).await;
                assert_eq!(harness.emu.stats().requests_received, requests_before + 1);
                sent += 1;
            }
            (Err(error), None) => panic!("{raw:?} should be sent, but was refused: {error}"),
            (Ok(_), Some(rule)) => panic!("{raw:?} should be refused ({rule}), but was accepted"),
        }
        harness.assert_untouched();
    }
    eprintln!(
        "hostile task ids: {} tried, {refused} refused before any I/O, {sent} sent as one segment",
        table.len()
    );
    let stats = harness.emu.stats();
    assert_eq!(stats.requests_received, sent);
    assert_eq!(stats.tasks_deleted, sent);
    harness.emu.shutdown().await;
}

#[tokio::test]
async fn hostile_project_ids_are_refused_before_any_io() {
    let harness = Harness::start().await;
    let table = hostile_project_ids();
    for (raw, rule) in &table {
        let built = Client::builder()
            .endpoint(&harness.emu.endpoint())
            .project_id(raw)
            .credentials(Credentials::ak_sk(AK, SK))
            .transport(http_transport())
            .build();
        let error = match built {
            Ok(client) => panic!("{raw:?} was accepted as a project id: {client:?}"),
            Err(error) => error,
        };
        let Error::InvalidInput(InvalidInput::Id(id_error)) = &error else {
            panic!("{raw:?}: expected InvalidInput::Id, got {error:?}");
        };
        assert_names_rule(id_error, IdKind::ProjectId, rule);
        assert_eq!(error.attempts(), 0);
        assert!(!error.request_may_have_been_sent());
        assert!(
            error
                .to_string()
                .starts_with("invalid input, nothing was sent"),
            "{error}"
        );
    }
    eprintln!(
        "hostile project ids: {} tried, all refused before any I/O",
        table.len()
    );
    assert_eq!(harness.emu.stats().requests_received, 0);
    harness.assert_untouched();
    harness.emu.shutdown().await;
}
