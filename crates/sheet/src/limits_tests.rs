//! Files over the limits, built here: an XLSX bomb (a hand-made deflate stream of a few MB that
//! inflates to hundreds), CSVs and workbooks over the row, column and cell caps, and XLS files
//! written record by record into a compound file.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::cast_possible_truncation, reason = "fixtures write small lengths into fixed-width binary fields")]

use std::io::{Cursor, Read, Write};

use calamine::{Reader, Sheets};

use super::*;

const KIB: usize = 1024;

fn rows(sheet: &Sheet) -> Vec<(usize, Vec<String>)> {
    sheet.head(usize::MAX).unwrap()
}

fn too_large(result: Result<Sheet, SheetError>) -> (Exceeded, u64, String) {
    match result {
        Err(e @ SheetError::TooLarge { what, limit }) => (what, limit, e.to_string()),
        Err(other) => panic!("expected TooLarge, got {other}"),
        Ok(_) => panic!("expected TooLarge, the file was read"),
    }
}

/// The reading before limits, as a reference: calamine's whole-sheet range and merges.
fn calamine_rows(bytes: &[u8]) -> Vec<(usize, Vec<String>)> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let merges = match &mut book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap(),
        _ => Vec::new(),
    };
    let Some((top, left)) = range.start() else { return Vec::new() };
    let (top, left) = (top as usize, left as usize);
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let absolute_row = top + i;
        let mut cells: Vec<String> = (0..left).map(|_| String::new()).chain(row.iter().map(cell_text)).collect();
        for merge in &merges {
            let (r0, c0) = (merge.start.0 as usize, merge.start.1 as usize);
            let (r1, c1) = (merge.end.0 as usize, merge.end.1 as usize);
            if absolute_row < r0 || absolute_row > r1 || (absolute_row == r0 && c0 == c1) {
                continue;
            }
            let origin = range.get_value((r0 as u32, c0 as u32)).map(cell_text).unwrap_or_default();
            for column in c0..=c1 {
                if cells.len() <= column {
                    cells.resize(column + 1, String::new());
                }
                if cells[column].is_empty() {
                    cells[column].clone_from(&origin);
                }
            }
        }
        if !cells.iter().all(|c| c.trim().is_empty()) {
            out.push((absolute_row + 1, cells));
        }
    }
    out
}

// --- A zip written by hand, so that one entry can be a deflate stream made here. ---

fn crc32(bytes: &[u8]) -> u32 {
    let table: Vec<u32> =
        (0..256u32).map(|i| (0..8).fold(i, |c, _| if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 })).collect();
    !bytes.iter().fold(!0u32, |crc, &b| (crc >> 8) ^ table[((crc ^ u32::from(b)) & 0xFF) as usize])
}

struct Entry {
    name: String,
    data: Vec<u8>,
    deflated: bool,
    crc: u32,
    size: u32,
}

fn stored(name: &str, text: &str) -> Entry {
    let data = text.as_bytes().to_vec();
    Entry { name: name.into(), crc: crc32(&data), size: data.len() as u32, data, deflated: false }
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let method: u16 = if e.deflated { 8 } else { 0 };
        let fields = |head: &mut Vec<u8>| {
            head.extend_from_slice(&20u16.to_le_bytes());
            head.extend_from_slice(&0u16.to_le_bytes());
            head.extend_from_slice(&method.to_le_bytes());
            head.extend_from_slice(&0u16.to_le_bytes());
            head.extend_from_slice(&0x21u16.to_le_bytes());
            head.extend_from_slice(&e.crc.to_le_bytes());
            head.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            head.extend_from_slice(&e.size.to_le_bytes());
            head.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            head.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        fields(&mut out);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        fields(&mut central);
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let (at, len) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0; 2]);
    out
}

/// Bits of a deflate stream, least significant first; Huffman codes go most significant first.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u32, len: u32) {
        self.put(reversed(code, len), len);
    }

    /// A literal/length symbol in the fixed Huffman code.
    fn symbol(&mut self, s: u32) {
        let (code, len) = match s {
            0..=143 => (0x30 + s, 8),
            144..=255 => (0x190 + s - 144, 9),
            256..=279 => (s - 256, 7),
            _ => (0xC0 + s - 280, 8),
        };
        self.code(code, len);
    }
}

