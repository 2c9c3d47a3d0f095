//! Asking before a destructive step: `--yes`, a terminal prompt, or a refusal.

use std::io::{self, BufRead, Write};

/// What to do before deleting what a filter matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// `--yes`: go ahead.
    Given,
    /// Ask on the terminal.
    Ask,
    /// stdin is not a terminal and `--yes` is missing: refuse, deleting nothing.
    Refused,
}

/// Decides from `--yes` and whether stdin is a terminal.
pub fn decide(yes: bool, stdin_is_terminal: bool) -> Confirmation {
    match (yes, stdin_is_terminal) {
        (true, _) => Confirmation::Given,
        (false, true) => Confirmation::Ask,
        (false, false) => Confirmation::Refused,
    }
}

/// Writes `question [y/N] ` and reads one answer: only `y` or `yes` (any case) agrees; end of
/// input, anything else, or nothing at all declines.
pub fn ask(question: &str, input: &mut impl BufRead, prompt: &mut impl Write) -> io::Result<bool> {
    write!(prompt, "{question} [y/N] ")?;
    prompt.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    let answer = answer.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions() {
        assert_eq!(decide(true, false), Confirmation::Given);
        assert_eq!(decide(true, true), Confirmation::Given);
        assert_eq!(decide(false, true), Confirmation::Ask);
        assert_eq!(decide(false, false), Confirmation::Refused);
    }

    #[test]
    fn only_yes_agrees() {
        for (answer, agreed) in [
            ("y\n", true),
            ("YES\n", true),
            (" yes \n", true),
            ("n\n", false),
            ("\n", false),
            ("", false),
            ("yess\n", false),
            ("sure\n", false),
        ] {
            let mut prompt = Vec::new();
            let got = ask("Delete 3 tasks?", &mut answer.as_bytes(), &mut prompt).unwrap();
            assert_eq!(got, agreed, "{answer:?}");
            assert_eq!(prompt, b"Delete 3 tasks? [y/N] ");
        }
    }
}
