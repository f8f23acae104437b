//! Single-line text that people see on other people's screens (display names, cities): no
//! control characters (C0, C1), no line or paragraph separators, no bidi overrides, embeddings,
//! isolates or marks, which could forge a second line or reverse the text around them.
//! [`line`] refuses such input (422); [`clean_line`] strips it from anything older on the way
//! out. Names and cities ([`name`]) are also made of visible characters only: no
//! default-ignorable, format, private-use or unassigned code point (zero-width spaces, word
//! joiners, the byte-order mark, tag characters, Hangul fillers, stray variation selectors),
//! at most [`MAX_MARKS`] combining marks on one letter, and at least one letter, digit or
//! emoji.

use icu_properties::props::{
    DefaultIgnorableCodePoint, Emoji, EmojiModifier, ExtendedPictographic, GeneralCategory,
    GeneralCategoryGroup,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// The most combining marks one letter of a name or a city may carry, counted on the
/// canonical decomposition (NFD): Vietnamese needs two (ệ is e, a dot below and a circumflex),
/// Thai three (a consonant with a vowel sign, a tone mark and a mark above).
pub const MAX_MARKS: usize = 4;

fn category(c: char) -> GeneralCategory {
    CodePointMapData::<GeneralCategory>::new().get(c)
}

fn is_mark(c: char) -> bool {
    GeneralCategoryGroup::Mark.contains(category(c))
}

/// A character an emoji sequence may join on: a pictograph, a skin-tone modifier, or the
/// emoji presentation selector after one.
fn joins_emoji(c: char) -> bool {
    c == '\u{FE0F}'
        || CodePointSetData::new::<ExtendedPictographic>().contains(c)
        || CodePointSetData::new::<EmojiModifier>().contains(c)
}

/// Whether `c` is a default-ignorable code point (Unicode's `Default_Ignorable_Code_Point`,
/// from ICU4X's compiled data): it shows nothing where it is not supported. Shared by the
/// names' and cities' checks ([`is_hidden`]) and the claims filter's skeleton.
pub fn is_default_ignorable(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// Whether `c`, between `prev` and `next`, shows nothing on a screen: a default-ignorable code
/// point (zero-width spaces and joiners, word joiner, invisible operators, the byte-order mark,
/// deprecated format characters, Hangul fillers, variation selectors, tag characters), any
/// other format, control, private-use, surrogate or unassigned code point, or a line or
/// paragraph separator. Two exceptions keep emoji whole: a text or emoji presentation selector
/// (U+FE0E, U+FE0F) right after an emoji, and a zero-width joiner between two emoji (👨‍👩‍👧).
pub fn is_hidden(prev: Option<char>, c: char, next: Option<char>) -> bool {
    match c {
        '\u{FE0E}' | '\u{FE0F}' => {
            !prev.is_some_and(|p| CodePointSetData::new::<Emoji>().contains(p))
        }
        '\u{200D}' => {
            !(prev.is_some_and(joins_emoji)
                && next
                    .is_some_and(|n| CodePointSetData::new::<ExtendedPictographic>().contains(n)))
        }
        c => {
            is_default_ignorable(c)
                || matches!(
                    category(c),
                    GeneralCategory::Format
                        | GeneralCategory::Control
                        | GeneralCategory::PrivateUse
                        | GeneralCategory::Surrogate
                        | GeneralCategory::Unassigned
                        | GeneralCategory::LineSeparator
                        | GeneralCategory::ParagraphSeparator
                )
        }
    }
}

/// The first hidden character of `value` ([`is_hidden`]).
fn first_hidden(value: &str) -> Option<char> {
    let chars: Vec<char> = value.chars().collect();
    (0..chars.len()).find_map(|i| {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        is_hidden(prev, chars[i], next).then_some(chars[i])
    })
}

/// The most combining marks on one character of `value` (counted on its NFD), and whether a
/// mark opens it (a mark on nothing).
fn marks(value: &str) -> (usize, bool) {
    let mut most = 0;
    let mut run = 0;
    let mut leading = false;
    for (i, c) in value.nfd().enumerate() {
        if is_mark(c) {
            run += 1;
            most = most.max(run);
            leading |= i == 0;
        } else {
            run = 0;
        }
    }
    (most, leading)
}

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
/// characters are dropped; hidden characters ([`is_hidden`]) are dropped too, and combining
/// marks past [`MAX_MARKS`] on one character (or on none), so that no older name or city
/// shows blank or buries the line under its marks.
pub fn clean_line(value: &str) -> String {
    let line = if value.chars().any(is_unsafe) {
        let spaced: String = value
            .chars()
            .filter_map(|c| match c {
                c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => Some(' '),
                c if is_unsafe(c) => None,
                c => Some(c),
            })
            .collect();
        spaced.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        value.to_owned()
    };
    let (most, leading) = marks(&line);
    if first_hidden(&line).is_none() && most <= MAX_MARKS && !leading {
        return line;
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut run = 0;
    let mut based = false;
    for i in 0..chars.len() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let c = chars[i];
        if is_hidden(prev, c, chars.get(i + 1).copied()) {
            continue;
        }
        if is_mark(c) {
            run += 1;
            if !based || run > MAX_MARKS {
                continue;
            }
        } else {
            run = 0;
            based = true;
        }
        out.push(c);
    }
    out.trim().to_owned()
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

/// A checked name or city: a single [`line`] (trimmed, not empty, at most `max` characters,
/// no control or bidi character) that is also made of visible characters ([`is_hidden`]), has
/// at most [`MAX_MARKS`] combining marks on any letter and none on nothing, and holds at least
/// one letter, digit or emoji; otherwise a 422 naming `field`.
pub fn name(field: &str, value: &str, max: usize) -> Result<String> {
    let line = line(field, value, max)?;
    if let Some(c) = first_hidden(&line) {
        return Err(Error::invalid(
            field,
            format!(
                "must be made of visible characters (found the invisible U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    let (most, leading) = marks(&line);
    if most > MAX_MARKS || leading {
        return Err(Error::invalid(
            field,
            format!(
                "a letter carries {most} combining marks (or a mark stands on no letter); \
                 at most {MAX_MARKS} are allowed on one letter"
            ),
        ));
    }
    let shows = |c: char| {
        let gc = category(c);
        GeneralCategoryGroup::Letter.contains(gc)
            || GeneralCategoryGroup::Number.contains(gc)
            || CodePointSetData::new::<ExtendedPictographic>().contains(c)
    };
    if !line.chars().any(shows) {
        return Err(Error::invalid(
            field,
            "must hold at least one letter, digit or emoji",
        ));
    }
    Ok(line)
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

    /// Invisible characters, Hangul fillers, tag characters, a blank city and a letter under
    /// 40 combining marks are refused in names and cities; the markets' scripts and emoji with
    /// their selectors and joiners are taken.
    #[test]
    fn names_are_made_of_visible_characters() {
        let blank = "\u{3164}".repeat(20);
        let buried = format!("A{}igerim", "\u{0301}".repeat(40));
        for bad in [
            "Al\u{200B}maty",
            "Al\u{2060}maty",
            "\u{FEFF}Almaty",
            "Al\u{206E}maty",
            "Al\u{FFF9}maty",
            "Almaty\u{E0041}\u{E007F}",
            "Al\u{3164}maty",
            "Al\u{FFA0}maty",
            "\u{115F}Almaty",
            "Al\u{1160}maty",
            "Al\u{00AD}maty",
            "Al\u{FE00}maty",
            "Al\u{E000}maty",
            "Phnom\u{17B4} Penh",
            "Al\u{034F}maty",
            "Al\u{200D}maty",
            "\u{0301}Almaty",
            "A\u{0301}\u{0302}\u{0303}\u{0304}\u{0305}lmaty",
            "\u{2800}\u{2800}",
            "...",
            blank.as_str(),
            buried.as_str(),
        ] {
            let e = name("city", bad, 100).expect_err(bad);
            assert_eq!(e.code(), "invalid");
            assert!(e.to_string().starts_with("city: "), "{e}");
        }
        for good in [
            "Nguyễn Thị Ngọc Ánh",
            "Hồ Chí Minh",
            "Ngh\u{0065}\u{0323}\u{0302}",
            "สมศักดิ์",
            "กรุงเทพมหานคร",
            "Әйгерім",
            "Өскемен",
            "Нур-Султан (Астана)",
            "张三",
            "Anna \u{2764}\u{FE0F}",
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} family",
            "\u{1F44D}\u{1F3FD}",
        ] {
            assert_eq!(name("city", good, 100).expect(good), good);
        }
        assert!(name("city", "Almaty", 3).is_err());
        assert!(name("city", "A\nB", 100).is_err());
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
        // Hidden characters go, and marks past the bound; emoji and Vietnamese stay whole.
        assert_eq!(clean_line("Al\u{200B}ma\u{3164}ty\u{E0041}"), "Almaty");
        let buried = format!("A{}igerim", "\u{0301}".repeat(40));
        assert_eq!(
            clean_line(&buried),
            format!("A{}igerim", "\u{0301}".repeat(MAX_MARKS))
        );
        assert_eq!(clean_line("\u{0301}Al"), "Al");
        assert_eq!(
            clean_line("Nguyễn \u{2764}\u{FE0F}"),
            "Nguyễn \u{2764}\u{FE0F}"
        );
        assert_eq!(clean_line(&"\u{3164}".repeat(20)), "");
    }
}
