//! Reading a column of any row whose database decodes our types; each capability's file
//! decodes its own records from it.

use sqlx::{ColumnIndex, Decode, Row, Type};
use store::Result;

use crate::fail;

/// Reading one column of a database row by name.
pub trait RowReader {
    fn text(&self, column: &str) -> Result<String>;
    fn opt_text(&self, column: &str) -> Result<Option<String>>;
    fn int(&self, column: &str) -> Result<i64>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>>;
}

/// A borrowed row, readable column by column.
pub struct Columns<'a, R>(pub &'a R);

impl<R: Row> RowReader for Columns<'_, R>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
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
