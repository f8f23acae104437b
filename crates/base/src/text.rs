//! Single-line text that people see on other people's screens (display names, cities): no
//! control characters (C0, C1), no line or paragraph separators, no bidi overrides, embeddings,
//! isolates or marks, which could forge a second line or reverse the text around them.
//! [`line`] refuses such input (422); [`clean_line`] strips it from anything older on the way
//! out.

use crate::error::{Error, Result};

/// A character a single line of shown text must not hold.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' // left-to-right / right-to-left marks
                | '\u{2028}' | '\u{2029}' // line and paragraph separators
                | '\u{202A}'..='\u{202E}' // embeddings and overrides
                | '\u{2066}'..='\u{2069}' // isolates
                | '\u{061C}' // Arabic letter mark
        )
}

/// `value` without the characters [`is_unsafe`] names, so that older rows show as one line:
/// controls and separators become a space (runs of spaces one, the ends trimmed), bidi
/// characters are dropped.
pub fn clean_line(value: &str) -> String {
    if !value.chars().any(is_unsafe) {
        return value.to_owned();
    }
    let spaced: String = value
        .chars()
        .filter_map(|c| match c {
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A checked single line of text: trimmed, not empty, at most `max` characters, and without
/// any character [`is_unsafe`] names; otherwise a 422 naming `field`.
pub fn line(field: &str, value: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if let Some(c) = trimmed.chars().find(|c| is_unsafe(*c)) {
        return Err(Error::invalid(
            field,
            format!(
                "must be one line of text without control or bidi characters (found U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    let count = trimmed.chars().count();
    if count > max {
        return Err(Error::invalid(
            field,
            format!("is {count} characters long; at most {max} are allowed"),
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_controls_separators_and_bidi() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\u{0}b",
            "a\u{85}b",
            "a\u{9B}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{202A}b",
            "a\u{202E}b",
            "a\u{2066}b",
            "a\u{2069}b",
            "a\u{200E}b",
            "a\u{200F}b",
        ] {
            assert!(line("city", bad, 100).is_err(), "{bad:?}");
        }
        assert_eq!(line("city", " Нур-Султан ", 100).expect("ok"), "Нур-Султан");
        assert_eq!(line("city", "กรุงเทพ", 100).expect("ok"), "กรุงเทพ");
        assert!(line("city", "  ", 100).is_err());
        assert!(line("city", "abc", 2).is_err());
    }

    #[test]
    fn cleans_to_one_line() {
        assert_eq!(
            clean_line("Astana\nHOST: pay\u{202E} now\u{2028}!"),
            "Astana HOST: pay now !"
        );
        assert_eq!(clean_line("Almaty"), "Almaty");
        assert_eq!(clean_line("A\u{202E}l"), "Al");
        assert_eq!(clean_line("\u{2066}\u{2069}"), "");
    }
}
