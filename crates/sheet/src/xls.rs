//! XLS under [`Limits`]. calamine decodes every sheet of an XLS when it opens it, each into a
//! dense rectangle (two cells at A1 and IV65536 take half a gigabyte), follows the container's
//! sector chains without a bound (a chain that loops grows without end), and copies a shared
//! string into every cell that names it. So before calamine runs, the compound file is walked
//! the way calamine walks it, refusing chains that loop, and the Workbook stream's records are
//! summed into what calamine would allocate for them; over the cap, the file is refused.
//!
//! The walk follows calamine 0.38's reader (`cfb.rs`, `xls.rs`); where it cannot tell what
//! calamine would do, it refuses, so a change there can only refuse more files.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Cell, Data, Dimensions, Reader, Xls, XlsError};

use crate::grid::{Grid, GridBuilder};
use crate::{Exceeded, Format, Limits, SheetError, cell_text, guard};

const FORMAT: Format = Format::Xls;

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Grid, SheetError> {
    guard(FORMAT, || {
        let stream = workbook_stream(bytes).map_err(|Malformed(why)| SheetError::unreadable(FORMAT, why))?;
        // calamine holds the file's sectors and the stream besides what it decodes.
        let need = decoding_cost(&stream).saturating_add(2 * bytes.len() as u64);
        drop(stream);
        if need > limits.max_inflated_bytes {
            return Err(SheetError::too_large(Exceeded::Inflated { read: need }, limits.max_inflated_bytes));
        }
        let fail = |e: XlsError| SheetError::unreadable(FORMAT, e);
        let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(fail)?;
        let name = book.sheet_names().first().cloned().ok_or(SheetError::NoSheet)?;
        let range = book.worksheet_range(&name).map_err(fail)?;
        let merges = book.merge_cells_by_sheet_name(&name).map_err(fail)?;
        drop(book);
        let mut grid = GridBuilder::new(limits, FORMAT);
        if let Some(start) = range.start() {
            for (row, column, value) in range.used_cells() {
                let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                grid.push(
                    start.0.saturating_add(offset(row)),
                    start.1.saturating_add(offset(column)),
                    &cell_text(value),
                )?;
            }
        }
        grid.finish(merges)
    })
}

/// Why a compound file is refused before calamine reads it.
struct Malformed(&'static str);

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream.
const MINI_CUTOFF: usize = 4096;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// calamine asserts a table sector is whole words.
fn words(bytes: &[u8]) -> Result<impl Iterator<Item = u32> + '_, Malformed> {
    if !bytes.len().is_multiple_of(4) {
        return Err(Malformed("a sector table is cut short"));
    }
    Ok(bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// The file's sectors as calamine sees them: read in order after the header, a read that meets
/// the end of the file returning what there was, and space once reserved reading as zeros.
struct Sectors<'f> {
    file: &'f [u8],
    size: usize,
    maxid: u32,
    loaded: usize,
}

impl<'f> Sectors<'f> {
    fn get(&mut self, id: u32) -> Result<Cow<'f, [u8]>, Malformed> {
        if id > self.maxid {
            return Err(Malformed("a sector lies past the end of the file"));
        }
        let start = id as usize * self.size;
        let end = start + self.size;
        let stop = if end <= self.loaded || end <= self.file.len() { end } else { self.loaded.max(self.file.len()) };
        self.loaded = self.loaded.max(end);
        if start > stop {
            return Err(Malformed("a sector lies past the end of the file"));
        }
        Ok(match self.file.get(start..stop) {
            Some(bytes) => Cow::Borrowed(bytes),
            None => {
                let mut bytes = self.file.get(start..).unwrap_or_default().to_vec();
                bytes.resize(stop - start, 0);
                Cow::Owned(bytes)
            }
        })
    }

    /// The bytes of the chain from `id`, up to `len`. A chain longer than the file has sectors
    /// goes round in a loop, which calamine would follow until `len`, perhaps forever.
    fn chain(&mut self, mut id: u32, table: &[u32], len: usize) -> Result<Vec<u8>, Malformed> {
        let mut out = Vec::new();
        let mut steps = 0u64;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > u64::from(self.maxid) + 1 {
                return Err(Malformed("a sector chain loops"));
            }
            let sector = self.get(id)?;
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            id = *table.get(id as usize).ok_or(Malformed("a sector chain leaves its table"))?;
        }
        Ok(out)
    }
}

