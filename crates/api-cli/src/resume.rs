//! `--resume`: the ids a previous run's JSON output records as done, to skip this time.

use std::{
    fs::File,
    io::{self, BufRead, BufReader},
    path::Path,
    sync::Arc,
};

use crate::{
    error::CliError,
    ids::{IdSet, Location},
};

/// The results that mean a task needs nothing more.
const DONE: [&str; 2] = ["deleted", "already_gone"];

/// Reads `path`, the JSON lines a previous `delete --output json` wrote, and returns the ids
/// recorded as deleted or already gone.
///
/// Other records (failed, unknown, invalid, duplicate…) and the summary are read and passed
/// over, so those ids are tried again. A line that is not a JSON object is an error naming
/// it, except a last line cut short (a run killed while writing), which is only warned about.
pub fn done_in(path: &Path) -> Result<IdSet, CliError> {
    let file = File::open(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the --resume file {}: {e}",
            path.display()
        ))
    })?;
    let source: Arc<str> = Arc::from(path.display().to_string());
    read_done(BufReader::new(file), &source)
}

fn read_done(reader: impl BufRead, source: &Arc<str>) -> Result<IdSet, CliError> {
    let mut done = IdSet::default();
    let mut lines = reader.split(b'\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let line = line.map_err(|e: io::Error| {
            CliError::Usage(format!("cannot read the --resume file {source}: {e}"))
        })?;
        let at = Location::Line {
            source: Arc::clone(source),
            line: i + 1,
        };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let record: serde_json::Value = match serde_json::from_str(text) {
            Ok(value @ serde_json::Value::Object(_)) => value,
            _ if lines.peek().is_none() => {
                crate::note!("warning: {at}: the last line is cut short; it is ignored");
                continue;
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "{at}: not a JSON record of `delete --output json`; nothing was deleted"
                )));
            }
        };
        // Records of earlier versions have no `kind`: a delete record is one with a result.
        if record
            .get("kind")
            .is_some_and(|kind| kind.as_str() != Some("delete"))
        {
            continue;
        }
        let result = record.get("result").and_then(serde_json::Value::as_str);
        let task_id = record.get("task_id").and_then(serde_json::Value::as_str);
        if let (Some(result), Some(task_id)) = (result, task_id)
            && DONE.contains(&result)
        {
            done.insert(task_id, &at);
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<IdSet, CliError> {
        read_done(text.as_bytes(), &Arc::from("run1.jsonl"))
    }

    #[test]
    fn deleted_and_already_gone_are_done_the_rest_is_tried_again() {
        let done = read(concat!(
            r#"{"kind": "delete", "task_id": "a", "result": "deleted"}"#,
            "\n",
            r#"{"kind": "delete", "task_id": "b", "result": "already_gone"}"#,
            "\n",
            r#"{"kind": "delete", "task_id": "c", "result": "failed", "code": "ModelArts.0010"}"#,
            "\n",
            r#"{"kind": "delete", "task_id": "d", "result": "unknown"}"#,
            "\n\n",
            r#"{"kind": "task", "task_id": "e", "status": "completed"}"#,
            "\n",
            r#"{"kind": "summary", "command": "delete", "deleted": 1}"#,
            "\n",
        ))
        .unwrap();
        assert!(done.contains("a") && done.contains("b"));
        assert!(!done.contains("c") && !done.contains("d"));
        assert_eq!(done.len(), 2);
    }

    #[test]
    fn records_of_earlier_versions_without_a_kind_count_too() {
        let done = read(concat!(
            r#"{"task_id": "a", "source": "ids.txt:1", "result": "deleted", "status": 200}"#,
            "\n",
            r#"{"task_id": "b", "result": "failed"}"#,
            "\n",
            r#"{"summary": true, "deleted": 1}"#,
            "\n",
        ))
        .unwrap();
        assert!(done.contains("a") && !done.contains("b"));
        assert_eq!(done.len(), 1);
    }

    #[test]
    fn a_cut_last_line_is_ignored_but_garbage_elsewhere_is_refused() {
        let done =
            read("{\"kind\": \"delete\", \"task_id\": \"a\", \"result\": \"deleted\"}\n{\"task_id\": \"b\", \"res")
                .unwrap();
        assert!(done.contains("a") && !done.contains("b"));
        let err = read(
            "deleted a\n{\"kind\": \"delete\", \"task_id\": \"b\", \"result\": \"deleted\"}\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("run1.jsonl:1"), "{err}");
        assert!(matches!(err, CliError::Usage(_)));
    }
}