fn reversed(code: u32, len: u32) -> u32 {
    (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)))
}

/// The bits of a back-reference (length 3 to 258, distance up to 32768), as one value.
fn copy_bits(len: u32, distance: u32) -> (u32, u32) {
    const LEN: [u32; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258,
    ];
    const LEN_EXTRA: [u32; 29] =
        [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    const DIST: [u32; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ];
    let (mut value, mut n) = (0u32, 0u32);
    let mut put = |v: u32, count: u32| {
        value |= v << n;
        n += count;
    };
    let i = LEN.iter().rposition(|&b| b <= len).unwrap();
    let symbol = 257 + i as u32;
    if symbol < 280 {
        put(reversed(symbol - 256, 7), 7);
    } else {
        put(reversed(0xC0 + symbol - 280, 8), 8);
    }
    put(len - LEN[i], LEN_EXTRA[i]);
    let d = DIST.iter().rposition(|&b| b <= distance).unwrap();
    put(reversed(d as u32, 5), 5);
    put(distance - DIST[d], (d as u32 / 2).saturating_sub(1));
    (value, n)
}

/// A raw deflate stream of `prefix`, `unit` `count` times, then `suffix`: one fixed-Huffman
/// block whose repeats are back-references, about 14 bits per 258 bytes.
fn deflate_repeating(prefix: &str, unit: &str, count: usize, suffix: &str) -> (Vec<u8>, usize) {
    let mut bits = Bits { out: Vec::new(), acc: 0, n: 0 };
    bits.put(1, 1);
    bits.put(1, 2);
    for b in prefix.bytes().chain(unit.bytes()) {
        bits.symbol(u32::from(b));
    }
    let mut left = unit.len() * (count - 1);
    let (full, full_bits) = copy_bits(258, unit.len() as u32);
    while left > 0 {
        // A copy shorter than 3 cannot be written: end with a little less than 258 instead.
        let len = if left > 258 + 2 || left == 258 {
            258
        } else if left > 258 {
            left - 3
        } else {
            left
        };
        if len == 258 {
            bits.put(full, full_bits);
        } else if len < 3 {
            for b in unit.bytes().cycle().skip(unit.len() - left % unit.len()).take(len) {
                bits.symbol(u32::from(b));
            }
        } else {
            let (v, n) = copy_bits(len as u32, unit.len() as u32);
            bits.put(v, n);
        }
        left -= len;
    }
    for b in suffix.bytes() {
        bits.symbol(u32::from(b));
    }
    bits.symbol(256);
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    (bits.out, prefix.len() + unit.len() * count + suffix.len())
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// An XLSX whose sheet is `unit` repeated `count` times inside `<sheetData>`.
fn xlsx_repeating(unit: &str, count: usize) -> (Vec<u8>, usize) {
    let (data, size) = deflate_repeating(SHEET_HEAD, unit, count, SHEET_TAIL);
    let mut plain = Vec::new();
    plain.extend_from_slice(SHEET_HEAD.as_bytes());
    let sheet = Entry {
        name: "xl/worksheets/sheet1.xml".into(),
        // The checksum is only checked at the end, which a bomb's reader never reaches; small
        // sheets get a true one.
        crc: if size < 64 * KIB * KIB {
            plain.extend(unit.bytes().cycle().take(unit.len() * count));
            plain.extend_from_slice(SHEET_TAIL.as_bytes());
            crc32(&plain)
        } else {
            0
        },
        size: size as u32,
        data,
        deflated: true,
    };
    let parts = [
        stored(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        stored(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        stored(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        sheet,
    ];
    (zip(&parts), size)
}

const ROW: &str = r#"<row><c t="inlineStr"><is><t>张三</t></is></c><c><v>13812345678</v></c></row>"#;

#[test]
fn xlsx_bomb_is_refused_after_inflating_about_the_cap() {
    // 4 M rows: about 300 MB of sheet XML in a file of about 2 MB.
    let (bytes, inflated) = xlsx_repeating(ROW, 4_000_000);
    assert!(bytes.len() < 4 * KIB * KIB, "{} bytes on disk", bytes.len());
    assert!(inflated > 250 * KIB * KIB, "{inflated} bytes inflated");
    let cap = 8 * MIB;
    let limits = Limits { max_inflated_bytes: cap, ..Limits::default() };
    let (what, limit, message) = too_large(Sheet::open_with(&bytes, &limits));
    assert_eq!(limit, cap);
    let Exceeded::Inflated { read } = what else { panic!("{what:?}") };
    // Stopped within one read of the cap: the rest was never inflated.
    assert!(read > cap && read <= cap + 64 * KIB as u64, "read {read}");
    assert!(message.contains("8 MiB"), "{message}");
    assert!(message.starts_with("文件解压后超过 8 MiB 的上限"), "{message}");
}

#[test]
fn xlsx_whose_sizes_lie_is_not_read_past_them() {
    // The directory says the sheet is 1 KiB; it inflates to 300 MB.
    let (mut bytes, _) = xlsx_repeating(ROW, 4_000_000);
    let declared = 1024u32.to_le_bytes();
    // In the sheet's local header and in the central directory.
    for at in find_all(&bytes, b"xl/worksheets/sheet1.xml") {
        let header = if bytes[at - 46..at - 42] == 0x0201_4b50u32.to_le_bytes() { at - 46 + 24 } else { at - 30 + 22 };
        bytes[header..header + 4].copy_from_slice(&declared);
    }
    let limits = Limits { max_inflated_bytes: 8 * MIB, ..Limits::default() };
    // The zip reader stops at the declared size with an error, so the sheet is left out and the
    // workbook has none to read; had it read on, the meter would have stopped it at the cap.
    match Sheet::open_with(&bytes, &limits) {
        Err(SheetError::Unreadable { detail, .. }) => assert!(detail.contains("not found"), "{detail}"),
        Err(SheetError::TooLarge { what: Exceeded::Inflated { read }, .. }) => {
            assert!(read <= 8 * MIB + 64 * KIB as u64);
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("read past the declared size"),
    }
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect()
}

#[test]
fn xlsx_under_the_cap_reads_and_rows_stop_at_the_row_cap() {
    let (bytes, _) = xlsx_repeating(ROW, 3);
    let sheet = Sheet::open(&bytes).unwrap();
    assert_eq!(sheet.format(), Format::Xlsx);
    let expected: Vec<(usize, Vec<String>)> = (1..=3).map(|n| (n, vec!["张三".into(), "13812345678".into()])).collect();
    assert_eq!(rows(&sheet), expected);
    assert_eq!(rows(&sheet), calamine_rows(&bytes));

    let (bytes, _) = xlsx_repeating(ROW, 50_000);
    let limits = Limits { max_rows: 1000, ..Limits::default() };
    let (what, limit, message) = too_large(Sheet::open_with(&bytes, &limits));
    assert_eq!((what, limit), (Exceeded::Rows, 1000));
    assert_eq!(message, "行数超过 1000 的上限 (more than 1000 rows)");
}

#[test]
fn xlsx_columns_and_long_cells_are_refused() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "姓名").unwrap();
    ws.write(6, 23, "x".repeat(30)).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let cells = Limits { max_cell_chars: 20, ..Limits::default() };
    let (what, _, message) = too_large(Sheet::open_with(&bytes, &cells));
    assert_eq!(what, Exceeded::CellChars { row: 7, column: 23 });
    assert_eq!(message, "第 7 行 X 列的单元格超过 20 个字符 (cell X7 is longer than 20 characters)");
    let columns = Limits { max_columns: 10, ..Limits::default() };
    let (what, _, message) = too_large(Sheet::open_with(&bytes, &columns));
    assert_eq!(what, Exceeded::Columns { row: 7 });
    assert_eq!(message, "第 7 行的列数超过 10 的上限 (row 7 has more than 10 columns)");
    // Characters, not bytes: 20 Chinese characters are 60 bytes.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write(0, 0, "张".repeat(20)).unwrap();
    assert!(Sheet::open_with(&book.save_to_buffer().unwrap(), &cells).is_ok());
}

#[test]
fn blank_cells_and_merges_past_the_limits_are_not_content() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.merge_range(0, 0, 0, 255, "来驻人员名单", &rust_xlsxwriter::Format::new()).unwrap();
    ws.write(1, 0, "姓名").unwrap();
    ws.write(1, 240, " ").unwrap();
    ws.write(70_000, 3, " ").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let limits = Limits { max_rows: 60_000, ..Limits::default() };
    let got = rows(&Sheet::open_with(&bytes, &limits).unwrap());
    assert_eq!(got[0], (1, vec!["来驻人员名单".to_string(); 200]));
    assert_eq!(got[1].0, 2);
    assert_eq!(got.len(), 2);
}

/// Rebuilds an XLSX with one part's text changed.
fn with_part(bytes: &[u8], part: &str, change: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let text = if name == part { change(text) } else { text };
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_declared_shared_string_count_is_checked_before_calamine_reserves_it() {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write(0, 0, "姓名").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let bomb = with_part(&bytes, "xl/sharedStrings.xml", |sst| {
        let at = sst.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = at + sst[at..].find('"').unwrap();
        format!("{}999999999999{}", &sst[..at], &sst[end..])
    });
    let (what, _, _) = too_large(Sheet::open(&bomb));
    assert!(matches!(what, Exceeded::Inflated { read } if read > 999_999_999_999), "{what:?}");
    // Unchanged, it reads.
    assert_eq!(rows(&Sheet::open(&with_part(&bytes, "", |s| s)).unwrap())[0].1, ["姓名"]);
}

#[test]
fn styles_are_cut_to_number_formats_and_dates_still_read() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2022, 3, 15).unwrap();
    let bold = rust_xlsxwriter::Format::new().set_bold().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    ws.write_with_format(0, 0, &date, &bold).unwrap();
    ws.write_with_format(0, 1, 0.5, &rust_xlsxwriter::Format::new().set_num_format("hh:mm")).unwrap();
    ws.write_with_format(0, 2, 1234.5, &rust_xlsxwriter::Format::new().set_num_format("#,##0.00")).unwrap();
    ws.write(0, 3, true).unwrap();
    ws.write_formula(0, 4, "=1/0").unwrap();
    ws.write(0, 5, "").unwrap();
    ws.merge_range(1, 0, 2, 1, "合并", &rust_xlsxwriter::Format::new()).unwrap();
    ws.write(2, 6, "尾").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let sheet = Sheet::open(&bytes).unwrap();
    assert_eq!(rows(&sheet), calamine_rows(&bytes));
    assert_eq!(rows(&sheet)[0].1[0], "2022-03-15");
}

// --- CSV ---

#[test]
fn csv_over_the_byte_row_column_and_cell_caps_is_refused() {
    let text = "姓名,手机号\n".to_string() + &"张三,13800000000\n".repeat(20);
    let small = Limits { max_inflated_bytes: 100, ..Limits::default() };
    let (what, limit, message) = too_large(Sheet::open_with(text.as_bytes(), &small));
    assert_eq!((what, limit), (Exceeded::Size { read: text.len() as u64 }, 100));
    assert_eq!(message, "文件超过 100 B 的上限 (the file is larger than the 100 B limit)");

    let rows_cap = Limits { max_rows: 20, ..Limits::default() };
    assert_eq!(too_large(Sheet::open_with(text.as_bytes(), &rows_cap)).0, Exceeded::Rows);
    let exact = Limits { max_rows: 21, ..Limits::default() };
    assert_eq!(rows(&Sheet::open_with(text.as_bytes(), &exact).unwrap()).len(), 21);

    // Trailing empty fields do not count as columns.
    let wide = "a,b,c,,,,\n1,2,3,4\n";
    let columns = Limits { max_columns: 3, ..Limits::default() };
    let (what, _, _) = too_large(Sheet::open_with(wide.as_bytes(), &columns));
    assert_eq!(what, Exceeded::Columns { row: 2 });

    let long = format!("姓名,备注\n张三,ok\n李四,{}\n", "长".repeat(11));
    let cells = Limits { max_cell_chars: 10, ..Limits::default() };
    let (what, _, message) = too_large(Sheet::from_vec_with(long.into_bytes(), &cells));
    assert_eq!(what, Exceeded::CellChars { row: 3, column: 1 });
    assert!(message.contains("B3"), "{message}");
}

#[test]
fn limits_default_as_documented() {
    let limits = Limits::default();
    assert_eq!(limits.max_inflated_bytes, 256 * 1024 * 1024);
    assert_eq!((limits.max_rows, limits.max_columns, limits.max_cell_chars), (2_000_000, 200, 10_000));
    let e = SheetError::too_large(Exceeded::Inflated { read: 0 }, limits.max_inflated_bytes);
    assert_eq!(e.to_string(), "文件解压后超过 256 MiB 的上限 (the file expands to more than the 256 MiB limit)");
}

// --- XLS: BIFF8 records in a compound file. ---

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend_from_slice(&(data.len() as u16).to_le_bytes());
    r.extend_from_slice(data);
    r
}

fn bof(kind: u16) -> Vec<u8> {
    let mut data = vec![0u8; 16];
    data[..2].copy_from_slice(&0x0600u16.to_le_bytes());
    data[2..4].copy_from_slice(&kind.to_le_bytes());
    record(0x0809, &data)
}

enum Value<'a> {
    Number(f64),
    Text(&'a str),
    Shared(u32),
}

fn cell(row: u16, column: u16, value: &Value<'_>) -> Vec<u8> {
    let mut data = [row.to_le_bytes(), column.to_le_bytes(), 0u16.to_le_bytes()].concat();
    match value {
        Value::Number(n) => {
            data.extend_from_slice(&n.to_le_bytes());
            record(0x0203, &data)
        }
        Value::Text(s) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            data.extend_from_slice(&(units.len() as u16).to_le_bytes());
            data.push(1);
            units.iter().for_each(|u| data.extend_from_slice(&u.to_le_bytes()));
            record(0x0204, &data)
        }
        Value::Shared(i) => {
            data.extend_from_slice(&i.to_le_bytes());
            record(0x00FD, &data)
        }
    }
}

