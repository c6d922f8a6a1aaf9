//! A workbook sheet kept as its non-empty cells only: a sheet's dense rectangle can be vastly
//! larger than its content (two cells at A1 and GR2000000), so nothing here is sized by it.

use calamine::Dimensions;

use crate::{Exceeded, Format, Limits, SheetError};

/// One cell's text, a slice of [`Grid::text`].
#[derive(Debug, Clone, Copy)]
struct Cell {
    row: u32,
    column: u32,
    start: usize,
    end: usize,
}

/// The rows and the right-most column the cells span, as calamine's range did.
#[derive(Debug, Clone, Copy)]
struct Extent {
    top: u32,
    bottom: u32,
    right: u32,
}

pub(crate) struct Grid {
    text: String,
    /// Sorted by (row, column), one per position.
    cells: Vec<Cell>,
    /// Sorted by first row; none overlapping.
    merges: Vec<Dimensions>,
    extent: Option<Extent>,
}

/// Takes cells in any order, stopping at the first limit they go over.
pub(crate) struct GridBuilder<'l> {
    limits: &'l Limits,
    format: Format,
    text: String,
    cells: Vec<Cell>,
    extent: Option<Extent>,
}

impl<'l> GridBuilder<'l> {
    pub(crate) fn new(limits: &'l Limits, format: Format) -> GridBuilder<'l> {
        GridBuilder { limits, format, text: String::new(), cells: Vec::new(), extent: None }
    }

    /// Counts a position into the sheet's extent, as a value there does even when it reads as
    /// empty text.
    fn extend(&mut self, row: u32, column: u32) -> Result<(), SheetError> {
        let limits = self.limits;
        if u64::from(row) >= limits.max_rows as u64 {
            return Err(SheetError::too_large(Exceeded::Rows, limits.max_rows));
        }
        if u64::from(column) >= limits.max_columns as u64 {
            return Err(SheetError::too_large(Exceeded::Columns { row: row as usize + 1 }, limits.max_columns));
        }
        self.extent = Some(match self.extent {
            None => Extent { top: row, bottom: row, right: column },
            Some(e) => Extent { top: e.top.min(row), bottom: e.bottom.max(row), right: e.right.max(column) },
        });
        Ok(())
    }

    pub(crate) fn push(&mut self, row: u32, column: u32, value: &str) -> Result<(), SheetError> {
        let limits = self.limits;
        // A space typed far out, or a formula that yields "", is no content: past the limits it
        // is dropped rather than refusing the file.
        let beyond = u64::from(row) >= limits.max_rows as u64 || u64::from(column) >= limits.max_columns as u64;
        if beyond && value.trim().is_empty() {
            return Ok(());
        }
        self.extend(row, column)?;
        if value.is_empty() {
            return Ok(());
        }
        // A cell has at least as many bytes as characters: count only the long ones.
        if value.len() > limits.max_cell_chars && value.chars().count() > limits.max_cell_chars {
            let what = Exceeded::CellChars { row: row as usize + 1, column: column as usize };
            return Err(SheetError::too_large(what, limits.max_cell_chars));
        }
        // What is kept is bounded like what was inflated: shared strings make a few bytes of
        // sheet XML stand for a long text.
        let kept = self.text.len() + value.len() + (self.cells.len() + 1) * size_of::<Cell>();
        if kept as u64 > limits.max_inflated_bytes {
            return Err(SheetError::too_large(Exceeded::Inflated { read: kept as u64 }, limits.max_inflated_bytes));
        }
        let start = self.text.len();
        self.text.push_str(value);
        self.cells.push(Cell { row, column, start, end: self.text.len() });
        Ok(())
    }

    pub(crate) fn finish(self, merges: Vec<Dimensions>) -> Result<Grid, SheetError> {
        let GridBuilder { limits, format, text, mut cells, extent } = self;
        cells.sort_by_key(|c| (c.row, c.column));
        // A position written twice keeps its last value, as calamine's range did.
        let mut unique: Vec<Cell> = Vec::with_capacity(cells.len());
        for cell in cells {
            match unique.last_mut() {
                Some(last) if (last.row, last.column) == (cell.row, cell.column) => *last = cell,
                _ => unique.push(cell),
            }
        }
        let merges = check_merges(merges, limits, format)?;
        Ok(Grid { text, cells: unique, merges, extent })
    }
}

/// Keeps merged regions a row walk can fill in bounded time: cut to the columns allowed (a title
/// merged across to column IV is formatting, not content) and not overlapping (Excel never
/// writes overlapping ones; a crafted file could stack thousands on a row).
fn check_merges(merges: Vec<Dimensions>, limits: &Limits, format: Format) -> Result<Vec<Dimensions>, SheetError> {
    let last_column = u32::try_from(limits.max_columns.saturating_sub(1)).unwrap_or(u32::MAX);
    let mut merges: Vec<Dimensions> = merges
        .into_iter()
        .filter(|m| m.start.0 <= m.end.0 && m.start.1 <= m.end.1 && limits.max_columns > 0 && m.start.1 <= last_column)
        .map(|m| Dimensions { start: m.start, end: (m.end.0, m.end.1.min(last_column)) })
        .collect();
    merges.sort_by_key(|m| (m.start, m.end));
    merges.dedup_by_key(|m| (m.start, m.end));
    // Width of the regions covering each row, by a sweep over where they start and end: at most
    // the row's width when none overlap.
    let mut events: Vec<(u64, i64)> = Vec::with_capacity(merges.len() * 2);
    for m in &merges {
        let span = i64::from(m.end.1 - m.start.1) + 1;
        events.push((u64::from(m.start.0), span));
        events.push((u64::from(m.end.0) + 1, -span));
    }
    events.sort_unstable();
    let mut covered = 0i64;
    for (_, change) in events {
        covered += change;
        if covered > i64::try_from(limits.max_columns).unwrap_or(i64::MAX) {
            return Err(SheetError::unreadable(format, "merged cells overlap"));
        }
    }
    Ok(merges)
}

impl Grid {
    /// The text at a position, empty where there is none.
    fn value(&self, row: u32, column: u32) -> &str {
        match self.cells.binary_search_by_key(&(row, column), |c| (c.row, c.column)) {
            Ok(i) => &self.text[self.cells[i].start..self.cells[i].end],
            Err(_) => "",
        }
    }

