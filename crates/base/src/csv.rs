//! CSV for the exports operators open in spreadsheets (orders, claims evidence): the `csv`
//! crate's writer (RFC 4180 quoting, CRLF line ends) a page of rows at a time, so an export
//! streams in constant memory whatever its size, and text someone else wrote neutralised when a
//! spreadsheet would run it as a formula ([`text`]: the crate has no such guard).

use std::borrow::Cow;

/// Rows of CSV written into memory: one page of an export, handed to the response body as
/// one chunk ([`Page::into_bytes`]). A cell is quoted when it holds a comma, a quote, a line
/// break or a single quote (the mark of a neutralised cell, so that every neutralised cell is
/// quoted as OWASP's guidance says; an apostrophe in a name quotes its cell too, which
/// changes nothing a reader sees).
pub struct Page {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for Page {
    fn default() -> Self {
        Self::new()
    }
}

impl Page {
    pub fn new() -> Self {
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            // Fields holding the comment character are quoted: the neutraliser's quote mark.
            .comment(Some(b'\''))
            .from_writer(Vec::new());
        Self { writer }
    }

    /// Writes one row of `cells` (a cell of text someone else wrote goes through [`text`]
    /// first).
    pub fn row<I, T>(&mut self, cells: I) -> crate::error::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer
            .write_record(cells)
            .map_err(crate::error::Error::internal)
    }

    /// The rows written, as one chunk of a response body.
    pub fn into_bytes(self) -> crate::error::Result<axum::body::Bytes> {
        self.writer
            .into_inner()
            .map(axum::body::Bytes::from)
            .map_err(|e| crate::error::Error::internal(e.into_error()))
    }
}

/// A cell of text someone else wrote (names, cities, addresses, tracking numbers…): one a
/// spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) is prefixed with a single quote, and [`Page`] quotes it, as OWASP's CSV-injection
/// guidance says.
pub fn text(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[&str]) -> String {
        let mut page = Page::new();
        page.row(cells).expect("a row");
        String::from_utf8(page.into_bytes().expect("bytes").to_vec()).expect("UTF-8")
    }

    /// Quotes, commas and line breaks are quoted and doubled; plain text is left alone; a row
    /// ends with CRLF.
    #[test]
    fn csv_fields_follow_rfc_4180() {
        assert_eq!(line(&["Almaty", "1"]), "Almaty,1\r\n");
        assert_eq!(line(&["a,b"]), "\"a,b\"\r\n");
        assert_eq!(line(&["say \"hi\""]), "\"say \"\"hi\"\"\"\r\n");
        assert_eq!(line(&["two\nlines", ""]), "\"two\nlines\",\r\n");
    }

    /// Cells a spreadsheet would run as formulas are quoted and prefixed; others stay as they
    /// are (OWASP CSV injection).
    #[test]
    fn formula_cells_are_neutralised() {
        let cell = |v: &str| line(&[text(v).as_ref(), "x"]);
        assert_eq!(
            cell("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\",x\r\n"
        );
        assert_eq!(cell("@SUM(A1:A2)"), "\"'@SUM(A1:A2)\",x\r\n");
        assert_eq!(cell("+1+1"), "\"'+1+1\",x\r\n");
        assert_eq!(cell("-2+3"), "\"'-2+3\",x\r\n");
        assert_eq!(cell("\tcmd"), "\"'\tcmd\",x\r\n");
        assert_eq!(cell("\rcmd"), "\"'\rcmd\",x\r\n");
        assert_eq!(cell("Almaty"), "Almaty,x\r\n");
        assert_eq!(cell("a=b"), "a=b,x\r\n");
        assert_eq!(cell(""), ",x\r\n");
    }
}
