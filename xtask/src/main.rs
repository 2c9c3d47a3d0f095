//! Developer automation for the workspace: `cargo xtask <command>`.

mod bench;
mod codegen;
mod conformance;
mod fuzz;
mod man;
mod test;
mod venv;

use std::{path::PathBuf, process::ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   generate crates/api-model/src/generated from spec/;
                      --check regenerates in memory and fails with a diff if the committed code differs
  test [ARGS...]      run every test of the workspace (sets up what the tests need first);
                      ARGS go to `cargo test`
  bench [--quick]     run every benchmark side by side and write BENCHMARKS.md
  fuzz --seconds N    run each coverage-guided fuzz target for N seconds
  conformance         check the emulator against spec/openapi.json with schemathesis
  man [DIR]           write the CLI's man pages into DIR (default target/man)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(&workspace_root(), codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(&workspace_root(), codegen::Mode::Check),
        ["test", extra @ ..] => test::run(&workspace_root(), extra),
        ["bench", rest @ ..] => bench::run(&workspace_root(), rest),
        ["fuzz", rest @ ..] => fuzz::run(&workspace_root(), rest),
        ["conformance", rest @ ..] => conformance::run(&workspace_root(), rest),
        ["man", rest @ ..] => man::run(&workspace_root(), rest),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
