//! From an uploaded file to normalised list rows, or to a per-row error report: the import path
//! the page, the API and `fangkong import` share. Nothing here writes; the store's
//! `Handle::import_list` writes everything or nothing once every row is valid.

use domain::Code;
use domain::{HEADER_SEARCH_ROWS, ListField, ListRow, Mapping, MappingError, PlaceNames};
use sha2::{Digest, Sha256};
use sheet::{Sheet, SheetError, column_name};

/// The largest file accepted (a 1 M-row list as CSV is about 60 MB).
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// The most problems a report lists; past that, the file is plainly the wrong one.
pub const MAX_PROBLEMS: usize = 10_000;

/// How many imports (reading, checking and matching a file: hundreds of MB for a big list) run
/// at once; one more is told to wait instead of queueing up memory.
#[derive(Debug, Clone)]
pub struct Gate(std::sync::Arc<tokio::sync::Semaphore>);

/// Every place an import may run is taken: come back shortly.
#[derive(Debug, Clone, Copy)]
pub struct Busy;

impl Gate {
    pub fn new(at_once: usize) -> Gate {
        Gate(std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1))))
    }

    /// A place to run one import, held until the permit is dropped.
    pub fn enter(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Busy> {
        self.0.clone().try_acquire_owned().map_err(|_| Busy)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] SheetError),
    #[error(
        "找不到表头：前 {HEADER_SEARCH_ROWS} 行里没有一行写着“姓名”“身份证号”“手机号”等列名中的两个 (no header row found)"
    )]
    NoHeader,
    #[error("列对应有误：{0} (column mapping)")]
    Mapping(#[from] MappingError),
    #[error("{} 行有错误，没有导入任何数据 ({} bad rows; nothing was imported)", .problems.len(), .bad_rows)]
    Rows { problems: Vec<RowProblem>, bad_rows: usize, rows_read: usize },
    #[error("文件里没有数据行 (the file has no data rows)")]
    NoRows,
}

/// The sheet reader and this module write each refusal as "中文 (English)"; a page or problem
/// shows the half its reader asked for.
impl domain::Explain for ImportError {
    fn zh(&self) -> String {
        self.explain().zh
    }

    fn explain(&self) -> domain::Message {
        let text = self.to_string();
        match text.strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
            Some((zh, en)) => domain::Message::new(zh, en),
            None => domain::Message::new(text.clone(), text),
        }
    }
}

/// One bad cell, named the way the person who made the file will look for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The row number in the spreadsheet (or the CSV line).
    pub row: usize,
    /// "C (身份证号码)": the column letter and its header.
    pub column: String,
    pub field: ListField,
    pub value: String,
    pub reason: domain::Message,
}

