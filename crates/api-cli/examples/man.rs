//! Writes the man pages into the directory given (what `cargo xtask man` runs).
#![allow(clippy::print_stdout, clippy::print_stderr)] // a developer tool, not the CLI

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: man DIR");
        return ExitCode::from(2);
    };
    match api_cli::man::write_pages(&dir) {
        Ok(pages) => {
            for page in pages {
                println!("{}", page.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the man pages into {}: {e}",
                dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
