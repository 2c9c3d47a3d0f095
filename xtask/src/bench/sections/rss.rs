//! 2b. The CLI's peak RSS deleting many ids.

use std::fmt::Write as _;

use anyhow::{anyhow, bail};

use super::{Goal, Section, commands_block, ids_file, number, s, section, shown};
use crate::bench::procs::{self, AK, EmulatorConfig, EmulatorProcess, PROJECT_ID, SK};
use crate::bench::stats::fmt_num;
use crate::bench::{Env, Settings};

/// 2b. The CLI's peak RSS deleting many ids.
pub(crate) fn rss(env: &Env, settings: &Settings) -> Section {
    section("2b. Peak memory of the CLI", |body, goals| {
        let n = settings.rss_ids;
        let ids = ids_file(env, n)?;
        let emu = EmulatorProcess::start(
            &env.root,
            &env.emulator,
            EmulatorConfig {
                seed: n,
                token: false,
            },
        )?;
        let args = vec![
            s("--endpoint"),
            emu.url.clone(),
            s("--project-id"),
            s(PROJECT_ID),
            s("--ak"),
            s(AK),
            s("delete"),
            s("--from-file"),
            ids.display().to_string(),
            s("--concurrency"),
            settings.concurrency.to_string(),
            s("--if-exists"),
            s("--output"),
            s("json"),
        ];
        let stdout = env.work.join("cli-rss-stdout.jsonl");
        let command = shown(env, &emu.url, true, &env.cli, &args);
        let line = format!(
            "{} > {}",
            if env.gnu_time {
                command.replacen("target/release/", "/usr/bin/time -v target/release/", 1)
            } else {
                command
            },
            procs::rel(&env.root, &stdout).display()
        );
        let emu_line = emu.shown.0.clone();
        let run = procs::run_cli(
            &env.cli,
            &args,
            &[("HUAWEICLOUD_SDK_SK", SK)],
            &stdout,
            true,
        )?;
        emu.stop();
        let deleted = number(&run.summary, "deleted")?;
        if deleted as usize != n {
            bail!("{line}: {deleted} of {n} deleted: {}", run.summary);
        }
        let (kib, how) = run
            .peak_rss_kib
            .ok_or_else(|| anyhow!("the peak RSS could not be read"))?;
        let mib = kib as f64 / 1024.0;
        let _ = writeln!(
            body,
            "The CLI deleting {n} seeded ids (AK/SK, concurrency {}, `--output json` to a file), \
             one run; peak RSS by {how}.\n",
            settings.concurrency
        );
        let _ = writeln!(body, "| ids | peak RSS | requests/s | wall s |");
        let _ = writeln!(body, "|---|---|---|---|");
        let _ = writeln!(
            body,
            "| {} | **{mib:.1} MiB** ({kib} KiB) | {} | {:.2} |",
            fmt_num(n as f64, 0),
            fmt_num(number(&run.summary, "requests_per_second")?, 0),
            run.wall_seconds
        );
        commands_block(body, &[emu_line, line]);
        goals.push(Goal {
            what: format!("CLI peak RSS, {} ids", fmt_num(n as f64, 0)),
            target: "< 30 MiB".into(),
            measured: format!("{mib:.1} MiB"),
            met: Some(mib < 30.0),
        });
        Ok(())
    })
}
