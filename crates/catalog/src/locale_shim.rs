//! Temporary stand-in for `silkstream_l10n`'s locale list while that crate is rebuilt.

pub const SUPPORTED_LOCALES: &[&str] = &[
    "zh-CN", "en", "ru", "kk", "ky", "uz", "tt", "mn", "vi", "th", "id", "ms", "fil", "km", "lo",
    "my",
];

pub fn normalize_locale(tag: &str) -> Option<&'static str> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let canonical = match tag.as_str() {
        "tl" | "fil-ph" | "tl-ph" => "fil",
        "in" | "id-id" => "id",
        "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh-sg" => "zh-CN",
        "uz-latn" | "uz-latn-uz" | "uz-uz" => "uz",
        "mn-cyrl" | "mn-mn" => "mn",
        other => other,
    };
    SUPPORTED_LOCALES
        .iter()
        .find(|l| l.eq_ignore_ascii_case(canonical))
        .copied()
}