/// A shared-string table of ASCII strings, split over CONTINUE records as Excel splits it.
fn shared_strings(strings: &[String]) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = vec![[strings.len() as u32, strings.len() as u32].map(u32::to_le_bytes).concat()];
    for s in strings {
        let mut header = (s.len() as u16).to_le_bytes().to_vec();
        header.push(0);
        if parts.last().unwrap().len() + 3 > 8224 {
            parts.push(Vec::new());
        }
        parts.last_mut().unwrap().extend_from_slice(&header);
        let mut text = s.as_bytes();
        while !text.is_empty() {
            let room = 8224 - parts.last().unwrap().len();
            if room == 0 {
                // A continuation repeats the string's flags.
                parts.push(vec![0]);
                continue;
            }
            let (now, later) = text.split_at(room.min(text.len()));
            parts.last_mut().unwrap().extend_from_slice(now);
            text = later;
        }
    }
    parts.iter().enumerate().flat_map(|(i, p)| record(if i == 0 { 0x00FC } else { 0x003C }, p)).collect()
}

/// A workbook stream: one sheet holding `records`.
fn workbook(globals: &[u8], records: &[u8]) -> Vec<u8> {
    let name: Vec<u8> = "Sheet1".bytes().collect();
    let bound = |pos: u32| {
        let mut data = pos.to_le_bytes().to_vec();
        data.extend_from_slice(&[0, 0, name.len() as u8, 0]);
        data.extend_from_slice(&name);
        record(0x0085, &data)
    };
    let head_len = bof(5).len() + bound(0).len() + globals.len() + 4;
    let mut stream = bof(5);
    stream.extend(bound(head_len as u32));
    stream.extend_from_slice(globals);
    stream.extend(record(0x000A, &[]));
    stream.extend(bof(0x10));
    stream.extend_from_slice(records);
    stream.extend(record(0x000A, &[]));
    // Past the mini stream's cutoff, so the stream lives in ordinary sectors.
    stream.resize(stream.len().max(4096), 0);
    stream
}

