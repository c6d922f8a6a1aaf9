//! Spreadsheet files as government offices send them, turned into rows of text.
//!
//! - CSV (comma, tab or semicolon) in UTF-8 (with or without a BOM), UTF-16 (Excel's "Unicode
//!   text") or GBK/GB18030 (Excel's default "CSV" on a Chinese Windows);
//! - XLSX and the older XLS, first sheet; a merged region reads as its top-left value in every
//!   cell it covers, so a group title merged over two columns names both, and an address merged
//!   over a family's rows belongs to each of them.
//!
//! Rows keep the numbers a person sees (the spreadsheet's row number, the CSV line), blank rows
//! are skipped, and column indexes are absolute (column A is 0) so a report can name "D7".
//! The format is told by the bytes, not the file name.
//!
//! A file is read under [`Limits`] (bytes it expands to, rows, columns, characters in a cell),
//! counted while it is read: a spreadsheet bomb, a small file that expands to gigabytes, is
//! refused with [`SheetError::TooLarge`] before it is in memory. For XLSX every part is inflated
//! through a meter before calamine reads any (`xlsx.rs`); for XLS the compound file and its
//! records are walked first to size what calamine would allocate (`xls.rs`). A sheet is kept as
//! its non-empty cells (`grid.rs`), never as calamine's dense rectangle.

mod grid;
mod xls;
mod xlsx;

use calamine::{Data, DataRef};

use crate::grid::Grid;

/// How much one file may hold, checked while it is read so that a small file that expands to
/// gigabytes (a "spreadsheet bomb") is refused before it is in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes a workbook may expand to: for XLSX the parts inflated from the zip, for XLS the memory
    /// its decoding needs, for CSV the file itself; also the text kept of a workbook's sheet.
    pub max_inflated_bytes: u64,
    /// The last row number with content (a CSV's last line).
    pub max_rows: usize,
    /// The columns a row may use, counted to the last one with content (blank cells past it,
    /// and merged regions reaching past it, are no content).
    pub max_columns: usize,
    /// Characters in one cell.
    pub max_cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_inflated_bytes: 256 * MIB, max_rows: 2_000_000, max_columns: 200, max_cell_chars: 10_000 }
    }
}

const MIB: u64 = 1024 * 1024;

/// Which of the [`Limits`] a file went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// What the workbook expands to: for XLSX `read` is the bytes inflated when reading stopped
    /// (or a size a part declares), for XLS the memory its decoding would need.
    Inflated {
        read: u64,
    },
    /// A text file's size.
    Size {
        read: u64,
    },
    Rows,
    /// Row `row` (1-based) has content past the last column allowed.
    Columns {
        row: usize,
    },
    /// The cell at `row` (1-based) and `column` (0-based) is too long.
    CellChars {
        row: usize,
        column: usize,
    },
}

impl Exceeded {
    fn message(self, limit: u64) -> String {
        match self {
            Exceeded::Inflated { .. } => {
                let size = byte_size(limit);
                format!("文件解压后超过 {size} 的上限 (the file expands to more than the {size} limit)")
            }
            Exceeded::Size { .. } => {
                let size = byte_size(limit);
                format!("文件超过 {size} 的上限 (the file is larger than the {size} limit)")
            }
            Exceeded::Rows => format!("行数超过 {limit} 的上限 (more than {limit} rows)"),
            Exceeded::Columns { row } => {
                format!("第 {row} 行的列数超过 {limit} 的上限 (row {row} has more than {limit} columns)")
            }
            Exceeded::CellChars { row, column } => {
                let column = column_name(column);
                format!(
                    "第 {row} 行 {column} 列的单元格超过 {limit} 个字符 (cell {column}{row} is longer than {limit} characters)"
                )
            }
        }
    }
}

/// "256 MiB" for whole mebibytes, else bytes.
fn byte_size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) { format!("{} MiB", bytes / MIB) } else { format!("{bytes} B") }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件是空的 (the file is empty)")]
    Empty,
    #[error("文件既不是 UTF-8 也不是 GBK 编码的文本 (the file is neither UTF-8 nor GBK text)")]
    Encoding,
    #[error("无法读取 {format} 文件：{detail} (cannot read the {format} file)")]
    Unreadable { format: &'static str, detail: String },
    #[error("工作簿里没有工作表 (the workbook has no sheet)")]
    NoSheet,
    /// Binary content that is no workbook: a picture, a PDF, a Word file renamed.
    #[error("这不是表格文件，请上传 CSV、XLSX 或 XLS (not a spreadsheet: upload a CSV, XLSX or XLS file)")]
    NotASheet,
    /// Over one of the [`Limits`]; reading stopped there.
    #[error("{}", .what.message(*.limit))]
    TooLarge { what: Exceeded, limit: u64 },
}

