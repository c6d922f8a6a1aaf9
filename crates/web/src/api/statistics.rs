//! De-identified statistics over the API: counts per county, day, class and status, small cells
//! suppressed (PIPL); JSON, CSV or an Excel workbook. No name, ID number, phone or address can
//! be in it: the rows are built from codes and counts only.

use crate::AppState;
use axum::Json;
use axum::response::{IntoResponse, Response};
use domain::statistics::{Cell, Count};
use domain::{Code, Message};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::json::JsonBody;
use crate::pages::Lang;
use crate::problem::Problem;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_statistics)).routes(routes!(get_suppression, put_suppression))
}

/// The default period: the last 14 days, today included.
const DEFAULT_DAYS: i16 = 14;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// The first day (YYYY-MM-DD, Beijing time); 13 days before `to` by default.
    #[param(schema_with = super::schemas::day)]
    pub from: Option<String>,
    /// The last day, inclusive; today by default. At most a year after `from`.
    #[param(schema_with = super::schemas::day)]
    pub to: Option<String>,
    /// json (default), csv or xlsx.
    #[param(schema_with = super::schemas::table_format)]
    pub format: Option<String>,
}

/// One published cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsRow {
    /// The county's six-digit code.
    pub county: String,
    pub county_name: String,
    /// YYYY-MM-DD; for `current`, the day of the export.
    pub day: String,
    /// `entered` (records that entered the status that day) or `current` (open records in it now).
    pub of: String,
    pub class: String,
    pub status: String,
    /// The count; null when suppressed.
    pub count: Option<u64>,
    /// Under the threshold: shown as "<threshold", so that no small group can be singled out.
    pub suppressed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsBody {
    pub from: String,
    pub to: String,
    /// Counts under this are suppressed.
    pub suppress_below: u32,
    pub rows: Vec<StatisticsRow>,
}

fn day(field: &str, value: Option<&str>) -> Result<Option<jiff::civil::Date>, Problem> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            Problem::invalid(field, Message::new("日期格式应为 年-月-日，如 2020-02-01", "use YYYY-MM-DD"))
        }),
    }
}

/// The period the parameters ask for.
pub fn period(caller: &Caller, params: &StatisticsParams) -> Result<(jiff::civil::Date, jiff::civil::Date), Problem> {
    let to = day("to", params.to.as_deref())?.unwrap_or_else(|| caller.handle.today());
    let from = match day("from", params.from.as_deref())? {
        Some(from) => from,
        None => to.checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1)).unwrap_or(to),
    };
    Ok((from, to))
}

/// The table's header and its rows as text, in `lang`, a suppressed cell as "<threshold".
pub fn table(rows: &[(Count, Cell)], threshold: u32, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = lang.pick((
        vec!["县区代码", "县区", "日期", "指标", "类别", "状态", "人数"],
        vec!["County code", "County", "Day", "Count of", "Class", "Status", "Persons"],
    ));
    let lines = rows
        .iter()
        .map(|(count, cell)| {
            vec![
                count.county.clone(),
                crate::places::short_name(&count.county, lang),
                count.day.to_string(),
                lang.label(count.of).to_string(),
                lang.label(count.class).to_string(),
                lang.label(count.status).to_string(),
                match cell {
                    Cell::Count(n) => n.to_string(),
                    Cell::Suppressed => format!("<{threshold}"),
                },
            ]
        })
        .collect();
    (header, lines)
}

/// Counts per county, day, class and status within your jurisdiction: how many records entered
/// each status each day, and how many are in it now. Cells under the threshold are suppressed.
#[utoipa::path(get, path = "/api/v1/statistics", tag = "statistics", security(("bearer" = [])), params(StatisticsParams),
    responses((status = 200, description = "the counts", content((StatisticsBody = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_statistics(
    caller: Caller,
    headers: axum::http::HeaderMap,
    ApiQuery(params): ApiQuery<StatisticsParams>,
) -> Result<Response, Problem> {
    let format = params.format.as_deref().map(str::trim).unwrap_or("json").to_string();
    if !matches!(format.as_str(), "json" | "" | "csv" | "xlsx") {
        return Err(Problem::invalid("format", Message::new("应为 json、csv 或 xlsx", "use json, csv or xlsx")));
    }
    let (from, to) = period(&caller, &params)?;
    let (threshold, rows) = caller.handle.statistics(from, to).await?;
    let lang = crate::problem::requested_lang(&headers);
    match format.as_str() {
        "csv" | "xlsx" => {
            let (header, lines) = table(&rows, threshold, lang);
            let failed = |e: String| {
                tracing::error!(%e, "statistics export failed");
                Problem::internal()
            };
            if format == "csv" {
                let body = crate::import::table_csv(&header, &lines).map_err(|e| failed(e.to_string()))?;
                Ok((
                    [
                        (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                        (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"statistics.csv\""),
                    ],
                    body,
                )
                    .into_response())
            } else {
                let title = lang.pick((format!("防控统计 {from} 至 {to}"), format!("Statistics {from} to {to}")));
                let body = crate::export::xlsx(lang.pick(("统计", "Statistics")), &title, &header, &lines)?;
                Ok(crate::export::download("statistics.xlsx", body))
            }
        }
        _ => Ok(Json(StatisticsBody {
            from: from.to_string(),
            to: to.to_string(),
            suppress_below: threshold,
            rows: rows
                .into_iter()
                .map(|(count, cell)| StatisticsRow {
                    county_name: crate::places::short_name(&count.county, lang),
                    county: count.county,
                    day: count.day.to_string(),
                    of: count.of.as_str().to_string(),
                    class: count.class.as_str().to_string(),
                    status: count.status.as_str().to_string(),
                    count: match cell {
                        Cell::Count(n) => Some(n),
                        Cell::Suppressed => None,
                    },
                    suppressed: cell == Cell::Suppressed,
                })
                .collect(),
        })
        .into_response()),
    }
}

/// The suppression threshold of published statistics.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionSettings {
    /// Counts under this are suppressed; 1 suppresses nothing.
    #[schema(minimum = 1, maximum = 100)]
    pub suppress_below: u32,
}

/// The suppression threshold in force.
#[utoipa::path(get, path = "/api/v1/settings/statistics", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = SuppressionSettings), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_suppression(caller: Caller) -> Result<Json<SuppressionSettings>, Problem> {
    Ok(Json(SuppressionSettings { suppress_below: caller.handle.statistics_suppress_below()? }))
}

/// Change the suppression threshold (admins); audited.
#[utoipa::path(put, path = "/api/v1/settings/statistics", tag = "settings", security(("bearer" = [])), request_body = SuppressionSettings,
    responses((status = 200, body = SuppressionSettings), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_suppression(
    caller: Caller,
    body: JsonBody<SuppressionSettings>,
) -> Result<Json<SuppressionSettings>, Problem> {
    caller.handle.set_statistics_suppress_below(body.value.suppress_below).await?;
    Ok(Json(SuppressionSettings { suppress_below: caller.handle.statistics_suppress_below()? }))
}
