//! How tasks and versions are printed: aligned columns for people, a JSON object per line for
//! scripts.

use std::io::{self, Write};

use api_model::{ProcessorTask, ProcessorTaskVersion};

/// The longest name shown in a table before it is cut with `…`.
const NAME_WIDTH: usize = 32;

/// The header of a task table.
pub fn task_header(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<19}  {:<NAME_WIDTH$}  {:<12}  {:<22}  {:<20}  {:>8}",
        "TASK_ID", "NAME", "STATUS", "TYPE", "CREATED (UTC)", "DURATION"
    )
}

/// One task as a table row.
pub fn task_row(out: &mut impl Write, task: &ProcessorTask) -> io::Result<()> {
    let task_type = task.template.as_ref().map(|t| t.id.as_str()).unwrap_or("-");
    let duration = task
        .duration_seconds
        .map_or_else(|| "-".to_owned(), |s| format!("{s}s"));
    writeln!(
        out,
        "{:<19}  {:<NAME_WIDTH$}  {:<12}  {:<22}  {:<20}  {:>8}",
        task.task_id.as_str(),
        cut(&printable(&task.name), NAME_WIDTH),
        task.status.to_string(),
        cut(&printable(task_type), 22),
        format_time(task.create_time),
        duration
    )
}

/// A task as `field: value` lines.
pub fn task_details(out: &mut impl Write, task: &ProcessorTask) -> io::Result<()> {
    let line = |out: &mut dyn Write, key: &str, value: &str| {
        writeln!(out, "{key:<16}{}", printable(value))
    };
    line(out, "task id:", task.task_id.as_str())?;
    line(out, "name:", &task.name)?;
    line(out, "status:", &task.status.to_string())?;
    if let Some(message) = &task.error_msg {
        line(out, "error:", message)?;
    }
    if let Some(id) = task.template.as_ref().map(|t| t.id.as_str()) {
        line(out, "type:", id)?;
    }
    line(out, "created (UTC):", &format_time(task.create_time))?;
    if let Some(d) = task.description.as_deref().filter(|d| !d.is_empty()) {
        line(out, "description:", d)?;
    }
    if let Some(s) = task.duration_seconds {
        line(out, "duration:", &format!("{s}s"))?;
    }
    if let Some(w) = &task.workspace_id {
        line(out, "workspace:", w)?;
    }
    if let Some(n) = task.version_count {
        line(out, "versions:", &n.to_string())?;
    }
    if let (Some(id), name) = (&task.version_id, &task.version_name) {
        line(
            out,
            "latest version:",
            &format!("{id} {}", name.as_deref().unwrap_or("")),
        )?;
    }
    Ok(())
}

/// The header of a version table.
pub fn version_header(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<19}  {:<8}  {:<12}  {:<20}",
        "VERSION_ID", "NAME", "STATUS", "CREATED (UTC)"
    )
}

/// One version as a table row.
pub fn version_row(out: &mut impl Write, version: &ProcessorTaskVersion) -> io::Result<()> {
    writeln!(
        out,
        "{:<19}  {:<8}  {:<12}  {:<20}",
        version.task_version_id.as_str(),
        cut(
            &printable(version.version_name.as_deref().unwrap_or("-")),
            8
        ),
        version.status.to_string(),
        format_time(version.create_time)
    )
}

/// One value as a line of JSON.
pub fn json_line(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}

/// The most characters of a text from the service shown in `show` (names, messages,
/// descriptions).
const TEXT_CHARS: usize = 512;

/// `text` from the service as it may be shown on a terminal: no escape sequences, control or
/// bidi characters, at most 512 characters (see [`api_model::printable`]).
pub fn printable(text: &str) -> String {
    api_model::printable(text, TEXT_CHARS).into_owned()
}

/// `text`, cut to `width` characters with `…`.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// Epoch milliseconds as `2023-11-14 22:13:20`, in UTC.
pub fn format_time(epoch_ms: i64) -> String {
    let seconds = epoch_ms.div_euclid(1000);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00");
        assert_eq!(format_time(1_700_000_000_000), "2023-11-14 22:13:20");
        assert_eq!(format_time(1_606_373_999_627), "2020-11-26 06:59:59");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(format_time(-1_000), "1969-12-31 23:59:59");
    }

    #[test]
    fn control_characters_cannot_fake_rows_or_reach_the_terminal() {
        assert_eq!(printable("plain"), "plain");
        assert_eq!(printable("a\nFAKE ROW"), "a FAKE ROW");
        assert_eq!(printable("\u{1b}[31mred"), "red");
        let task: ProcessorTask = serde_json::from_value(serde_json::json!({
            "task_id": "x", "name": "evil\nSNEJua7qdZZN8GvkcEr  other", "status": 3,
            "create_time": 0, "error_msg": "\u{1b}]0;title\u{7}",
            "template": {"id": "sys\u{1b}[2Jdata"}, "description": "\u{202e}fdp.exe",
            "version_name": "V\u{7}001"
        }))
        .unwrap();
        let mut out = Vec::new();
        task_row(&mut out, &task).unwrap();
        task_details(&mut out, &task).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert_eq!(text.lines().next().unwrap().matches("evil").count(), 1);
        assert!(
            !text.contains("\u{202e}") && text.contains("fdp.exe"),
            "{text}"
        );
        assert!(text.contains("sysdata"), "{text}");
        assert!(
            !text.lines().any(|l| l.starts_with("SNEJua7qdZZN8GvkcEr")),
            "{text}"
        );
    }

    #[test]
    fn rows_align_and_cut_long_names() {
        let task: ProcessorTask = serde_json::from_value(serde_json::json!({
            "task_id": "SNEJua7qdZZN8GvkcEr", "name": "n".repeat(40), "status": 3,
            "create_time": 1_700_000_000_000_i64, "template": {"id": "sys_data_cleaning"},
            "duration_seconds": 12
        }))
        .unwrap();
        let mut out = Vec::new();
        task_header(&mut out).unwrap();
        task_row(&mut out, &task).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].find("NAME"), lines[1].find('n'));
        assert!(lines[1].contains(&format!("{}…", "n".repeat(31))), "{text}");
        assert!(lines[1].contains("failed") && lines[1].contains("2023-11-14 22:13:20"));
        assert!(lines[1].ends_with("12s"));
    }
}
