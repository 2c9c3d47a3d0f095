//! `Deletion`: what a successful delete reports.

/// How a delete ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeletionStatus {
    /// The service deleted the task.
    Deleted,
    /// The task did not exist (`400 ModelArts.4700`) and no attempt of this call may have
    /// deleted it; only `delete_processor_task_if_exists` reports this.
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
    /// An attempt's reply was lost (it timed out, its connection dropped after sending, or it
    /// was answered 5xx) and a retry found the task gone: that attempt deleted it.
    pub gone_on_retry: bool,
}

impl Deletion {
    /// A task that was deleted (also for test doubles of [`ProcessorTasks`](crate::ProcessorTasks)).
    pub fn deleted(request_id: Option<String>, attempts: u32) -> Self {
        Self {
            status: DeletionStatus::Deleted,
            request_id,
            attempts,
            throttled: 0,
            gone_on_retry: false,
        }
    }

    /// Marks a deletion that a retry found done: an earlier attempt deleted the task.
    pub fn with_gone_on_retry(mut self) -> Self {
        self.gone_on_retry = true;
        self
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
            gone_on_retry: false,
        }
    }
}