const FREE: u32 = 0xFFFF_FFFF;
const END: u32 = 0xFFFF_FFFE;

/// A version-3 compound file holding `stream` as "Workbook" (of `declared` bytes if given);
/// `patch` may change the sector table.
fn compound(stream: &[u8], declared: Option<u32>, patch: impl Fn(&mut Vec<u32>)) -> Vec<u8> {
    let n = stream.len().div_ceil(512);
    let fat_sectors = (n + 2).div_ceil(127);
    let dir = fat_sectors;
    let mut fat = vec![FREE; fat_sectors * 128];
    fat[..fat_sectors].fill(0xFFFF_FFFD);
    fat[dir] = END;
    for i in 0..n {
        fat[dir + 1 + i] = if i + 1 == n { END } else { (dir + 2 + i) as u32 };
    }
    patch(&mut fat);
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let put16 = |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x3E);
    put16(&mut header, 26, 3);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, fat_sectors as u32);
    put32(&mut header, 48, dir as u32);
    put32(&mut header, 56, 4096);
    put32(&mut header, 60, END);
    put32(&mut header, 68, END);
    for i in 0..109 {
        put32(&mut header, 76 + 4 * i, if i < fat_sectors { i as u32 } else { FREE });
    }
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        units.iter().enumerate().for_each(|(i, u)| e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes()));
        e[64..66].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
        e[66] = kind;
        e[67] = 1;
        e[68..72].copy_from_slice(&FREE.to_le_bytes());
        e[72..76].copy_from_slice(&FREE.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut file = header;
    fat.iter().for_each(|v| file.extend_from_slice(&v.to_le_bytes()));
    file.extend(entry("Root Entry", 5, 1, END, 0));
    file.extend(entry("Workbook", 2, FREE, (dir + 1) as u32, declared.unwrap_or(stream.len() as u32)));
    file.extend(vec![0u8; 256]);
    file.extend_from_slice(stream);
    file.resize(512 * (1 + fat_sectors + 1 + n), 0);
    file
}