/// The mini stream's 64-byte sectors. calamine would read one past the mini stream from wherever
/// the file happens to be: refused.
fn mini_chain(mini: &[u8], maxid: u32, mut id: u32, table: &[u32], len: usize) -> Result<Vec<u8>, Malformed> {
    let mut out = Vec::new();
    let mut steps = 0usize;
    while id != ENDOFCHAIN {
        steps += 1;
        if steps > mini.len() / 64 + 1 {
            return Err(Malformed("a mini sector chain loops"));
        }
        let start = id as usize * 64;
        let sector = mini
            .get(start..start + 64)
            .filter(|_| id <= maxid)
            .ok_or(Malformed("a mini sector lies past the mini stream"))?;
        let take = sector.len().min(len - out.len());
        out.extend_from_slice(&sector[..take]);
        if out.len() >= len {
            break;
        }
        id = *table.get(id as usize).ok_or(Malformed("a mini sector chain leaves its table"))?;
    }
    Ok(out)
}

struct Directory {
    name: String,
    start: u32,
    len: usize,
}

/// The bytes calamine will parse as the workbook: its `Workbook` (or BIFF5 `Book`) stream.
fn workbook_stream(file: &[u8]) -> Result<Vec<u8>, Malformed> {
    let header = file.get(..512).ok_or(Malformed("too short for a compound file"))?;
    if header[..8] != *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
        return Err(Malformed("not a compound file"));
    }
    let field = |at| u32_at(header, at).unwrap_or(0);
    let version = u16_at(header, 26).unwrap_or(0);
    let size: usize = match u16_at(header, 30) {
        Some(0x0009) => 512,
        Some(0x000C) => 4096,
        _ => return Err(Malformed("unknown sector size")),
    };
    if u16_at(header, 32) != Some(0x0006) {
        return Err(Malformed("unknown mini sector size"));
    }
    // A 4096-byte sector's header fills the whole first sector.
    let body = file.get(size..).ok_or(Malformed("too short for a compound file"))?;
    let maxid = u32::try_from(file.len() / size).map_err(|_| Malformed("too many sectors"))?;
    let mut sectors = Sectors { file: body, size, maxid, loaded: 0 };

    let mut difat: Vec<u32> = words(&header[76..512])?.collect();
    let mut id = field(68);
    let mut count = 0u64;
    while id < RESERVED_SECTORS {
        count += 1;
        if count > u64::from(maxid) + 1 {
            return Err(Malformed("the sector allocation chain loops"));
        }
        difat.extend(words(&sectors.get(id)?)?);
        id = difat.pop().ok_or(Malformed("the sector allocation chain ends early"))?;
    }
    let mut fats: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        // calamine keeps a copy of the table per listing of a sector; a real table is a small
        // fraction of the file.
        if (fats.len() + size / 4) * 4 > file.len() {
            return Err(Malformed("the sector table is larger than the file"));
        }
        fats.extend(words(&sectors.get(id)?)?);
    }

    let entries = sectors.chain(field(48), &fats, usize::MAX)?;
    let mut dirs: Vec<Directory> = Vec::new();
    for entry in entries.chunks_exact(128) {
        let mut name = encoding_rs::UTF_16LE.decode(&entry[..64]).0.into_owned();
        if let Some(nul) = name.as_bytes().iter().position(|b| *b == 0) {
            name.truncate(nul);
        }
        let start = u32_at(entry, 116).unwrap_or(0);
        let len = if size == 512 {
            u32_at(entry, 120).unwrap_or(0) as usize
        } else {
            let wide =
                entry.get(120..128).map_or(0, |b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]));
            usize::try_from(wide).map_err(|_| Malformed("a stream larger than memory"))?
        };
        dirs.push(Directory { name, start, len });
    }
    let root = dirs.first().ok_or(Malformed("no root directory"))?;
    if version != 3 && root.start == ENDOFCHAIN {
        return Err(Malformed("no root directory"));
    }

    let mini_fat_len = field(64) as usize;
    let (mini, mini_fats) = if mini_fat_len > 0 {
        let mini = sectors.chain(root.start, &fats, root.len)?;
        let table = sectors.chain(field(60), &fats, mini_fat_len.saturating_mul(size))?;
        let table: Vec<u32> = words(&table)?.collect();
        (mini, table)
    } else {
        (Vec::new(), Vec::new())
    };
    let mini_maxid = maxid.saturating_mul(8);

    let find = |name: &str| dirs.iter().find(|d| d.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()));
    let dir = find("Workbook").or_else(|| find("Book")).ok_or(Malformed("no Workbook stream"))?;
    if dir.len < MINI_CUTOFF {
        mini_chain(&mini, mini_maxid, dir.start, &mini_fats, dir.len)
    } else {
        sectors.chain(dir.start, &fats, dir.len)
    }
}