/// What a file looks like before the mapping is confirmed.
#[derive(Debug, Clone)]
pub struct Preview {
    pub format: &'static str,
    pub sha256: String,
    /// The header's row number, as the user sees it.
    pub header_row: usize,
    pub headers: Vec<String>,
    /// Each column's guessed field.
    pub guessed: Vec<Option<ListField>>,
    /// The first data rows.
    pub sample: Vec<(usize, Vec<String>)>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The header row (its index into `head`) and its cells.
fn locate_header(head: &[(usize, Vec<String>)]) -> Result<(usize, Vec<String>), ImportError> {
    let cells: Vec<Vec<String>> = head.iter().map(|(_, c)| c.clone()).collect();
    let index = domain::header_row(&cells).ok_or(ImportError::NoHeader)?;
    let (number, headers) = &head[index];
    Ok((*number, headers.iter().map(|h| h.trim().to_string()).collect()))
}

pub fn preview(bytes: &[u8]) -> Result<Preview, ImportError> {
    let sheet = Sheet::open(bytes)?;
    let head = sheet.head(HEADER_SEARCH_ROWS + 5)?;
    let (header_row, headers) = locate_header(&head)?;
    let guessed = headers.iter().map(|h| ListField::of_header(h)).collect();
    let sample = head.into_iter().filter(|(n, c)| *n > header_row && !is_skippable(c, &headers)).take(5).collect();
    Ok(Preview { format: sheet.format().as_str(), sha256: sha256_hex(bytes), header_row, headers, guessed, sample })
}

/// A repeated header (multi-page exports) or a footer such as "填表人：张三" is not data.
fn is_skippable(cells: &[String], headers: &[String]) -> bool {
    let filled: Vec<&str> = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    if cells.iter().map(|c| c.trim()).eq(headers.iter().map(|h| h.trim())) {
        return true;
    }
    let Some(first) = filled.first() else { return true };
    let one_value = filled.iter().all(|c| c == first);
    const FOOTERS: [&str; 8] = ["填表", "制表", "审核", "合计", "总计", "备注", "说明", "注："];
    one_value && FOOTERS.iter().any(|f| first.starts_with(f))
}

/// The rows of a list file, every one normalised, or every problem of every row.
pub struct ParsedList {
    pub format: &'static str,
    pub sha256: String,
    pub header_row: usize,
    pub mapping: Mapping,
    pub rows: Vec<(usize, ListRow)>,
}

/// Reads and normalises a whole list. `mapping` is the confirmed one (else the guess).
pub fn parse_list(bytes: Vec<u8>, mapping: Option<Mapping>, places: &PlaceNames) -> Result<ParsedList, ImportError> {
    let sha256 = sha256_hex(&bytes);
    let sheet = Sheet::from_vec(bytes)?;
    let head = sheet.head(HEADER_SEARCH_ROWS)?;
    let (header_row, headers) = locate_header(&head)?;
    let mapping = match mapping {
        Some(mapping) => mapping,
        None => Mapping::guess(&headers)?,
    };
    let column_label = |column: usize| match headers.get(column).filter(|h| !h.is_empty()) {
        Some(header) => format!("{} ({header})", column_name(column)),
        None => column_name(column),
    };
    let mut rows: Vec<(usize, ListRow)> = Vec::new();
    let mut problems: Vec<RowProblem> = Vec::new();
    let mut bad_rows = 0usize;
    let mut rows_read = 0usize;
    sheet.for_each_row(|number, cells| {
        if number <= header_row || is_skippable(cells, &headers) {
            return true;
        }
        rows_read += 1;
        match domain::normalise_row(cells, &mapping, places) {
            Ok(Some(row)) => {
                // Once a row has failed nothing will be written: stop keeping good rows.
                if bad_rows == 0 {
                    rows.push((number, row));
                }
            }
            Ok(None) => {}
            Err(cell_problems) => {
                bad_rows += 1;
                rows = Vec::new();
                for p in cell_problems {
                    if problems.len() < MAX_PROBLEMS {
                        problems.push(RowProblem {
                            row: number,
                            column: column_label(p.column),
                            field: p.field,
                            value: p.value,
                            reason: p.reason,
                        });
                    }
                }
            }
        }
        true
    })?;
    if bad_rows > 0 {
        return Err(ImportError::Rows { problems, bad_rows, rows_read });
    }
    if rows.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(ParsedList { format: sheet.format().as_str(), sha256, header_row, mapping, rows })
}

/// Residents from a file (身份证号, 姓名, 手机号, 所属区县/网格 or 区划代码): every row valid or
/// every problem. A row without a place takes `default_place`.
pub fn parse_persons(
    bytes: &[u8],
    mapping: Option<Mapping>,
    places: &PlaceNames,
    default_place: Option<&store::Place>,
) -> Result<Vec<(usize, store::NewPerson)>, ImportError> {
    let sheet = Sheet::open(bytes)?;
    let head = sheet.head(HEADER_SEARCH_ROWS)?;
    let (header_row, headers) = locate_header(&head)?;
    let mapping = match mapping {
        Some(mapping) => mapping,
        None => Mapping::guess(&headers)?,
    };
    let label = |column: usize| match headers.get(column).filter(|h| !h.is_empty()) {
        Some(header) => format!("{} ({header})", column_name(column)),
        None => column_name(column),
    };
    let mut persons = Vec::new();
    let mut problems: Vec<RowProblem> = Vec::new();
    let (mut bad_rows, mut rows_read) = (0usize, 0usize);
    sheet.for_each_row(|number, cells| {
        if number <= header_row || is_skippable(cells, &headers) {
            return true;
        }
        let cell = |field: ListField| mapping.column(field).map(|c| (c, cells.get(c).map(|s| s.trim()).unwrap_or("")));
        if ListField::ALL.iter().all(|f| cell(*f).is_none_or(|(_, t)| t.is_empty())) {
            return true;
        }
        rows_read += 1;
        let mut row_problems = Vec::new();
        let mut problem = |field: ListField, column: usize, value: &str, reason: domain::Message| {
            row_problems.push(RowProblem { row: number, column: label(column), field, value: value.into(), reason });
        };
        let id = match cell(ListField::IdNumber) {
            Some((c, t)) => {
                let parsed = if domain_digits(t) == 15 {
                    domain::ResidentId::from_first_generation(t)
                } else {
                    domain::ResidentId::parse(t)
                };
                parsed.map_err(|e| problem(ListField::IdNumber, c, t, domain::Explain::explain(&e))).ok()
            }
            None => {
                problem(
                    ListField::IdNumber,
                    0,
                    "",
                    domain::Message::new("住户登记需要身份证号一列", "map an id_number column"),
                );
                None
            }
        };
        let name = match cell(ListField::Name) {
            Some((c, t)) => domain::PersonName::parse(t)
                .map_err(|e| problem(ListField::Name, c, t, domain::Explain::explain(&e)))
                .ok(),
            None => {
                problem(ListField::Name, 0, "", domain::Message::new("住户登记需要姓名一列", "map a name column"));
                None
            }
        };
        let phone = match cell(ListField::Phone).filter(|(_, t)| !t.is_empty()) {
            Some((c, t)) => match domain::Phone::parse(t) {
                Ok(phone) => Some(phone),
                Err(e) => {
                    problem(ListField::Phone, c, t, domain::Explain::explain(&e));
                    None
                }
            },
            None => None,
        };
        let place = match cell(ListField::Area).filter(|(_, t)| !t.is_empty()) {
            Some((c, t)) => match place_of(t, places) {
                Some(place) => Some(place),
                None => {
                    problem(
                        ListField::Area,
                        c,
                        t,
                        domain::Message::new("不认识的区划或网格代码", "unknown division or grid code"),
                    );
                    None
                }
            },
            None => match default_place {
                Some(place) => Some(place.clone()),
                None => {
                    problem(
                        ListField::Area,
                        0,
                        "",
                        domain::Message::new(
                            "没有所属地区：加一列区划代码，或指定默认地区",
                            "no area: add a division-code column or give a default area",
                        ),
                    );
                    None
                }
            },
        };
        match (id, name, place) {
            (Some(id_number), Some(name), Some(place)) if row_problems.is_empty() => {
                if bad_rows == 0 {
                    persons.push((number, store::NewPerson { id_number, name, phone, place }));
                }
            }
            _ => {
                bad_rows += 1;
                persons = Vec::new();
                let room = MAX_PROBLEMS.saturating_sub(problems.len());
                problems.extend(row_problems.into_iter().take(room));
            }
        }
        true
    })?;
    if bad_rows > 0 {
        return Err(ImportError::Rows { problems, bad_rows, rows_read });
    }
    if persons.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(persons)
}

fn domain_digits(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// A place written as a division or grid code, or as a division name.
fn place_of(text: &str, places: &PlaceNames) -> Option<store::Place> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.bytes().all(|b| b.is_ascii_digit()) {
        let known =
            |code: &str| divisions::get(code).is_some() || (code.len() == 12 && divisions::get(&code[..9]).is_some());
        return match compact.len() {
            6 | 9 | 12 if known(&compact) => {
                domain::AreaCode::parse(&compact).ok().map(|area| store::Place { area, grid: None })
            }
            15 | 17 if known(&compact[..12]) => {
                let grid = domain::GridCode::parse(&compact).ok()?;
                let area = domain::AreaCode::parse(&compact[..12]).ok()?;
                Some(store::Place { area, grid: Some(grid) })
            }
            _ => None,
        };
    }
    let code = places.find(text)?;
    place_of(code, &PlaceNames::default())
}

/// The places a jurisdiction's lists may name: its counties and townships (and itself), by name
/// and code, from the embedded division table.
pub fn places_within(scope: &domain::Scope) -> PlaceNames {
    PlaceNames::new(
        divisions::within(scope.prefix())
            .filter(|d| {
                matches!(d.level, divisions::Level::County | divisions::Level::Township | divisions::Level::Prefecture)
            })
            .filter(|d| !matches!(d.name, "市辖区" | "县"))
            .map(|d| (d.name.to_string(), d.code.to_string())),
    )
}

/// A table as CSV with a BOM (Excel opens it as UTF-8).
pub fn table_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(crate::cells::safe_record(row.iter().map(String::as_str)))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A table as an XLSX workbook, every cell text (ID numbers and phones keep their digits).
pub fn table_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    for (column, title) in (0u16..).zip(headers) {
        sheet.write_with_format(0, column, *title, &bold)?;
        sheet.set_column_width(column, 20)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (column, value) in (0u16..).zip(row) {
            sheet.write_string(r, column, crate::cells::safe(value))?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// The per-row report as an XLSX workbook: row, column, value, reason, with ID-like values kept
/// as text.
pub fn report_xlsx(problems: &[RowProblem]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("错误报告")?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (column, (title, width)) in
        (0u16..).zip([("行号 Row", 10.0), ("列 Column", 22.0), ("内容 Value", 24.0), ("原因 Reason", 80.0)])
    {
        sheet.write_with_format(0, column, title, &bold)?;
        sheet.set_column_width(column, width)?;
    }
    for (r, p) in (1u32..).zip(problems) {
        sheet.write(r, 0, u32::try_from(p.row).unwrap_or(u32::MAX))?;
        sheet.write_string(r, 1, crate::cells::safe(&p.column))?;
        sheet.write_string_with_format(r, 2, crate::cells::safe(&p.value), &text)?;
        sheet.write_string(r, 3, crate::cells::safe(&p.reason.zh))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn id(first17: &str) -> String {
        format!("{first17}{}", domain::check_digit(first17).unwrap())
    }

    #[test]
    fn the_gate_lets_so_many_imports_run_at_once() {
        let gate = Gate::new(2);
        let first = gate.enter().unwrap();
        let _second = gate.enter().unwrap();
        assert!(gate.enter().is_err(), "a third waits");
        drop(first);
        assert!(gate.enter().is_ok(), "a place came free");
    }

    #[test]
    fn a_csv_with_a_title_a_footer_and_a_bad_row() {
        let good = id("41170219900101123");
        let csv = format!(
            "驻马店市来驻人员名单,,\n姓名,身份证号码,联系电话\n张三,{good},13812345678\n李四,411702199001011230,13812345679\n姓名,身份证号码,联系电话\n填表人：王五,填表人：王五,填表人：王五\n"
        );
        let places = PlaceNames::default();
        match parse_list(csv.clone().into_bytes(), None, &places) {
            Err(ImportError::Rows { problems, bad_rows, rows_read }) => {
                assert_eq!((bad_rows, rows_read), (1, 2));
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].row, 4);
                assert_eq!(problems[0].column, "B (身份证号码)");
                assert!(problems[0].reason.zh.contains("校验位"), "{}", problems[0].reason);
            }
            other => panic!("{:?}", other.map(|p| p.rows.len())),
        }
        let fixed = csv.replace("411702199001011230", &id("41170219900101124"));
        let parsed = parse_list(fixed.into_bytes(), None, &places).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.header_row, 2);
        let xlsx = report_xlsx(&[RowProblem {
            row: 4,
            column: "B (身份证号码)".into(),
            field: ListField::IdNumber,
            value: "411702199001011230".into(),
            reason: domain::Message::new("校验位", "check digit"),
        }])
        .unwrap();
        assert!(xlsx.starts_with(b"PK"));
    }

    #[test]
    fn previews_guess_the_mapping() {
        let preview = preview("序号,姓名,手机号码,现住址\n1,张三,13812345678,驿城区\n".as_bytes()).unwrap();
        assert_eq!(preview.header_row, 1);
        assert_eq!(
            preview.guessed,
            vec![None, Some(ListField::Name), Some(ListField::Phone), Some(ListField::Address)]
        );
        assert_eq!(preview.sample.len(), 1);
        assert!(matches!(super::preview("a,b\n1,2\n".as_bytes()), Err(ImportError::NoHeader)));
    }

    #[test]
    fn places_of_a_city_include_its_counties_and_townships() {
        let places = places_within(&domain::Scope::of_code_str("411700").unwrap());
        assert_eq!(places.find("河南省驻马店市驿城区某路"), Some("411702"));
        assert_eq!(places.find("西平县"), Some("411721"));
    }
}
