//! The account of a batch: a line per failure (or per task in JSON), and a summary at the end.

use std::{
    collections::BTreeMap,
    io::{self, Write},
    time::Duration,
};

use api_client::Error;
use serde::Serialize;

use crate::{
    batch::{BatchEnd, Outcome, Record, already_gone},
    cli::Output,
    error::for_people,
    interrupt::{Cause, Interrupts},
    records,
    sink::LineSink,
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
    /// Ids that came again later in the batch, and were not sent again.
    pub duplicates: u64,
    /// Requests in flight when the run stopped waiting: the task may or may not be deleted.
    pub unknown: u64,
    /// Ids skipped because the `--resume` file records them as deleted or already gone.
    pub done_before: u64,
    /// Ids never sent because the run stopped first.
    pub not_attempted: u64,
    /// Whether a signal or a closed stdout stopped the run early.
    pub interrupted: bool,
    /// What stopped it: `SIGINT`, `SIGTERM`, `stdout closed` or `output failed`.
    pub interrupted_by: Option<&'static str>,
    /// A failure every request would repeat (refused credentials, a wrong project, no
    /// connection) that stopped the batch at the first.
    pub stopped_early: Option<String>,
    /// Attempts beyond the first, over all tasks.
    pub retries: u64,
    /// Attempts answered 429 (or a throttling code).
    pub throttled: u64,
    /// The rate, in requests per second, the client's rate limiter paced deletes at when the
    /// run ended; `None` (JSON `null`) when the service never throttled (or with
    /// `--throttling aimd|off`).
    pub send_rate: Option<f64>,
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
            Outcome::GoneAfterFailure(e) => {
                self.deleted += 1;
                self.retries += u64::from(e.attempts().saturating_sub(1));
            }
            Outcome::Invalid(_) => self.invalid += 1,
            Outcome::Duplicate { .. } => self.duplicates += 1,
            Outcome::Unknown(_) | Outcome::Unconfirmed { .. } => self.unknown += 1,
        }
    }

    /// Closes the account.
    pub fn finish(&mut self, elapsed: Duration, end: &BatchEnd) {
        self.elapsed_seconds = elapsed.as_secs_f64();
        let processed = (self.deleted + self.already_gone + self.failed) as f64;
        self.requests_per_second = if self.elapsed_seconds > 0.0 {
            processed / self.elapsed_seconds
        } else {
            0.0
        };
        self.lowest_concurrency = end.stats.lowest_concurrency;
        self.not_attempted = end.not_attempted;
        self.done_before = end.done_before;
        self.interrupted = end.interrupted.is_some();
        self.interrupted_by = end.interrupted.map(Cause::as_str);
        self.stopped_early.clone_from(&end.doomed);
    }

    /// Whether every id succeeded and the run was not cut short.
    pub fn all_succeeded(&self) -> bool {
        self.failed == 0
            && self.invalid == 0
            && self.unknown == 0
            && self.not_attempted == 0
            && !self.interrupted
            && self.stopped_early.is_none()
    }
}

/// What the CLI can add to a failure: the flag that would have made it a success.
fn cli_hint(e: &Error) -> &'static str {
    match e.code() {
        Some(api_client::ErrorCode::TaskNotFound) => {
            " (--if-exists counts a task already gone as done)"
        }
        _ => "",
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

/// Writes records and the summary in the chosen format: data to stdout, and to stderr once
/// stdout is closed (which also stops the run, through `interrupts`).
pub struct Reporter<O: Write, E: Write> {
    format: Output,
    sink: LineSink<O, E>,
    interrupts: Option<Interrupts>,
}

impl Reporter<io::StdoutLock<'static>, io::Stderr> {
    /// Writes to stdout (and stderr), asking the pipe on stdout, if it is one, what its reader
    /// never read when it goes away.
    pub fn stdout(format: Output) -> Self {
        Self::new(format, io::stdout().lock(), io::stderr())
            .unread_probe(crate::pipe::UnreadProbe::stdout())
    }
}

impl<O: Write, E: Write> Reporter<O, E> {
    /// Writes results to `out` and, in text mode, failures to `err`.
    pub fn new(format: Output, out: O, err: E) -> Self {
        Self {
            format,
            sink: LineSink::new(out, err),
            interrupts: None,
        }
    }

    /// Lines that a pipe on `out` accepted but its reader never read are written again to
    /// `err` when the pipe closes: see [`LineSink::with_unread_probe`].
    #[must_use]
    pub fn unread_probe(mut self, probe: Option<crate::pipe::UnreadProbe>) -> Self {
        self.sink = self.sink.with_unread_probe(probe);
        self
    }

    /// Stops the run through `interrupts` when stdout closes.
    pub fn stopping(mut self, interrupts: &Interrupts) -> Self {
        self.interrupts = Some(interrupts.clone());
        self
    }

    fn data(&mut self, line: &str) -> io::Result<()> {
        let open = self.sink.line(line)?;
        self.note_closed(open);
        Ok(())
    }

    fn note_closed(&mut self, open: bool) {
        if !open && let Some(interrupts) = &self.interrupts {
            interrupts.stop(Cause::StdoutClosed);
        }
    }

