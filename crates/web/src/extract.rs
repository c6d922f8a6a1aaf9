//! Path and query extractors whose rejections are problem details naming the parameter, like
//! every other API error (axum's own answer plain text).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// A path parameter; a malformed one (`/key-persons/abc`) is a 422 naming it.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => {
                let name = parts.uri.path().rsplit('/').find(|s| !s.is_empty()).unwrap_or_default().to_string();
                Err(Problem::invalid(
                    "path",
                    domain::Message::new(
                        format!("{name:?} 不是有效的编号"),
                        format!("{name:?} is not a valid identifier: {}", rejection.body_text()),
                    ),
                ))
            }
        }
    }
}

/// Query parameters; a malformed one (`?page=abc`) is a 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|err| {
            let field = err.path().to_string();
            let message = err.inner().to_string();
            let field = if field == "." { message.split('`').nth(1).unwrap_or("query").to_string() } else { field };
            Problem::invalid(&field, domain::Message::new(format!("查询参数有误：{message}"), message))
        })
    }
}
