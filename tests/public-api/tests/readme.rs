//! The README's library example, copied from README.md by `build.rs` and run as written
//! against the emulator, with its settings given the way a user's machine gives them: in the
//! environment of a process of its own (this test binary, run again).
// The example prints what it found, as a user's program would.
#![allow(clippy::print_stdout)]

use std::process::Command;

use api_client::{ProjectId, TaskId};
use api_emulator::{Emulator, Task, TaskStatus};

include!(concat!(env!("OUT_DIR"), "/readme_example.rs"));

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
const TASK: &str = "SNEJua7qdZZN8GvkcEr";
/// Set in the child run: run the example rather than set it up.
const CHILD: &str = "PUBLIC_API_README_CHILD";

#[test]
fn the_readme_library_example_runs_against_the_emulator() -> Result<(), Box<dyn std::error::Error>>
{
    if std::env::var_os(CHILD).is_some() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(demo())?;
        return Ok(());
    }
    let project: ProjectId = PROJECT.parse()?;
    let task: TaskId = TASK.parse()?;
    let mut failed_cleaning = Task::new(
        "qSaudx2sbPvthHygckA".parse()?,
        "nightly",
        "sys_data_cleaning",
    );
    failed_cleaning.status = TaskStatus::Failed;
    let emulator = Emulator::builder()
        .ak_sk("AK", "SK", &project)
        .with_tasks(
            &project,
            [
                Task::new(task.clone(), "to delete", "sys_data_cleaning"),
                failed_cleaning,
            ],
        )
        .seed_mixed(&project, 30)
        .start_background(1)?;
    let home = std::env::temp_dir().join(format!("public-api-readme-{}", std::process::id()));
    let child = Command::new(std::env::current_exe()?)
        .args([
            "--exact",
            "--nocapture",
            "the_readme_library_example_runs_against_the_emulator",
        ])
        .env(CHILD, "1")
        .env(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emulator.endpoint(),
        )
        .env("HUAWEICLOUD_SDK_AK", "AK")
        .env("HUAWEICLOUD_SDK_SK", "SK")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("HUAWEICLOUD_SDK_METADATA_DISABLED", "true")
        .env("HOME", &home)
        .output()?;
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran the example: {stdout}"
    );
    assert!(
        !emulator.store().contains(&project, &task),
        "the example deletes {TASK}"
    );
    assert!(
        stdout.contains("qSaudx2sbPvthHygckA nightly created"),
        "the example lists failed cleaning tasks: {stdout}"
    );
    Ok(())
}