    /// Reports one record: every record in JSON, failures only in text.
    pub fn record(&mut self, record: &Record) -> io::Result<()> {
        match self.format {
            Output::Json => self.data(&records::delete(record).to_string()),
            Output::Text | Output::Table => {
                let err = self.sink.fallback();
                match &record.outcome {
                    Outcome::Failed(e) => writeln!(
                        err,
                        "{} failed ({}): {}{}",
                        record.task_id,
                        record.location,
                        for_people(&e.to_string()),
                        cli_hint(e)
                    ),
                    Outcome::Invalid(e) => writeln!(err, "skipped: {}: {e}", record.location),
                    Outcome::Unknown(why) => writeln!(
                        err,
                        "{} unknown ({}): {why}",
                        record.task_id, record.location
                    ),
                    Outcome::Unconfirmed { .. } => writeln!(
                        err,
                        "{} unknown ({}): {}",
                        record.task_id,
                        record.location,
                        crate::records::unconfirmed(&record.outcome).unwrap_or_default()
                    ),
                    Outcome::Duplicate { first } => writeln!(
                        err,
                        "duplicate: {} {}: the same id as {first}; deleted once",
                        record.location, record.task_id
                    ),
                    Outcome::Done(_) | Outcome::GoneAfterFailure(_) => Ok(()),
                }
            }
        }
    }

    /// Reports what a dry run would delete.
    pub fn would_delete(
        &mut self,
        location: &crate::ids::Location,
        task_id: &str,
    ) -> io::Result<()> {
        let line = match self.format {
            Output::Json => records::would_delete(location, task_id).to_string(),
            Output::Text | Output::Table => format!("would delete {task_id}"),
        };
        self.data(&line)
    }

    /// Writes the summary of a `command` (`delete`, `demo`).
    pub fn summary(&mut self, command: &str, summary: &Summary) -> io::Result<()> {
        self.summary_with(command, summary, serde_json::Value::Null)
    }

    /// Writes the summary of a `command`, with `extra` fields in JSON (the demo's verification).
    pub fn summary_with(
        &mut self,
        command: &str,
        summary: &Summary,
        extra: serde_json::Value,
    ) -> io::Result<()> {
        match self.format {
            Output::Json => {
                let mut fields = serde_json::to_value(summary).unwrap_or_default();
                if let (serde_json::Value::Object(fields), serde_json::Value::Object(extra)) =
                    (&mut fields, extra)
                {
                    fields.extend(extra);
                }
                self.data(&records::summary(command, fields).to_string())
            }
            Output::Text | Output::Table => {
                let s = summary;
                let mut lines = vec![
                    format!("deleted:       {}", s.deleted),
                    format!("already gone:  {}", s.already_gone),
                    format!("failed:        {}", s.failed),
                    format!("invalid:       {}", s.invalid),
                ];
                for (label, n) in [
                    ("duplicates:    ", s.duplicates),
                    ("unknown:       ", s.unknown),
                    ("done before:   ", s.done_before),
                ] {
                    if n > 0 {
                        lines.push(format!("{label}{n}"));
                    }
                }
                if let Some(cause) = s.interrupted_by {
                    lines.push(format!(
                        "interrupted:   by {cause}; {} id(s) not attempted",
                        s.not_attempted
                    ));
                }
                if s.stopped_early.is_some() {
                    lines.push(format!(
                        "stopped:       at the first failure every request would repeat; {} id(s) not attempted",
                        s.not_attempted
                    ));
                }
                lines.push(format!(
                    "retries:       {} ({} throttled)",
                    s.retries, s.throttled
                ));
                lines.push(format!("elapsed:       {:.2} s", s.elapsed_seconds));
                lines.push(format!(
                    "rate:          {:.0} requests/s",
                    s.requests_per_second
                ));
                if let Some(rate) = s.send_rate {
                    lines.push(format!(
                        "paced at:      {rate:.1} requests/s (the service throttled)"
                    ));
                }
                if s.lowest_concurrency > 0 {
                    lines.push(format!("concurrency:   lowest {}", s.lowest_concurrency));
                }
                for (key, count) in &s.failures {
                    lines.push(format!("failed with {key}: {count}"));
                }
                for line in lines {
                    self.data(&line)?;
                }
                Ok(())
            }
        }
    }

    /// Ends a dry run: a summary object in JSON, a note on stderr otherwise.
    pub fn dry_run_summary(&mut self, would_delete: u64, invalid: u64) -> io::Result<()> {
        match self.format {
            Output::Json => self.data(
                &records::summary(
                    "delete",
                    serde_json::json!({"dry_run": true, "would_delete": would_delete, "invalid": invalid}),
                )
                .to_string(),
            ),
            Output::Text | Output::Table => {
                let err = self.sink.fallback();
                writeln!(
                    err,
                    "dry run: {would_delete} id(s) would be deleted, {invalid} skipped as invalid; nothing was sent"
                )
            }
        }
    }

    /// Writes a line of data that is not a record (the demo's own report).
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.data(text)
    }

    /// Writes out what is buffered (to stderr if stdout has closed).
    pub fn flush(&mut self) -> io::Result<()> {
        let open = self.sink.flush()?;
        self.note_closed(open);
        Ok(())
    }

    /// Whether stdout has closed.
    pub fn stdout_closed(&self) -> bool {
        self.sink.closed().is_some()
    }

    /// The error stream, for messages outside records.
    pub fn err(&mut self) -> &mut E {
        self.sink.fallback()
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
            &BatchEnd {
                stats: crate::batch::BatchStats {
                    sent: 3,
                    lowest_concurrency: 4,
                },
                ..BatchEnd::default()
            },
        );
        reporter.summary("delete", &summary).unwrap();
        reporter.flush().unwrap();
        drop(reporter);
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
        let s = &lines[4];
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
