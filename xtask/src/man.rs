//! `cargo xtask man [DIR]`: the CLI's man pages, rendered by clap_mangen (default `target/man`).

use std::{path::Path, process::Command};

use anyhow::{Result, bail};

/// Builds and runs the api-cli `man` example, which writes one page per command into `dir`.
/// (The example, not a dependency of xtask, so codegen still runs when the CLI does not build.)
pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    let dir = match args {
        [] => root.join("target").join("man"),
        // Relative to where it was asked, not to the workspace the example runs in.
        [dir] => std::env::current_dir()?.join(dir),
        _ => bail!("usage: cargo xtask man [DIR]"),
    };
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "-p",
            "modelarts-processor-tasks-cli",
            "--example",
            "man",
            "--",
        ])
        .arg(&dir)
        .status()?;
    if !status.success() {
        bail!("writing the man pages failed ({status})");
    }
    eprintln!(
        "man pages in {}: try `man -l {}`",
        dir.display(),
        dir.join("processor-tasks.1").display()
    );
    Ok(())
}
