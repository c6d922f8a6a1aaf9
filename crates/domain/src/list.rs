//! Big-data comparison lists (大数据比对, SPEC §4.8): what a column of a government spreadsheet
//! holds, judged by its header; one row normalised into comparable keys, or the reasons it cannot
//! be. How a row matched and how its lead is verified are in `lead`.

use crate::digits::{compact, fold_width};
use crate::{PersonName, PersonNameError};
use crate::{Phone, PhoneError, ResidentId, ResidentIdError};

/// What a list column holds. `Area` is a division (name or code), `Address` free text in which a
/// division name may be found.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum ListField {
    IdNumber,
    DocumentKind,
    Name,
    Phone,
    Area,
    Address,
}

impl ListField {
    /// The field a header names, from the spellings seen in lists of telecom operators, railway
    /// and air ticketing, hotels and provincial pushes; `None` for anything else (序号, 备注…).
    pub fn of_header(header: &str) -> Option<ListField> {
        let h: String = header
            .chars()
            .map(fold_width)
            .filter(|c| !c.is_whitespace() && !"*＊:：()（）【】[]".contains(*c))
            .collect::<String>()
            .to_lowercase();
        if h.is_empty() {
            return None;
        }
        const TYPE: [&str; 6] = ["证件类型", "证件种类", "证件类别", "证照类型", "doctype", "documenttype"];
        const ID: [&str; 14] = [
            "身份证号",
            "身份证号码",
            "证件号码",
            "证件号",
            "公民身份号码",
            "公民身份证号",
            "身份证",
            "身份证件号码",
            "证照号码",
            "旅客证件号",
            "乘客证件号",
            "idnumber",
            "idno",
            "id",
        ];
        const NAME: [&str; 10] =
            ["姓名", "名字", "人员姓名", "旅客姓名", "乘客姓名", "客人姓名", "机主姓名", "户主姓名", "name", "姓 名"];
        const PHONE: [&str; 14] = [
            "手机号",
            "手机号码",
            "手机",
            "联系电话",
            "电话",
            "电话号码",
            "联系方式",
            "移动电话",
            "本人电话",
            "本人手机号",
            "号码",
            "用户号码",
            "phone",
            "mobile",
        ];
        const AREA: [&str; 12] = [
            "区县",
            "县区",
            "所属区县",
            "所属县区",
            "县市区",
            "所属县市区",
            "乡镇",
            "乡镇街道",
            "所属乡镇",
            "所属乡镇街道",
            "区划代码",
            "area",
        ];
        const ADDRESS: [&str; 14] = [
            "住址",
            "地址",
            "现住址",
            "现居住地址",
            "居住地址",
            "详细地址",
            "家庭住址",
            "现住地",
            "户籍地址",
            "目的地",
            "来驻地址",
            "入住地址",
            "居住地",
            "address",
        ];
        if TYPE.contains(&h.as_str()) {
            return Some(ListField::DocumentKind);
        }
        if ID.contains(&h.as_str()) {
            return Some(ListField::IdNumber);
        }
        if NAME.contains(&h.as_str()) {
            return Some(ListField::Name);
        }
        if PHONE.contains(&h.as_str()) {
            return Some(ListField::Phone);
        }
        if AREA.contains(&h.as_str()) {
            return Some(ListField::Area);
        }
        if ADDRESS.contains(&h.as_str()) {
            return Some(ListField::Address);
        }
        None
    }
}

impl crate::Label for ListField {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            ListField::IdNumber => ("身份证号", "ID number"),
            ListField::DocumentKind => ("证件类型", "Document kind"),
            ListField::Name => ("姓名", "Name"),
            ListField::Phone => ("手机号", "Mobile"),
            ListField::Area => ("所属区县/乡镇", "County / township"),
            ListField::Address => ("住址", "Address"),
        }
    }
}

/// Which column (0-based) holds each field. Built only by [`Mapping::new`], which refuses a
/// column used twice and a mapping that gives nothing to compare by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    columns: Vec<(ListField, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("column {column} is mapped to both {first} and {second}")]
    ColumnTwice { column: usize, first: ListField, second: ListField },
    #[error("{field} is mapped twice")]
    FieldTwice { field: ListField },
    #[error("map at least one of id_number, phone or name: a row needs something to compare by")]
    NothingToCompare,
}