impl SheetError {
    fn too_large(what: Exceeded, limit: impl TryInto<u64>) -> SheetError {
        SheetError::TooLarge { what, limit: limit.try_into().unwrap_or(u64::MAX) }
    }

    fn unreadable(format: Format, detail: impl std::fmt::Display) -> SheetError {
        SheetError::Unreadable { format: format.as_str(), detail: detail.to_string() }
    }
}

/// The file's format as recognised, for messages ("CSV GB18030").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CsvUtf8,
    CsvUtf16,
    CsvGb18030,
    Xlsx,
    Xls,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CsvUtf8 => "CSV UTF-8",
            Format::CsvUtf16 => "CSV UTF-16",
            Format::CsvGb18030 => "CSV GBK/GB18030",
            Format::Xlsx => "XLSX",
            Format::Xls => "XLS",
        }
    }
}

enum Body {
    Text { text: String, delimiter: u8 },
    Grid(Grid),
}

/// An opened file: its rows can be walked as many times as needed.
pub struct Sheet {
    format: Format,
    body: Body,
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

impl Sheet {
    pub fn open(bytes: &[u8]) -> Result<Sheet, SheetError> {
        Sheet::open_with(bytes, &Limits::default())
    }

    pub fn open_with(bytes: &[u8], limits: &Limits) -> Result<Sheet, SheetError> {
        if bytes.starts_with(ZIP) || bytes.starts_with(OLE) {
            // A workbook is read from the bytes in place; only text needs them owned.
            return Sheet::open_workbook(bytes, limits);
        }
        Sheet::from_vec_with(bytes.to_vec(), limits)
    }

    /// Like [`Sheet::open`], keeping the bytes of a UTF-8 file as its text without a copy (a
    /// million-row list is tens of megabytes).
    pub fn from_vec(bytes: Vec<u8>) -> Result<Sheet, SheetError> {
        Sheet::from_vec_with(bytes, &Limits::default())
    }

    pub fn from_vec_with(bytes: Vec<u8>, limits: &Limits) -> Result<Sheet, SheetError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(SheetError::Empty);
        }
        if bytes.starts_with(ZIP) || bytes.starts_with(OLE) {
            return Sheet::open_workbook(&bytes, limits);
        }
        let size = bytes.len() as u64;
        if size > limits.max_inflated_bytes {
            return Err(SheetError::too_large(Exceeded::Size { read: size }, limits.max_inflated_bytes));
        }
        let (text, format) = decode_text(bytes)?;
        // The CSV reader's line count drifts on CRLF; row numbers must match what Excel shows.
        let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text };
        let delimiter = sniff_delimiter(&text);
        let sheet = Sheet { format, body: Body::Text { text, delimiter } };
        sheet.check_text(limits)?;
        Ok(sheet)
    }

    fn open_workbook(bytes: &[u8], limits: &Limits) -> Result<Sheet, SheetError> {
        let (format, grid) = if bytes.starts_with(ZIP) {
            (Format::Xlsx, xlsx::read(bytes, limits)?)
        } else {
            (Format::Xls, xls::read(bytes, limits)?)
        };
        Ok(Sheet { format, body: Body::Grid(grid) })
    }

    /// One pass over a text file's records before it is accepted, so that walking it later
    /// cannot meet a limit.
    fn check_text(&self, limits: &Limits) -> Result<(), SheetError> {
        let Body::Text { text, delimiter } = &self.body else { return Ok(()) };
        let mut reader = self.csv_reader(text, *delimiter);
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(SheetError::unreadable(self.format, e)),
            }
            let used =
                record.iter().enumerate().filter(|(_, cell)| !cell.trim().is_empty()).last().map_or(0, |(i, _)| i + 1);
            if used == 0 {
                continue;
            }
            let line = usize::try_from(record.position().map_or(0, csv::Position::line)).unwrap_or(usize::MAX);
            if line > limits.max_rows {
                return Err(SheetError::too_large(Exceeded::Rows, limits.max_rows));
            }
            if used > limits.max_columns {
                return Err(SheetError::too_large(Exceeded::Columns { row: line }, limits.max_columns));
            }
            for (column, cell) in record.iter().enumerate() {
                // A cell has at least as many bytes as characters: count only the long ones.
                if cell.len() > limits.max_cell_chars && cell.chars().count() > limits.max_cell_chars {
                    return Err(SheetError::too_large(
                        Exceeded::CellChars { row: line, column },
                        limits.max_cell_chars,
                    ));
                }
            }
        }
    }

    fn csv_reader<'t>(&self, text: &'t str, delimiter: u8) -> csv::Reader<&'t [u8]> {
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes())
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Calls `visit(row_number, cells)` for each non-blank row in order (row numbers 1-based as
    /// the user sees them) until it returns `false`.
    pub fn for_each_row(&self, mut visit: impl FnMut(usize, &[String]) -> bool) -> Result<(), SheetError> {
        match &self.body {
            Body::Text { text, delimiter } => {
                let mut reader = self.csv_reader(text, *delimiter);
                let mut record = csv::StringRecord::new();
                let mut cells: Vec<String> = Vec::new();
                loop {
                    match reader.read_record(&mut record) {
                        Ok(false) => return Ok(()),
                        Ok(true) => {}
                        Err(e) => return Err(SheetError::unreadable(self.format, e)),
                    }
                    // The line the record starts on.
                    let line = usize::try_from(record.position().map_or(0, csv::Position::line)).unwrap_or(usize::MAX);
                    fill(&mut cells, record.iter());
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    if !visit(line, &cells) {
                        return Ok(());
                    }
                }
            }
            Body::Grid(grid) => {
                grid.for_each_row(visit);
                Ok(())
            }
        }
    }

    /// The first `n` non-blank rows.
    pub fn head(&self, n: usize) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
        let mut rows = Vec::new();
        self.for_each_row(|number, cells| {
            rows.push((number, cells.to_vec()));
            rows.len() < n
        })?;
        Ok(rows)
    }
}

