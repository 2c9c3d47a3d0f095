//! 1. Sequential deletes: the SDK against the official Python SDK.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::bail;

use super::{Goal, Section, commands_block, ids_file, number, per_request_us, s, section, shown};
use crate::bench::procs::{AK, EmulatorConfig, EmulatorProcess, PROJECT_ID, SK, direct, run_json};
use crate::bench::stats::{Series, fmt_num, ratio};
use crate::bench::{Env, Settings};

#[derive(Clone, Copy, PartialEq, Eq)]
enum SeqSide {
    Ours,
    Python,
}

/// 1. Sequential deletes, the SDK against the official Python SDK.
pub(crate) fn sequential(env: &Env, settings: &Settings) -> Section {
    section(
        "1. Sequential deletes: the SDK against the official Python SDK",
        |body, goals| {
            let n = settings.seq_deletes;
            let ids = ids_file(env, n)?;
            let script = env.root.join("bench/python/seq_delete.py");
            let (mut ours, mut ours_cpu, mut py, mut py_cpu) = (
                Series::default(),
                Series::default(),
                Series::default(),
                Series::default(),
            );
            let (mut emu_ours, mut emu_py) = (Series::default(), Series::default());
            let mut commands: Vec<String> = Vec::new();
            let (mut shown_ours, mut shown_py, mut shown_emu) = (None, None, None);
            for rep in 0..settings.seq_reps {
                let order = if rep % 2 == 0 {
                    [SeqSide::Ours, SeqSide::Python]
                } else {
                    [SeqSide::Python, SeqSide::Ours]
                };
                for side in order {
                    let python = match (side, &env.python) {
                        (SeqSide::Python, Ok(python)) => Some(python.clone()),
                        (SeqSide::Python, Err(_)) => continue,
                        (SeqSide::Ours, _) => None,
                    };
                    let emu = EmulatorProcess::start(
                        &env.root,
                        &env.emulator,
                        EmulatorConfig {
                            seed: n,
                            token: false,
                        },
                    )?;
                    shown_emu.get_or_insert_with(|| emu.shown.0.clone());
                    let emu_cpu = emu.cpu_seconds();
                    let mut args: Vec<String> = vec![
                        s("--endpoint"),
                        emu.url.clone(),
                        s("--project-id"),
                        s(PROJECT_ID),
                        s("--ak"),
                        s(AK),
                        s("--ids-file"),
                        ids.display().to_string(),
                    ];
                    let program = match &python {
                        Some(python) => {
                            args.insert(0, script.display().to_string());
                            python.clone()
                        }
                        None => env.seq_delete.clone(),
                    };
                    let line = shown(env, &emu.url, true, &program, &args);
                    let mut command = Command::new(&program);
                    direct(&mut command)
                        .args(&args)
                        .env("HUAWEICLOUD_SDK_SK", SK);
                    let result = run_json(&mut command, &line)?;
                    let emu_used = match (emu_cpu, emu.cpu_seconds()) {
                        (Some(a), Some(b)) => b - a,
                        _ => f64::NAN,
                    };
                    emu.stop();
                    let (deleted, failed) =
                        (number(&result, "deleted")?, number(&result, "failed")?);
                    if deleted as usize != n || failed > 0.0 {
                        bail!(
                            "{line}: {deleted} of {n} deleted, {failed} failed ({})",
                            result["first_error"]
                        );
                    }
                    let rps = number(&result, "requests_per_second")?;
                    let cpu = per_request_us(result["cpu_seconds"].as_f64(), n as f64);
                    match side {
                        SeqSide::Ours => {
                            ours.push(rps);
                            ours_cpu.push(cpu);
                            emu_ours.push(emu_used * 1e6 / n as f64);
                            shown_ours.get_or_insert(line);
                        }
                        SeqSide::Python => {
                            py.push(rps);
                            py_cpu.push(cpu);
                            emu_py.push(emu_used * 1e6 / n as f64);
                            shown_py.get_or_insert(line);
                        }
                    }
                }
            }
            let sdk = env.sdk_version.as_deref().unwrap_or("?");
            let _ = writeln!(
                body,
                "{n} DELETEs per side and repetition, one after the other, each side on a fresh \
             `api-emulator` process seeded with the same {n} tasks (AK/SK verification on, \
             HTTP/1.1 keep-alive); the sides alternate which goes first. requests/s is the \
             client's own count over its own clock (process start-up excluded). CPU is the \
             client process's user + system time per delete; the emulator's is shown beside it.\n"
            );
            let _ = writeln!(
                body,
                "| client | requests/s: median (min – max, n) | client CPU µs/delete | emulator CPU µs/delete |"
            );
            let _ = writeln!(body, "|---|---|---|---|");
            let _ = writeln!(
                body,
                "| this SDK: `api_client::Client`, `HyperTransport`, AK/SK signing (Rust, current-thread Tokio) | {} | {} | {} |",
                ours.describe(0),
                ours_cpu.describe(1),
                emu_ours.describe(1)
            );
            match &env.python {
                Ok(_) => {
                    let _ = writeln!(
                        body,
                        "| official SDK: `huaweicloudsdkcore` {sdk} `Client.do_http_request`, AK/SK signing (Python, requests.Session) | {} | {} | {} |",
                        py.describe(0),
                        py_cpu.describe(1),
                        emu_py.describe(1)
                    );
                }
                Err(why) => {
                    let _ = writeln!(
                        body,
                        "| official SDK | not measured: no Python venv ({why}) | | |"
                    );
                }
            }
            let r = ratio(&ours, &py);
            let _ = writeln!(
                body,
                "| **ratio this SDK / official (medians)** | **{}** | {} | |",
                r.map_or("not measured".to_owned(), |r| format!("{r:.1}×")),
                ratio(&py_cpu, &ours_cpu)
                    .map_or(String::new(), |r| format!("official uses {r:.1}× the CPU"))
            );
            // The two runs of one repetition are adjacent in time: their ratio is less exposed
            // to the load changing during the whole run.
            let mut paired = Series::default();
            for (a, b) in ours.values().iter().zip(py.values()) {
                paired.push(a / b);
            }
            if !paired.is_empty() {
                let _ = writeln!(
                    body,
                    "| ratio per repetition (this SDK / official, same repetition) | {}× | | |",
                    paired.describe(1)
                );
            }
            commands.extend(shown_emu);
            commands.extend(shown_ours);
            commands.extend(shown_py);
            commands_block(body, &commands);
            goals.push(Goal {
                what: "sequential deletes: this SDK / official Python SDK".into(),
                target: "≥ 20×".into(),
                measured: r.map_or("not measured".into(), |r| {
                    format!(
                        "{r:.1}× ({} vs {} req/s)",
                        fmt_num(ours.median().unwrap_or(0.0), 0),
                        fmt_num(py.median().unwrap_or(0.0), 0)
                    )
                }),
                met: r.map(|r| r >= 20.0),
            });
            Ok(())
        },
    )
}
