//! Reading a column of any row whose database decodes our types; the record shapes are in
//! `store::rows`.

use sqlx::{ColumnIndex, Decode, Row, Type};
use store::Result;
use store::rows::RowReader;

use crate::fail;

/// A borrowed row, readable by `store::rows`.
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
