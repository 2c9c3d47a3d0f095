//! `config`: the endpoint, region, project id and credentials a command would use, and where
//! each came from; never a secret.

use std::{
    io::{BufWriter, Write},
    process::ExitCode,
    time::SystemTime,
};

use api_client::{Origin, credentials::CredentialsKind};
use serde_json::{Value, json};

use crate::{
    cli::{ClientArgs, Global, Output},
    config,
    error::CliError,
    table,
};

/// One row: what, its value, where it came from.
struct Row {
    name: &'static str,
    value: String,
    source: String,
}

/// Runs `config`: resolves as `delete` would (credentials fetched, project discovered), prints.
pub async fn run(global: &Global, client: &ClientArgs) -> Result<ExitCode, CliError> {
    let target = config::connect(client, 1).await?;
    let resolved = &target.client;
    let settings = resolved.settings();
    let credentials = resolved.credentials_info().await;
    let flag = |name: &str| format!("flag {name}");
    let source = |origin: &Origin, flag_name: &str| match origin {
        Origin::Given if client.emulator => "--emulator".to_owned(),
        Origin::Given => flag(flag_name),
        other => other.to_string(),
    };
    let mut rows = vec![Row {
        name: "endpoint",
        value: settings.endpoint.to_string(),
        source: source(&settings.endpoint_origin, "--endpoint"),
    }];
    if let (Some(region), Some(origin)) = (&settings.region, &settings.region_origin) {
        rows.push(Row {
            name: "region",
            value: region.clone(),
            source: source(origin, "--region"),
        });
    }
    rows.push(Row {
        name: "project_id",
        value: settings.project_id.to_string(),
        source: source(&settings.project_origin, "--project-id"),
    });
    let credentials_flag = if client.token_file.is_some() {
        "--token-file"
    } else {
        "--ak"
    };
    let info = match credentials {
        Ok(info) => info,
        Err(e) => {
            target.shutdown().await;
            return Err(e.into());
        }
    };
    let credentials_source = match &info.origin {
        _ if client.emulator => "--emulator".to_owned(),
        Some(origin) => source(origin, credentials_flag),
        None => flag(credentials_flag),
    };
    let kind = match info.kind {
        CredentialsKind::AccessKey => "AK/SK",
        CredentialsKind::TemporaryAccessKey => "temporary AK/SK with security token",
        CredentialsKind::IamToken => "IAM token",
        _ => "other",
    };
    rows.push(Row {
        name: "credentials",
        value: kind.to_owned(),
        source: credentials_source,
    });
    if let Some(access_key) = &info.access_key_id {
        rows.push(Row {
            name: "access_key",
            value: masked(access_key),
            source: String::new(),
        });
    }
    let expiry = info.expires_at;
    if let Some(expiry) = expiry {
        rows.push(Row {
            name: "expires",
            value: expires(expiry),
            source: String::new(),
        });
    }
    target.shutdown().await;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match global.output {
        Output::Json => {
            let mut record = json!({"kind": "config"});
            for row in &rows {
                record[row.name] = if row.source.is_empty() {
                    Value::from(row.value.clone())
                } else {
                    json!({"value": row.value, "source": row.source})
                };
            }
            if let Some(expiry) = expiry {
                record["expires_at_unix"] = epoch_seconds(expiry).into();
            }
            table::json_line(&mut out, &record)?;
        }
        Output::Text | Output::Table => {
            let width = rows.iter().map(|r| r.value.len()).max().unwrap_or(0);
            writeln!(out, "{:<12} {:<width$}  SOURCE", "NAME", "VALUE")?;
            for row in &rows {
                let line = format!("{:<12} {:<width$}  {}", row.name, row.value, row.source);
                writeln!(out, "{}", line.trim_end())?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// An access key id as `aws configure list` shows one: only its last 4 characters.
fn masked(ak: &str) -> String {
    let chars: Vec<char> = ak.chars().collect();
    let shown: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!(
        "{}{shown}",
        "*".repeat(chars.len().saturating_sub(4).min(16))
    )
}

fn epoch_seconds(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// `2026-12-01 17:00:00 UTC (in 54m)`.
fn expires(at: SystemTime) -> String {
    let when = table::format_time(epoch_seconds(at).saturating_mul(1000));
    match at.duration_since(SystemTime::now()) {
        Ok(left) => format!("{when} UTC (in {}m)", left.as_secs() / 60),
        Err(_) => format!("{when} UTC (expired)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_show_their_last_four_characters_only() {
        assert_eq!(masked("HPUAL5JXXXXXXXXXABCD"), "****************ABCD");
        assert_eq!(masked("AB"), "AB");
        assert_eq!(masked("ÄÖÜßXYZW"), "****XYZW");
    }
}
