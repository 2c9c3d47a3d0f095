//! What a pipe on stdout still holds unread: the bytes a reader that went away never got.
//!
//! When the reader of a pipe closes it, the kernel drops what it had not read yet, although
//! every write of it succeeded. On Linux the writer can still ask how much that was
//! (`FIONREAD` on its own end), so the lines can be written again somewhere they are seen.

/// Asks the pipe on stdout how many bytes it holds unread.
#[derive(Debug)]
pub struct UnreadProbe {
    capacity: usize,
}

impl UnreadProbe {
    /// A probe for stdout, when stdout is a pipe on Linux; `None` otherwise (a file or a
    /// terminal loses nothing, and other systems cannot tell).
    pub fn stdout() -> Option<Self> {
        #[cfg(target_os = "linux")]
        {
            // Only a pipe has a pipe size.
            let capacity = rustix::pipe::fcntl_getpipe_size(std::io::stdout()).ok()?;
            Some(Self { capacity })
        }
        #[cfg(not(target_os = "linux"))]
        None
    }

    /// The pipe's capacity: the most it can hold unread.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many bytes written to the pipe were never read.
    pub fn unread(&self) -> Option<usize> {
        #[cfg(target_os = "linux")]
        {
            let unread = rustix::io::ioctl_fionread(std::io::stdout()).ok()?;
            usize::try_from(unread).ok()
        }
        #[cfg(not(target_os = "linux"))]
        None
    }
}
