//! 2c. The start-up cost of resolution: one CLI delete with the profile file and project-id
//! discovery through IAM, against the same delete with everything given.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::{Goal, Section, commands_block, ids_file, number, s, section, shown};
use crate::bench::procs::{self, AK, EmulatorConfig, EmulatorProcess, PROJECT_ID, SK};
use crate::bench::stats::{Series, fmt_num};
use crate::bench::{Env, Settings};

#[derive(Clone, Copy)]
enum Setup {
    /// `--endpoint`, `--project-id`, `--ak` and `HUAWEICLOUD_SDK_SK`: nothing to resolve.
    Given,
    /// The profile file for credentials, `--project-id`: the chain, no discovery.
    Profile,
    /// The profile file and `--region`: the chain, the region's endpoint and IAM discovery.
    ProfileDiscovery,
}

impl Setup {
    fn label(self) -> &'static str {
        match self {
            Setup::Given => "env SK + `--endpoint --project-id --ak` (nothing resolved)",
            Setup::Profile => "profile file + `--endpoint --project-id`",
            Setup::ProfileDiscovery => "profile file + `--region`, project discovered through IAM",
        }
    }
}

/// Runs the CLI to its exit, timed exactly (no polling); its summary line and wall time.
fn timed(
    env: &Env,
    args: &[String],
    vars: &[(&str, &str)],
) -> anyhow::Result<(serde_json::Value, Duration)> {
    let mut command = Command::new(&env.cli);
    procs::direct(&mut command)
        .args(args)
        .envs(vars.iter().copied());
    let started = Instant::now();
    let output = command.output()?;
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|v| v["kind"] == "summary");
    match summary {
        Some(summary) if output.status.success() => Ok((summary, wall)),
        _ => bail!(
            "the CLI failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    }
}

/// 2c. Start-up cost of resolving credentials and the project id.
pub(crate) fn startup(env: &Env, settings: &Settings) -> Section {
    section(
        "2c. Start-up: resolving credentials and the project id",
        |body, goals| {
            let reps = settings.startup_reps;
            let setups = [Setup::Given, Setup::Profile, Setup::ProfileDiscovery];
            let ids = std::fs::read_to_string(ids_file(env, reps * setups.len())?)?;
            let mut ids = ids.lines().map(str::to_owned);
            let emu = EmulatorProcess::start(
                &env.root,
                &env.emulator,
                EmulatorConfig {
                    seed: reps * setups.len(),
                    token: false,
                },
            )?;
            let home = env.work.join("startup-home");
            std::fs::create_dir_all(home.join(".huaweicloud"))?;
            std::fs::write(
                home.join(".huaweicloud/credentials"),
                format!("[basiccredentials]\nak = {AK}\nsk = {SK}\n"),
            )?;
            let home_text = home.display().to_string();
            let mut series = [Series::default(), Series::default(), Series::default()];
            let mut commands = Vec::new();
            for rep in 0..reps {
                // Alternate the order, so that neither setup always runs on a warmer machine.
                let mut order = setups;
                if rep % 2 == 1 {
                    order.reverse();
                }
                for setup in order {
                    let id = ids.next().unwrap_or_default();
                    let mut args = match setup {
                        Setup::Given => vec![
                            s("--endpoint"),
                            emu.url.clone(),
                            s("--project-id"),
                            s(PROJECT_ID),
                            s("--ak"),
                            s(AK),
                        ],
                        Setup::Profile => {
                            vec![
                                s("--endpoint"),
                                emu.url.clone(),
                                s("--project-id"),
                                s(PROJECT_ID),
                            ]
                        }
                        Setup::ProfileDiscovery => vec![s("--region"), s("cn-north-4")],
                    };
                    args.extend([s("delete"), s("--output"), s("json"), id]);
                    let vars: Vec<(&str, &str)> = match setup {
                        Setup::Given => vec![("HUAWEICLOUD_SDK_SK", SK)],
                        Setup::Profile | Setup::ProfileDiscovery => vec![
                            ("HOME", home_text.as_str()),
                            (
                                "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
                                emu.url.as_str(),
                            ),
                            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.url.as_str()),
                        ],
                    };
                    let (summary, wall) = timed(env, &args, &vars)?;
                    if number(&summary, "deleted")? != 1.0 {
                        bail!("{}: the delete failed: {summary}", setup.label());
                    }
                    series[setup as usize].push(wall.as_secs_f64() * 1000.0);
                    if rep == 0 {
                        let line = shown(
                            env,
                            &emu.url,
                            matches!(setup, Setup::Given),
                            &env.cli,
                            &args,
                        );
                        commands.push(match setup {
                            Setup::Given => line,
                            _ => format!(
                                "HOME=$BENCH_HOME HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4=$EMULATOR_URL \
                                 HUAWEICLOUD_SDK_IAM_ENDPOINT=$EMULATOR_URL {line}"
                            ),
                        });
                    }
                }
            }
            let emu_line = emu.shown.0.clone();
            emu.stop();
            let _ = writeln!(
                body,
                "Wall time of one CLI process deleting one task on the emulator (loopback), from \
                 start to exit: {reps} runs of each setup, interleaved. `$BENCH_HOME` holds \
                 `.huaweicloud/credentials` with a `[basiccredentials]` section.\n"
            );
            let _ = writeln!(body, "| setup | wall ms: median (min – max, n) |");
            let _ = writeln!(body, "|---|---|");
            for setup in setups {
                let _ = writeln!(
                    body,
                    "| {} | {} |",
                    setup.label(),
                    series[setup as usize].describe(1)
                );
            }
            let (given, discovery) = (
                series[Setup::Given as usize].median(),
                series[Setup::ProfileDiscovery as usize].median(),
            );
            let extra = match (given, discovery) {
                (Some(a), Some(b)) => b - a,
                _ => f64::NAN,
            };
            let _ = writeln!(
                body,
                "\nThe difference (profile + discovery, less everything given) is **{} ms** in \
                 medians: one more process-local file read and one IAM request on loopback, \
                 within the spread above. Against a real IAM it adds one round trip.",
                fmt_num(extra, 1)
            );
            let mut lines = vec![emu_line];
            lines.extend(commands);
            commands_block(body, &lines);
            goals.push(Goal {
                what: "start-up cost of profile + discovery over everything given".into(),
                target: "reported".into(),
                measured: format!("{} ms", fmt_num(extra, 1)),
                met: None,
            });
            Ok(())
        },
    )
}
