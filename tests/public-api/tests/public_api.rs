//! The public API from outside the workspace's crates, through `api-client` alone: building
//! requests and queries, reading replies, matching errors, and a hand-written fake of the
//! trait that implements only what it needs.

use std::sync::Mutex;

use api_client::{
    Client, CreateProcessorTaskRequest, Credentials, Deletion, Error, ErrorCode,
    ListProcessorTasksQuery, ProcessorTasks, ProjectId, SortOrder, TaskId, TaskStatus,
    TemplateParam, UpdateProcessorTaskRequest, pages,
};
use api_emulator::Emulator;

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";

async fn started() -> Result<(Emulator, Client), Box<dyn std::error::Error>> {
    let project: ProjectId = PROJECT.parse()?;
    let emulator = Emulator::builder()
        .ak_sk("AK", "SK", &project)
        .seed_mixed(&project, 12)
        .start()
        .await?;
    let client = Client::builder()
        .endpoint(&emulator.endpoint())
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk("AK", "SK"))
        .build()?;
    Ok((emulator, client))
}

#[test]
fn requests_and_queries_are_built_with_constructors_and_setters() -> Result<(), serde_json::Error> {
    let request = CreateProcessorTaskRequest::new(
        "nightly-clean",
        TemplateParam::new("sys_data_cleaning").name("cleaning"),
    )
    .description("cleans at night")
    .create_version(true);
    assert_eq!(
        serde_json::to_value(&request)?,
        serde_json::json!({
            "name": "nightly-clean",
            "template": {"id": "sys_data_cleaning", "name": "cleaning"},
            "description": "cleans at night",
            "create_version": true,
        })
    );
    // Fields stay readable, and writable for code that prefers it.
    let mut update = UpdateProcessorTaskRequest::new();
    assert_eq!(update.description, None);
    update.description = Some("x".into());
    let query = ListProcessorTasksQuery::default()
        .status(TaskStatus::Failed)
        .order(SortOrder::Asc)
        .limit(10);
    assert_eq!(
        query.to_query_string().as_deref(),
        Some("limit=10&order=asc&status=3")
    );
    Ok(())
}

#[tokio::test]
async fn replies_are_read_and_errors_matched() -> Result<(), Box<dyn std::error::Error>> {
    let (emulator, client) = started().await?;
    let created = client
        .create_processor_task(CreateProcessorTaskRequest::new(
            "from-outside",
            TemplateParam::new("sys_data_cleaning"),
        ))
        .await?;
    let task = client.describe_processor_task(&created.task_id).await?;
    assert_eq!(task.name, "from-outside");
    assert_eq!(
        task.template.as_ref().map(|t| t.id.as_str()),
        Some("sys_data_cleaning")
    );
    let page = client
        .list_processor_tasks(ListProcessorTasksQuery::default().limit(5))
        .await?;
    assert_eq!(page.count, 13);
    assert_eq!(page.tasks.len(), 5);
    let all = client
        .list_processor_tasks_stream(ListProcessorTasksQuery::default())
        .collect_all()
        .await?;
    assert_eq!(all.len(), 13);

    let deleted = client.delete_processor_task(&created.task_id).await?;
    assert_eq!(deleted.attempts, 1);
    match client.delete_processor_task(&created.task_id).await {
        Err(Error::Service { source, .. }) => {
            assert_eq!(source.status().as_u16(), 400);
            assert_eq!(source.code(), &ErrorCode::TaskNotFound);
        }
        other => panic!("a second delete is refused as not found: {other:?}"),
    }
    let wrong_project = Client::builder()
        .endpoint(&emulator.endpoint())
        .project_id("b4a5d4098fb4474fa22cd05f897d6b99")
        .credentials(Credentials::ak_sk("AK", "SK"))
        .build()?;
    let err = wrong_project
        .delete_processor_task(&created.task_id)
        .await
        .err()
        .ok_or("a wrong project is refused")?;
    assert!(err.dooms_every_call(), "{err}");
    emulator.shutdown().await;
    Ok(())
}

/// A fake written against today's trait: it implements the one operation its test needs, and
/// inherits the rest, so it keeps compiling when an operation is added.
#[derive(Debug, Default)]
struct DeletesOnly {
    deleted: Mutex<Vec<TaskId>>,
}

#[async_trait::async_trait]
impl ProcessorTasks for DeletesOnly {
    async fn delete_processor_task(&self, task_id: &TaskId) -> Result<Deletion, Error> {
        if let Ok(mut deleted) = self.deleted.lock() {
            deleted.push(task_id.clone());
        }
        Ok(Deletion::deleted(None, 1))
    }
}

#[tokio::test]
async fn a_hand_written_fake_implements_only_what_it_needs()
-> Result<(), Box<dyn std::error::Error>> {
    let fake = DeletesOnly::default();
    let id: TaskId = "SNEJua7qdZZN8GvkcEr".parse()?;
    assert_eq!(fake.delete_processor_task(&id).await?.attempts, 1);
    assert_eq!(fake.deleted.lock().map(|d| d.len()).unwrap_or(0), 1);
    let err = fake
        .describe_processor_task(&id)
        .await
        .err()
        .ok_or("describe is not implemented by the fake")?;
    assert!(
        matches!(
            err,
            Error::Unsupported {
                operation: "DescribeProcessorTask",
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_retryable() && err.dooms_every_call() && !err.request_may_have_been_sent());
    // The paging streams work over any implementation, and end at its first error.
    let listed = pages::all_tasks(
        std::sync::Arc::new(fake),
        ListProcessorTasksQuery::default(),
    )
    .try_next()
    .await;
    assert!(matches!(
        listed,
        Err(Error::Unsupported {
            operation: "ListProcessorTasks",
            ..
        })
    ));
    Ok(())
}
