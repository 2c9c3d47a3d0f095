//! Copies the README's library example (the block after `<!-- readme-example`) into
//! `$OUT_DIR/readme_example.rs`, hidden `# ` lines shown, for `tests/readme.rs` to run.

use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let readme = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("../../README.md");
    println!("cargo::rerun-if-changed={}", readme.display());
    let text = fs::read_to_string(&readme)?;
    let after_marker = text
        .split_once("<!-- readme-example")
        .ok_or("README.md has no `<!-- readme-example` marker")?
        .1;
    let block = after_marker
        .split_once("```rust")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .ok_or("no ```rust block after the marker")?
        .0;
    let code: String = block
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(hidden) => hidden,
            None if line == "#" => "",
            None => line,
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    fs::write(
        PathBuf::from(env::var("OUT_DIR")?).join("readme_example.rs"),
        code,
    )?;
    Ok(())
}