/// One BIFF record with the CONTINUE records after it, split as calamine splits them.
struct Record<'s> {
    typ: u16,
    data: &'s [u8],
    cont: Vec<&'s [u8]>,
}

/// A record calamine would stop at with an error (or a panic).
struct Stop;

fn next_record<'s>(stream: &mut &'s [u8]) -> Result<Option<Record<'s>>, Stop> {
    let s: &'s [u8] = stream;
    if s.is_empty() {
        return Ok(None);
    }
    let (Some(typ), Some(len)) = (u16_at(s, 0), u16_at(s, 2)) else { return Err(Stop) };
    let data = s.get(4..4 + len as usize).ok_or(Stop)?;
    let mut rest = &s[4 + len as usize..];
    let mut cont = Vec::new();
    while rest.len() > 4 && u16_at(rest, 0) == Some(0x003C) {
        let len = u16_at(rest, 2).ok_or(Stop)? as usize;
        cont.push(rest.get(4..4 + len).ok_or(Stop)?);
        rest = &rest[4 + len..];
    }
    *stream = rest;
    Ok(Some(Record { typ, data, cont }))
}

/// Reads through a record and its continuations as calamine's string readers do.
struct Reading<'s> {
    data: &'s [u8],
    cont: std::vec::IntoIter<&'s [u8]>,
}

impl<'s> Reading<'s> {
    fn next_part(&mut self) -> bool {
        match self.cont.next() {
            Some(part) => {
                self.data = part;
                true
            }
            None => false,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'s [u8], Stop> {
        let (head, tail) = (self.data.get(..n).ok_or(Stop)?, self.data.get(n..).ok_or(Stop)?);
        self.data = tail;
        Ok(head)
    }

    fn skip(&mut self, mut n: usize) -> Result<(), Stop> {
        while n > 0 {
            if self.data.is_empty() && !self.next_part() {
                return Err(Stop);
            }
            let step = n.min(self.data.len());
            self.data = &self.data[step..];
            n -= step;
        }
        Ok(())
    }
}

/// The character count of each shared string (calamine's `parse_sst`).
fn shared_string_lengths(record: &Record<'_>) -> Result<Vec<u32>, Stop> {
    let mut r = Reading { data: record.data.get(8..).ok_or(Stop)?, cont: record.cont.clone().into_iter() };
    let mut lengths = Vec::new();
    while !r.data.is_empty() || r.next_part() {
        if r.data.is_empty() {
            lengths.push(0);
            continue;
        }
        let head = r.take(3)?;
        let declared = u16::from_le_bytes([head[0], head[1]]);
        let chars = usize::from(declared);
        let flags = head[2];
        let mut high_byte = flags & 0x1 != 0;
        let runs = if flags & 0x8 != 0 { r.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)? } else { 0 };
        // A negative size wraps as in calamine, and then runs out of record.
        let extension = if flags & 0x4 != 0 {
            #[allow(clippy::cast_sign_loss, reason = "calamine reads the size this way; matching it is the point")]
            r.take(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)?
        } else {
            0
        };
        let mut left = chars;
        while left > 0 {
            let width = if high_byte { 2 } else { 1 };
            let n = (r.data.len() / width).min(left);
            r.take(n * width)?;
            left -= n;
            if left > 0 {
                if !r.next_part() {
                    return Err(Stop);
                }
                high_byte = r.take(1)?[0] & 0x1 != 0;
            }
        }
        r.skip(runs * 4)?;
        r.skip(extension)?;
        lengths.push(u32::from(declared));
    }
    Ok(lengths)
}

/// A saturating byte count.
#[derive(Default, Clone, Copy)]
struct Bytes(u64);

impl Bytes {
    fn add(&mut self, n: u64) {
        self.0 = self.0.saturating_add(n);
    }
}

fn times(n: u64, size: usize) -> u64 {
    n.saturating_mul(size as u64)
}