#[test]
fn xls_reads_as_calamine_read_it() {
    let mut records = cell(0, 0, &Value::Text("姓名"));
    records.extend(cell(0, 1, &Value::Text("手机号")));
    records.extend(cell(1, 0, &Value::Shared(0)));
    records.extend(cell(1, 1, &Value::Number(13812345678.0)));
    records.extend(cell(3, 0, &Value::Shared(1)));
    // A group title merged over A4:B5.
    records.extend(record(0x00E5, &[1u16, 3, 4, 0, 1].map(u16::to_le_bytes).concat()));
    let long = "x".repeat(9000);
    let strings = vec!["zhang san".to_string(), long.clone()];
    let bytes = compound(&workbook(&shared_strings(&strings), &records), None, |_| {});
    let sheet = Sheet::open(&bytes).unwrap();
    assert_eq!(sheet.format(), Format::Xls);
    let got = rows(&sheet);
    assert_eq!(got, calamine_rows(&bytes));
    assert_eq!(got[0], (1, vec!["姓名".to_string(), "手机号".to_string()]));
    assert_eq!(got[1].1, ["zhang san", "13812345678"]);
    // The merge fills B4; row 5, below the last cell, is not a row of the sheet, as before.
    assert_eq!(got[2], (4, vec![long.clone(); 2]));
    assert_eq!(got.len(), 3);

    // The 9000-character shared string, read across CONTINUE records, is over a 5000 cap.
    let cells = Limits { max_cell_chars: 5000, ..Limits::default() };
    assert_eq!(too_large(Sheet::open_with(&bytes, &cells)).0, Exceeded::CellChars { row: 4, column: 0 });
    let rows_cap = Limits { max_rows: 3, ..Limits::default() };
    assert_eq!(too_large(Sheet::open_with(&bytes, &rows_cap)).0, Exceeded::Rows);
}