impl crate::Explain for MappingError {
    fn zh(&self) -> String {
        use crate::Label;
        match self {
            MappingError::ColumnTwice { column, first, second } => {
                format!("第 {column} 列同时对应了「{}」和「{}」", first.label_zh(), second.label_zh())
            }
            MappingError::FieldTwice { field } => format!("「{}」对应了两列", field.label_zh()),
            MappingError::NothingToCompare => "至少要对应身份证号、手机号或姓名中的一项，才能比对".into(),
        }
    }
}

impl Mapping {
    pub fn new(pairs: impl IntoIterator<Item = (ListField, usize)>) -> Result<Mapping, MappingError> {
        let mut columns: Vec<(ListField, usize)> = Vec::new();
        for (field, column) in pairs {
            if columns.iter().any(|(f, _)| *f == field) {
                return Err(MappingError::FieldTwice { field });
            }
            if let Some((first, _)) = columns.iter().find(|(_, c)| *c == column) {
                return Err(MappingError::ColumnTwice { column, first: *first, second: field });
            }
            columns.push((field, column));
        }
        if !columns.iter().any(|(f, _)| matches!(f, ListField::IdNumber | ListField::Phone | ListField::Name)) {
            return Err(MappingError::NothingToCompare);
        }
        columns.sort();
        Ok(Mapping { columns })
    }

    /// The mapping a header row suggests: each field at the first column whose header names it.
    pub fn guess(headers: &[String]) -> Result<Mapping, MappingError> {
        let mut pairs: Vec<(ListField, usize)> = Vec::new();
        for (column, header) in headers.iter().enumerate() {
            if let Some(field) = ListField::of_header(header)
                && !pairs.iter().any(|(f, _)| *f == field)
            {
                pairs.push((field, column));
            }
        }
        Mapping::new(pairs)
    }

    pub fn column(&self, field: ListField) -> Option<usize> {
        self.columns.iter().find(|(f, _)| *f == field).map(|(_, c)| *c)
    }

    pub fn pairs(&self) -> &[(ListField, usize)] {
        &self.columns
    }
}

/// How many leading rows are searched for the header (titles and notes come above it).
pub const HEADER_SEARCH_ROWS: usize = 12;

/// The index (into `rows`) of the header row: the one, among the first [`HEADER_SEARCH_ROWS`],
/// whose cells name the most fields (the lower row of a two-row header names more than the group
/// titles merged above it; the first of equals wins, so a header repeated on every printed page
/// is not taken for the real one). `None` when no row names two.
pub fn header_row(rows: &[Vec<String>]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (index, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mut fields: Vec<ListField> = row.iter().filter_map(|c| ListField::of_header(c)).collect();
        fields.sort();
        fields.dedup();
        let named = fields.len();
        if named >= 2 && best.is_none_or(|(_, n)| named > n) {
            best = Some((index, named));
        }
    }
    best.map(|(index, _)| index)
}

/// A document that is not a mainland resident ID (passport, 港澳/台湾 permits): kept as typed,
/// upper-cased, without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherDocument(String);

impl OtherDocument {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An identity document of a list row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Document {
    Resident(ResidentId),
    Other(OtherDocument),
}

impl Document {
    pub fn as_str(&self) -> &str {
        match self {
            Document::Resident(id) => id.as_str(),
            Document::Other(doc) => doc.as_str(),
        }
    }
}

/// Where the places of a jurisdiction are found in free text: (name, code) pairs searched all at
/// once (Aho–Corasick), so a million addresses cost a million short scans, not a million times
/// the number of places.
#[derive(Debug, Clone, Default)]
pub struct PlaceNames {
    entries: Vec<(String, String)>,
    finder: Option<aho_corasick::AhoCorasick>,
}

impl PlaceNames {
    pub fn new(entries: impl IntoIterator<Item = (String, String)>) -> PlaceNames {
        let mut entries: Vec<(String, String)> = entries.into_iter().filter(|(n, _)| n.chars().count() >= 2).collect();
        entries.sort();
        entries.dedup_by(|a, b| a.0 == b.0);
        let finder = aho_corasick::AhoCorasick::new(entries.iter().map(|(name, _)| name.as_str())).ok();
        PlaceNames { entries, finder }
    }

