use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Temperature;
use serde::{Deserialize, Serialize};
use store::{CheckinReceipt, CheckinRequest};
use utoipa::ToSchema;

use super::fields;
use crate::AppState;
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckinBody {
    /// The token the 场所码 carries.
    pub venue_token: String,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    /// °C, 34.0–43.0, when measured at the door.
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
}

impl From<CheckinReceipt> for CheckinDone {
    fn from(r: CheckinReceipt) -> CheckinDone {
        CheckinDone { id: r.id, venue: r.venue_name, at: instant_text(r.at), duplicate: r.duplicate, fever: r.fever }
    }
}

pub fn checkin_request(input: &CheckinBody) -> Result<CheckinRequest, Problem> {
    let token = input.venue_token.trim();
    if token.is_empty() || token.len() > 64 {
        return Err(Problem::invalid("venue_token", "scan the venue's code again"));
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
#[utoipa::path(post, path = "/api/v1/checkins", tag = "checkins", request_body = CheckinBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely")),
    responses((status = 201, body = CheckinDone), (status = 200, body = CheckinDone, description = "a repeat"), (status = 422, body = Problem)))]
pub async fn create_checkin(
    State(state): State<AppState>,
    body: JsonBody<CheckinBody>,
) -> Result<(StatusCode, Json<CheckinDone>), Problem> {
    let mut request = checkin_request(&body.value)?;
    request.idempotency = body.idempotency;
    let receipt = state.db.check_in(request).await?;
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(receipt.into())))
}
