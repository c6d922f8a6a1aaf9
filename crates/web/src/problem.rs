//! RFC 7807 problem details: every API error, with the field at fault named. Internal failures
//! are logged and never shown. Every detail is held in both languages; the response carries the
//! one the request's `Accept-Language` asks for (`localize`), English by default.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Explain, Message, TransitionError};
use serde::Serialize;
use store::StoreError;
use utoipa::ToSchema;

use crate::pages::Lang;

#[derive(Debug, Clone, ToSchema)]
pub struct FieldError {
    pub field: String,
    /// In the language the request asked for.
    #[schema(value_type = String)]
    pub message: Message,
}

#[derive(Debug, Clone, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[schema(rename = "type", value_type = String)]
    pub kind: &'static str,
    #[schema(value_type = String)]
    pub title: &'static str,
    pub status: u16,
    /// In the language the request asked for (`Accept-Language: zh-CN` → Chinese).
    /// Boxed: problems travel in `Result`s, which stay small.
    #[schema(value_type = String)]
    pub detail: Box<Message>,
    /// The first field at fault, when one is.
    #[schema(required = false, nullable = false)]
    pub field: Option<String>,
    /// Every field at fault, when any is.
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
    /// With 429: seconds until the client may try again (the Retry-After header).
    #[schema(ignore)]
    pub retry_after: Option<u32>,
}

/// The JSON of a problem in one language.
#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldBody<'a>>,
}

#[derive(Serialize)]
struct FieldBody<'a> {
    field: &'a str,
    message: &'a str,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, detail: Message) -> Problem {
        Problem {
            kind,
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: Box::new(detail),
            field: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// The detail in `lang`.
    pub fn detail_in(&self, lang: Lang) -> &str {
        lang.pick(self.detail.pair())
    }

    /// The problem as JSON in `lang`.
    pub fn body(&self, lang: Lang) -> Vec<u8> {
        let body = ProblemBody {
            kind: format!("https://fangkong.dev/problems/{}", self.kind),
            title: self.title,
            status: self.status,
            detail: self.detail_in(lang),
            field: self.field.as_deref(),
            errors: self
                .errors
                .iter()
                .map(|e| FieldBody { field: &e.field, message: lang.pick(e.message.pair()) })
                .collect(),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// 429 with `Retry-After`: wait `seconds`, then try again.
    fn too_many(kind: &'static str, detail: Message, seconds: i64) -> Problem {
        let mut problem = Problem::new(StatusCode::TOO_MANY_REQUESTS, kind, detail);
        problem.retry_after = Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX));
        problem
    }

    /// 429: too many failed guesses from this address (`crate::attempts`).
    pub fn too_many_attempts(too_many: crate::attempts::TooMany) -> Problem {
        let minutes = too_many.minutes();
        let detail = Message::new(
            format!("本机失败次数过多，请 {minutes} 分钟后再试"),
            format!("too many failed attempts from this address: try again in {minutes} minutes"),
        );
        Problem::too_many("too-many-attempts", detail, too_many.retry_after)
    }

    /// 429: this address has sent as many public writes as a minute allows.
    pub fn too_many_writes(too_many: crate::attempts::TooMany) -> Problem {
        let seconds = too_many.retry_after.max(1);
        let detail = Message::new(
            format!("登记过于频繁，请 {seconds} 秒后再试"),
            format!("too many check-ins from this address: try again in {seconds} seconds"),
        );
        Problem::too_many("too-many-writes", detail, seconds)
    }

    /// 429: every place an import may run is taken.
    pub fn busy(_: crate::import::Busy) -> Problem {
        let detail =
            Message::new("其他导入正在进行，请一分钟后再试", "other imports are running: try again in a minute");
        Problem::too_many("imports-busy", detail, 30)
    }

    /// 400: the body is not one well-formed JSON document.
    pub fn malformed(message: Message) -> Problem {
        let mut problem = Problem::new(StatusCode::BAD_REQUEST, "malformed", message);
        problem.field = Some("body".into());
        problem
    }

    /// 422 naming the field.
    pub fn invalid(field: &str, message: Message) -> Problem {
        Problem::at_field(StatusCode::UNPROCESSABLE_ENTITY, "validation", field, message)
    }

    /// A problem with one field at fault: the detail is "field: message" in both languages.
    fn at_field(status: StatusCode, kind: &'static str, field: &str, message: Message) -> Problem {
        let detail = Message::new(format!("{field}：{}", message.zh), format!("{field}: {}", message.en));
        let mut problem = Problem::new(status, kind, detail);
        problem.field = Some(field.to_string());
        problem.errors.push(FieldError { field: field.to_string(), message });
        problem
    }

    /// 422: `field` failed a domain rule, which explains itself.
    pub fn because(field: &str, error: &impl Explain) -> Problem {
        Problem::invalid(field, error.explain())
    }

    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Message::new(
                "请先登录：使用 POST /api/v1/session 取得的令牌",
                "log in first: send a bearer token from POST /api/v1/session",
            ),
        )
    }

    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", Message::new("没有这条记录", "no such record"))
    }

    /// The field at fault and what is wrong with it in `lang`, for a form to show beside the field.
    pub fn field_message(self, lang: Lang) -> (String, String) {
        let message = self.errors.into_iter().next().map(|e| e.message).unwrap_or(*self.detail);
        (self.field.unwrap_or_default(), lang.pick((message.zh, message.en)))
    }

    /// What a form page in `lang` shows of a refusal, if any: the status to answer with (the
    /// problem's, 200 without one), the field to mark and the message beside it.
    pub fn on_form(error: Option<Problem>, lang: Lang) -> FormRefusal {
        match error {
            None => FormRefusal { status: StatusCode::OK, field: String::new(), message: None },
            Some(problem) => {
                let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                let (field, message) = problem.field_message(lang);
                FormRefusal { status, field, message: Some(message) }
            }
        }
    }

    /// 503: the server cannot do this now (the detail says why; it holds nothing internal).
    pub fn unavailable(detail: Message) -> Problem {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Message::new("服务器内部错误，已记录", "the server failed; the failure was logged"),
        )
    }
}

