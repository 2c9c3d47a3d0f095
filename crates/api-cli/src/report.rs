//! The account of a batch: a line per failure (or per task in JSON), and a summary at the end.

use std::{
    collections::BTreeMap,
    io::{self, Write},
    time::Duration,
};

use api_client::Error;
use serde::Serialize;
use serde_json::json;

use crate::{
    batch::{BatchStats, Outcome, Record, already_gone},
    cli::Output,
};

/// Counts of a batch.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Tasks deleted.
    pub deleted: u64,
    /// Tasks that were already gone (with `--if-exists`).
    pub already_gone: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Ids skipped as invalid.
    pub invalid: u64,
    /// Attempts beyond the first, over all tasks.
    pub retries: u64,
    /// Attempts answered 429.
    pub throttled: u64,
    /// Failures by `status code` (or by kind when there was no reply).
    pub failures: BTreeMap<String, u64>,
    /// Seconds from the first request to the last reply.
    pub elapsed_seconds: f64,
    /// Tasks processed per second.
    pub requests_per_second: f64,
    /// The lowest concurrency the adaptive limit went down to.
    pub lowest_concurrency: usize,
}

impl Summary {
    /// Counts one record.
    pub fn add(&mut self, record: &Record) {
        match &record.outcome {
            Outcome::Done(d) => {
                if already_gone(d) {
                    self.already_gone += 1;
                } else {
                    self.deleted += 1;
                }
                self.retries += u64::from(d.attempts.saturating_sub(1));
                self.throttled += u64::from(d.throttled);
            }
            Outcome::Failed(e) => {
                self.failed += 1;
                self.retries += u64::from(e.attempts().saturating_sub(1));
                *self.failures.entry(failure_key(e)).or_default() += 1;
            }
            Outcome::Invalid(_) => self.invalid += 1,
        }
    }

    /// Closes the account.
    pub fn finish(&mut self, elapsed: Duration, stats: BatchStats) {
        self.elapsed_seconds = elapsed.as_secs_f64();
        let processed = (self.deleted + self.already_gone + self.failed) as f64;
        self.requests_per_second = if self.elapsed_seconds > 0.0 {
            processed / self.elapsed_seconds
        } else {
            0.0
        };
        self.lowest_concurrency = stats.lowest_concurrency;
    }

    /// Whether every id succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.failed == 0 && self.invalid == 0
    }
}

/// `400 ModelArts.4700`, or the failure's kind when the service did not answer.
fn failure_key(e: &Error) -> String {
    match e.service_error() {
        Some(s) => format!("{} {}", s.status().as_u16(), s.code()),
        None => match e {
            Error::Transport { .. } => "transport".to_owned(),
            Error::Timeout { .. } => "timeout".to_owned(),
            Error::Decode { .. } => "unreadable reply".to_owned(),
            Error::Credentials(_) => "credentials".to_owned(),
            _ => "other".to_owned(),
        },
    }
}

/// Writes records and the summary in the chosen format.
pub struct Reporter<O: Write, E: Write> {
    format: Output,
    out: O,
    err: E,
}

impl<O: Write, E: Write> Reporter<O, E> {
    /// Writes results to `out` and, in text mode, failures to `err`.
    pub fn new(format: Output, out: O, err: E) -> Self {
        Self { format, out, err }
    }

    /// Reports one record: every record in JSON, failures only in text.
    pub fn record(&mut self, record: &Record) -> io::Result<()> {
        match self.format {
            Output::Json => writeln!(self.out, "{}", record_json(record)),
            Output::Text | Output::Table => match &record.outcome {
                Outcome::Failed(e) => {
                    let id = e
                        .request_id()
                        .map(|id| format!(" [request id {id}]"))
                        .unwrap_or_default();
                    writeln!(
                        self.err,
                        "error: {} {}: {e}{id}",
                        record.location, record.task_id
                    )
                }
                Outcome::Invalid(e) => writeln!(self.err, "skipped: {}: {e}", record.location),
                Outcome::Done(_) => Ok(()),
            },
        }
    }

    /// Reports what a dry run would delete.
    pub fn would_delete(
        &mut self,
        location: &crate::ids::Location,
        task_id: &str,
    ) -> io::Result<()> {
        match self.format {
            Output::Json => writeln!(
                self.out,
                "{}",
                json!({"task_id": task_id, "source": location.to_string(), "result": "would_delete"})
            ),
            Output::Text | Output::Table => writeln!(self.out, "would delete {task_id}"),
        }
    }

