//! `cargo xtask codegen [--check]`: generates api-model's operations and error codes from `spec/`.

mod emit;
mod error_codes;
mod operations;
mod schemas;
mod spec;
mod types;

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};

/// Where the generated files go, relative to the workspace root.
pub(crate) const GENERATED_DIR: &str = "crates/api-model/src/generated";
/// The OpenAPI document, relative to the workspace root.
pub(crate) const OPENAPI: &str = "spec/openapi.json";
/// The error-code table, relative to the workspace root.
pub(crate) const ERROR_CODES: &str = "spec/error-codes.json";

/// Whether to write the files or compare them with what is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Write,
    Check,
}

/// Generates the files and writes them, or checks the committed ones against them.
pub(crate) fn run(root: &Path, mode: Mode) -> Result<()> {
    let files = generate(root)?;
    let out_dir = root.join(GENERATED_DIR);
    match mode {
        Mode::Write => write(&out_dir, &files),
        Mode::Check => check(&out_dir, &files),
    }
}

/// Every generated file, by name, with its full text. Deterministic for the same spec.
pub(crate) fn generate(root: &Path) -> Result<BTreeMap<String, String>> {
    let openapi_text = read(&root.join(OPENAPI))?;
    let codes_text = read(&root.join(ERROR_CODES))?;
    let header = emit::Header::new(&openapi_text, &codes_text);

    let codes =
        error_codes::parse(&codes_text).with_context(|| format!("reading {ERROR_CODES}"))?;
    let operations =
        spec::parse(&openapi_text, &codes).with_context(|| format!("reading {OPENAPI}"))?;
    let raw: serde_json::Value = serde_json::from_str(&openapi_text)?;
    let schemas = schemas::parse(&raw["components"]["schemas"])
        .with_context(|| format!("reading the schemas of {OPENAPI}"))?;

    let mut files = BTreeMap::new();
    files.insert(
        "error_codes.rs".to_owned(),
        header.render(error_codes::render(&codes))?,
    );
    for op in &operations {
        files.insert(
            format!("{}.rs", op.module),
            header.render(operations::render(op, &codes, &schemas))?,
        );
    }
    files.insert(
        "types.rs".to_owned(),
        header.render(schemas::render(&schemas))?,
    );
    files.insert(
        "mod.rs".to_owned(),
        header.render(operations::render_mod(&operations))?,
    );
    Ok(files)
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn write(out_dir: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    for stale in rust_files(out_dir)? {
        let name = stale
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !files.contains_key(name) {
            fs::remove_file(&stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
            eprintln!("removed {}", stale.display());
        }
    }
    for (name, text) in files {
        let path = out_dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn check(out_dir: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    let mut problems = Vec::new();
    for (name, expected) in files {
        let path = out_dir.join(name);
        match fs::read_to_string(&path) {
            Ok(actual) if &actual == expected => {}
            Ok(actual) => {
                let diff = similar::TextDiff::from_lines(&actual, expected)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{} (committed)", path.display()),
                        &format!("{} (generated)", path.display()),
                    )
                    .to_string();
                problems.push(diff);
            }
            Err(_) => problems.push(format!("missing: {}\n", path.display())),
        }
    }
    for path in rust_files(out_dir)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !files.contains_key(name) {
            problems.push(format!(
                "not generated from the spec (stale or hand-written): {}\n",
                path.display()
            ));
        }
    }
    if problems.is_empty() {
        eprintln!(
            "codegen --check: {} generated files are up to date",
            files.len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprint!("{problem}");
    }
    bail!(
        "the generated code differs from the spec in {} place(s): generated files are never edited by hand; \
         change spec/ and run `cargo xtask codegen`",
        problems.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// A copy of the spec and the committed generated code in a temporary workspace.
    fn copy_of_workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in [OPENAPI, ERROR_CODES] {
            let to = dir.path().join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(workspace().join(file), to).unwrap();
        }
        let out = dir.path().join(GENERATED_DIR);
        fs::create_dir_all(&out).unwrap();
        for file in rust_files(&workspace().join(GENERATED_DIR)).unwrap() {
            fs::copy(&file, out.join(file.file_name().unwrap())).unwrap();
        }
        dir
    }

    #[test]
    fn committed_code_matches_the_spec() {
        run(&workspace(), Mode::Check).unwrap();
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(
            generate(&workspace()).unwrap(),
            generate(&workspace()).unwrap()
        );
    }

    #[test]
    fn check_fails_after_a_hand_edit_of_a_generated_file() {
        let dir = copy_of_workspace();
        run(dir.path(), Mode::Check).unwrap();
        let file = dir
            .path()
            .join(GENERATED_DIR)
            .join("delete_processor_task.rs");
        let text = fs::read_to_string(&file).unwrap();
        fs::write(
            &file,
            text.replace(
                "const IDEMPOTENT: bool = true",
                "const IDEMPOTENT: bool = false",
            ),
        )
        .unwrap();
        let err = run(dir.path(), Mode::Check).unwrap_err();
        assert!(err.to_string().contains("never edited by hand"), "{err}");
        // Regenerating repairs it.
        run(dir.path(), Mode::Write).unwrap();
        run(dir.path(), Mode::Check).unwrap();
    }

    #[test]
    fn check_fails_on_a_stray_file_and_after_a_spec_change() {
        let dir = copy_of_workspace();
        let stray = dir.path().join(GENERATED_DIR).join("stray.rs");
        fs::write(&stray, "// hand-written\n").unwrap();
        assert!(run(dir.path(), Mode::Check).is_err());
        fs::remove_file(&stray).unwrap();

        let spec = dir.path().join(OPENAPI);
        let text = fs::read_to_string(&spec).unwrap();
        fs::write(
            &spec,
            text.replace("Deleting a Processing Task", "Removing a Processing Task"),
        )
        .unwrap();
        assert!(run(dir.path(), Mode::Check).is_err());
    }

    #[test]
    fn unknown_error_codes_in_the_spec_are_refused() {
        let dir = copy_of_workspace();
        let spec = dir.path().join(OPENAPI);
        let text = fs::read_to_string(&spec).unwrap();
        fs::write(
            &spec,
            text.replace(
                "\"ModelArts.4850\", \"ModelArts.0210\"",
                "\"ModelArts.9999\"",
            ),
        )
        .unwrap();
        let err = format!("{:#}", generate(dir.path()).unwrap_err());
        assert!(err.contains("ModelArts.9999"), "{err}");
    }
}
