//! A filtered list as an Excel workbook, the way every list page and its API route export it: a
//! title row, a frozen header, every cell as text (ID numbers and phones keep their digits;
//! formula-like text is neutralised by `cells::safe`).

use std::future::Future;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use store::{Page, PageRequest, StoreError};

use crate::problem::Problem;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The most rows one export holds; the title says when the list had more.
pub const MAX_ROWS: usize = 100_000;

/// One sheet: `title` above `header`, then `rows`, each cell written as text.
pub fn xlsx(sheet_name: &str, title: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Problem> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(failed)?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14)).map_err(failed)?;
    for (col, name) in (0u16..).zip(header) {
        sheet.write_string_with_format(1, col, *name, &bold).map_err(failed)?;
        sheet.set_column_width(col, 16).map_err(failed)?;
    }
    sheet.set_freeze_panes(2, 0).map_err(failed)?;
    for (row, cells) in (2u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            if !cell.is_empty() {
                sheet.write_string(row, col, crate::cells::safe(cell)).map_err(failed)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

/// Reads a paged list page by page through `read` (each page a scoped, audited read), turning
/// each item into a row with `row`, until the list ends or `MAX_ROWS` is reached. Returns the
/// rows and the total the list reported (which may be more than the rows).
pub async fn collect<T, Read, Reading>(
    page_size: u32,
    mut read: Read,
    mut row: impl FnMut(T) -> Vec<String>,
) -> Result<(Vec<Vec<String>>, u64), Problem>
where
    Read: FnMut(PageRequest) -> Reading,
    Reading: Future<Output = Result<Page<T>, StoreError>>,
{
    let mut rows = Vec::new();
    let mut total = 0;
    for number in 1u32.. {
        let found = read(PageRequest::new(number, page_size)).await?;
        total = found.total;
        let done = found.items.len() < page_size as usize;
        rows.extend(found.items.into_iter().map(&mut row));
        if done || rows.len() >= MAX_ROWS {
            break;
        }
    }
    rows.truncate(MAX_ROWS);
    Ok((rows, total))
}

/// The workbook as a download named `file_name` (ASCII, so every browser keeps it).
pub fn download(file_name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX_TYPE.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        body,
    )
        .into_response()
}

fn failed(e: impl std::fmt::Display) -> Problem {
    tracing::error!(%e, "export failed");
    Problem::internal()
}
