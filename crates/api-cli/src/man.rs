//! Man pages: one for `processor-tasks` and one for each subcommand, from the same definition
//! as `--help` (written by `cargo xtask man`).

use std::{
    io,
    path::{Path, PathBuf},
};

use clap::CommandFactory;

use crate::cli::Cli;

/// Writes `processor-tasks.1`, `processor-tasks-delete.1`, … into `dir` (created if needed)
/// and returns their paths, sorted.
pub fn write_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)?;
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "1") {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_for_the_command_and_each_subcommand() {
        let dir = tempfile::tempdir().unwrap();
        let pages = write_pages(dir.path()).unwrap();
        let names: Vec<String> = pages
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for name in [
            "processor-tasks.1",
            "processor-tasks-delete.1",
            "processor-tasks-list.1",
            "processor-tasks-show.1",
            #[cfg(feature = "emulator")]
            "processor-tasks-demo.1",
            #[cfg(feature = "emulator")]
            "processor-tasks-emulator.1",
            "processor-tasks-completions.1",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
        }
        #[cfg(not(feature = "emulator"))]
        for name in ["processor-tasks-demo.1", "processor-tasks-emulator.1"] {
            assert!(
                !names.iter().any(|n| n == name),
                "{name} without the emulator: {names:?}"
            );
        }
        let main = std::fs::read_to_string(dir.path().join("processor-tasks.1")).unwrap();
        assert!(main.starts_with(".ie") || main.contains(".TH"), "{main}");
        assert!(
            main.contains("Exit status"),
            "the exit codes are in the page"
        );
        let delete = std::fs::read_to_string(dir.path().join("processor-tasks-delete.1")).unwrap();
        for flag in ["if\\-exists", "failed\\-to", "resume", "where"] {
            assert!(delete.contains(flag), "{flag} missing from the delete page");
        }
        assert!(!names.iter().any(|n| n.contains("-help")), "{names:?}");
    }
}
