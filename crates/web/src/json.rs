//! JSON request bodies: decoding errors name the field, and the raw bytes give the digest that
//! an `Idempotency-Key` is bound to.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use domain::Message;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use store::IdempotencyKey;

use crate::AppState;
use crate::auth::hex;
use crate::problem::Problem;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 200;

pub struct JsonBody<T> {
    pub value: T,
    pub idempotency: Option<IdempotencyKey>,
}

/// The field a serde error is about: its path, or the name in "missing field `x`".
fn field_of(path: &str, message: &str) -> String {
    if let Some(rest) = message.split("missing field `").nth(1)
        && let Some(name) = rest.split('`').next()
    {
        return if path == "." || path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    }
    if path == "." || path.is_empty() { "body".to_string() } else { path.to_string() }
}

/// The body as `T`: malformed JSON or anything after the value is a 400, a value of the wrong
/// shape a 422 naming its field. Strings are cleaned first (`hygiene`).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let cleaned = crate::hygiene::clean_json(bytes).map_err(|bad| Problem::because(&bad.field, &bad.error))?;
    let bytes = cleaned.as_deref().unwrap_or(bytes);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let syntax = !matches!(err.inner().classify(), serde_json::error::Category::Data);
        let message = err.inner().to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        if syntax {
            Problem::malformed(Message::new(format!("请求体不是有效的 JSON：{message}"), message))
        } else {
            let field = field_of(&path, &message);
            Problem::invalid(&field, Message::new(format!("不符合接口定义：{message}"), message))
        }
    })?;
    deserializer.end().map_err(|_| {
        Problem::malformed(Message::new(
            "JSON 值之后还有内容：请只发送一个 JSON 文档",
            "data after the JSON value: send one JSON document",
        ))
    })?;
    Ok(value)
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.ends_with("+json"));
        if !json {
            return Err(Problem::invalid(
                "Content-Type",
                Message::new("请求体应为 application/json", "send the body as application/json"),
            ));
        }
        let key = req.headers().get(IDEMPOTENCY_KEY).map(|v| v.to_str().map(str::to_string));
        let route = format!("{} {}", req.method(), req.uri().path());
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    e.status(),
                    "too-large",
                    Message::new("请求体超过该接口的上限", "the body is larger than this endpoint takes"),
                )
            } else {
                Problem::invalid("body", Message::new("请求体无法读取", e.to_string()))
            }
        })?;
        let idempotency = match key {
            None => None,
            Some(Err(_)) => {
                return Err(Problem::invalid(
                    "Idempotency-Key",
                    Message::new("只能是不含空格的可见 ASCII 字符", "must be visible ASCII without spaces"),
                ));
            }
            Some(Ok(key)) if key.is_empty() || key.len() > MAX_KEY_LEN => {
                return Err(Problem::invalid(
                    "Idempotency-Key",
                    Message::new(
                        format!("长度应为 1 到 {MAX_KEY_LEN} 个字符"),
                        format!("must be 1 to {MAX_KEY_LEN} characters"),
                    ),
                ));
            }
            // Spaces and tabs pass `to_str` but proxies trim or fold them, so a key holding one
            // would not survive the trip back; the document states the same `^[!-~]{1,200}$`.
            Some(Ok(key)) if !key.bytes().all(|b| b.is_ascii_graphic()) => {
                return Err(Problem::invalid(
                    "Idempotency-Key",
                    Message::new("只能是不含空格的可见 ASCII 字符", "must be visible ASCII without spaces"),
                ));
            }
            Some(Ok(key)) => {
                let mut digest = Sha256::new();
                digest.update(route.as_bytes());
                digest.update([0]);
                digest.update(&bytes);
                Some(IdempotencyKey { key, request_digest: hex(&digest.finalize()) })
            }
        };
        Ok(JsonBody { value: decode(&bytes)?, idempotency })
    }
}
