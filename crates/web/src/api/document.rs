//! The OpenAPI document made true to what the server answers, in one pass over what the route
//! annotations produced: every response has a description (OpenAPI 3.1 requires it), every error
//! is `application/problem+json` with the `Problem` schema, and the answers every route can give
//! whatever its annotation says are listed: 400 and 413 for a body that is not one JSON document
//! or is too large, 422 for a malformed path or query value, 401 where a session is needed, 404
//! where a path names a record, 429 where guesses or public writes are counted.

use serde_json::{Map, Value, json};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
const PROBLEM_JSON: &str = "application/problem+json";

/// The document as served.
pub fn finish(openapi: &utoipa::openapi::OpenApi) -> Value {
    let mut document = serde_json::to_value(openapi).unwrap_or_else(|_| json!({}));
    let mut bodies = Vec::new();
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                    complete(path, method, operation);
                    bodies.extend(body_schema(operation));
                }
            }
        }
    }
    constrain_text(&mut document, &bodies);
    // Every JSON body is read with `deny_unknown_fields` (web/tests/security.rs checks it): say so.
    if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in bodies {
            if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
                schema.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
    }
    document
}

/// What body hygiene refuses in every text (`domain::text`): control characters (a tab is
/// taken) and invisible format characters. Astral tag characters are refused too but cannot
/// be written in a pattern every validator reads.
const HIDDEN: &str = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb";

/// Every free-text string a request sends (query and path values, the fields of JSON bodies;
/// no enum, pattern or format of its own) gets the pattern of text hygiene: one line, or lines in
/// the multi-line fields; passwords are taken as typed. Answers are not constrained: they may
/// quote what was refused.
fn constrain_text(document: &mut Value, bodies: &[String]) {
    let one_line = format!("^[^\\x0a{HIDDEN}]*$");
    let lines = format!("^[^{HIDDEN}]*$");
    let pattern_for = |field: &str| -> Option<&str> {
        if crate::hygiene::VERBATIM.contains(&field) {
            None
        } else if crate::hygiene::MULTILINE.contains(&field) {
            Some(&lines)
        } else {
            Some(&one_line)
        }
    };
    if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (_, schema) in schemas.iter_mut().filter(|(name, _)| bodies.contains(name)) {
            if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for (field, property) in properties.iter_mut() {
                    if let Some(pattern) = pattern_for(field) {
                        add_pattern(property, pattern);
                    }
                }
            }
        }
    }
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(parameters) = item.pointer_mut(&format!("/{method}/parameters")).and_then(Value::as_array_mut)
                else {
                    continue;
                };
                for parameter in parameters {
                    let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                    if let (Some(pattern), Some(schema)) = (pattern_for(&name), parameter.get_mut("schema")) {
                        add_pattern(schema, pattern);
                    }
                }
            }
        }
    }
}

fn add_pattern(schema: &mut Value, pattern: &str) {
    let Some(schema) = schema.as_object_mut() else { return };
    let is_string = match schema.get("type") {
        Some(Value::String(kind)) => kind == "string",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "string"),
        _ => false,
    };
    if is_string && !["enum", "pattern", "format", "$ref"].iter().any(|k| schema.contains_key(*k)) {
        schema.insert("pattern".into(), Value::String(pattern.to_string()));
    }
}

/// The component name of an operation's JSON request body.
fn body_schema(operation: &Map<String, Value>) -> Option<String> {
    let reference = operation.get("requestBody")?.pointer("/content/application~1json/schema/$ref")?.as_str()?;
    reference.strip_prefix("#/components/schemas/").map(str::to_string)
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn complete(path: &str, method: &str, operation: &mut Map<String, Value>) {
    let has_body = operation.contains_key("requestBody");
    let secured = operation.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let has_path_params = path.contains('{');
    let Some(responses) = operation.entry("responses").or_insert_with(|| json!({})).as_object_mut() else { return };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else { continue };
        let code: u16 = status.parse().unwrap_or(0);
        if response.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
            let reason =
                axum::http::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()).unwrap_or("Answer");
            response.insert("description".into(), Value::String(reason.into()));
        }
        if code >= 400
            && let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
            && let Some(json) = content.remove("application/json")
        {
            content.insert(PROBLEM_JSON.into(), json);
        }
    }
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_string()).or_insert_with(|| problem_response(description));
    };
    add("422", "a field, path or query value is not valid; the problem names it");
    if has_body {
        add("400", "the body is not one well-formed JSON document");
        add("413", "the body is larger than this endpoint takes");
    }
    if secured {
        add("401", "no valid session: log in first");
        add("403", "your role may not do this");
    }
    if has_path_params {
        add("404", "no such record in your jurisdiction");
    }
    if method == "post" && matches!(path, "/api/v1/checkins" | "/api/v1/health-code" | "/api/v1/session") {
        add("429", "too many tries from this address: wait as Retry-After says");
    }
}

#[cfg(test)]
mod tests {
    /// utoipa names a schema by its type's name alone: two `pub struct`s of one name in the API
    /// would silently share one schema, and the document would be wrong for one of them.
    #[test]
    fn no_two_api_types_share_a_name() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
        let mut seen = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(dir).expect("api directory") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("source");
            for line in text.lines().filter(|l| l.starts_with("pub struct ") || l.starts_with("pub enum ")) {
                let name = line.split_whitespace().nth(2).unwrap_or_default().trim_end_matches(['{', ';', '(']);
                if let Some(other) = seen.insert(name.to_string(), path.clone()) {
                    panic!("{name} is declared in {} and {}", other.display(), path.display());
                }
            }
        }
    }
}
