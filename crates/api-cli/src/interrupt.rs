//! Interruptions: SIGINT, SIGTERM or a closed stdout ask a run to stop; a second SIGINT to
//! stop waiting.

use std::{fmt, process::ExitCode};

use tokio::sync::watch;

/// What asked the run to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// The reader of stdout went away.
    StdoutClosed,
    /// Records could be written neither to stdout nor to stderr (the reader of stderr went
    /// away, or a disk is full): nothing more could be accounted for.
    OutputFailed,
}

impl Cause {
    /// The exit status of a run this ended: 128 plus the signal's number, as a shell reports a
    /// process the signal killed (SIGPIPE's for a closed stdout).
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Cause::Interrupt => 130,
            Cause::Terminate => 143,
            Cause::StdoutClosed | Cause::OutputFailed => 141,
        })
    }

    /// For the summary: `SIGINT`, `SIGTERM`, `stdout closed` or `output failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Interrupt => "SIGINT",
            Cause::Terminate => "SIGTERM",
            Cause::StdoutClosed => "stdout closed",
            Cause::OutputFailed => "output failed",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing asked it to stop.
    Running,
    /// Start nothing new; let what is in flight finish.
    Stopping(Cause),
    /// Stop waiting for what is in flight, too (a second SIGINT).
    Abandoning(Cause),
}

impl State {
    /// The first cause, if the run was asked to stop.
    pub fn cause(self) -> Option<Cause> {
        match self {
            State::Running => None,
            State::Stopping(cause) | State::Abandoning(cause) => Some(cause),
        }
    }
}

/// The run's interruptions: cheap to clone; every clone sees the same state.
#[derive(Debug, Clone)]
pub struct Interrupts {
    sender: std::sync::Arc<watch::Sender<State>>,
    receiver: watch::Receiver<State>,
}

impl Interrupts {
    /// Interruptions that only [`Interrupts::stop`] and [`Interrupts::abandon`] trigger (for
    /// tests, and commands that install no handler).
    pub fn manual() -> Self {
        let (sender, receiver) = watch::channel(State::Running);
        Self {
            sender: std::sync::Arc::new(sender),
            receiver,
        }
    }

    /// Takes over SIGINT and SIGTERM for this process: the first of either stops the run, a
    /// second SIGINT abandons what is in flight. Needs a Tokio runtime.
    pub fn install() -> std::io::Result<Self> {
        let interrupts = Self::manual();
        let handle = interrupts.clone();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut sigint = signal(SignalKind::interrupt())?;
            let mut sigterm = signal(SignalKind::terminate())?;
            tokio::spawn(async move {
                loop {
                    let cause = tokio::select! {
                        Some(()) = sigint.recv() => Cause::Interrupt,
                        Some(()) = sigterm.recv() => Cause::Terminate,
                        else => break,
                    };
                    handle.signal(cause);
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                handle.signal(Cause::Interrupt);
            }
        });
        Ok(interrupts)
    }

    /// A signal arrived: the first stops, a second SIGINT abandons.
    fn signal(&self, cause: Cause) {
        match self.state() {
            State::Running => self.stop(cause),
            State::Stopping(_) if cause == Cause::Interrupt => self.abandon(),
            _ => {}
        }
    }

    /// Asks the run to stop starting work (the first cause is kept).
    pub fn stop(&self, cause: Cause) {
        self.sender.send_if_modified(|state| match state {
            State::Running => {
                *state = State::Stopping(cause);
                true
            }
            _ => false,
        });
    }

    /// Asks the run to stop waiting for work in flight.
    pub fn abandon(&self) {
        self.sender.send_if_modified(|state| match *state {
            State::Running => {
                *state = State::Abandoning(Cause::Interrupt);
                true
            }
            State::Stopping(cause) => {
                *state = State::Abandoning(cause);
                true
            }
            State::Abandoning(_) => false,
        });
    }

    /// The state now.
    pub fn state(&self) -> State {
        *self.receiver.borrow()
    }

    /// Whether the run was asked to stop (or abandon).
    pub fn is_stopping(&self) -> bool {
        self.state() != State::Running
    }

    /// Resolves once the run is asked to stop; at once if it already was.
    pub async fn stopped(&self) -> Cause {
        let mut receiver = self.receiver.clone();
        match receiver.wait_for(|state| *state != State::Running).await {
            Ok(state) => state.cause().unwrap_or(Cause::Interrupt),
            // The sender lives as long as any clone of `self`: unreachable, but never resolve.
            Err(_) => std::future::pending().await,
        }
    }

    /// Resolves once the run is asked to abandon what is in flight.
    pub async fn abandoned(&self) {
        let mut receiver = self.receiver.clone();
        if receiver
            .wait_for(|state| matches!(state, State::Abandoning(_)))
            .await
            .is_err()
        {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_cause_stays_and_a_second_sigint_abandons() {
        let interrupts = Interrupts::manual();
        assert_eq!(interrupts.state(), State::Running);
        interrupts.signal(Cause::Terminate);
        assert_eq!(interrupts.stopped().await, Cause::Terminate);
        interrupts.signal(Cause::Terminate);
        assert_eq!(interrupts.state(), State::Stopping(Cause::Terminate));
        interrupts.signal(Cause::Interrupt);
        assert_eq!(interrupts.state(), State::Abandoning(Cause::Terminate));
        interrupts.abandoned().await;
    }

    #[test]
    fn exit_codes_are_128_plus_the_signal() {
        let code = |cause: Cause| format!("{:?}", cause.exit_code());
        assert_eq!(code(Cause::Interrupt), format!("{:?}", ExitCode::from(130)));
        assert_eq!(code(Cause::Terminate), format!("{:?}", ExitCode::from(143)));
        assert_eq!(
            code(Cause::StdoutClosed),
            format!("{:?}", ExitCode::from(141))
        );
    }

    #[tokio::test]
    async fn a_closed_stdout_stops_like_a_signal() {
        let interrupts = Interrupts::manual();
        let clone = interrupts.clone();
        clone.stop(Cause::StdoutClosed);
        assert!(interrupts.is_stopping());
        assert_eq!(interrupts.stopped().await, Cause::StdoutClosed);
    }
}
