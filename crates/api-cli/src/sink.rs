//! `LineSink`: whole lines to stdout, buffered, and to stderr instead once stdout is closed,
//! so that no line is lost when the reader goes away.

use std::{
    collections::VecDeque,
    io::{self, Write},
};

use crate::pipe::UnreadProbe;

/// Buffers whole lines for `out` and writes them in large pieces. When writing to `out` fails
/// (the reader of a pipe went away), every line not known to have reached the reader goes to
/// `fallback` instead, and so does everything after: the lines not written in full and, when
/// `out` is a pipe with an [`UnreadProbe`], those the pipe accepted but its reader never read.
pub struct LineSink<O: Write, E: Write> {
    out: O,
    fallback: E,
    pending: Vec<u8>,
    closed: Option<io::ErrorKind>,
    /// With a probe: the last bytes written to `out`, as many as the pipe can hold unread.
    probe: Option<(UnreadProbe, VecDeque<u8>)>,
}

/// Flush when this much is pending: about 50 JSON records.
const FLUSH_AT: usize = 8 * 1024;

impl<O: Write, E: Write> LineSink<O, E> {
    /// Lines go to `out`, and to `fallback` once `out` fails.
    pub fn new(out: O, fallback: E) -> Self {
        Self {
            out,
            fallback,
            pending: Vec::with_capacity(FLUSH_AT),
            closed: None,
            probe: None,
        }
    }

    /// Asks `probe` what the pipe `out` never delivered, if writing to it fails.
    #[must_use]
    pub fn with_unread_probe(mut self, probe: Option<UnreadProbe>) -> Self {
        self.probe = probe.map(|probe| {
            let history = VecDeque::with_capacity(probe.capacity().min(1 << 20));
            (probe, history)
        });
        self
    }

    /// Remembers bytes the pipe accepted, as many as it can hold unread.
    fn remember(&mut self, bytes: &[u8]) {
        if let Some((probe, history)) = &mut self.probe {
            history.extend(bytes);
            let excess = history.len().saturating_sub(probe.capacity());
            history.drain(..excess);
        }
    }

    /// The lines the reader never got, from the start of the first one it did not read in
    /// full: bytes the pipe accepted but still held when its reader left.
    fn unread_lines(&mut self) -> Vec<u8> {
        let Some((probe, history)) = &mut self.probe else {
            return Vec::new();
        };
        let unread = probe.unread().unwrap_or(0).min(history.len());
        let first_unread = history.len() - unread;
        let from = history
            .range(..first_unread)
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        history.range(from..).copied().collect()
    }

    /// Writes `line` and a newline. Returns whether `out` is still open; an error only when
    /// `fallback` fails as well.
    pub fn line(&mut self, line: &str) -> io::Result<bool> {
        if self.closed.is_some() {
            writeln!(self.fallback, "{line}")?;
            return Ok(false);
        }
        self.pending.extend_from_slice(line.as_bytes());
        self.pending.push(b'\n');
        if self.pending.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(self.closed.is_none())
    }

    /// Writes what is pending to `out` (or, once it failed, to `fallback`), and flushes.
    /// Returns whether `out` is still open.
    pub fn flush(&mut self) -> io::Result<bool> {
        if self.closed.is_none() {
            let mut written = 0;
            while written < self.pending.len() {
                match self.out.write(&self.pending[written..]) {
                    Ok(0) => {
                        self.closed = Some(io::ErrorKind::WriteZero);
                        break;
                    }
                    Ok(n) => {
                        let accepted = self.pending[written..written + n].to_vec();
                        self.remember(&accepted);
                        written += n;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.closed = Some(e.kind());
                        break;
                    }
                }
            }
            if self.closed.is_none()
                && let Err(e) = self.out.flush()
            {
                // Nothing is known to have arrived: send everything again.
                self.closed = Some(e.kind());
                written = 0;
            }
            if self.closed.is_some() {
                if self.probe.is_some() {
                    // The pipe says which of the accepted bytes were never read: repeat the
                    // lines they belong to, then what it never accepted.
                    let mut again = self.unread_lines();
                    again.extend_from_slice(&self.pending[written..]);
                    self.pending = again;
                } else {
                    // A line cut short may have reached the reader only in part: repeat it
                    // whole.
                    let from = self.pending[..written]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    self.pending.drain(..from);
                }
            } else {
                self.pending.clear();
            }
        }
        if self.closed.is_some() {
            self.fallback.write_all(&self.pending)?;
            self.pending.clear();
            self.fallback.flush()?;
        }
        Ok(self.closed.is_none())
    }

    /// Why `out` failed, if it did.
    pub fn closed(&self) -> Option<io::ErrorKind> {
        self.closed
    }

    /// The fallback stream, for messages outside the lines.
    pub fn fallback(&mut self) -> &mut E {
        &mut self.fallback
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails as a closed pipe does.
    struct Pipe {
        got: Vec<u8>,
        room: usize,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            let n = buf.len().min(self.room);
            self.got.extend_from_slice(&buf[..n]);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn no_line_is_lost_when_the_pipe_closes_midway() {
        let lines: Vec<String> = (0..2_000).map(|i| format!("{{\"n\": {i}}}")).collect();
        let mut sink = LineSink::new(
            Pipe {
                got: Vec::new(),
                room: 10_000,
            },
            Vec::new(),
        );
        let mut open = true;
        for line in &lines {
            open &= sink.line(line).unwrap();
        }
        assert!(!sink.flush().unwrap());
        assert!(!open);
        assert_eq!(sink.closed(), Some(io::ErrorKind::BrokenPipe));
        let piped = String::from_utf8(sink.out.got.clone()).unwrap();
        let fell_back = String::from_utf8(sink.fallback.clone()).unwrap();
        // Whole lines on the pipe, then the rest (the cut line repeated whole) on the fallback.
        let whole: Vec<&str> = piped
            .split_inclusive('\n')
            .filter_map(|l| l.strip_suffix('\n'))
            .collect();
        let rest: Vec<&str> = fell_back.lines().collect();
        let mut seen: Vec<&str> = whole.clone();
        seen.extend(&rest);
        assert_eq!(seen, lines.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(whole.len() < lines.len() && !rest.is_empty());
    }

    #[test]
    fn an_open_pipe_gets_everything() {
        let mut sink = LineSink::new(
            Pipe {
                got: Vec::new(),
                room: usize::MAX,
            },
            Vec::new(),
        );
        for i in 0..3 {
            assert!(sink.line(&i.to_string()).unwrap());
        }
        assert!(sink.flush().unwrap());
        assert_eq!(sink.out.got, b"0\n1\n2\n");
        assert!(sink.fallback.is_empty());
    }
}
