//! The rules of opaque ids (tasks, versions): anything that stays exactly one path segment.

use super::{IdKind, IdRule, InvalidId};

/// Checks an opaque id: not empty, at most `max_len` bytes, not `.` or `..`, and free of path
/// separators, control characters, whitespace and invisible characters.
pub(crate) fn validate_opaque(kind: IdKind, value: &str, max_len: usize) -> Result<(), InvalidId> {
    let fail = |rule| Err(InvalidId::new(kind, value, rule));
    if value.is_empty() {
        return fail(IdRule::Empty);
    }
    if value.len() > max_len {
        return fail(IdRule::TooLong {
            max: max_len,
            actual: value.len(),
        });
    }
    if value == "." || value == ".." {
        return fail(IdRule::DotSegment);
    }
    for (position, found) in value.char_indices() {
        if found == '/' || found == '\\' {
            return fail(IdRule::PathSeparator { found, position });
        }
        if found.is_control() {
            return fail(IdRule::ControlCharacter { found, position });
        }
        if found.is_whitespace() {
            return fail(IdRule::Whitespace { found, position });
        }
        if is_invisible(found) {
            return fail(IdRule::InvisibleCharacter { found, position });
        }
    }
    Ok(())
}

/// Format characters (Unicode category Cf) that render as nothing or reorder text.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}
