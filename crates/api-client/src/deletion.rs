//! `Deletion`: what a successful delete reports.

/// How a delete ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeletionStatus {
    /// The service deleted the task.
    Deleted,
    /// The task did not exist (`400 ModelArts.4700`); only `delete_processor_task_if_exists`
    /// reports this, for instance after an earlier attempt's reply was lost.
    AlreadyGone,
}

/// A successful delete: how it ended, the request id of the last reply, and the attempts made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deletion {
    /// How it ended.
    pub status: DeletionStatus,
    /// The `X-Request-Id` of the last reply, to quote to support.
    pub request_id: Option<String>,
    /// How many attempts were made (1 when the first succeeded).
    pub attempts: u32,
    /// How many attempts the service answered `429 Too Many Requests` (a signal to slow down).
    pub throttled: u32,
}

impl Deletion {
    /// A task that was deleted (also for test doubles of [`ProcessorTasks`](crate::ProcessorTasks)).
    pub fn deleted(request_id: Option<String>, attempts: u32) -> Self {
        Self {
            status: DeletionStatus::Deleted,
            request_id,
            attempts,
            throttled: 0,
        }
    }

    /// Records how many attempts were throttled.
    pub fn with_throttled(mut self, throttled: u32) -> Self {
        self.throttled = throttled;
        self
    }

    /// A task that was already gone.
    pub fn already_gone(request_id: Option<String>, attempts: u32) -> Self {
        Self {
            status: DeletionStatus::AlreadyGone,
            request_id,
            attempts,
            throttled: 0,
        }
    }
}
