//! RFC 7807 problem details: every API error, with the field at fault named. Internal failures
//! are logged and never shown.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::TransitionError;
use serde::Serialize;
use store::StoreError;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type", serialize_with = "problem_uri")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    #[schema(value_type = String)]
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The first field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With 429: seconds until the client may try again (the Retry-After header).
    #[serde(skip)]
    #[schema(ignore)]
    pub retry_after: Option<u32>,
}

fn problem_uri<S: serde::Serializer>(kind: &&'static str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("https://fangkong.dev/problems/{kind}"))
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 429 with `Retry-After`: wait `seconds`, then try again.
    fn too_many(kind: &'static str, detail: String, seconds: i64) -> Problem {
        let mut problem = Problem::new(StatusCode::TOO_MANY_REQUESTS, kind, detail);
        problem.retry_after = Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX));
        problem
    }

    /// 429: too many failed guesses from this address (`crate::attempts`).
    pub fn too_many_attempts(too_many: crate::attempts::TooMany) -> Problem {
        let detail = format!("too many failed attempts from this address: try again in {} minutes", too_many.minutes());
        Problem::too_many("too-many-attempts", detail, too_many.retry_after)
    }

    /// 429: this address has sent as many public writes as a minute allows.
    pub fn too_many_writes(too_many: crate::attempts::TooMany) -> Problem {
        let seconds = too_many.retry_after.max(1);
        let detail = format!(
            "登记过于频繁，请 {seconds} 秒后再试 (too many check-ins from this address: try again in {seconds} seconds)"
        );
        Problem::too_many("too-many-writes", detail, seconds)
    }

    /// 429: every place an import may run is taken.
    pub fn busy(_: crate::import::Busy) -> Problem {
        let detail = "其他导入正在进行，请一分钟后再试 (other imports are running: try again in a minute)".to_string();
        Problem::too_many("imports-busy", detail, 30)
    }

    /// 400: the body is not one well-formed JSON document.
    pub fn malformed(message: impl Into<String>) -> Problem {
        let mut problem = Problem::new(StatusCode::BAD_REQUEST, "malformed", message.into());
        problem.field = Some("body".into());
        problem
    }

    /// 422 naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Problem {
        let message = message.into();
        let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", format!("{field}: {message}"));
        problem.field = Some(field.to_string());
        problem.errors.push(FieldError { field: field.to_string(), message });
        problem
    }

    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in first: send a bearer token from POST /api/v1/session",
        )
    }

    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "no such record")
    }

    /// The field at fault and what is wrong with it, for a form to show beside the field.
    pub fn field_message(self) -> (String, String) {
        let message = self.errors.into_iter().next().map(|e| e.message).unwrap_or(self.detail);
        (self.field.unwrap_or_default(), message)
    }

    /// What a form page shows of a refusal, if any: the status to answer with (the problem's,
    /// 200 without one), the field to mark and the message beside it.
    pub fn on_form(error: Option<Problem>) -> FormRefusal {
        match error {
            None => FormRefusal { status: StatusCode::OK, field: String::new(), message: None },
            Some(problem) => {
                let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                let (field, message) = problem.field_message();
                FormRefusal { status, field, message: Some(message) }
            }
        }
    }

    /// 503: the server cannot do this now (the detail says why; it holds nothing internal).
    pub fn unavailable(detail: &str) -> Problem {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail.to_string())
    }

    pub fn internal() -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed; the failure was logged")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

/// The problem type of a public write whose name or mobile is not the registry's: pages say it
/// in their own language.
pub const IDENTITY_MISMATCH: &str = "identity-mismatch";

impl From<StoreError> for Problem {
    fn from(err: StoreError) -> Problem {
        match err {
            StoreError::NotFound => Problem::not_found(),
            StoreError::Forbidden { role, .. } => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", format!("role {role} may not do this"))
            }
            StoreError::Invalid { field, message } => Problem::invalid(field, message),
            StoreError::Conflict { field, message } => {
                let mut problem = Problem::new(StatusCode::CONFLICT, "conflict", format!("{field}: {message}"));
                problem.field = Some(field.to_string());
                problem.errors.push(FieldError { field: field.to_string(), message });
                problem
            }
            // A move the current state does not allow conflicts with that state (409); a request
            // that no state would allow is invalid (422).
            StoreError::Transition(err @ (TransitionError::Illegal { .. } | TransitionError::SameSeverity { .. })) => {
                StoreError::Conflict { field: "to", message: err.to_string() }.into()
            }
            StoreError::Transition(err) => Problem::invalid("to", err.to_string()),
            StoreError::IdentityMismatch => {
                let mut problem = Problem::invalid("name", StoreError::IdentityMismatch.to_string());
                problem.kind = IDENTITY_MISMATCH;
                problem
            }
            StoreError::IdempotencyMismatch => {
                Problem::invalid("Idempotency-Key", StoreError::IdempotencyMismatch.to_string())
            }
            StoreError::Backend(message) => {
                tracing::error!(%message, "storage failure");
                Problem::internal()
            }
        }
    }
}

/// See [`Problem::on_form`].
pub struct FormRefusal {
    pub status: StatusCode,
    pub field: String,
    pub message: Option<String>,
}