impl IntoResponse for Problem {
    /// In English; `localize` turns it into the language the request asked for.
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = self.body(Lang::En);
        let retry_after = self.retry_after;
        let mut response =
            (status, [(header::CONTENT_TYPE, "application/problem+json")], axum::Extension(self), body).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

/// The language an API request asks for: Chinese when its preferred `Accept-Language` tag is
/// zh (zh-CN, zh-Hans…), English otherwise.
pub fn requested_lang(headers: &HeaderMap) -> Lang {
    let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Lang::En;
    };
    let mut best: Option<(f32, &str)> = None;
    for (position, item) in value.split(',').enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        // Earlier tags win ties; a tag with q=0 is refused.
        let score = quality - position as f32 * 1e-4;
        if tag.is_empty() || quality <= 0.0 || best.is_some_and(|(b, _)| b >= score) {
            continue;
        }
        best = Some((score, tag));
    }
    match best {
        Some((_, tag)) if tag.len() >= 2 && tag[..2].eq_ignore_ascii_case("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// Middleware: a problem answered to a request that asked for Chinese is sent in Chinese.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = requested_lang(request.headers());
    let mut response = next.run(request).await;
    if lang == Lang::Zh
        && let Some(problem) = response.extensions_mut().remove::<Problem>()
    {
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::from(problem.body(Lang::Zh)));
    }
    response
}

/// The problem type of a public write whose name or mobile is not the registry's: pages say it
/// in their own language.
pub const IDENTITY_MISMATCH: &str = "identity-mismatch";

impl From<StoreError> for Problem {
    fn from(err: StoreError) -> Problem {
        match err {
            StoreError::NotFound => Problem::not_found(),
            StoreError::Forbidden { role, .. } => {
                use domain::Label;
                Problem::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    Message::new(
                        format!("{}无权进行此操作", role.label_zh()),
                        format!("{} may not do this", role.label_en()),
                    ),
                )
            }
            StoreError::Invalid { field, message } => Problem::invalid(field, message),
            StoreError::Conflict { field, message } => {
                Problem::at_field(StatusCode::CONFLICT, "conflict", field, message)
            }
            // A move the current state does not allow conflicts with that state (409); a request
            // that no state would allow is invalid (422).
            StoreError::Transition(err @ (TransitionError::Illegal { .. } | TransitionError::SameSeverity { .. })) => {
                StoreError::Conflict { field: "to", message: err.explain() }.into()
            }
            StoreError::Transition(err) => Problem::because("to", &err),
            StoreError::IdentityMismatch => {
                let mut problem = Problem::invalid(
                    "name",
                    Message::new("姓名或手机号与该身份证号的登记信息不符", StoreError::IdentityMismatch.to_string()),
                );
                problem.kind = IDENTITY_MISMATCH;
                problem
            }
            StoreError::IdempotencyMismatch => Problem::invalid(
                "Idempotency-Key",
                Message::new("该 Idempotency-Key 已用于另一个不同的请求", StoreError::IdempotencyMismatch.to_string()),
            ),
            StoreError::Unavailable(why) => {
                tracing::error!(%why, "the database cannot take requests");
                let mut problem = Problem::unavailable(why.message());
                problem.retry_after = Some(5);
                problem
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(value: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, header::HeaderValue::from_str(value).expect("header"));
        requested_lang(&headers)
    }

    #[test]
    fn the_preferred_language_decides() {
        assert_eq!(requested_lang(&HeaderMap::new()), Lang::En);
        assert_eq!(lang_of("zh-CN"), Lang::Zh);
        assert_eq!(lang_of("ZH-hans-cn, en;q=0.5"), Lang::Zh);
        assert_eq!(lang_of("en, zh-CN;q=0.9"), Lang::En);
        assert_eq!(lang_of("en;q=0.3, zh;q=0.8"), Lang::Zh);
        assert_eq!(lang_of("zh;q=0, en"), Lang::En);
        assert_eq!(lang_of("*"), Lang::En);
        assert_eq!(lang_of(";;;,,"), Lang::En);
    }

    #[test]
    fn a_problem_reads_in_either_language() {
        let problem = Problem::because("phone", &domain::PhoneError::Length { found: 5 });
        let zh: serde_json::Value = serde_json::from_slice(&problem.body(Lang::Zh)).expect("json");
        let en: serde_json::Value = serde_json::from_slice(&problem.body(Lang::En)).expect("json");
        assert_eq!(zh["field"], "phone");
        assert_eq!(en["field"], "phone");
        assert_eq!(zh["detail"], "phone：手机号应为 11 位，这里是 5 位");
        assert_eq!(en["errors"][0]["message"], "a mobile number has 11 digits after +86, this one has 5");
        assert_eq!(en["type"], "https://fangkong.dev/problems/validation");
    }
}
