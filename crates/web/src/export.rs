//! A filtered list as an Excel workbook, the way every list page and its API route export it: a
//! title row, a frozen header, every cell as text (ID numbers and phones keep their digits;
//! formula-like text is neutralised by `cells::safe`).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

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
