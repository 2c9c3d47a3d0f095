//! Users can unit-test their own code against `MockProcessorTasks`, with no network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_client::{Deletion, DeletionStatus, Error, MockProcessorTasks, ProcessorTasks, TaskId};

/// User code under test: deletes every id, counting those already gone.
async fn purge(api: &dyn ProcessorTasks, ids: &[TaskId]) -> Result<(usize, usize), Error> {
    let (mut deleted, mut gone) = (0, 0);
    for id in ids {
        match api.delete_processor_task_if_exists(id).await?.status {
            DeletionStatus::Deleted => deleted += 1,
            DeletionStatus::AlreadyGone => gone += 1,
            _ => {}
        }
    }
    Ok((deleted, gone))
}

#[tokio::test]
async fn user_code_runs_against_the_mock() {
    let mut api = MockProcessorTasks::new();
    api.expect_delete_processor_task_if_exists()
        .withf(|id| id.as_str() == "gone")
        .returning(|_| Ok(Deletion::already_gone(None, 1)));
    api.expect_delete_processor_task_if_exists()
        .returning(|_| Ok(Deletion::deleted(Some("rid".into()), 1)));
    let ids: Vec<TaskId> = ["a", "gone", "b"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(purge(&api, &ids).await.unwrap(), (2, 1));
}
