//! How this backend reads a column; the record shapes are in `store::rows`.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use store::Result;
use store::rows::RowReader;

use crate::fail;

/// A borrowed row, readable by `store::rows`.
pub struct Columns<'a>(pub &'a SqliteRow);

impl RowReader for Columns<'_> {
    fn text(&self, column: &str) -> Result<String> {
        self.0.try_get(column).map_err(fail)
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>> {
        self.0.try_get(column).map_err(fail)
    }

    fn int(&self, column: &str) -> Result<i64> {
        self.0.try_get(column).map_err(fail)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        self.0.try_get(column).map_err(fail)
    }
}
