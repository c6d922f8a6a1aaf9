//! Parsing request fields into domain values; each failure names its field.

use domain::Message;
use domain::{AreaCode, GridCode, KeyClass, MeasureKind, PersonName, Phone, ResidentId, Severity, Source, Status};
use store::Place;

use crate::problem::Problem;
use domain::Code;

pub fn parse<T, E: domain::Explain>(field: &str, result: Result<T, E>) -> Result<T, Problem> {
    result.map_err(|e| Problem::because(field, &e))
}

fn blank_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// An ID number whose holder is born by today.
pub fn id_number(value: &str) -> Result<ResidentId, Problem> {
    let today = domain::shanghai_date(jiff::Timestamp::now().as_second());
    parse("id_number", ResidentId::parse(value).and_then(|id| id.born_by(today)))
}

pub fn name(field: &str, value: &str) -> Result<PersonName, Problem> {
    parse(field, PersonName::parse(value))
}

pub fn optional_phone(field: &str, value: Option<&str>) -> Result<Option<Phone>, Problem> {
    blank_to_none(value).map(|v| parse(field, Phone::parse(v))).transpose()
}

pub fn optional_name(field: &str, value: Option<&str>) -> Result<Option<PersonName>, Problem> {
    blank_to_none(value).map(|v| name(field, v)).transpose()
}

/// A division code that exists in the shipped division table (villages: their township).
pub fn area_code(value: &str) -> Result<AreaCode, Problem> {
    let code = parse("area_code", AreaCode::parse(value))?;
    let known = match code.as_str().len() {
        12 => divisions::get(code.as_str()).is_some() || divisions::get(&code.as_str()[..9]).is_some(),
        _ => divisions::get(code.as_str()).is_some(),
    };
    if known {
        Ok(code)
    } else {
        Err(Problem::invalid(
            "area_code",
            Message::new(format!("{code} 不是已知的区划代码"), format!("{code} is not a known division code")),
        ))
    }
}

pub fn place(area: &str, grid: Option<&str>) -> Result<Place, Problem> {
    let area = area_code(area)?;
    let grid = blank_to_none(grid).map(|g| parse("grid_code", GridCode::parse(g))).transpose()?;
    Ok(Place { area, grid })
}

pub fn class(value: &str) -> Result<KeyClass, Problem> {
    parse("class", KeyClass::parse(value.trim()))
}

/// The risk of the area an arrival came from: only for class `epidemic_area_arrival`; blank is
/// none (counted as medium).
pub fn arrival_risk(class: KeyClass, value: Option<&str>) -> Result<Option<domain::ArrivalRisk>, Problem> {
    let Some(risk) = arrival_risk_value(value)? else { return Ok(None) };
    if class != KeyClass::EpidemicAreaArrival {
        return Err(Problem::invalid(
            "arrival_risk",
            Message::new(
                "只有疫区来驻人员（epidemic_area_arrival）才填来自地区风险",
                "only an arrival from an epidemic area (epidemic_area_arrival) has the risk of the area it came from",
            ),
        ));
    }
    Ok(Some(risk))
}

/// The risk as written (blank is none), before anything says whom it belongs to.
pub fn arrival_risk_value(value: Option<&str>) -> Result<Option<domain::ArrivalRisk>, Problem> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    domain::ArrivalRisk::parse(value).map(Some).map_err(|_| {
        Problem::invalid(
            "arrival_risk",
            Message::new("应为 high（一类）或 medium（二类）", "one of high (class 1), medium (class 2)"),
        )
    })
}

pub fn source(value: &str) -> Result<Source, Problem> {
    parse("source", Source::parse(value.trim()))
}

pub fn status(field: &str, value: &str) -> Result<Status, Problem> {
    parse(field, Status::parse(value.trim()))
}

pub fn optional_severity(value: Option<&str>) -> Result<Option<Severity>, Problem> {
    blank_to_none(value).map(|v| parse("severity", Severity::parse(v))).transpose()
}

pub fn optional_measure(value: Option<&str>) -> Result<Option<MeasureKind>, Problem> {
    blank_to_none(value).map(|v| parse("measure", MeasureKind::parse(v))).transpose()
}

/// A `YYYY-MM-DD` day from an optional field; `today` when absent or blank.
pub fn day_or(field: &str, value: Option<&str>, today: jiff::civil::Date) -> Result<jiff::civil::Date, Problem> {
    match value.map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => text.parse().map_err(|_| {
            Problem::invalid(field, Message::new("日期格式应为 年-月-日，如 2020-02-01", "use YYYY-MM-DD"))
        }),
        None => Ok(today),
    }
}

/// An instant: RFC 3339 with an offset (`2020-02-03T10:00:00+08:00`), or a Shanghai wall-clock
/// time as a page's date-time field sends it (`2020-02-03T10:00` or `2020-02-03 10:00`).
pub fn instant(field: &str, value: &str) -> Result<i64, Problem> {
    let text = value.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    let local = text.replacen(' ', "T", 1);
    let civil: jiff::civil::DateTime = local.parse().map_err(|_| {
        Problem::invalid(
            field,
            Message::new(
                "时间格式应为 2020-02-03T10:00:00+08:00 或 2020-02-03 10:00（北京时间）",
                "use 2020-02-03T10:00:00+08:00 or 2020-02-03 10:00 (Beijing time)",
            ),
        )
    })?;
    let instant = jiff::tz::offset(8)
        .to_timestamp(civil)
        .map_err(|_| Problem::invalid(field, Message::new("不是有效的时间", "not a valid time")))?;
    Ok(instant.as_second())
}