/// Runs calamine, which indexes into the file's bytes and so can panic on a malformed one: that
/// is a file that cannot be read, not a server fault.
fn guard<T>(format: Format, read: impl FnOnce() -> Result<T, SheetError>) -> Result<T, SheetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err(SheetError::unreadable(format, "the file is malformed")))
}

/// Reuses `cells`' strings for the next row.
fn fill<S: AsRef<str>>(cells: &mut Vec<String>, values: impl Iterator<Item = S>) {
    let mut n = 0;
    for value in values {
        if n < cells.len() {
            cells[n].clear();
            cells[n].push_str(value.as_ref());
        } else {
            cells.push(value.as_ref().to_string());
        }
        n += 1;
    }
    cells.truncate(n);
}

/// A column name as a spreadsheet shows it: 0 → A, 26 → AA.
pub fn column_name(index: usize) -> String {
    let mut name = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rem]);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn decode_text(mut bytes: Vec<u8>) -> Result<(String, Format), SheetError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
        return String::from_utf8(bytes).map(|t| (t, Format::CsvUtf8)).map_err(|_| SheetError::Encoding);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(&bytes);
        return if bad { Err(SheetError::Encoding) } else { Ok((text.into_owned(), Format::CsvUtf16)) };
    }
    // Text never holds a NUL byte, while pictures and PDFs do at once.
    if bytes.iter().take(4096).any(|&b| b == 0) {
        return Err(SheetError::NotASheet);
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok((text, Format::CsvUtf8)),
        Err(not_utf8) => not_utf8.into_bytes(),
    };
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
    if bad { Err(SheetError::Encoding) } else { Ok((text.into_owned(), Format::CsvGb18030)) }
}

/// The separator of the first line: tab (Excel's text export), semicolon, or comma.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [b'\t', b';', b','].into_iter().max_by_key(|d| (count(*d as char), *d == b',')).unwrap_or(b',')
}

