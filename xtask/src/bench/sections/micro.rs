//! 3. Criterion microbenchmarks.

use std::fmt::Write as _;

use anyhow::bail;

use super::{Goal, Section, commands_block, section};
use crate::bench::criterion::{self, fmt_ns};
use crate::bench::procs;
use crate::bench::{Env, Settings, micro_benches};

/// 3. Criterion microbenchmarks.
pub(crate) fn micro(env: &Env, settings: &Settings) -> Section {
    section("3. Microbenchmarks (criterion)", |body, goals| {
        let home = env.work.join("criterion");
        if home.exists() {
            std::fs::remove_dir_all(&home)?;
        }
        let t = settings.criterion;
        let _ = writeln!(
            body,
            "criterion with `--warm-up-time {} --measurement-time {} --sample-size {}`, results \
             read from `$CRITERION_HOME/*/new/{{estimates,sample}}.json`. \"median\" is \
             criterion's estimate with its 95 % confidence interval; the spread is the \
             per-iteration time of the fastest, median and slowest sample.\n",
            t.warm_up_s, t.measurement_s, t.sample_size
        );
        let _ = writeln!(
            body,
            "| bench | benchmark | median (95 % CI) | samples: min – median – max |"
        );
        let _ = writeln!(body, "|---|---|---|---|");
        let mut lines = Vec::new();
        let mut sign_ns: Vec<(&str, f64)> = Vec::new();
        let mut floor_ns: Vec<(&str, f64)> = Vec::new();
        for micro in micro_benches(&env.root) {
            let (package, bench) = (micro.package, micro.bench);
            let args = criterion::command(package, bench, micro.features, t);
            let dir_name = micro.name.replace(['/', ' '], "_");
            let dir = home.join(&dir_name);
            std::fs::create_dir_all(&dir)?;
            lines.push(format!(
                "CRITERION_HOME={} cargo {}",
                procs::rel(&env.root, &dir).display(),
                args.join(" ")
            ));
            criterion::run(
                &env.root,
                &env.cargo,
                &args,
                &dir,
                &env.work.join(format!("criterion-{dir_name}.log")),
            )?;
            let mut results = criterion::read_results(&dir)?;
            if results.is_empty() {
                bail!("cargo {} wrote no results", args.join(" "));
            }
            results.sort_by(|a, b| a.id.cmp(&b.id));
            for r in results {
                let spread = match (r.samples.min(), r.samples.median(), r.samples.max()) {
                    (Some(a), Some(b), Some(c)) => {
                        format!("{} – {} – {}", fmt_ns(a), fmt_ns(b), fmt_ns(c))
                    }
                    _ => "–".to_owned(),
                };
                let _ = writeln!(
                    body,
                    "| `{}` | {} | **{}** ({} – {}) | {spread} |",
                    micro.name,
                    r.id,
                    fmt_ns(r.median_ns),
                    fmt_ns(r.median_low_ns),
                    fmt_ns(r.median_high_ns)
                );
                if r.id == "sign DELETE" {
                    sign_ns.push((micro.name, r.median_ns));
                }
                // The hashing floor of one signature, per SHA-256 implementation (bench/hashing).
                for (prefix, key) in [
                    ("sha2 (RustCrypto):", "RustCrypto"),
                    ("hmac+sha2 (RustCrypto):", "RustCrypto"),
                    ("ring:", "ring"),
                ] {
                    if r.id.starts_with(prefix)
                        && (r.id.contains("389 bytes") || r.id.ends_with("pre-keyed"))
                    {
                        floor_ns.push((key, r.median_ns));
                    }
                }
            }
        }
        commands_block(body, &lines);
        let sha_ni = crate::bench::machine::Machine::describe().sha_ni;
        if sign_ns.is_empty() {
            goals.push(Goal {
                what: "signing one DELETE".into(),
                target: "< 2 µs".into(),
                measured: "not measured".into(),
                met: None,
            });
        }
        for (name, ns) in &sign_ns {
            // api-auth hashes with ring under its `ring` feature, with RustCrypto otherwise.
            let implementation = if name.contains("ring") {
                "ring"
            } else {
                "RustCrypto"
            };
            let parts: Vec<f64> = floor_ns
                .iter()
                .filter(|(k, _)| *k == implementation)
                .map(|(_, ns)| *ns)
                .collect();
            let floor = if parts.len() == 2 {
                format!(
                    "; its hashing alone ({implementation} SHA-256 of 389 B + pre-keyed HMAC of 98 B, `bench/hashing`): {}",
                    fmt_ns(parts.iter().sum())
                )
            } else {
                String::new()
            };
            goals.push(Goal {
                what: format!("signing one DELETE (`{name}`: sign DELETE)"),
                target: "< 2 µs".into(),
                measured: format!(
                    "{}{floor} (CPU has SHA-NI: {})",
                    fmt_ns(*ns),
                    if sha_ni { "yes" } else { "no" }
                ),
                met: Some(*ns < 2_000.0),
            });
        }
        Ok(())
    })
}
