//! `--failed-to FILE`: the ids a batch did not delete, one per line, ready for `delete -f FILE`.

use std::{
    cell::RefCell,
    fs::File,
    io::{self, BufWriter, Write},
    path::{Path, PathBuf},
};

use crate::error::CliError;

/// Where the ids that did not succeed go. Created (empty) before anything is sent, so a path
/// that cannot be written is refused as bad usage; written as the records come.
#[derive(Debug)]
pub struct FailedTo {
    path: PathBuf,
    file: RefCell<BufWriter<File>>,
    error: RefCell<Option<io::Error>>,
}

impl FailedTo {
    /// Creates (or truncates) `path`, refusing it if it is the ids file being read.
    pub fn create(path: &Path, input: Option<&Path>) -> Result<Self, CliError> {
        if let Some(input) = input
            && same_file::is_same_file(path, input).unwrap_or(false)
        {
            return Err(CliError::Usage(format!(
                "--failed-to {} is the ids file being read: name another file; nothing was deleted",
                path.display()
            )));
        }
        let file = File::create(path).map_err(|e| {
            CliError::Usage(format!(
                "cannot write --failed-to {}: {e}; nothing was deleted",
                path.display()
            ))
        })?;
        Ok(Self {
            path: path.to_owned(),
            file: RefCell::new(BufWriter::new(file)),
            error: RefCell::new(None),
        })
    }

    /// Adds one id; the first write error is kept for [`FailedTo::finish`].
    pub fn note(&self, task_id: &str) {
        if let Err(e) = writeln!(self.file.borrow_mut(), "{task_id}") {
            self.error.borrow_mut().get_or_insert(e);
        }
    }

    /// Flushes the file, reporting the first error met while writing it.
    pub fn finish(self) -> Result<(), CliError> {
        let flushed = self
            .file
            .into_inner()
            .into_inner()
            .map_err(|e| e.into_error());
        match self.error.into_inner().map_or(flushed.map(drop), Err) {
            Ok(()) => Ok(()),
            Err(e) => Err(CliError::Failed(format!(
                "writing --failed-to {} failed: {e}",
                self.path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_ids_and_refuses_the_input_file() {
        let dir = tempfile::tempdir().unwrap();
        let ids = dir.path().join("ids.txt");
        std::fs::write(&ids, "a\n").unwrap();
        let err = FailedTo::create(&ids, Some(&ids)).unwrap_err();
        assert!(matches!(err, CliError::Usage(_)), "{err:?}");
        assert_eq!(std::fs::read_to_string(&ids).unwrap(), "a\n", "input kept");

        let out = dir.path().join("failed.txt");
        let failed = FailedTo::create(&out, Some(&ids)).unwrap();
        failed.note("x");
        failed.note("y");
        failed.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "x\ny\n");

        let missing_dir = dir.path().join("no/such/dir/failed.txt");
        let err = FailedTo::create(&missing_dir, None).unwrap_err();
        assert!(matches!(err, CliError::Usage(_)), "{err:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_reported() {
        let failed = FailedTo::create(Path::new("/dev/full"), None).unwrap();
        for _ in 0..10_000 {
            failed.note("0123456789abcdef0123456789abcdef");
        }
        let err = failed.finish().unwrap_err();
        assert!(matches!(err, CliError::Failed(_)), "{err:?}");
    }
}
