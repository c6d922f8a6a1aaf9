//! XLSX under [`Limits`]. A zip's declared sizes can lie, so every part is first inflated through
//! a meter that stops at the cap (into nothing); calamine then reads a copy of the zip holding
//! only parts that inflated within it, with the styles part cut down to its number formats.
//! Three more things calamine sizes from the file are checked before it runs: the shared-string
//! count it reserves up front, the copy of a style it makes per cell format, and the copy of the
//! sheet's name and path it keeps per merged region. The sheet itself is streamed cell by cell.

use std::io::{self, Cursor, Read};

use calamine::{DataRef, Dimensions, Reader, Xlsx, XlsxError};
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::grid::{Grid, GridBuilder};
use crate::{Exceeded, Format, Limits, SheetError, cell_text_ref, guard};

const FORMAT: Format = Format::Xlsx;

/// Excel's own ceilings on cell formats and number-format length; a file past them is crafted.
const MAX_STYLES: usize = 65_536;
const MAX_FORMAT_CODE_CHARS: usize = 255;

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Grid, SheetError> {
    guard(FORMAT, || {
        let vetted = vet(bytes, limits)?;
        read_vetted(vetted, limits)
    })
}

/// The zip calamine may read, and what its parts ask calamine to allocate.
struct Vetted {
    zip: Vec<u8>,
    /// Bytes inflated from all parts.
    inflated: u64,
    /// Memory calamine would take for the shared-string reservation and the styles.
    decoded: u64,
    /// `mergeCell` anywhere in the parts: calamine copies the sheet name and path into each.
    merge_cells: u64,
    longest_path: usize,
}

fn over_cap(read: u64, limits: &Limits) -> SheetError {
    SheetError::too_large(Exceeded::Inflated { read }, limits.max_inflated_bytes)
}

fn vet(bytes: &[u8], limits: &Limits) -> Result<Vetted, SheetError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| SheetError::unreadable(FORMAT, e))?;
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let mut meter = Meter::new(limits.max_inflated_bytes);
    let mut styles_cost = 0u64;
    let mut longest_path = 0;
    for index in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(index) else {
            // Encrypted or compressed in a way the zip reader lacks: calamine could not read it
            // either, so it is left out.
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        longest_path = longest_path.max(name.len());
        let styles = file_name_is(&name, "styles.xml");
        meter.shared_strings = file_name_is(&name, "sharedStrings.xml");
        let mut part = Metered { inner: &mut entry, meter: &mut meter };
        let cut = if styles { cut_styles(&mut part) } else { None };
        let complete = drain(&mut part);
        drop(entry);
        if meter.over() {
            return Err(over_cap(meter.read, limits));
        }
        // A part that is corrupt, fails its checksum or (for styles) is not XML is left out, as
        // calamine could not have read it.
        if !complete || (styles && cut.is_none()) {
            continue;
        }
        let unwritable = |e: &dyn std::fmt::Display| SheetError::unreadable(FORMAT, e);
        match cut {
            Some(cut) => {
                styles_cost = styles_cost.saturating_add(cut.cost);
                let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
                out.start_file(name, stored).map_err(|e| unwritable(&e))?;
                io::Write::write_all(&mut out, cut.xml.as_bytes()).map_err(|e| unwritable(&e))?;
            }
            None => {
                let raw = archive.by_index_raw(index).map_err(|e| unwritable(&e))?;
                out.raw_copy_file(raw).map_err(|e| unwritable(&e))?;
            }
        }
    }
    let zip = out.finish().map_err(|e| SheetError::unreadable(FORMAT, e))?.into_inner();
    let reserved = meter.unique_count.largest.saturating_mul(size_of::<String>() as u64);
    Ok(Vetted {
        zip,
        inflated: meter.read,
        decoded: reserved.saturating_add(styles_cost),
        merge_cells: meter.merge_cells.count,
        longest_path,
    })
}