/// Bytes calamine would allocate decoding this Workbook stream: its tables, and for every sheet
/// (each one the workbook lists, duplicates included) its cells, their text, the dense range and
/// the dense formula range; plus one more copy of the largest range, which `worksheet_range`
/// clones. An over-estimate: sizes per record are taken at their largest.
fn decoding_cost(stream: &[u8]) -> u64 {
    let mut cost = Bytes::default();
    let mut sheets: Vec<usize> = Vec::new();
    let mut shared: Vec<u32> = Vec::new();
    let mut longest_name = 0usize;
    let mut rest = stream;
    loop {
        let record = match next_record(&mut rest) {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(Stop) => return cost.0,
        };
        let data = record.data;
        match record.typ {
            0x000A => break,
            // BoundSheet8: a sheet's offset and name.
            0x0085 => {
                let Some(pos) = u32_at(data, 0) else { return cost.0 };
                let name = 3 * data.get(6).copied().unwrap_or(0) as usize;
                longest_name = longest_name.max(name);
                sheets.push(pos as usize);
                cost.add(times(2, name + 128));
            }
            // SST
            0x00FC => match shared_string_lengths(&record) {
                Ok(lengths) => {
                    for &chars in &lengths {
                        cost.add(4 * u64::from(chars) + 2 * size_of::<String>() as u64);
                    }
                    shared = lengths;
                }
                Err(Stop) => return cost.0,
            },
            // Lbl: a defined name, later prefixed with its sheet's name.
            0x0018 => {
                let name = 3 * data.get(3).copied().unwrap_or(0) as usize;
                longest_name = longest_name.max(name);
                cost.add(times(2, name + 64) + 3 * 255 + 128);
            }
            // ExternSheet, Format, XF, RRTabId
            0x0017 => cost.add(times(data.len() as u64 / 6 + 1, 16)),
            0x041E => cost.add(3 * data.len() as u64 + 128),
            0x00E0 => cost.add(16),
            0x013D => cost.add(times(data.len() as u64 / 2, 128)),
            _ => {}
        }
    }
    // Text per formula token: a sheet or defined name for a 5- to 7-byte token, else at most 64
    // characters a byte (255 spaces from a 4-byte token).
    let per_formula_byte = 64 + (longest_name as u64 + 32) / 5;
    let mut walked = 0u64;
    let mut seen: HashMap<usize, u64> = HashMap::new();
    // Each sheet's vectors of cells are freed once its range is made: only the largest counts.
    let (mut largest, mut transient) = (0u64, 0u64);
    for pos in sheets {
        if let Some(&again) = seen.get(&pos) {
            cost.add(again);
            continue;
        }
        let Some(substream) = stream.get(pos..) else { break };
        let sheet = sheet_cost(substream, &shared, per_formula_byte);
        cost.add(sheet.total);
        largest = largest.max(sheet.range);
        transient = transient.max(sheet.transient);
        walked = walked.saturating_add(sheet.walked);
        if sheet.stopped {
            break;
        }
        // Sheets that overlap make calamine parse the same records again and again.
        if walked > 4 * stream.len() as u64 + (1 << 20) {
            return u64::MAX;
        }
        seen.insert(pos, sheet.total);
    }
    cost.add(largest);
    cost.add(transient);
    cost.0
}

struct SheetCost {
    /// What the sheet keeps: its ranges, their text, its merged regions.
    total: u64,
    /// Its vectors of cells and formulas while they are read.
    transient: u64,
    /// The dense range and its text, which `worksheet_range` may clone.
    range: u64,
    walked: u64,
    /// calamine would stop the whole workbook with an error here.
    stopped: bool,
}

#[derive(Default)]
struct Bounds(Option<(u32, u32, u32, u32)>);

impl Bounds {
    fn add(&mut self, row: u32, column: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, column, column),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(column), c1.max(column)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| (u64::from(r1 - r0) + 1).saturating_mul(u64::from(c1 - c0) + 1))
    }
}

/// A cell record's row and column.
fn position(data: &[u8]) -> Option<(u32, u32)> {
    Some((u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?)))
}

/// Bytes of an `XLUnicodeString` read by calamine: its declared capacity, possibly doubled,
/// and up to three bytes per byte of text.
fn string_cost(data: &[u8]) -> u64 {
    let chars = u64::from(u16_at(data, 0).unwrap_or(0));
    2 * chars + 3 * data.len() as u64 + size_of::<String>() as u64
}