    /// Every row from the first to the last used one, as wide as the right-most column used; a
    /// merged region fills its empty cells with its top-left value; blank rows are skipped.
    pub(crate) fn for_each_row(&self, mut visit: impl FnMut(usize, &[String]) -> bool) {
        let Some(extent) = self.extent else { return };
        let width = extent.right as usize + 1;
        let mut cells: Vec<String> = vec![String::new(); width];
        let mut next_cell = self.cells.partition_point(|c| c.row < extent.top);
        let mut next_merge = 0;
        let mut active: Vec<&Dimensions> = Vec::new();
        for row in extent.top..=extent.bottom {
            cells.truncate(width);
            cells.iter_mut().for_each(String::clear);
            while let Some(cell) = self.cells.get(next_cell).filter(|c| c.row == row) {
                cells[cell.column as usize].push_str(&self.text[cell.start..cell.end]);
                next_cell += 1;
            }
            while let Some(merge) = self.merges.get(next_merge).filter(|m| m.start.0 <= row) {
                active.push(merge);
                next_merge += 1;
            }
            active.retain(|m| m.end.0 >= row);
            for merge in &active {
                let (r0, c0, c1) = (merge.start.0, merge.start.1 as usize, merge.end.1 as usize);
                if row == r0 && c0 == c1 {
                    continue;
                }
                let origin = self.value(r0, merge.start.1);
                if cells.len() <= c1 {
                    cells.resize(c1 + 1, String::new());
                }
                for cell in &mut cells[c0..=c1] {
                    if cell.is_empty() {
                        cell.push_str(origin);
                    }
                }
            }
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if !visit(row as usize + 1, &cells) {
                return;
            }
        }
    }
}
