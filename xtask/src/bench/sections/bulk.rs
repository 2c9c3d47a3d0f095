//! 2. Bulk deletes: the CLI against wrk, the raw load generator, on the same emulator.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::bail;

use super::{Goal, Section, commands_block, ids_file, number, per_request_us, s, section, shown};
use crate::bench::procs::{
    self, AK, EmulatorConfig, EmulatorProcess, PROJECT_ID, SK, TOKEN, direct,
};
use crate::bench::stats::{Series, fmt_num, ratio};
use crate::bench::{Env, Settings};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BulkSide {
    CliAkSk,
    CliToken,
    Wrk,
    /// wrk replaying requests signed ahead of time by `bench-presign`.
    WrkAkSk,
    /// `bench-bulk-delete` with the settings the CLI had before its pool, stdout and runtime fixes.
    BeforeFixAkSk,
}

impl BulkSide {
    fn label(self) -> &'static str {
        match self {
            BulkSide::CliAkSk => {
                "`processor-tasks delete` CLI, AK/SK signing (the issue's command)"
            }
            BulkSide::CliToken => {
                "`processor-tasks delete` CLI, X-Auth-Token (the same auth as wrk)"
            }
            BulkSide::Wrk => "wrk, X-Auth-Token (the raw limit)",
            BulkSide::WrkAkSk => {
                "wrk, AK/SK: requests signed ahead of time by `bench-presign` with the headers the CLI signs, so the emulator verifies the same signatures and wrk signs nothing (the raw limit for AK/SK)"
            }
            BulkSide::BeforeFixAkSk => {
                "reference, AK/SK: the CLI's own batch code (`api_cli::batch`) with the settings the CLI had before commits c41bf1f and cdefe67: the transport's default idle pool (32 < 64 in flight), line-buffered stdout and a multi-threaded runtime (`bench-bulk-delete`)"
            }
        }
    }

    fn token(self) -> bool {
        matches!(self, BulkSide::CliToken | BulkSide::Wrk)
    }
}

#[derive(Default)]
struct BulkFigures {
    rps: Series,
    wall: Series,
    client_cpu: Series,
    emulator_cpu: Series,
    rss_mib: Series,
    command: Option<String>,
}