fn read_vetted(vetted: Vetted, limits: &Limits) -> Result<Grid, SheetError> {
    let fail = |e: XlsxError| SheetError::unreadable(FORMAT, e);
    let need = vetted.inflated.saturating_add(vetted.decoded);
    if vetted.decoded > limits.max_inflated_bytes {
        return Err(over_cap(need, limits));
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(vetted.zip)).map_err(fail)?;
    let names = book.sheet_names();
    let name = names.first().cloned().ok_or(SheetError::NoSheet)?;
    let longest_name = names.iter().map(String::len).max().unwrap_or(0);
    let per_merge = size_of::<(String, String, Dimensions)>() + longest_name + vetted.longest_path;
    // Doubled for the vector's growth.
    let merge_cost = vetted.merge_cells.saturating_mul(per_merge as u64).saturating_mul(2);
    if vetted.decoded.saturating_add(merge_cost) > limits.max_inflated_bytes {
        return Err(over_cap(need.saturating_add(merge_cost), limits));
    }
    let mut grid = GridBuilder::new(limits, FORMAT);
    match book.worksheet_cells_reader(&name) {
        Ok(mut cells) => {
            while let Some(cell) = cells.next_cell().map_err(fail)? {
                let value = cell.get_value();
                if matches!(value, DataRef::Empty) {
                    continue;
                }
                let (row, column) = cell.get_position();
                grid.push(row, column, &cell_text_ref(value))?;
            }
        }
        // A chart sheet first: no cells, as calamine's range read it.
        Err(XlsxError::NotAWorksheet(_)) => {}
        Err(e) => return Err(fail(e)),
    }
    let merges = book.merge_cells_by_sheet_name(&name).map_err(fail)?;
    grid.finish(merges)
}

/// calamine reads `{workbook folder}styles.xml` and `…sharedStrings.xml`, matching names
/// without case and with either slash; whichever folder, the part's name ends so.
fn file_name_is(name: &str, file: &str) -> bool {
    name.rsplit(['/', '\\']).next().is_some_and(|last| last.eq_ignore_ascii_case(file))
}

/// Counts the bytes inflated from all parts and watches them for what calamine sizes by.
struct Meter {
    read: u64,
    cap: u64,
    /// Whether the part being read is a shared-strings part.
    shared_strings: bool,
    unique_count: DeclaredCount,
    merge_cells: Occurrences,
}

impl Meter {
    fn new(cap: u64) -> Meter {
        Meter {
            read: 0,
            cap,
            shared_strings: false,
            unique_count: DeclaredCount::default(),
            merge_cells: Occurrences { pattern: b"mergeCell", matched: 0, count: 0 },
        }
    }

    fn over(&self) -> bool {
        self.read > self.cap
    }
}

struct Metered<'m, R> {
    inner: R,
    meter: &'m mut Meter,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Stops the inflating itself, not only the counting.
        if self.meter.over() {
            return Err(io::Error::other("over the inflated-bytes cap"));
        }
        let n = self.inner.read(buf)?;
        let seen = &buf[..n];
        self.meter.read += n as u64;
        if self.meter.shared_strings {
            self.meter.unique_count.feed(seen);
        }
        self.meter.merge_cells.feed(seen);
        Ok(n)
    }
}

/// Reads a part to its end (or the cap) into nothing; whether it ended cleanly.
fn drain<R: Read>(part: &mut Metered<'_, R>) -> bool {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match part.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break false,
        }
    }
}

/// How often a pattern occurs across chunks. Restarting at a mismatch is exact here: the
/// pattern's first byte does not recur in it.
struct Occurrences {
    pattern: &'static [u8],
    matched: usize,
    count: u64,
}

impl Occurrences {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == self.pattern[self.matched] {
                self.matched += 1;
                if self.matched == self.pattern.len() {
                    self.count += 1;
                    self.matched = 0;
                }
            } else {
                self.matched = usize::from(b == self.pattern[0]);
            }
        }
    }
}

