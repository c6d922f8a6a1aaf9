//! Text forms of domain values as both backends store them. Values were validated on the way
//! in, so a failure here means the database was changed behind our back: a backend error.

use domain::{KeyClass, MeasureKind, Severity, Source, State, Status};
use jiff::civil::Date;

use crate::error::{Result, StoreError};
use crate::*;
use domain::Code;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} {value:?} is not valid"))
}

pub fn state(status: &str, severity: Option<&str>) -> Result<State> {
    let status = Status::parse(status).map_err(|_| corrupt("status", status))?;
    let severity = severity.map(|s| Severity::parse(s).map_err(|_| corrupt("severity", s))).transpose()?;
    Ok(State { status, severity })
}

pub fn optional_state(status: Option<&str>, severity: Option<&str>) -> Result<Option<State>> {
    status.map(|s| state(s, severity)).transpose()
}

pub fn class(value: &str) -> Result<KeyClass> {
    KeyClass::parse(value).map_err(|_| corrupt("class", value))
}

pub fn source(value: &str) -> Result<Source> {
    Source::parse(value).map_err(|_| corrupt("source", value))
}

pub fn date(value: &str) -> Result<Date> {
    value.parse().map_err(|_| corrupt("date", value))
}

pub fn optional_date(value: Option<&str>) -> Result<Option<Date>> {
    value.map(date).transpose()
}

pub fn date_text(date: Date) -> String {
    date.to_string()
}

pub fn measure(
    kind: &str,
    site: Option<String>,
    start: &str,
    planned_end: Option<&str>,
    actual_end: Option<&str>,
) -> Result<Measure> {
    Ok(Measure {
        kind: MeasureKind::parse(kind).map_err(|_| corrupt("measure", kind))?,
        site,
        start: date(start)?,
        planned_end: optional_date(planned_end)?,
        actual_end: optional_date(actual_end)?,
    })
}

/// A stored temperature (tenths of °C); a value outside the valid range reads as absent.
pub fn temperature(tenths: Option<i64>) -> Option<domain::Temperature> {
    tenths.and_then(|t| i16::try_from(t).ok()).and_then(|t| domain::Temperature::from_tenths(t).ok())
}

pub fn severity_text(state: &State) -> Option<&'static str> {
    state.severity.map(Severity::as_str)
}