/// A cell as text: whole numbers without ".0" (phones typed as numbers), dates as dates.
fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        // An 18-digit ID stored as a number has already lost its last digits: show it the way
        // Excel does, which the ID rule recognises and explains.
        Data::Float(f) if f.fract() == 0.0 => format!("{f:E}").replace('E', "E+"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64(), d.is_duration()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A streamed XLSX cell as text, borrowing shared strings.
fn cell_text_ref<'a>(data: &'a DataRef<'_>) -> std::borrow::Cow<'a, str> {
    match data {
        DataRef::SharedString(s) => std::borrow::Cow::Borrowed(s),
        DataRef::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(cell_text(&Data::from(other.clone()))),
    }
}

/// An Excel serial day number (days since 1899-12-30) as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM".
fn excel_date(serial: f64, duration: bool) -> String {
    if duration || !serial.is_finite() {
        return serial.to_string();
    }
    // `as` saturates; a day count out of jiff's range is refused by `try_days` below.
    #[allow(clippy::cast_possible_truncation, reason = "saturating float-to-int, range checked by jiff")]
    let (days, minutes) = (serial.floor() as i64, ((serial - serial.floor()) * 1440.0).round() as i64);
    let Ok(epoch) = jiff::civil::Date::new(1899, 12, 30) else { return serial.to_string() };
    let Ok(span) = jiff::Span::new().try_days(days) else { return serial.to_string() };
    let Ok(date) = epoch.checked_add(span) else { return serial.to_string() };
    if minutes == 0 { date.to_string() } else { format!("{date} {:02}:{:02}", minutes / 60 % 24, minutes % 60) }
}

#[cfg(test)]
mod limits_tests;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn rows(sheet: &Sheet) -> Vec<(usize, Vec<String>)> {
        sheet.head(usize::MAX).unwrap()
    }

    #[test]
    fn utf8_csv_with_bom_and_blank_lines() {
        let sheet = Sheet::open(
            "\u{feff}姓名,手机号\r\n张三,13812345678\r\n\r\n,\r\n李四,\"139 1234 5678\"\r\n\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(sheet.format(), Format::CsvUtf8);
        let got = rows(&sheet);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (1, vec!["姓名".to_string(), "手机号".to_string()]));
        assert_eq!(got[2].0, 5, "line numbers count the blank lines");
        assert_eq!(got[2].1[1], "139 1234 5678");
    }

    #[test]
    fn gbk_csv_decodes() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名,身份证号码\n王五,411702199001011234\n");
        let sheet = Sheet::open(&bytes).unwrap();
        assert_eq!(sheet.format(), Format::CsvGb18030);
        assert_eq!(rows(&sheet)[1].1[0], "王五");
    }

    #[test]
    fn utf16_tab_text_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "姓名\t手机\n赵六\t13800000000\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let sheet = Sheet::open(&bytes).unwrap();
        assert_eq!(sheet.format(), Format::CsvUtf16);
        assert_eq!(rows(&sheet)[1].1, vec!["赵六".to_string(), "13800000000".to_string()]);
    }

    #[test]
    fn empty_and_undecodable_files_are_refused() {
        assert!(matches!(Sheet::open(b"  \n"), Err(SheetError::Empty)));
        assert!(matches!(Sheet::open(&[0x81, 0x20, 0xFF, 0x30]), Err(SheetError::Encoding)));
        // A picture or a PDF renamed .csv or .xlsx is named for what it is not.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(matches!(Sheet::open(png), Err(SheetError::NotASheet)));
        assert!(matches!(Sheet::open(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\0"), Err(SheetError::NotASheet)));
        assert!(matches!(Sheet::open(b"PK\x03\x04garbage"), Err(SheetError::Unreadable { .. })));
    }

    #[test]
    fn xlsx_merged_cells_fill_and_numbers_read_as_text() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.merge_range(0, 0, 0, 3, "来驻人员名单", &rust_xlsxwriter::Format::new()).unwrap();
        ws.merge_range(1, 0, 2, 0, "姓名", &rust_xlsxwriter::Format::new()).unwrap();
        ws.merge_range(1, 1, 1, 2, "证件信息", &rust_xlsxwriter::Format::new()).unwrap();
        ws.write(2, 1, "证件类型").unwrap();
        ws.write(2, 2, "证件号码").unwrap();
        ws.write(1, 3, "联系电话").unwrap();
        ws.write(3, 0, "张三").unwrap();
        ws.write(3, 2, "411702199001011234").unwrap();
        ws.write(3, 3, 13812345678.0).unwrap();
        ws.write(4, 0, "李四").unwrap();
        ws.write(4, 2, 411702199001011234.0).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2022, 3, 15).unwrap();
        ws.write_with_format(4, 3, &date, &rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd")).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let sheet = Sheet::open(&bytes).unwrap();
        assert_eq!(sheet.format(), Format::Xlsx);
        let got = rows(&sheet);
        assert_eq!(got[0], (1, vec!["来驻人员名单".to_string(); 4]));
        assert_eq!(got[1].1, vec!["姓名", "证件信息", "证件信息", "联系电话"]);
        assert_eq!(got[2].1[..3], ["姓名", "证件类型", "证件号码"]);
        assert_eq!(got[3].1, vec!["张三", "", "411702199001011234", "13812345678"]);
        assert!(got[4].1[2].contains("E+"), "{}", got[4].1[2]);
        assert_eq!(got[4].1[3], "2022-03-15");
    }

    #[test]
    fn sheets_starting_below_a1_keep_absolute_positions() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write(2, 1, "姓名").unwrap();
        ws.write(3, 1, "张三").unwrap();
        let sheet = Sheet::open(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(
            rows(&sheet),
            vec![(3, vec![String::new(), "姓名".into()]), (4, vec![String::new(), "张三".into()])]
        );
    }

    #[test]
    fn delimiters_and_column_names() {
        assert_eq!(sniff_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n"), b';');
        assert_eq!(sniff_delimiter("a,b\n"), b',');
        assert_eq!(sniff_delimiter("姓名\n"), b',');
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(excel_date(44635.0, false), "2022-03-15");
        assert_eq!(excel_date(44635.5, false), "2022-03-15 12:00");
        // A date-formatted cell holding a huge number reads as the number, not a panic.
        assert_eq!(excel_date(1e300, false), 1e300.to_string());
        assert_eq!(excel_date(-1e18, false), (-1e18).to_string());
    }
}
