//! CSV cells for the exports operators open in spreadsheets (orders, claims evidence): RFC 4180
//! quoting, and text someone else wrote neutralised when a spreadsheet would run it as a
//! formula.

/// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// A field of text someone else wrote (names, cities, addresses, tracking numbers…): one a
/// spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) is prefixed with a single quote and quoted, as OWASP's CSV-injection guidance says.
pub fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("\"'{}\"", value.replace('"', "\"\""))
    } else {
        field(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quotes, commas and line breaks are quoted and doubled; plain text is left alone.
    #[test]
    fn csv_fields_follow_rfc_4180() {
        assert_eq!(field("Almaty"), "Almaty");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    /// Cells a spreadsheet would run as formulas are quoted and prefixed; others stay as they
    /// are (OWASP CSV injection).
    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("@SUM(A1:A2)"), "\"'@SUM(A1:A2)\"");
        assert_eq!(text("+1+1"), "\"'+1+1\"");
        assert_eq!(text("-2+3"), "\"'-2+3\"");
        assert_eq!(text("\tcmd"), "\"'\tcmd\"");
        assert_eq!(text("\rcmd"), "\"'\rcmd\"");
        assert_eq!(text("Almaty"), "Almaty");
        assert_eq!(text("a=b"), "a=b");
        assert_eq!(text(""), "");
    }
}
