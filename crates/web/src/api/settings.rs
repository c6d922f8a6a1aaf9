use crate::AppState;
use axum::Json;
use domain::Message;
use domain::{Capability, Durations};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::json::JsonBody;
use crate::problem::Problem;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_durations, put_durations)).routes(routes!(get_tracing, put_tracing))
}

/// How many days each measure lasts (SPEC §4.2); new measures use the values in force.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DurationSettings {
    #[schema(minimum = 1, maximum = 365)]
    pub home_isolation_days: u16,
    #[schema(minimum = 1, maximum = 365)]
    pub central_isolation_days: u16,
    /// Observation of arrivals from key epidemic areas.
    #[schema(minimum = 1, maximum = 365)]
    pub epidemic_area_observation_days: u16,
    /// Central isolation after discharge from hospital.
    #[schema(minimum = 1, maximum = 365)]
    pub post_discharge_days: u16,
    #[schema(minimum = 1, maximum = 365)]
    pub health_monitoring_days: u16,
}

/// The longest duration; the schema above says the same (`maximum = 365`).
const MAX_DAYS: u16 = 365;

impl From<Durations> for DurationSettings {
    fn from(d: Durations) -> DurationSettings {
        DurationSettings {
            home_isolation_days: d.home_isolation_days,
            central_isolation_days: d.central_isolation_days,
            epidemic_area_observation_days: d.epidemic_area_observation_days,
            post_discharge_days: d.post_discharge_days,
            health_monitoring_days: d.health_monitoring_days,
        }
    }
}

impl DurationSettings {
    fn checked(self) -> Result<Durations, Problem> {
        let fields = [
            ("home_isolation_days", self.home_isolation_days),
            ("central_isolation_days", self.central_isolation_days),
            ("epidemic_area_observation_days", self.epidemic_area_observation_days),
            ("post_discharge_days", self.post_discharge_days),
            ("health_monitoring_days", self.health_monitoring_days),
        ];
        if let Some((field, _)) = fields.iter().find(|(_, days)| !(1..=MAX_DAYS).contains(days)) {
            return Err(Problem::invalid(
                field,
                Message::new(format!("应在 1 到 {MAX_DAYS} 天之间"), format!("between 1 and {MAX_DAYS} days")),
            ));
        }
        Ok(Durations {
            home_isolation_days: self.home_isolation_days,
            central_isolation_days: self.central_isolation_days,
            epidemic_area_observation_days: self.epidemic_area_observation_days,
            post_discharge_days: self.post_discharge_days,
            health_monitoring_days: self.health_monitoring_days,
        })
    }
}

/// The measure durations in force.
#[utoipa::path(get, path = "/api/v1/settings/durations", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = DurationSettings), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_durations(caller: Caller) -> Result<Json<DurationSettings>, Problem> {
    Ok(Json(caller.handle.durations()?.into()))
}

/// Change the measure durations (admins). Measures already running keep their planned end.
#[utoipa::path(put, path = "/api/v1/settings/durations", tag = "settings", security(("bearer" = [])), request_body = DurationSettings,
    responses((status = 200, body = DurationSettings), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_durations(
    caller: Caller,
    body: JsonBody<DurationSettings>,
) -> Result<Json<DurationSettings>, Problem> {
    caller.handle.authorize(Capability::ManageSettings)?;
    let durations = body.value.checked()?;
    caller.handle.set_durations(durations.clone()).await?;
    Ok(Json(durations.into()))
}

/// The contact-tracing rule (SPEC §4.4): all windows and thresholds, in seconds but the lookback.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TracingSettings {
    /// Days before onset from which the case's stays count (default 3: D−3).
    #[schema(minimum = 0, maximum = 28)]
    pub lookback_days: i64,
    /// A stay must be longer than this to make a venue an epidemic point (default 3600).
    #[schema(minimum = 0, maximum = 86400)]
    pub min_stay_seconds: i64,
    /// A stay without a check-out lasts until the next check-in elsewhere, at most this long (default 7200).
    #[schema(minimum = 60, maximum = 86400)]
    pub max_stay_seconds: i64,
    /// Another person's stay within this margin around the case's stay is an overlap (default 3600).
    #[schema(minimum = 0, maximum = 86400)]
    pub overlap_seconds: i64,
}

impl From<domain::TracingRule> for TracingSettings {
    fn from(r: domain::TracingRule) -> TracingSettings {
        TracingSettings {
            lookback_days: r.lookback_days,
            min_stay_seconds: r.min_stay_seconds,
            max_stay_seconds: r.max_stay_seconds,
            overlap_seconds: r.overlap_seconds,
        }
    }
}

/// The contact-tracing rule in force.
#[utoipa::path(get, path = "/api/v1/settings/tracing", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = TracingSettings), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_tracing(caller: Caller) -> Result<Json<TracingSettings>, Problem> {
    Ok(Json(caller.handle.tracing_rule()?.into()))
}

/// Change the contact-tracing rule (admins). Points and candidates already raised stay as they are.
#[utoipa::path(put, path = "/api/v1/settings/tracing", tag = "settings", security(("bearer" = [])), request_body = TracingSettings,
    responses((status = 200, body = TracingSettings), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_tracing(caller: Caller, body: JsonBody<TracingSettings>) -> Result<Json<TracingSettings>, Problem> {
    use domain::TracingRuleError::*;
    caller.handle.authorize(Capability::ManageSettings)?;
    let input = body.value;
    let rule = domain::TracingRule::parse(
        input.lookback_days,
        input.min_stay_seconds,
        input.max_stay_seconds,
        input.overlap_seconds,
    )
    .map_err(|e| {
        let field = match e {
            LookbackDays => "lookback_days",
            MinStay => "min_stay_seconds",
            MaxStay => "max_stay_seconds",
            Overlap => "overlap_seconds",
        };
        Problem::because(field, &e)
    })?;
    caller.handle.set_tracing_rule(rule).await?;
    Ok(Json(rule.into()))
}
