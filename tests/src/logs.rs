//! A `tracing` writer into a shared buffer, to read back everything that was logged.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// A shared, growable buffer that a `tracing_subscriber::fmt` subscriber writes into.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// A new, empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A subscriber logging everything (TRACE), without colours, into this buffer. Install
    /// it with `tracing::subscriber::set_default` (per thread: use a current-thread runtime).
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(self.clone())
            .finish()
    }

    /// Captures every `tracing` event of this thread, at every level, into the buffer, until
    /// the guard is dropped. Use a current-thread runtime so that spawned tasks log here too.
    ///
    /// `tracing` caches, per call site and process-wide, whether any subscriber wants it. With
    /// a single scoped subscriber, call sites first reached on *other* threads (other tests)
    /// are judged by those threads' (absent) subscriber and cached as "never", and would then
    /// escape the capture. A second registered dispatcher makes `tracing` ask every registered
    /// subscriber instead; the rebuild fixes call sites registered before.
    pub fn capture(&self) -> CaptureGuard {
        let keep_many = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let guard = tracing::subscriber::set_default(self.subscriber());
        tracing::callsite::rebuild_interest_cache();
        CaptureGuard {
            _guard: guard,
            _keep_many: keep_many,
        }
    }

    /// Everything written so far, as text.
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Keeps a [`LogBuffer::capture`] going; dropping it ends the capture.
pub struct CaptureGuard {
    _guard: tracing::subscriber::DefaultGuard,
    _keep_many: tracing::Dispatch,
}
