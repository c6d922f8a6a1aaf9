//! Cells of every export (CSV and XLSX) made safe to open: a value that a spreadsheet would run
//! as a formula — starting with `=`, `+`, `-`, `@`, a tab or a carriage return — gets a leading
//! single quote, as OWASP advises against CSV injection. XLSX cells are written as strings
//! already, but a workbook saved again as CSV would carry the formula on.

use std::borrow::Cow;

/// The cell as it may be written.
pub fn safe(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// A whole record, for `csv::Writer::write_record`.
pub fn safe_record<'a>(record: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    record.into_iter().map(|cell| safe(cell).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_text_kept() {
        assert_eq!(safe(r#"=HYPERLINK("http://evil","x")"#), r#"'=HYPERLINK("http://evil","x")"#);
        for formula in ["+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"] {
            assert!(safe(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(safe("驻马店市驿城区"), "驻马店市驿城区");
        assert_eq!(safe("41170219900101123X"), "41170219900101123X");
        assert_eq!(safe("a=b"), "a=b");
    }
}
