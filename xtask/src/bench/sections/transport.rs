//! 4. HyperTransport against a bare hyper http1 connection, with ReqwestTransport beside them.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::anyhow;

use super::{Goal, Section, commands_block, number, s, section};
use crate::bench::procs::{Shown, run_json};
use crate::bench::stats::{Series, fmt_num};
use crate::bench::{Env, Settings};

/// 4. HyperTransport against a bare hyper http1 connection.
pub(crate) fn transport(env: &Env, settings: &Settings) -> Section {
    section(
        "4. Transport overhead: HyperTransport against bare hyper http1",
        |body, goals| {
            let args = vec![
                s("--requests"),
                settings.transport_requests.to_string(),
                s("--rounds"),
                settings.transport_rounds.to_string(),
                s("--warm-up"),
                settings.transport_requests.min(1_000).to_string(),
            ];
            let line = Shown::of(&env.root, &[], &env.transport, &args).0;
            let result = run_json(Command::new(&env.transport).args(&args), &line)?;
            let rounds = result["rounds"]
                .as_array()
                .ok_or_else(|| anyhow!("no rounds in {result}"))?;
            let mut t_rps = Series::default();
            let mut b_rps = Series::default();
            let mut t_cpu = Series::default();
            let mut b_cpu = Series::default();
            let mut by_rate = Series::default();
            let mut by_cpu = Series::default();
            let mut l_rps = Series::default();
            let mut l_cpu = Series::default();
            let mut legacy_by_rate = Series::default();
            let mut r_rps = Series::default();
            let mut r_cpu = Series::default();
            let mut reqwest_by_rate = Series::default();
            let mut reqwest_by_cpu = Series::default();
            for round in rounds {
                if let (Some(lr), Some(br)) =
                    (round["legacy_rps"].as_f64(), round["bare_rps"].as_f64())
                {
                    l_rps.push(lr);
                    l_cpu.push(round["legacy_cpu_us"].as_f64().unwrap_or(f64::NAN));
                    legacy_by_rate.push(lr / br);
                }
                let (tr, br) = (number(round, "transport_rps")?, number(round, "bare_rps")?);
                if let Some(rr) = round["reqwest_rps"].as_f64() {
                    let rc = round["reqwest_cpu_us"].as_f64().unwrap_or(f64::NAN);
                    let tc = round["transport_cpu_us"].as_f64().unwrap_or(f64::NAN);
                    r_rps.push(rr);
                    r_cpu.push(rc);
                    reqwest_by_rate.push(rr / tr);
                    reqwest_by_cpu.push(tc / rc);
                }
                let (tc, bc) = (
                    round["transport_cpu_us"].as_f64().unwrap_or(f64::NAN),
                    round["bare_cpu_us"].as_f64().unwrap_or(f64::NAN),
                );
                t_rps.push(tr);
                b_rps.push(br);
                t_cpu.push(tc);
                b_cpu.push(bc);
                by_rate.push(tr / br);
                by_cpu.push(bc / tc);
            }
            let _ = writeln!(
                body,
                "{} sequential DELETEs per client and round, {} rounds, each client on one keep-alive \
             HTTP/1.1 connection to the same loopback hyper server (its own thread and runtime); \
             the clients take turns within each round, in an order that rotates from round to round. The ratio is taken per round, then \
             its median. Client CPU is the client thread's CPU time per request \
             (`/proc/thread-self/schedstat`), less disturbed by other load than the rate.\n",
                settings.transport_requests, settings.transport_rounds
            );
            let _ = writeln!(
                body,
                "| client | requests/s: median (min – max, n) | client CPU µs/request |"
            );
            let _ = writeln!(body, "|---|---|---|");
            let _ = writeln!(
                body,
                "| `api_transport::HyperTransport` | {} | {} |",
                t_rps.describe(0),
                t_cpu.describe(2)
            );
            let _ = writeln!(
                body,
                "| bare `hyper::client::conn::http1` | {} | {} |",
                b_rps.describe(0),
                b_cpu.describe(2)
            );
            if !r_rps.is_empty() {
                let _ = writeln!(
                    body,
                    "| the second transport, `api_transport_reqwest::ReqwestTransport` (reqwest 0.13, same hyper underneath) | {} | {} |",
                    r_rps.describe(0),
                    r_cpu.describe(2)
                );
            }
            if !l_rps.is_empty() {
                let _ = writeln!(
                    body,
                    "| for the breakdown: hyper-util's pooled legacy `Client` alone (what `HyperTransport` wraps) | {} | {} |",
                    l_rps.describe(0),
                    l_cpu.describe(2)
                );
            }
            let _ = writeln!(
                body,
                "| **ratio HyperTransport / bare** | **{}** by rate | {} by CPU (bare / HyperTransport) |",
                by_rate.describe(3),
                by_cpu.describe(3)
            );
            if !legacy_by_rate.is_empty() {
                let _ = writeln!(
                    body,
                    "| ratio legacy `Client` alone / bare | {} by rate | |",
                    legacy_by_rate.describe(3)
                );
            }
            if !reqwest_by_rate.is_empty() {
                let _ = writeln!(
                    body,
                    "| ratio ReqwestTransport / HyperTransport | {} by rate | {} by CPU (HyperTransport / ReqwestTransport) |",
                    reqwest_by_rate.describe(3),
                    reqwest_by_cpu.describe(3)
                );
            }
            commands_block(body, &[line]);
            goals.push(Goal {
                what: "transport: HyperTransport / bare hyper http1 (rate)".into(),
                target: "≥ 0.9".into(),
                measured: by_rate.median().map_or("not measured".into(), |r| {
                    format!(
                        "{r:.3} ({} vs {} req/s; by CPU {:.3})",
                        fmt_num(t_rps.median().unwrap_or(0.0), 0),
                        fmt_num(b_rps.median().unwrap_or(0.0), 0),
                        by_cpu.median().unwrap_or(f64::NAN)
                    )
                }),
                met: by_rate.median().map(|r| r >= 0.9),
            });
            Ok(())
        },
    )
}
