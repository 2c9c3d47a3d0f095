//! How tasks and versions are printed: aligned columns for people, a JSON object per line for
//! scripts.

use std::io::{self, Write};

use api_model::{ProcessorTask, ProcessorTaskVersion};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The widest name shown in a table before it is cut with `…` (in terminal columns).
const NAME_WIDTH: usize = 32;
/// The widest task type shown.
const TYPE_WIDTH: usize = 22;

/// One cell of a row: its text and how it sits in its column.
enum Cell<'a> {
    /// Left-aligned, padded to the width in terminal columns (a CJK character takes two).
    Left(&'a str, usize),
    /// Right-aligned in the width.
    Right(&'a str, usize),
    /// The last column, as long as it is: never padded.
    Rest(&'a str),
}

/// Writes a row of cells two spaces apart, with no spaces at the end of the line.
fn row(out: &mut impl Write, cells: &[Cell<'_>]) -> io::Result<()> {
    let mut line = String::new();
    for (n, cell) in cells.iter().enumerate() {
        if n > 0 {
            line.push_str("  ");
        }
        match *cell {
            Cell::Left(text, width) => {
                line.push_str(text);
                line.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
            }
            Cell::Right(text, width) => {
                line.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
                line.push_str(text);
            }
            Cell::Rest(text) => line.push_str(text),
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// The header of a task table; `wide` puts the names, in full, last.
pub fn task_header(out: &mut impl Write, wide: bool) -> io::Result<()> {
    if wide {
        return row(
            out,
            &[
                Cell::Left("TASK_ID", 19),
                Cell::Left("STATUS", 12),
                Cell::Left("TYPE", TYPE_WIDTH),
                Cell::Left("CREATED (UTC)", 19),
                Cell::Right("DURATION", 8),
                Cell::Rest("NAME"),
            ],
        );
    }
    row(
        out,
        &[
            Cell::Left("TASK_ID", 19),
            Cell::Left("NAME", NAME_WIDTH),
            Cell::Left("STATUS", 12),
            Cell::Left("TYPE", TYPE_WIDTH),
            Cell::Left("CREATED (UTC)", 19),
            Cell::Right("DURATION", 8),
        ],
    )
}

/// One task as a table row; `wide` puts the name, in full, last.
pub fn task_row(out: &mut impl Write, task: &ProcessorTask, wide: bool) -> io::Result<()> {
    let task_type = task.template.as_ref().map(|t| t.id.as_str()).unwrap_or("-");
    let duration = task
        .duration_seconds
        .map_or_else(|| "-".to_owned(), |s| format!("{s}s"));
    let status = task.status.to_string();
    let created = format_time(task.create_time);
    let task_type = cut(&printable(task_type), TYPE_WIDTH);
    let name = printable(&task.name);
    if wide {
        return row(
            out,
            &[
                Cell::Left(task.task_id.as_str(), 19),
                Cell::Left(&status, 12),
                Cell::Left(&task_type, TYPE_WIDTH),
                Cell::Left(&created, 19),
                Cell::Right(&duration, 8),
                Cell::Rest(&name),
            ],
        );
    }
    row(
        out,
        &[
            Cell::Left(task.task_id.as_str(), 19),
            Cell::Left(&cut(&name, NAME_WIDTH), NAME_WIDTH),
            Cell::Left(&status, 12),
            Cell::Left(&task_type, TYPE_WIDTH),
            Cell::Left(&created, 19),
            Cell::Right(&duration, 8),
        ],
    )
}

/// A task as `field: value` lines.
pub fn task_details(out: &mut impl Write, task: &ProcessorTask) -> io::Result<()> {
    let line = |out: &mut dyn Write, key: &str, value: &str| {
        writeln!(
            out,
            "{}",
            format!("{key:<16}{}", printable(value)).trim_end()
        )
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
    row(
        out,
        &[
            Cell::Left("VERSION_ID", 19),
            Cell::Left("STATUS", 12),
            Cell::Left("CREATED (UTC)", 19),
            Cell::Rest("NAME"),
        ],
    )
}

/// One version as a table row.
pub fn version_row(out: &mut impl Write, version: &ProcessorTaskVersion) -> io::Result<()> {
    let status = version.status.to_string();
    let created = format_time(version.create_time);
    let name = printable(version.version_name.as_deref().unwrap_or("-"));
    row(
        out,
        &[
            Cell::Left(version.task_version_id.as_str(), 19),
            Cell::Left(&status, 12),
            Cell::Left(&created, 19),
            Cell::Rest(&name),
        ],
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

/// `text`, cut to `width` terminal columns with `…`.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Epoch milliseconds as `2023-11-14 22:13:20`, in UTC.
pub fn format_time(epoch_ms: i64) -> String {
    let t = crate::time::civil(epoch_ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
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
        task_row(&mut out, &task, false).unwrap();
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
    fn columns_align_by_display_width_and_lines_have_no_trailing_spaces() {
        let task = |name: &str| -> ProcessorTask {
            serde_json::from_value(serde_json::json!({
                "task_id": "SNEJua7qdZZN8GvkcEr", "name": name, "status": 3,
                "create_time": 1_700_000_000_000_i64
            }))
            .unwrap()
        };
        let mut out = Vec::new();
        task_header(&mut out, false).unwrap();
        task_row(&mut out, &task("数据清洗任务"), false).unwrap();
        task_row(&mut out, &task("ascii-name"), false).unwrap();
        task_row(&mut out, &task(&"宽".repeat(40)), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let status_column: Vec<usize> = text
            .lines()
            .map(|line| {
                let at = line.find("failed").or_else(|| line.find("STATUS")).unwrap();
                UnicodeWidthStr::width(&line[..at])
            })
            .collect();
        assert!(status_column.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert!(text.lines().all(|l| !l.ends_with(' ')), "{text:?}");
        // Wide: the name last, in full.
        let mut out = Vec::new();
        task_header(&mut out, true).unwrap();
        task_row(&mut out, &task(&"n".repeat(60)), true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines().nth(1).unwrap().ends_with(&"n".repeat(60)),
            "{text}"
        );
        assert!(text.lines().next().unwrap().ends_with("NAME"));
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
        task_header(&mut out, false).unwrap();
        task_row(&mut out, &task, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].find("NAME"), lines[1].find('n'));
        assert!(lines[1].contains(&format!("{}…", "n".repeat(31))), "{text}");
        assert!(lines[1].contains("failed") && lines[1].contains("2023-11-14 22:13:20"));
        assert!(lines[1].ends_with("12s"));
    }
}