/// The largest `uniqueCount="N"` in the shared strings, across chunk boundaries and spaces.
/// calamine reserves that many strings before reading one, so a declared count is a size.
#[derive(Default)]
struct DeclaredCount {
    state: CountState,
    matched: usize,
    value: u64,
    largest: u64,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum CountState {
    #[default]
    Name,
    Equals,
    Quote,
    Sign,
    Digits,
}

impl DeclaredCount {
    const NAME: &'static [u8] = b"uniqueCount";

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.step(b);
        }
    }

    fn step(&mut self, b: u8) {
        match self.state {
            CountState::Name => {
                if b == Self::NAME[self.matched] {
                    self.matched += 1;
                    if self.matched == Self::NAME.len() {
                        self.state = CountState::Equals;
                    }
                } else {
                    // The attribute follows a space, where matching starts afresh.
                    self.matched = usize::from(b == Self::NAME[0]);
                }
            }
            CountState::Equals if b == b'=' => self.state = CountState::Quote,
            CountState::Quote if b == b'"' || b == b'\'' => self.state = CountState::Sign,
            CountState::Equals | CountState::Quote if b.is_ascii_whitespace() => {}
            CountState::Sign if b == b'+' => self.state = CountState::Digits,
            CountState::Sign | CountState::Digits if b.is_ascii_digit() => {
                self.value = self.value.saturating_mul(10).saturating_add(u64::from(b - b'0'));
                self.state = CountState::Digits;
            }
            _ => {
                self.largest = self.largest.max(self.value);
                self.state = CountState::Name;
                self.matched = usize::from(b == Self::NAME[0]);
                self.value = 0;
            }
        }
    }
}

/// A styles part cut down, and the memory calamine takes for it.
#[derive(Default)]
struct Styles {
    xml: String,
    cost: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    NumFmts,
    CellXfs,
}

/// Keeps of the styles part only what dates need: the number formats and each cell format's
/// number-format id. calamine copies a cell format's font, fill, border and format code into
/// each of its styles, so a few kilobytes of XML could otherwise ask for gigabytes. `None` when
/// the part is not XML calamine could read.
fn cut_styles(source: impl Read) -> Option<Styles> {
    let mut xml = quick_xml::Reader::from_reader(io::BufReader::new(source));
    let config = xml.config_mut();
    // As calamine reads it.
    config.expand_empty_elements = true;
    config.check_end_names = false;
    let mut formats = String::new();
    let mut styles = String::new();
    let (mut format_count, mut style_count, mut longest_code) = (0usize, 0usize, 0usize);
    let mut section: Option<(Section, usize)> = None;
    let mut depth = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) => {
                depth += 1;
                match (section, e.local_name().as_ref()) {
                    (None, "numFmts") => section = Some((Section::NumFmts, depth)),
                    (None, "cellXfs") => section = Some((Section::CellXfs, depth)),
                    (Some((Section::NumFmts, at)), "numFmt") if depth == at + 1 && format_count < MAX_STYLES => {
                        if let Some((id, code)) = number_format(&e) {
                            longest_code = longest_code.max(code.len());
                            formats.push_str(&format!("<numFmt numFmtId=\"{id}\" formatCode=\"{code}\"/>"));
                            format_count += 1;
                        }
                    }
                    (Some((Section::CellXfs, at)), "xf") if depth == at + 1 && style_count < MAX_STYLES => {
                        match digits_attr(&e, "numFmtId") {
                            Some(id) => styles.push_str(&format!("<xf numFmtId=\"{id}\"/>")),
                            None => styles.push_str("<xf/>"),
                        }
                        style_count += 1;
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                if section.is_some_and(|(_, at)| at == depth) {
                    section = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <numFmts>{formats}</numFmts><cellXfs>{styles}</cellXfs></styleSheet>"
    );
    // Each style holds its own copy of its format code; each format a map entry.
    let per_style = size_of::<calamine::Style>() + longest_code + 64;
    let cost = (style_count * per_style + format_count * (longest_code + 64)) as u64;
    Some(Styles { xml, cost })
}

/// A `numFmt`'s id and its format code escaped again for the cut part; none past Excel's length.
fn number_format(e: &BytesStart<'_>) -> Option<(String, String)> {
    let id = digits_attr(e, "numFmtId")?;
    let code = e.try_get_attribute("formatCode").ok()??.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()?;
    if code.chars().count() > MAX_FORMAT_CODE_CHARS {
        return None;
    }
    Some((id, quick_xml::escape::escape(code.as_ref()).into_owned()))
}

/// An attribute that is a number id, as written.
fn digits_attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let value = e.try_get_attribute(name).ok()??.value;
    let digits: &str = &value;
    (!digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_string())
}