    /// Writes the summary.
    pub fn summary(&mut self, summary: &Summary) -> io::Result<()> {
        match self.format {
            Output::Json => writeln!(self.out, "{}", json!({ "summary": summary })),
            Output::Text | Output::Table => {
                let s = summary;
                writeln!(self.out, "deleted:       {}", s.deleted)?;
                writeln!(self.out, "already gone:  {}", s.already_gone)?;
                writeln!(self.out, "failed:        {}", s.failed)?;
                writeln!(self.out, "invalid:       {}", s.invalid)?;
                writeln!(
                    self.out,
                    "retries:       {} ({} throttled)",
                    s.retries, s.throttled
                )?;
                writeln!(self.out, "elapsed:       {:.2} s", s.elapsed_seconds)?;
                writeln!(
                    self.out,
                    "rate:          {:.0} requests/s",
                    s.requests_per_second
                )?;
                if s.lowest_concurrency > 0 {
                    writeln!(self.out, "concurrency:   lowest {}", s.lowest_concurrency)?;
                }
                for (key, count) in &s.failures {
                    writeln!(self.out, "failed with {key}: {count}")?;
                }
                Ok(())
            }
        }
    }

    /// Flushes the output stream (it may be buffered).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The error stream, for messages outside records.
    pub fn err(&mut self) -> &mut E {
        &mut self.err
    }
}

fn record_json(record: &Record) -> serde_json::Value {
    let source = record.location.to_string();
    match &record.outcome {
        Outcome::Done(d) => json!({
            "task_id": record.task_id,
            "source": source,
            "result": if already_gone(d) { "already_gone" } else { "deleted" },
            "attempts": d.attempts,
            "request_id": d.request_id,
        }),
        Outcome::Failed(e) => json!({
            "task_id": record.task_id,
            "source": source,
            "result": "failed",
            "attempts": e.attempts(),
            "status": e.service_error().map(|s| s.status().as_u16()),
            "code": e.code().map(|c| c.as_str().to_owned()),
            "error": e.to_string(),
            "retryable": e.is_retryable(),
            "request_id": e.request_id(),
        }),
        Outcome::Invalid(e) => json!({
            "task_id": record.task_id,
            "source": source,
            "result": "invalid",
            "error": e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Location;
    use api_client::Deletion;

    fn record(outcome: Outcome) -> Record {
        Record {
            location: Location::Argument(1),
            task_id: "t1".into(),
            outcome,
        }
    }

    #[test]
    fn json_lines_parse_and_summaries_count() {
        let failure = Error::Service {
            source: api_client::ServiceError::from_reply(
                http::StatusCode::FORBIDDEN,
                &http::HeaderMap::new(),
                br#"{"error_code":"ModelArts.4850","error_msg":"initializing"}"#,
            ),
            attempts: 1,
        };
        let records = [
            record(Outcome::Done(
                Deletion::deleted(Some("r1".into()), 2).with_throttled(1),
            )),
            record(Outcome::Done(Deletion::already_gone(None, 1))),
            record(Outcome::Failed(failure)),
            record(Outcome::Invalid(
                "..".parse::<api_model::TaskId>().unwrap_err(),
            )),
        ];
        let mut out = Vec::new();
        let mut reporter = Reporter::new(Output::Json, &mut out, Vec::new());
        let mut summary = Summary::default();
        for r in &records {
            reporter.record(r).unwrap();
            summary.add(r);
        }
        summary.finish(
            Duration::from_secs(2),
            BatchStats {
                sent: 3,
                lowest_concurrency: 4,
            },
        );
        reporter.summary(&summary).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["result"], "deleted");
        assert_eq!(lines[1]["result"], "already_gone");
        assert_eq!(lines[2]["code"], "ModelArts.4850");
        assert_eq!(lines[3]["result"], "invalid");
        let s = &lines[4]["summary"];
        assert_eq!(
            (
                s["deleted"].as_u64(),
                s["already_gone"].as_u64(),
                s["failed"].as_u64(),
                s["invalid"].as_u64()
            ),
            (Some(1), Some(1), Some(1), Some(1))
        );
        assert_eq!(s["retries"], 1);
        assert_eq!(s["throttled"], 1);
        assert_eq!(s["failures"]["403 ModelArts.4850"], 1);
        assert_eq!(s["requests_per_second"], 1.5);
        assert!(!summary.all_succeeded());
    }
}