    /// The code of a division named or coded by `text`: a code (6, 9 or 12 digits) known here, or
    /// among the names the text contains, the most specific division (the longest code; then the
    /// longest name).
    pub fn find(&self, text: &str) -> Option<&str> {
        let folded = compact(text);
        if folded.bytes().all(|b| b.is_ascii_digit()) && matches!(folded.len(), 6 | 9 | 12) {
            return self.entries.iter().find(|(_, code)| *code == folded).map(|(_, code)| code.as_str());
        }
        let finder = self.finder.as_ref()?;
        finder
            .find_overlapping_iter(text)
            .filter_map(|m| self.entries.get(m.pattern().as_usize()))
            .max_by(|a, b| specificity(&a.1).cmp(&specificity(&b.1)).then_with(|| a.0.len().cmp(&b.0.len())))
            .map(|(_, code)| code.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// How deep a division code goes: province 0, prefecture 1, county 2, township 3, village 4.
fn specificity(code: &str) -> u8 {
    match code.len() {
        12 => 4,
        9 => 3,
        _ if code.ends_with("0000") => 0,
        _ if code.ends_with("00") => 1,
        _ => 2,
    }
}

/// One list row, normalised: every key comparison uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub document: Option<Document>,
    pub name: Option<PersonName>,
    pub phone: Option<Phone>,
    /// The division the row's area or address names, if any.
    pub area_code: Option<String>,
    pub address: String,
}

impl ListRow {
    /// The key that makes two rows of a list the same person: the document, else the phone,
    /// else the name and place (a row with only a name is keyed by it alone).
    pub fn subject_key(&self) -> String {
        if let Some(document) = &self.document {
            return format!("d:{}", document.as_str());
        }
        if let Some(phone) = &self.phone {
            return format!("p:{}", phone.as_str());
        }
        let name = self.name.as_ref().map(super::name::PersonName::as_str).unwrap_or_default();
        format!("n:{}|{}", name, self.area_code.as_deref().unwrap_or(""))
    }
}

/// Why one cell of a row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub field: ListField,
    pub column: usize,
    pub value: String,
    pub reason: crate::Message,
}

/// The longest text kept from an address cell.
pub const ADDRESS_MAX: usize = 200;

/// Normalises one row (`cells` as read, in column order) under `mapping`. A row whose mapped
/// cells are all blank is `Ok(None)` (blank trailing rows, spacer rows); otherwise either a
/// usable row or every problem of the row.
pub fn normalise_row(
    cells: &[String],
    mapping: &Mapping,
    places: &PlaceNames,
) -> Result<Option<ListRow>, Vec<CellProblem>> {
    let cell = |field: ListField| -> Option<(usize, &str)> {
        let column = mapping.column(field)?;
        let text = cells.get(column).map(|s| s.trim()).unwrap_or("");
        (!text.is_empty()).then_some((column, text))
    };
    let id = cell(ListField::IdNumber);
    let kind = cell(ListField::DocumentKind);
    let name = cell(ListField::Name);
    let phone = cell(ListField::Phone);
    let area = cell(ListField::Area);
    let address = cell(ListField::Address);
    if id.is_none() && name.is_none() && phone.is_none() && area.is_none() && address.is_none() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let mut problem = |field: ListField, column: usize, value: &str, reason: crate::Message| {
        problems.push(CellProblem { field, column, value: value.to_string(), reason });
    };
    let document = match id {
        None => None,
        Some((column, text)) => match parse_document(text, kind.map(|(_, k)| k)) {
            Ok(document) => Some(document),
            Err(reason) => {
                problem(ListField::IdNumber, column, text, reason);
                None
            }
        },
    };
    let name = match name {
        None => None,
        Some((column, text)) => match PersonName::parse(text) {
            Ok(name) => Some(name),
            Err(e) => {
                problem(ListField::Name, column, text, name_reason(&e));
                None
            }
        },
    };
    let phone = match phone {
        None => None,
        Some((column, text)) => match Phone::parse(text) {
            Ok(phone) => Some(phone),
            Err(e) => {
                problem(ListField::Phone, column, text, phone_reason(&e));
                None
            }
        },
    };
    if id.is_none() && name.is_none() && phone.is_none() {
        let (field, column) = [ListField::IdNumber, ListField::Phone, ListField::Name]
            .into_iter()
            .find_map(|f| mapping.column(f).map(|c| (f, c)))
            .unwrap_or((ListField::IdNumber, 0));
        problem(
            field,
            column,
            "",
            crate::Message::new(
                "这一行没有身份证号、手机号或姓名，无法比对",
                "this row has no ID number, mobile or name to compare by",
            ),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let area_code = area.and_then(|(_, t)| places.find(t)).or_else(|| address.and_then(|(_, t)| places.find(t)));
    let address = address.map(|(_, t)| t.chars().take(ADDRESS_MAX).collect()).unwrap_or_default();
    Ok(Some(ListRow { document, name, phone, area_code: area_code.map(str::to_string), address }))
}

/// Whether a document-kind cell names something other than a resident ID.
fn is_other_document(kind: &str) -> bool {
    let kind = compact(kind);
    !(kind.is_empty() || kind.contains("身份证") || kind.contains("居民") || kind == "01" || kind == "1")
}

fn parse_document(text: &str, kind: Option<&str>) -> Result<Document, crate::Message> {
    let folded = compact(text).to_uppercase();
    if kind.is_some_and(is_other_document) {
        let ok = (5..=20).contains(&folded.len()) && folded.bytes().all(|b| b.is_ascii_alphanumeric());
        return if ok {
            Ok(Document::Other(OtherDocument(folded)))
        } else {
            Err(crate::Message::new("证件号码应为 5–20 位字母或数字", "a document number has 5–20 letters or digits"))
        };
    }
    // Excel shows a long number stored as a number as 4.11702E+17: its last digits are gone.
    if folded.contains("E+") {
        return Err(crate::Message::new(
            "身份证号被 Excel 存成了科学计数法，末几位已丢失；请把该列设为文本后重新导出",
            "the ID number was stored as a number in Excel and its last digits are lost: format the column as text and export again",
        ));
    }
    let parsed = if folded.chars().count() == 15 {
        ResidentId::from_first_generation(&folded)
    } else {
        ResidentId::parse(&folded)
    };
    parsed.map(Document::Resident).map_err(|e| id_reason(&e))
}

fn id_reason(e: &ResidentIdError) -> crate::Message {
    let zh = match e {
        ResidentIdError::Empty => "身份证号为空".to_string(),
        ResidentIdError::Length { found } => format!("身份证号应为 18 位（或 15 位一代证），这里是 {found} 位"),
        ResidentIdError::NotDigit { position } => format!("身份证号第 {position} 位不是数字"),
        ResidentIdError::Region { code } => format!("身份证号地区码 {code} 不是中国的省份"),
        ResidentIdError::BirthDate { digits } => format!("身份证号中的出生日期 {digits} 不存在"),
        ResidentIdError::BornInFuture { born } => format!("身份证号中的出生日期 {born} 晚于今天，有数字录错"),
        ResidentIdError::CheckDigit { .. } => "身份证号校验位不符，有数字录错".to_string(),
    };
    crate::Message::new(zh, e.to_string())
}

fn phone_reason(e: &PhoneError) -> crate::Message {
    let zh = match e {
        PhoneError::Empty => "手机号为空".to_string(),
        PhoneError::Length { found } => format!("手机号应为 11 位，这里是 {found} 位"),
        PhoneError::BadCharacter { ch } => format!("手机号含有字符 {ch:?}"),
        PhoneError::Prefix { prefix } => format!("手机号应以 13–19 开头，这里是 {prefix}"),
    };
    crate::Message::new(zh, e.to_string())
}

fn name_reason(e: &PersonNameError) -> crate::Message {
    let zh = match e {
        PersonNameError::Empty => "姓名为空".to_string(),
        PersonNameError::TooLong { max } => format!("姓名最多 {max} 个字"),
        PersonNameError::BadCharacter { ch } => format!("姓名含有字符 {ch:?}"),
    };
    crate::Message::new(zh, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    fn valid_id(first17: &str) -> String {
        format!("{first17}{}", crate::check_digit(first17).unwrap_or('0'))
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(std::string::ToString::to_string).collect()
    }

    fn standard() -> Mapping {
        Mapping::new([(ListField::Name, 0), (ListField::IdNumber, 1), (ListField::Phone, 2), (ListField::Address, 3)])
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn places() -> PlaceNames {
        PlaceNames::new([
            ("驿城区".to_string(), "411702".to_string()),
            ("西平县".to_string(), "411721".to_string()),
            ("老河乡".to_string(), "411702203".to_string()),
            ("驻马店市".to_string(), "411700".to_string()),
        ])
    }

    #[test]
    fn header_spellings_name_their_fields() {
        for h in ["身份证号", "身份证号码", "证件号码", "公民身份号码", " 身份证号码* ", "（身份证号）"]
        {
            assert_eq!(ListField::of_header(h), Some(ListField::IdNumber), "{h}");
        }
        for h in ["手机号", "手机号码", "联系电话", "联系方式", "电话号码"] {
            assert_eq!(ListField::of_header(h), Some(ListField::Phone), "{h}");
        }
        for h in ["姓名", "姓　名", "旅客姓名"] {
            assert_eq!(ListField::of_header(h), Some(ListField::Name), "{h}");
        }
        assert_eq!(ListField::of_header("证件类型"), Some(ListField::DocumentKind));
        assert_eq!(ListField::of_header("现住址"), Some(ListField::Address));
        assert_eq!(ListField::of_header("所属区县"), Some(ListField::Area));
        for h in ["序号", "备注", "", "到达时间"] {
            assert_eq!(ListField::of_header(h), None, "{h}");
        }
    }

    #[test]
    fn the_header_is_found_below_a_title_and_a_group_row() {
        let rows = vec![
            row(&["驻马店市来驻人员名单（第3批）", "", "", ""]),
            row(&["序号", "姓名", "证件信息", "证件信息"]),
            row(&["序号", "姓名", "证件类型", "证件号码"]),
            row(&["1", "张三", "身份证", "411702199001011234"]),
        ];
        assert_eq!(header_row(&rows), Some(2));
        let repeated = vec![row(&["姓名", "手机号"]), row(&["张三", "13812345678"]), row(&["姓名", "手机号"])];
        assert_eq!(header_row(&repeated), Some(0));
        assert_eq!(header_row(&[row(&["名单"]), row(&["a", "b"])]), None);
        let mapping = Mapping::guess(&rows[2]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mapping.column(ListField::Name), Some(1));
        assert_eq!(mapping.column(ListField::DocumentKind), Some(2));
        assert_eq!(mapping.column(ListField::IdNumber), Some(3));
    }

    #[test]
    fn a_mapping_refuses_double_use_and_nothing_to_compare() {
        assert_eq!(
            Mapping::new([(ListField::Name, 0), (ListField::Phone, 0)]),
            Err(MappingError::ColumnTwice { column: 0, first: ListField::Name, second: ListField::Phone })
        );
        assert_eq!(
            Mapping::new([(ListField::Name, 0), (ListField::Name, 1)]),
            Err(MappingError::FieldTwice { field: ListField::Name })
        );
        assert_eq!(Mapping::new([(ListField::Address, 0)]), Err(MappingError::NothingToCompare));
        // The first of two columns with the same meaning is guessed.
        let guessed = Mapping::guess(&row(&["姓名", "手机", "联系电话"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(guessed.column(ListField::Phone), Some(1));
    }

    #[test]
    fn messy_cells_normalise() {
        let id = valid_id("41170219900101123");
        let full_width: String = id
            .chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c) } else { c })
            .collect();
        let got = normalise_row(
            &row(&[" 张 三 ", &full_width, "+86 138-1234-5678", "河南省驻马店市驿城区老河乡1号"]),
            &standard(),
            &places(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
        .unwrap_or_else(|| panic!("blank"));
        assert_eq!(got.document.as_ref().map(Document::as_str), Some(id.as_str()));
        assert_eq!(got.phone.as_ref().map(Phone::as_str), Some("13812345678"));
        assert_eq!(got.name.as_ref().map(PersonName::as_str), Some("张 三"));
        // The most specific place named wins: the township inside the county.
        assert_eq!(got.area_code.as_deref(), Some("411702203"));
    }

    #[test]
    fn first_generation_ids_become_18_characters() {
        let eighteen = valid_id("41170219650304123");
        let fifteen = format!("{}{}", &eighteen[..6], &eighteen[8..17]);
        let got = normalise_row(&row(&["李四", &fifteen, "", ""]), &standard(), &places())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .unwrap_or_else(|| panic!("blank"));
        assert_eq!(got.document.as_ref().map(Document::as_str), Some(eighteen.as_str()));
        // A 15-digit number with an impossible date is refused, naming the date.
        let bad = normalise_row(&row(&["李四", "411702651304123", "", ""]), &standard(), &places());
        let problems = bad.err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].reason.zh.contains("出生日期"), "{}", problems[0].reason);
    }

    #[test]
    fn each_bad_cell_of_a_row_is_reported() {
        let problems = normalise_row(&row(&["张3", "411702199001011230", "1381234567", ""]), &standard(), &places())
            .err()
            .unwrap_or_default();
        let fields: Vec<ListField> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec![ListField::IdNumber, ListField::Name, ListField::Phone]);
        assert_eq!(problems[0].column, 1);
        assert_eq!(problems[0].value, "411702199001011230");
        assert!(problems[2].reason.zh.contains("11 位"));
        let excel =
            normalise_row(&row(&["张三", "4.11702E+17", "", ""]), &standard(), &places()).err().unwrap_or_default();
        assert!(excel[0].reason.zh.contains("科学计数法"));
    }

    #[test]
    fn blank_rows_are_skipped_and_rows_without_keys_refused() {
        assert_eq!(normalise_row(&row(&["", " ", "", ""]), &standard(), &places()), Ok(None));
        assert_eq!(normalise_row(&row(&[]), &standard(), &places()), Ok(None));
        let problems = normalise_row(&row(&["", "", "", "驿城区"]), &standard(), &places()).err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, ListField::IdNumber);
    }

    #[test]
    fn other_documents_pass_when_the_kind_says_so() {
        let mapping = Mapping::new([(ListField::Name, 0), (ListField::DocumentKind, 1), (ListField::IdNumber, 2)])
            .unwrap_or_else(|e| panic!("{e}"));
        let got = normalise_row(&row(&["John Smith", "护照", "e1234 5678"]), &mapping, &PlaceNames::default())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .unwrap_or_else(|| panic!("blank"));
        assert_eq!(got.document, Some(Document::Other(OtherDocument("E12345678".into()))));
        let resident = normalise_row(&row(&["王五", "居民身份证", "E12345678"]), &mapping, &PlaceNames::default());
        assert!(resident.is_err(), "a resident ID kind still needs a valid resident ID");
    }

    #[test]
    fn subject_keys_prefer_document_then_phone_then_name() {
        let base = ListRow {
            document: None,
            name: PersonName::parse("张三").ok(),
            phone: None,
            area_code: Some("411702".into()),
            address: String::new(),
        };
        assert_eq!(base.subject_key(), "n:张三|411702");
        let with_phone = ListRow { phone: Phone::parse("13812345678").ok(), ..base.clone() };
        assert_eq!(with_phone.subject_key(), "p:13812345678");
        let id = valid_id("41170219900101123");
        let with_id = ListRow { document: ResidentId::parse(&id).ok().map(Document::Resident), ..with_phone };
        assert_eq!(with_id.subject_key(), format!("d:{id}"));
    }

    #[test]
    fn places_are_found_by_code_or_by_the_longest_name() {
        let p = places();
        assert_eq!(p.find("411721"), Some("411721"));
        assert_eq!(p.find("999999"), None);
        assert_eq!(p.find("西平县某村"), Some("411721"));
        assert_eq!(p.find("北京市"), None);
    }

    #[test]
    fn names_round_trip() {
        for f in ListField::ALL.iter().copied() {
            assert_eq!(ListField::parse(f.as_str()), Ok(f));
        }
    }
}