#[test]
fn xls_with_two_far_cells_is_refused_before_calamine_makes_its_dense_range() {
    // A1 and IV65536: calamine's range would be 65536 × 256 cells of 32 bytes.
    let mut records = cell(0, 0, &Value::Number(1.0));
    records.extend(cell(65535, 255, &Value::Number(2.0)));
    let bytes = compound(&workbook(&[], &records), None, |_| {});
    assert!(bytes.len() < 8 * KIB);
    let (what, limit, message) = too_large(Sheet::open(&bytes));
    let Exceeded::Inflated { read } = what else { panic!("{what:?}") };
    assert!(read >= 65536 * 256 * 32 && limit == 256 * MIB, "{read}");
    assert!(message.starts_with("文件解压后超过 256 MiB"), "{message}");
    // A1 and CV10000 (32 MB of range) read within the default cap, and not within 16 MiB.
    let mut records = cell(0, 0, &Value::Number(1.0));
    records.extend(cell(9999, 99, &Value::Number(2.0)));
    let bytes = compound(&workbook(&[], &records), None, |_| {});
    assert_eq!(rows(&Sheet::open(&bytes).unwrap()).len(), 2);
    let small = Limits { max_inflated_bytes: 16 * MIB, ..Limits::default() };
    assert!(matches!(too_large(Sheet::open_with(&bytes, &small)).0, Exceeded::Inflated { .. }));
}

