//! Deterministic task ids and seeded tasks: 19 ASCII letters and digits from a seeded RNG.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use api_model::{ProjectId, TaskId};
use rand::distr::{Alphanumeric, SampleString};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::task::{Task, TaskStatus};

/// The length of every id the emulator makes, the shape of every public example.
pub const TASK_ID_LEN: usize = 19;

/// The `create_time` of the first seeded task (2023-11-14T22:13:20Z, in ms); each next one is
/// a second earlier.
pub const SEED_EPOCH_MS: u64 = 1_700_000_000_000;

/// The template ids of the built-in task types, which seeded tasks cycle through.
pub const TEMPLATE_IDS: [&str; 5] = [
    "sys_data_analyse",
    "sys_data_cleaning",
    "sys_data_augmentation",
    "sys_data_validation",
    "sys_data_selection",
];

/// A new random id of the documented shape.
pub(crate) fn random_id(rng: &mut impl Rng) -> TaskId {
    loop {
        // 19 ASCII letters and digits are always a valid task id: the first try succeeds.
        if let Ok(id) = TaskId::try_from(Alphanumeric.sample_string(rng, TASK_ID_LEN)) {
            return id;
        }
    }
}

/// `n` tasks for `project`, the same for the same `rng_seed`: ids of 19 ASCII letters and digits
/// (distinct), names `task-00001`…, status completed, templates cycling through
/// [`TEMPLATE_IDS`], and `create_time` one second apart counting down from
/// [`SEED_EPOCH_MS`] (so list order is seeding order).
///
/// ```
/// let project = api_emulator::demo_project_id();
/// let tasks = api_emulator::seeded_tasks(&project, 3, 7);
/// assert_eq!(tasks, api_emulator::seeded_tasks(&project, 3, 7));
/// assert!(tasks.iter().all(|t| t.task_id.as_str().len() == 19
///     && t.task_id.as_str().bytes().all(|b| b.is_ascii_alphanumeric())));
/// ```
#[must_use]
pub fn seeded_tasks(project: &ProjectId, n: usize, rng_seed: u64) -> Vec<Task> {
    let mut rng = StdRng::seed_from_u64(rng_seed ^ project_salt(project));
    make_tasks(&mut rng, n)
}

fn make_tasks(rng: &mut StdRng, n: usize) -> Vec<Task> {
    let mut seen = HashSet::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    let mut time = SEED_EPOCH_MS;
    while tasks.len() < n {
        let id = random_id(rng);
        if !seen.insert(id.clone()) {
            continue;
        }
        let index = tasks.len();
        let template = TEMPLATE_IDS[index % TEMPLATE_IDS.len()];
        tasks.push(
            Task::new(id, format!("task-{:05}", index + 1), template)
                .with_description(format!("seeded task {}", index + 1))
                .with_status(TaskStatus::Completed)
                .with_create_time(time),
        );
        time = time.saturating_sub(1000);
    }
    tasks
}

/// A fixed (not randomized) hash of the project id, so that two projects seeded with the same
/// seed get different ids.
pub(crate) fn project_salt(project: &ProjectId) -> u64 {
    // FNV-1a.
    project
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Makes the ids of created tasks: random, of the documented shape, from a seeded RNG.
#[derive(Debug)]
pub(crate) struct IdGenerator {
    rng: Mutex<StdRng>,
}

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    pub(crate) fn next_id(&self) -> TaskId {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        random_id(&mut *rng)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn project(n: u8) -> ProjectId {
        format!("{:032}", n).parse().unwrap()
    }

    #[test]
    fn same_seed_same_tasks_other_seed_other_ids() {
        let a = seeded_tasks(&project(1), 50, 1);
        assert_eq!(a, seeded_tasks(&project(1), 50, 1));
        let b = seeded_tasks(&project(1), 50, 2);
        assert_ne!(a[0].task_id, b[0].task_id);
        let c = seeded_tasks(&project(2), 50, 1);
        assert_ne!(a[0].task_id, c[0].task_id);
    }

    #[test]
    fn ids_have_the_documented_shape_and_are_distinct() {
        let tasks = seeded_tasks(&project(1), 2000, 0);
        let ids: HashSet<_> = tasks.iter().map(|t| t.task_id.clone()).collect();
        assert_eq!(ids.len(), 2000);
        for id in &ids {
            assert_eq!(id.as_str().len(), TASK_ID_LEN);
            assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        assert_eq!(tasks[0].name, "task-00001");
        assert_eq!(tasks[0].create_time, SEED_EPOCH_MS);
        assert_eq!(tasks[1].create_time, SEED_EPOCH_MS - 1000);
        assert_eq!(tasks[1].template.id, "sys_data_cleaning");
    }

    #[test]
    fn generator_is_deterministic() {
        let a = IdGenerator::new(9);
        let b = IdGenerator::new(9);
        assert_eq!(a.next_id(), b.next_id());
        assert_eq!(a.next_id(), b.next_id());
    }
}