/// The cells calamine reserves for a Dimensions record (its `parse_dimensions`, with the same
/// wrapping arithmetic as a release build).
fn dimensions(data: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)?),
            u32::from(u16_at(data, 2)?),
            u32::from(u16_at(data, 4)?),
            u32::from(u16_at(data, 6)?),
        ),
        14 | 16 => (u32_at(data, 0)?, u32_at(data, 4)?, u32::from(u16_at(data, 8)?), u32::from(u16_at(data, 10)?)),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl { ((rf, cf), (rl - 1, cl - 1)) } else { ((rf, cf), (rf, cf)) };
    let rows = end.0.wrapping_sub(start.0).wrapping_add(1);
    let columns = end.1.wrapping_sub(start.1).wrapping_add(1);
    Some(u64::from(rows).saturating_mul(u64::from(columns)))
}

fn sheet_cost(substream: &[u8], shared: &[u32], per_formula_byte: u64) -> SheetCost {
    let mut rest = substream;
    let (mut cells, mut reserved, mut formulas, mut merges) = (0u64, 0u64, 0u64, 0u64);
    let mut text = Bytes::default();
    let (mut values, mut formula_cells) = (Bounds::default(), Bounds::default());
    let mut formula_at = (0u32, 0u32);
    let (mut seen_start, mut depth) = (false, 0usize);
    let stopped = loop {
        let record = match next_record(&mut rest) {
            Ok(Some(record)) => record,
            Ok(None) => break false,
            Err(Stop) => break true,
        };
        // Embedded charts and the like are skipped, as calamine skips them.
        if depth > 0 {
            match record.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let data = record.data;
        match record.typ {
            0x0809 if seen_start => depth += 1,
            0x0809 => seen_start = true,
            0x0200 => match dimensions(data) {
                Some(area) => reserved = reserved.max(cells.saturating_add(area)),
                None => break true,
            },
            // Number, Label, RString, BoolErr, Rk, LabelSst
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                let Some((row, column)) = position(data) else { break true };
                values.add(row, column);
                cells += 1;
                match record.typ {
                    0x0204 | 0x00D6 => text.add(string_cost(data.get(6..).unwrap_or_default())),
                    0x00FD => {
                        let chars = u32_at(data, 6).and_then(|i| shared.get(i as usize)).copied().unwrap_or(0);
                        text.add(3 * u64::from(chars));
                    }
                    _ => {}
                }
            }
            // String: the text value of the formula before it.
            0x0207 => {
                values.add(formula_at.0, formula_at.1);
                cells += 1;
                text.add(string_cost(data));
            }
            // MulRk: a run of numbers on one row.
            0x00BD => {
                let (Some(row), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) else { break true };
                let n = data.len().saturating_sub(6) / 6;
                if n > 0 {
                    values.add(u32::from(row), u32::from(first));
                    values
                        .add(u32::from(row), u32::from(first).saturating_add(u32::try_from(n - 1).unwrap_or(u32::MAX)));
                }
                cells += n as u64;
            }
            // MergeCells
            0x00E5 => {
                let Some(count) = u16_at(data, 0) else { break true };
                merges += u64::from(count);
                if 2 + 8 * count as usize > data.len() {
                    break true;
                }
            }
            0x000A => break false,
            0x0006 => {
                if data.len() < 20 {
                    break true;
                }
                let Some(at) = position(data) else { break true };
                formula_at = at;
                values.add(at.0, at.1);
                formula_cells.add(at.0, at.1);
                cells += 1;
                formulas += 1;
                let rgce = &data[20..];
                let Some(len) = u16_at(rgce, 0) else { break true };
                text.add(u64::from(len).saturating_mul(per_formula_byte).max(rgce.len() as u64) + 64);
                if 2 + len as usize > rgce.len() {
                    break true;
                }
            }
            _ => {}
        }
    };
    let range = times(values.area(), size_of::<Data>()).saturating_add(text.0);
    let mut total = Bytes(range);
    total.add(times(formula_cells.area(), size_of::<String>()));
    total.add(times(merges, size_of::<Dimensions>()).saturating_mul(2));
    total.add(256);
    // A vector reserved for the declared dimensions stays that size; one that grows, up to twice
    // its cells.
    let cell_slots = if reserved >= cells { reserved } else { cells.saturating_mul(2) };
    let mut transient = Bytes(times(cell_slots, size_of::<Cell<Data>>()));
    transient.add(times(formulas, size_of::<Cell<String>>()).saturating_mul(2));
    SheetCost { total: total.0, transient: transient.0, range, walked: (substream.len() - rest.len()) as u64, stopped }
}
