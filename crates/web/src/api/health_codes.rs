//! Health codes (SPEC §4.5): the colour with its reasons and a signed token, for the citizen and
//! for staff; the public keys and a verification for checkpoints.

use axum::Json;
use axum::extract::State;
use domain::Label;
use domain::Message;
use domain::{CodeReason, HealthCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::AppState;
use crate::attempts::Guess;
use crate::auth::{Caller, ClientAddr};
use crate::extract::{ApiPath, ApiQuery};
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person_health_code))
        .routes(routes!(own_health_code))
        .routes(routes!(public_key))
        .routes(routes!(verify))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    /// A stable name: confirmed, suspected, central_isolation, hospital_treatment, close_contact,
    /// high_risk_arrival, fever_not_excluded, home_isolation, health_monitoring,
    /// medium_risk_arrival or epidemic_point_visit.
    pub code: String,
    /// The colour this reason alone gives.
    pub colour: String,
    pub text_zh: String,
    pub text_en: String,
    /// YYYY-MM-DD, the last day the reason holds, when known.
    pub until: Option<String>,
}

impl From<&CodeReason> for Reason {
    fn from(reason: &CodeReason) -> Reason {
        Reason {
            code: reason.code().into(),
            colour: reason.colour().as_str().into(),
            text_zh: reason.text_zh(),
            text_en: reason.text_en(),
            until: reason.until().map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthCodeView {
    /// red, yellow or green.
    pub colour: String,
    /// 红码 / 黄码 / 绿码.
    pub colour_zh: String,
    /// Strongest first; empty when green.
    pub reasons: Vec<Reason>,
    /// What the QR carries: person reference, colour, issue and expiry, signed (Ed25519); no
    /// personal data. Verify it offline with the public key.
    pub token: String,
    pub issued_at: String,
    pub expires_at: String,
}

pub fn view(state: &AppState, person_id: i64, code: &HealthCode) -> HealthCodeView {
    HealthCodeView {
        colour: code.colour.as_str().into(),
        colour_zh: code.colour.label_zh().into(),
        reasons: code.reasons.iter().map(Reason::from).collect(),
        token: state.keys.issue(person_id.unsigned_abs(), code.colour, code.issued_at, code.expires_at),
        issued_at: instant_text(code.issued_at),
        expires_at: instant_text(code.expires_at),
    }
}

/// A person's health code, for staff of the person's jurisdiction (audited).
#[utoipa::path(get, path = "/api/v1/persons/{id}/health-code", tag = "health-codes", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = HealthCodeView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn person_health_code(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HealthCodeView>, Problem> {
    caller.handle.authorize(domain::Capability::ReadPersons)?;
    let (_, code) = caller.handle.person_health_code(domain::PersonId::new(id)).await?;
    Ok(Json(view(&state, id, &code)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnCodeBody {
    #[schema(schema_with = super::schemas::resident_id)]
    pub id_number: String,
    #[schema(schema_with = super::schemas::person_name)]
    pub name: String,
    #[schema(schema_with = super::schemas::phone)]
    pub phone: String,
}

/// The citizen's own code (public: the phone, no account). ID number, name and phone must match
/// one registered person; the answer does not say which part did not.
#[utoipa::path(post, path = "/api/v1/health-code", tag = "health-codes", request_body = OwnCodeBody,
    responses((status = 200, body = HealthCodeView), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn own_health_code(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: JsonBody<OwnCodeBody>,
) -> Result<Json<HealthCodeView>, Problem> {
    let now = state.db.now();
    state.attempts.check(Guess::CitizenIdentity, addr, now).map_err(Problem::too_many_attempts)?;
    let input = body.value;
    let id_number = fields::id_number(&input.id_number)?;
    let name = fields::name("name", &input.name)?;
    let phone = fields::optional_phone("phone", Some(&input.phone))?.ok_or_else(|| {
        Problem::invalid(
            "phone",
            Message::new("请填写该身份证登记的手机号", "the mobile number registered with the ID"),
        )
    })?;
    match state.db.health_code_by_identity(&id_number, &name, &phone).await? {
        Some((person_id, code)) => Ok(Json(view(&state, person_id.get(), &code))),
        None => {
            state.attempts.failed(Guess::CitizenIdentity, addr, now);
            Err(Problem::new(
                axum::http::StatusCode::NOT_FOUND,
                "not-found",
                Message::new(
                    "未找到与身份证号、姓名、手机号同时相符的登记人员；请核对，或到所在社区登记",
                    "no registered person has this ID number, name and mobile number together; check them, or register at your community",
                ),
            ))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    pub key_id: u32,
    /// 32 bytes, base64url without padding.
    pub public_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKeys {
    /// Every key that may have signed a code still valid, oldest first; the last signs now.
    pub keys: Vec<PublicKey>,
    /// The same as text, for `fangkong verify --public-key FILE`.
    pub text: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyParams {
    /// json (default) or text.
    #[param(inline)]
    pub format: Option<KeyFormat>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyFormat {
    Json,
    Text,
}

/// The public keys that verify health-code tokens (public; a checkpoint keeps them to verify
/// offline).
#[utoipa::path(get, path = "/api/v1/health-code/public-key", tag = "health-codes", params(KeyParams),
    responses((status = 200, description = "the keys: JSON, or text with format=text",
        content((PublicKeys = "application/json"), (String = "text/plain")))))]
pub async fn public_key(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<KeyParams>,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let keys = state.keys.public_keys();
    match params.format {
        Some(KeyFormat::Text) => {
            Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], keys.to_text()).into_response())
        }
        None | Some(KeyFormat::Json) => Ok(Json(PublicKeys {
            keys: keys.entries().into_iter().map(|(key_id, public_key)| PublicKey { key_id, public_key }).collect(),
            text: keys.to_text(),
        })
        .into_response()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeVerificationBody {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// For a valid token.
    pub colour: Option<String>,
    pub colour_zh: Option<String>,
    pub person_ref: Option<u64>,
    pub expires_at: Option<String>,
    /// For a refused token: why, in words a checkpoint worker can act on.
    pub reason: Option<String>,
}

/// Verifies a token with the server's public keys (public). The same check runs offline in the
/// checkpoint page and in `fangkong verify`.
#[utoipa::path(post, path = "/api/v1/health-code/verify", tag = "health-codes", request_body = CodeVerificationBody,
    responses((status = 200, body = Verification), (status = 422, body = Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    body: JsonBody<CodeVerificationBody>,
) -> Result<Json<Verification>, Problem> {
    let text = body.value.token;
    if text.len() > 512 {
        return Err(Problem::invalid("token", Message::new("太长，不是健康码", "too long to be a health-code token")));
    }
    Ok(Json(match token::verify(&text, &state.keys.public_keys(), state.db.now()) {
        Ok(claims) => Verification {
            valid: true,
            colour: Some(claims.colour.as_str().into()),
            colour_zh: Some(claims.colour.label_zh().into()),
            person_ref: Some(claims.person_ref),
            expires_at: Some(instant_text(claims.expires_at)),
            reason: None,
        },
        Err(reason) => Verification {
            valid: false,
            colour: None,
            colour_zh: None,
            person_ref: None,
            expires_at: None,
            reason: Some(reason.to_string()),
        },
    }))
}
