use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Message;
use domain::Temperature;
use serde::{Deserialize, Serialize};
use store::{CheckinReceipt, CheckinRequest, StoreError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::AppState;
use crate::attempts::Guess;
use crate::auth::ClientAddr;
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_checkin))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinBody {
    /// The token the 场所码 carries.
    pub venue_token: String,
    #[schema(schema_with = super::schemas::resident_id)]
    pub id_number: String,
    #[schema(schema_with = super::schemas::person_name)]
    pub name: String,
    #[schema(schema_with = super::schemas::phone_or_null)]
    pub phone: Option<String>,
    /// °C, 34.0–43.0, when measured at the door.
    #[schema(minimum = 34.0, maximum = 43.0)]
    pub temperature: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckinDone {
    pub id: i64,
    pub venue: String,
    pub at: String,
    /// A repeat within the dedupe window (default 10 minutes): the earlier check-in.
    pub duplicate: bool,
    /// The temperature met the fever threshold: go to the fever clinic as instructed.
    pub fever: bool,
    /// The person is under isolation or observation: the code does not allow this. The check-in
    /// is kept; the community is told.
    pub breach: bool,
}

impl From<CheckinReceipt> for CheckinDone {
    fn from(r: CheckinReceipt) -> CheckinDone {
        CheckinDone {
            id: r.id.get(),
            venue: r.venue_name,
            at: instant_text(r.at),
            duplicate: r.duplicate,
            fever: r.fever,
            breach: r.breach,
        }
    }
}

/// A check-in from a public page or the API: the address's write ceiling and identity guesses
/// first, then the store; a mismatched identity counts as a failed guess.
pub async fn submit(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    request: CheckinRequest,
) -> Result<CheckinReceipt, Problem> {
    let now = state.db.now();
    state.public_writes.admit(addr, now).map_err(Problem::too_many_writes)?;
    state.attempts.check(Guess::CitizenIdentity, addr, now).map_err(Problem::too_many_attempts)?;
    match state.db.check_in(request).await {
        Err(StoreError::IdentityMismatch) => {
            state.attempts.failed(Guess::CitizenIdentity, addr, now);
            Err(StoreError::IdentityMismatch.into())
        }
        result => Ok(result?),
    }
}

pub fn checkin_request(input: &CheckinBody) -> Result<CheckinRequest, Problem> {
    let token = input.venue_token.trim();
    if token.is_empty() || token.len() > 64 {
        return Err(Problem::invalid("venue_token", Message::new("请重新扫描场所码", "scan the venue's code again")));
    }
    Ok(CheckinRequest {
        venue_token: token.to_string(),
        id_number: fields::id_number(&input.id_number)?,
        name: fields::name("name", &input.name)?,
        phone: fields::optional_phone("phone", input.phone.as_deref())?,
        temperature: input
            .temperature
            .map(|t| fields::parse("temperature", Temperature::from_celsius(t)))
            .transpose()?,
        idempotency: None,
    })
}

/// Check in at a venue (public: the citizen's phone, no account). Acknowledged only once durable;
/// repeats within the dedupe window and replays of an `Idempotency-Key` are the same check-in.
/// A registered ID number is accepted only with the registered name (and mobile, where one is
/// registered); check-ins per address are limited.
#[utoipa::path(post, path = "/api/v1/checkins", tag = "checkins", request_body = CheckinBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 201, body = CheckinDone), (status = 200, body = CheckinDone, description = "a repeat"), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn create_checkin(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: JsonBody<CheckinBody>,
) -> Result<(StatusCode, Json<CheckinDone>), Problem> {
    let mut request = checkin_request(&body.value)?;
    request.idempotency = body.idempotency;
    let receipt = submit(&state, addr, request).await?;
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(receipt.into())))
}
