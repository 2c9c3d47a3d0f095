//! Text from the service made safe for a terminal: escape sequences, control and bidi
//! characters removed, and a bounded length.

use std::borrow::Cow;

/// The most characters of a service message shown to people.
pub const MESSAGE_CHARS: usize = 512;

/// `text` as it may be shown on a terminal, at most `max_chars` characters (a longer one is
/// cut and ends with `…`).
///
/// A message, a name or a code from the service could otherwise move the cursor, recolour or
/// clear the screen, set the window title (ANSI CSI and OSC sequences), forge table rows
/// (newlines), or reorder what is shown (bidirectional overrides). So:
/// - escape sequences (`ESC [ … final`, `ESC ] … BEL` or `ESC \`, and their 8-bit forms) are
///   removed whole;
/// - line breaks and tabs become a space;
/// - every other control character, and the bidirectional formatting characters, are removed.
///
/// ```
/// use api_model::printable;
///
/// assert_eq!(printable("ok\x1b[31m red\x1b[0m\nnext", 100), "ok red next");
/// assert_eq!(printable("\x1b]0;pwned\x07title", 100), "title");
/// assert_eq!(printable("abcdef", 4), "abc…");
/// assert!(matches!(printable("plain", 100), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn printable(text: &str, max_chars: usize) -> Cow<'_, str> {
    let clean = !text.chars().any(|c| c.is_control() || is_bidi(c));
    if clean && text.chars().nth(max_chars).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut chars = text.chars().peekable();
    let mut kept = 0usize;
    let mut cut = false;
    while let Some(c) = chars.next() {
        let shown = match c {
            '\u{1b}' => {
                skip_escape(&mut chars);
                continue;
            }
            '\u{9b}' => {
                skip_csi(&mut chars);
                continue;
            }
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                skip_string(&mut chars);
                continue;
            }
            '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' => ' ',
            c if c.is_control() || is_bidi(c) => continue,
            c => c,
        };
        if kept == max_chars {
            cut = true;
            break;
        }
        out.push(shown);
        kept += 1;
    }
    if cut && max_chars > 0 {
        out.pop();
        out.push('…');
    }
    Cow::Owned(out)
}

/// Bidirectional formatting characters, which can make a terminal show text in another order
/// than it is.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// After an ESC: a CSI (`[`), a string (`]` OSC, `P` DCS, `X`, `^`, `_`) or a two-character
/// sequence.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        _ => {}
    }
}

/// A CSI's parameters and intermediates, up to its final byte (`@` to `~`).
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// A string sequence, up to BEL, ST (`ESC \`) or the 8-bit ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => break,
            '\u{1b}' if chars.peek() == Some(&'\\') => {
                chars.next();
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_are_gone() {
        for (raw, shown) in [
            ("plain text", "plain text"),
            ("\x1b[2J\x1b[Hcleared", "cleared"),
            ("a\x1b[38;5;196mb", "ab"),
            ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
            ("\u{9b}31mx", "x"),
            ("row\nfake row", "row fake row"),
            ("bell\x07\x00null\x7fdel", "bellnulldel"),
            ("\u{202e}txt.exe", "txt.exe"),
            ("tab\tstop", "tab stop"),
            ("unterminated \x1b]0;title", "unterminated "),
            ("trailing escape \x1b", "trailing escape "),
        ] {
            assert_eq!(printable(raw, 100), shown, "{raw:?}");
        }
    }

    #[test]
    fn the_length_is_bounded() {
        assert_eq!(printable(&"é".repeat(10), 5), "éééé…");
        assert_eq!(printable("abc", 3), "abc");
        assert_eq!(printable("abcd", 0), "");
        assert_eq!(
            printable(&"x".repeat(10_000), MESSAGE_CHARS)
                .chars()
                .count(),
            MESSAGE_CHARS
        );
    }

    proptest::proptest! {
        #[test]
        fn nothing_unprintable_comes_out(text in ".{0,200}", bytes in proptest::collection::vec(0u8..=255, 0..200)) {
            for text in [text, String::from_utf8_lossy(&bytes).into_owned()] {
                let shown = printable(&text, 64);
                proptest::prop_assert!(shown.chars().count() <= 64);
                proptest::prop_assert!(!shown.chars().any(|c| c.is_control() || is_bidi(c)));
            }
        }
    }
}
