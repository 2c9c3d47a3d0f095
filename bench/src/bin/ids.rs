//! `bench-ids --project-id P --count N [--rng-seed S]`: the ids `api-emulator --seed N
//! --rng-seed S --project-id P` seeds, one per line, in seeding order.

use std::io::{BufWriter, Write as _};

use api_model::ProjectId;
use bench::{Failure, Flags, main_with};

fn main() -> std::process::ExitCode {
    main_with("bench-ids", || {
        let flags = Flags::from_env()?;
        let project: ProjectId = flags.required("project-id")?.parse()?;
        let count: usize = flags.parsed("count", 0)?;
        let rng_seed: u64 = flags.parsed("rng-seed", 0)?;
        let mut out = BufWriter::new(std::io::stdout().lock());
        for task in api_emulator::seeded_tasks_mixed(&project, count, rng_seed) {
            writeln!(out, "{}", task.task_id.as_str())?;
        }
        out.flush().map_err(Failure::from)
    })
}