/// 2. Bulk deletes: the CLI against wrk, the raw load generator, on the same emulator.
pub(crate) fn bulk(env: &Env, settings: &Settings) -> Section {
    section(
        "2. Bulk deletes: the CLI against the raw limit (wrk)",
        |body, goals| {
            let n = settings.bulk_ids;
            let ids = ids_file(env, n)?;
            let token_file = env.work.join("token.txt");
            std::fs::write(&token_file, format!("{TOKEN}\n"))?;
            let lua = env.root.join("bench/wrk/delete.lua");
            let c = settings.concurrency;
            let threads = settings.wrk_threads;
            let mut sides = vec![BulkSide::CliAkSk, BulkSide::CliToken];
            if env.wrk.is_some() {
                sides.extend([BulkSide::Wrk, BulkSide::WrkAkSk]);
            }
            sides.push(BulkSide::BeforeFixAkSk);
            let mut figures: Vec<(BulkSide, BulkFigures)> = sides
                .iter()
                .map(|side| (*side, BulkFigures::default()))
                .collect();
            let mut shown_emu = None;
            let mut non_2xx = 0.0;
            for rep in 0..settings.bulk_reps {
                for i in 0..sides.len() {
                    let side = sides[(i + rep) % sides.len()];
                    let emu = EmulatorProcess::start(
                        &env.root,
                        &env.emulator,
                        EmulatorConfig {
                            seed: n,
                            token: true,
                        },
                    )?;
                    shown_emu.get_or_insert_with(|| emu.shown.0.clone());
                    let emu_cpu = emu.cpu_seconds();
                    let url = emu.url.clone();
                    let (rps, wall, client_cpu, rss, line) = match side {
                        BulkSide::CliAkSk | BulkSide::CliToken | BulkSide::BeforeFixAkSk => {
                            let mut args = vec![
                                s("--endpoint"),
                                url.clone(),
                                s("--project-id"),
                                s(PROJECT_ID),
                            ];
                            let env_vars: Vec<(&str, &str)> = if side.token() {
                                args.extend([s("--token-file"), token_file.display().to_string()]);
                                vec![]
                            } else {
                                args.extend([s("--ak"), s(AK)]);
                                vec![("HUAWEICLOUD_SDK_SK", SK)]
                            };
                            let program = match side {
                                BulkSide::CliAkSk | BulkSide::CliToken => {
                                    args.extend([
                                        s("delete"),
                                        s("--from-file"),
                                        ids.display().to_string(),
                                        s("--concurrency"),
                                        c.to_string(),
                                        s("--if-exists"),
                                        s("--output"),
                                        s("json"),
                                    ]);
                                    &env.cli
                                }
                                _ => {
                                    args.extend([
                                        s("--ids-file"),
                                        ids.display().to_string(),
                                        s("--concurrency"),
                                        c.to_string(),
                                        s("--pool-max-idle"),
                                    ]);
                                    args.extend([
                                        s("32"),
                                        s("--buffered-stdout"),
                                        s("false"),
                                        s("--runtime"),
                                        s("multi-thread"),
                                    ]);
                                    &env.bulk_delete
                                }
                            };
                            let stdout = env.work.join("cli-stdout.jsonl");
                            let line = format!(
                                "{} > {}",
                                shown(env, &url, !side.token(), program, &args),
                                procs::rel(&env.root, &stdout).display()
                            );
                            let run = procs::run_cli(program, &args, &env_vars, &stdout, false)?;
                            let deleted = number(&run.summary, "deleted")?;
                            let failed = number(&run.summary, "failed")?;
                            if deleted as usize != n || failed > 0.0 {
                                bail!(
                                    "{line}: {deleted} of {n} deleted, {failed} failed: {}",
                                    run.summary
                                );
                            }
                            (
                                number(&run.summary, "requests_per_second")?,
                                run.wall_seconds,
                                per_request_us(run.cpu_seconds, n as f64),
                                run.peak_rss_kib
                                    .map_or(f64::NAN, |(kib, _)| kib as f64 / 1024.0),
                                line,
                            )
                        }
                        BulkSide::Wrk | BulkSide::WrkAkSk => {
                            let signed_file = env.work.join("signed.tsv");
                            let mut presign_line = None;
                            if side == BulkSide::WrkAkSk {
                                let presign_args = vec![
                                    s("--endpoint"),
                                    url.clone(),
                                    s("--project-id"),
                                    s(PROJECT_ID),
                                    s("--ak"),
                                    s(AK),
                                    s("--ids-file"),
                                    ids.display().to_string(),
                                    s("--out"),
                                    signed_file.display().to_string(),
                                ];
                                let shown_presign =
                                    shown(env, &url, true, &env.presign, &presign_args);
                                let status = direct(&mut Command::new(&env.presign))
                                    .args(&presign_args)
                                    .env("HUAWEICLOUD_SDK_SK", SK)
                                    .status()?;
                                if !status.success() {
                                    bail!("{shown_presign} failed ({status})");
                                }
                                presign_line = Some(shown_presign);
                            }
                            let mut args = vec![
                                s("-t"),
                                threads.to_string(),
                                s("-c"),
                                c.to_string(),
                                s("-d"),
                                s(if settings.quick { "60s" } else { "300s" }),
                                s("--timeout"),
                                s("10s"),
                                s("-s"),
                                lua.display().to_string(),
                                url.clone(),
                                s("--"),
                                ids.display().to_string(),
                                s(TOKEN),
                                s(PROJECT_ID),
                                threads.to_string(),
                            ];
                            if side == BulkSide::WrkAkSk {
                                let at = args.len() - 4;
                                args[at] = signed_file.display().to_string();
                                args[at + 1] = s("-");
                                args.push(s("signed"));
                            }
                            let line = match &presign_line {
                                Some(presign) => format!(
                                    "{presign}  # then, not timed:
{}",
                                    shown(env, &url, false, Path::new("wrk"), &args)
                                ),
                                None => shown(env, &url, false, Path::new("wrk"), &args),
                            };
                            let (result, cpu) = procs::run_wrk(&args, threads)?;
                            let requests = number(&result, "requests")?;
                            non_2xx +=
                                number(&result, "non_2xx")? + number(&result, "socket_errors")?;
                            if requests < (n - c - threads) as f64 {
                                bail!(
                                    "{line}: only {requests} of {n} requests completed: {result}"
                                );
                            }
                            (
                                number(&result, "requests_per_second")?,
                                number(&result, "duration_seconds")?,
                                per_request_us(cpu, requests),
                                f64::NAN,
                                line,
                            )
                        }
                    };
                    let emu_used = match (emu_cpu, emu.cpu_seconds()) {
                        (Some(a), Some(b)) => (b - a) * 1e6 / n as f64,
                        _ => f64::NAN,
                    };
                    emu.stop();
                    if let Some((_, f)) = figures.iter_mut().find(|(s, _)| *s == side) {
                        f.rps.push(rps);
                        f.wall.push(wall);
                        f.client_cpu.push(client_cpu);
                        f.emulator_cpu.push(emu_used);
                        f.rss_mib.push(rss);
                        f.command.get_or_insert(line);
                    }
                }
            }
            if non_2xx > 0.0 {
                bail!(
                    "wrk saw {non_2xx} non-2xx replies or socket errors: it did not measure delete hits"
                );
            }
            let get = |side: BulkSide| figures.iter().find(|(s, _)| *s == side).map(|(_, f)| f);
            let _ = writeln!(
                body,
                "{n} seeded tasks deleted per run, {c} requests in flight, on a fresh `api-emulator` \
             process per run (seeded with the same {n} tasks; it accepts the AK/SK and a token). \
             Each request deletes a distinct seeded id, so every reply is a `200` delete hit. \
             The CLI's rate is its own summary's `requests_per_second` (first request to last \
             reply); wrk's is its completed requests over the time from its first request to the \
             moment its last thread had sent its share (`bench/wrk/delete.lua`), with \
             {threads} wrk thread(s). The order of the load generators rotates between \
             repetitions. Ratios compare runs with the same authentication, so that the emulator \
             does the same work (verifying a signature costs it more than looking up a token). \
             CPU figures are per delete: the client's (GNU time; wrk's from /proc) and the \
             emulator's (from /proc); the machine has {} cores, so client + emulator CPU per \
             delete × rate cannot exceed that.\n",
                std::thread::available_parallelism().map_or(1, usize::from)
            );
            let _ = writeln!(
                body,
                "| load generator | requests/s: median (min – max, n) | ratio to wrk with the same auth | wall s (CLI: whole process) | client CPU µs/delete | emulator CPU µs/delete | peak RSS MiB |"
            );
            let _ = writeln!(body, "|---|---|---|---|---|---|---|");
            let wrk = get(BulkSide::Wrk);
            for side in [
                BulkSide::CliAkSk,
                BulkSide::CliToken,
                BulkSide::Wrk,
                BulkSide::WrkAkSk,
                BulkSide::BeforeFixAkSk,
            ] {
                let label = side.label();
                let Some(f) = get(side) else {
                    let _ = writeln!(
                        body,
                        "| {label} | not measured: wrk is not installed and could not be | | | | | |"
                    );
                    continue;
                };
                let same_auth_wrk = if side.token() {
                    wrk
                } else {
                    get(BulkSide::WrkAkSk)
                };
                let to_wrk = same_auth_wrk
                    .and_then(|w| ratio(&f.rps, &w.rps))
                    .map_or("–".to_owned(), |r| format!("{r:.2}"));
                let _ = writeln!(
                    body,
                    "| {label} | {} | {to_wrk} | {} | {} | {} | {} |",
                    f.rps.describe(0),
                    f.wall.describe(2),
                    f.client_cpu.describe(1),
                    f.emulator_cpu.describe(1),
                    if f.rss_mib.is_empty() {
                        "–".to_owned()
                    } else {
                        f.rss_mib.describe(1)
                    }
                );
            }
            let mut lines: Vec<String> = shown_emu.into_iter().collect();
            for side in &sides {
                if let Some(command) = get(*side).and_then(|f| f.command.clone()) {
                    lines.push(command);
                }
            }
            commands_block(body, &lines);
            for (side, what) in [
                (
                    BulkSide::CliAkSk,
                    "bulk: CLI / wrk, both AK/SK (the issue's command)",
                ),
                (BulkSide::CliToken, "bulk: CLI / wrk, both X-Auth-Token"),
            ] {
                let wrk = if side.token() {
                    wrk
                } else {
                    get(BulkSide::WrkAkSk)
                };
                let r = match (get(side), wrk) {
                    (Some(f), Some(w)) => ratio(&f.rps, &w.rps),
                    _ => None,
                };
                goals.push(Goal {
                    what: what.into(),
                    target: "≥ 0.8".into(),
                    measured: match (r, get(side), wrk) {
                        (Some(r), Some(f), Some(w)) => format!(
                            "{r:.2} ({} vs {} req/s)",
                            fmt_num(f.rps.median().unwrap_or(0.0), 0),
                            fmt_num(w.rps.median().unwrap_or(0.0), 0)
                        ),
                        _ => "not measured (no wrk)".into(),
                    },
                    met: r.map(|r| r >= 0.8),
                });
            }
            Ok(())
        },
    )
}