#[test]
fn xls_copying_one_long_shared_string_into_many_cells_is_refused() {
    let long = vec!["y".repeat(20_000)];
    let records: Vec<u8> = (0..5000).flat_map(|row| cell(row, 0, &Value::Shared(0))).collect();
    let bytes = compound(&workbook(&shared_strings(&long), &records), None, |_| {});
    assert!(bytes.len() < 128 * KIB);
    let (what, _, _) = too_large(Sheet::open(&bytes));
    // 5000 copies of 20000 characters.
    assert!(matches!(what, Exceeded::Inflated { read } if read >= 5000 * 20_000), "{what:?}");
}

#[test]
fn xls_sector_chains_that_loop_are_refused() {
    let stream = workbook(&[], &cell(0, 0, &Value::Number(1.0)));
    // The directory's chain points at itself: calamine would read it forever.
    let looped_directory = compound(&stream, None, |fat| fat[1] = 1);
    assert!(matches!(Sheet::open(&looped_directory), Err(SheetError::Unreadable { .. })));
    // The stream's last sector points back at its first, and it claims 4 GB: calamine would
    // go round until it had read that much.
    let looped_stream = compound(&stream, Some(u32::MAX), |fat| {
        let last = fat.iter().rposition(|&v| v == END).unwrap();
        fat[last] = 2;
    });
    assert!(matches!(Sheet::open(&looped_stream), Err(SheetError::Unreadable { .. })));
    assert_eq!(rows(&Sheet::open(&compound(&stream, None, |_| {})).unwrap()), vec![(1, vec!["1".to_string()])]);
}

#[test]
fn a_dimensions_record_cannot_make_calamine_reserve_the_world() {
    // Rows 0 to 4 294 967 294 and 256 columns, declared in 18 bytes.
    let dims = [0u32.to_le_bytes(), u32::MAX.to_le_bytes()].concat();
    let mut data = dims;
    data.extend_from_slice(&[0, 0, 0, 1, 0, 0]);
    let mut records = record(0x0200, &data);
    records.extend(cell(0, 0, &Value::Number(1.0)));
    let bytes = compound(&workbook(&[], &records), None, |_| {});
    assert!(matches!(too_large(Sheet::open(&bytes)).0, Exceeded::Inflated { .. }));
}
