//! Many clients at once: 1,000 distinct deletes from 32 tasks.

use std::collections::HashSet;
use std::sync::Arc;

use api_emulator::Route;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_deletes_remove_exactly_those_tasks() {
    let emu = builder(1_500).start().await.unwrap();
    let all = ids(&emu, &project());
    assert_eq!(all.len(), 1_500);
    // Every other task of the first 2,000 slots: spread over the list.
    let doomed: Vec<String> = all.iter().step_by(3).take(1_000).cloned().collect();
    let doomed = if doomed.len() < 1_000 {
        all[..1_000].to_vec()
    } else {
        doomed
    };
    assert_eq!(doomed.len(), 1_000);

    let client = Arc::new(Client::new(&emu));
    let work = Arc::new(doomed.clone());
    let mut workers = Vec::new();
    for worker in 0..32 {
        let client = client.clone();
        let work = work.clone();
        workers.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for task in work.iter().skip(worker).step_by(32) {
                statuses.push(client.delete(task).await.status());
            }
            statuses
        }));
    }
    let mut statuses = Vec::new();
    for worker in workers {
        statuses.extend(worker.await.unwrap());
    }
    assert_eq!(statuses.len(), 1_000);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    let remaining: HashSet<String> = ids(&emu, &project()).into_iter().collect();
    let doomed: HashSet<String> = doomed.into_iter().collect();
    assert_eq!(remaining.len(), 500);
    assert!(remaining.is_disjoint(&doomed));
    let expected: HashSet<String> = all.into_iter().filter(|id| !doomed.contains(id)).collect();
    assert_eq!(remaining, expected);

    let stats = emu.stats();
    assert_eq!(stats.responses(Route::DeleteTask, 200), 1_000);
    assert_eq!(stats.tasks_deleted, 1_000);
    assert!(
        stats.connections_accepted <= 64,
        "keep-alive reuses connections: {}",
        stats.connections_accepted
    );
    emu.shutdown().await;
}
