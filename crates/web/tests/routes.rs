#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Every `/api/v1` route × every role: who may, who may not. The same table must equal the
//! OpenAPI document, so a route cannot be added without being documented and walked here.

mod common;

use domain::Code;

use std::collections::BTreeSet;

use common::{Kind, TestApp, USERS, id_number};
use domain::Role;
use serde_json::{Value, json};

use Role::*;

const STAFF_READERS: &[Role] = &[Admin, AreaOfficer, GridWorker, MedicalStaff, Inspector];
const INVESTIGATORS: &[Role] = &[Admin, AreaOfficer, MedicalStaff];
const IMPORTERS: &[Role] = &[Admin, AreaOfficer];
const EVERY_STAFF: &[Role] =
    &[Admin, AreaOfficer, GridWorker, CheckpointStaff, MedicalStaff, EnterpriseContact, Inspector];
const EVERYONE: &[Role] =
    &[Admin, AreaOfficer, GridWorker, CheckpointStaff, MedicalStaff, EnterpriseContact, Inspector, Citizen];

struct Route {
    method: &'static str,
    /// As documented, with `{id}`-style parameters.
    template: &'static str,
    allowed: &'static [Role],
}

/// The whole API. `POST /api/v1/session` is public (login) and walked separately.
const ROUTES: &[Route] = &[
    Route { method: "delete", template: "/api/v1/session", allowed: EVERYONE },
    Route { method: "get", template: "/api/v1/me", allowed: EVERYONE },
    Route { method: "post", template: "/api/v1/persons", allowed: &[Admin, AreaOfficer, GridWorker] },
    Route { method: "get", template: "/api/v1/persons", allowed: STAFF_READERS },
    Route { method: "get", template: "/api/v1/persons/{id}", allowed: STAFF_READERS },
    Route { method: "post", template: "/api/v1/key-persons", allowed: &[Admin, AreaOfficer, GridWorker] },
    Route { method: "get", template: "/api/v1/key-persons", allowed: STAFF_READERS },
    Route { method: "get", template: "/api/v1/key-persons/{id}", allowed: STAFF_READERS },
    Route {
        method: "post",
        template: "/api/v1/key-persons/{id}/transitions",
        allowed: &[Admin, AreaOfficer, MedicalStaff],
    },
    Route {
        method: "post",
        template: "/api/v1/key-persons/{id}/follow-ups",
        allowed: &[Admin, AreaOfficer, GridWorker, MedicalStaff],
    },
    Route { method: "get", template: "/api/v1/follow-ups", allowed: STAFF_READERS },
    Route { method: "get", template: "/api/v1/tasks", allowed: STAFF_READERS },
    Route { method: "get", template: "/api/v1/areas/{code}", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/areas/{code}/children", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/grids/{code}", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/grids/{code}/children", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/audit", allowed: &[Admin] },
    Route { method: "get", template: "/api/v1/settings/durations", allowed: STAFF_READERS },
    Route { method: "put", template: "/api/v1/settings/durations", allowed: &[Admin] },
    Route { method: "get", template: "/api/v1/settings/tracing", allowed: INVESTIGATORS },
    Route { method: "put", template: "/api/v1/settings/tracing", allowed: &[Admin] },
    Route { method: "get", template: "/api/v1/statistics", allowed: STAFF_READERS },
    Route { method: "get", template: "/api/v1/settings/statistics", allowed: STAFF_READERS },
    Route { method: "put", template: "/api/v1/settings/statistics", allowed: &[Admin] },
    Route { method: "post", template: "/api/v1/venues", allowed: &[Admin, AreaOfficer, GridWorker] },
    Route { method: "get", template: "/api/v1/venues", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/venues/{id}", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/venues/{id}/poster.pdf", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/venues/{id}/poster.png", allowed: EVERY_STAFF },
    Route { method: "get", template: "/api/v1/venues/posters.pdf", allowed: EVERY_STAFF },
    Route { method: "post", template: "/api/v1/checkpoints", allowed: &[Admin, AreaOfficer, GridWorker] },
    Route { method: "get", template: "/api/v1/checkpoints", allowed: EVERY_STAFF },
    Route {
        method: "post",
        template: "/api/v1/checkpoints/{id}/passages",
        allowed: &[Admin, AreaOfficer, CheckpointStaff],
    },
    Route {
        method: "get",
        template: "/api/v1/checkpoints/{id}/passages",
        allowed: &[Admin, AreaOfficer, CheckpointStaff, Inspector],
    },
    Route { method: "post", template: "/api/v1/investigations", allowed: INVESTIGATORS },
    Route { method: "get", template: "/api/v1/investigations/{id}", allowed: INVESTIGATORS },
    Route { method: "post", template: "/api/v1/investigations/{id}/places", allowed: INVESTIGATORS },
    Route { method: "post", template: "/api/v1/investigations/{id}/points", allowed: INVESTIGATORS },
    Route { method: "post", template: "/api/v1/investigations/{id}/signature", allowed: INVESTIGATORS },
    Route {
        method: "get",
        template: "/api/v1/contact-candidates",
        allowed: &[Admin, AreaOfficer, GridWorker, MedicalStaff],
    },
    Route { method: "post", template: "/api/v1/contact-candidates/{id}/decision", allowed: INVESTIGATORS },
    Route { method: "post", template: "/api/v1/contact-candidates/{id}/investigation", allowed: INVESTIGATORS },
    Route { method: "get", template: "/api/v1/persons/{id}/health-code", allowed: STAFF_READERS },
    Route { method: "post", template: "/api/v1/uploads", allowed: IMPORTERS },
    Route { method: "post", template: "/api/v1/uploads/{id}/import", allowed: IMPORTERS },
    Route { method: "get", template: "/api/v1/uploads/{id}/report.xlsx", allowed: IMPORTERS },
    Route { method: "get", template: "/api/v1/lists", allowed: IMPORTERS },
    Route { method: "get", template: "/api/v1/lists/{id}", allowed: IMPORTERS },
    Route { method: "get", template: "/api/v1/lists/{id}/leads", allowed: IMPORTERS },
    Route { method: "get", template: "/api/v1/leads", allowed: &[Admin, AreaOfficer, GridWorker] },
    Route { method: "post", template: "/api/v1/leads/{id}/verification", allowed: &[Admin, AreaOfficer, GridWorker] },
    Route { method: "get", template: "/api/v1/settings/leads", allowed: IMPORTERS },
    Route { method: "put", template: "/api/v1/settings/leads", allowed: &[Admin] },
];

/// Routes anyone may call without a session: login and the citizen's check-in.
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/api/v1/session"),
    ("post", "/api/v1/checkins"),
    ("post", "/api/v1/health-code"),
    ("get", "/api/v1/health-code/public-key"),
    ("post", "/api/v1/health-code/verify"),
];

fn username(role: Role) -> &'static str {
    USERS.iter().find(|(_, r, _)| *r == role).map(|(u, _, _)| *u).expect("a user per role")
}

async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> u16 {
    let request = match method {
        "get" => app.client.get(app.url(path)),
        "post" => app.client.post(app.url(path)).json(&body),
        "put" => app.client.put(app.url(path)).json(&body),
        "delete" => app.client.delete(app.url(path)),
        other => panic!("method {other}"),
    };
    request.bearer_auth(token).send().await.expect("request").status().as_u16()
}

async fn walk(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let (person, record) = app.key_person(&officer, &id_number("411702", 1), "张三", "411702").await;
    let (status, venue) = app
        .post(&officer, "/api/v1/venues", json!({"name": "人民路农贸市场", "kind": "market", "area_code": "411702"}))
        .await;
    assert_eq!(status, 201, "{venue}");
    let venue = venue["id"].as_i64().expect("venue id");
    let (status, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "驿城东卡口", "area_code": "411702"})).await;
    assert_eq!(status, 201, "{checkpoint}");
    let checkpoint = checkpoint["id"].as_i64().expect("checkpoint id");
    let mut serial = 10;
    let mut failures = Vec::new();
    for role in Role::ALL.iter().copied() {
        for route in ROUTES {
            // A fresh session per call: DELETE /session ends the one it is sent with.
            let token = app.token(username(role)).await;
            serial += 1;
            let id = match route.template {
                t if t.starts_with("/api/v1/persons") => person,
                t if t.starts_with("/api/v1/venues") => venue,
                t if t.starts_with("/api/v1/checkpoints") => checkpoint,
                _ => record,
            };
            let path = route.template.replace("{id}", &id.to_string());
            let path = path.replace("{code}", "411702");
            // Routes whose query parameter is required get one, so the walk reaches the role check.
            let path = match (route.method, path.as_str()) {
                ("get", "/api/v1/persons") => "/api/v1/persons?q=张三".to_string(),
                ("get", "/api/v1/venues/posters.pdf") => "/api/v1/venues/posters.pdf?area_code=411702".to_string(),
                _ => path,
            };
            let body = match (route.method, route.template) {
                ("post", "/api/v1/persons") => {
                    json!({"id_number": id_number("411702", serial), "name": "李四", "area_code": "411702001001"})
                }
                ("post", "/api/v1/key-persons") => {
                    json!({"person_id": person, "class": "fever", "source": "report"})
                }
                ("post", "/api/v1/venues") => json!({"name": "小卖部", "kind": "other", "area_code": "411702001001"}),
                ("post", "/api/v1/checkpoints") => json!({"name": "村口", "area_code": "411702001001"}),
                ("post", "/api/v1/key-persons/{id}/follow-ups") => json!({"slot": "morning", "temperature": 36.5}),
                ("post", "/api/v1/checkpoints/{id}/passages") => {
                    json!({"direction": "in", "name": "赵六", "phone": "13900002222", "temperature": 36.5})
                }
                ("post", "/api/v1/investigations") => json!({"key_person_id": record, "onset_date": "2020-02-01"}),
                ("post", "/api/v1/investigations/{id}/places") => {
                    json!({"place": "菜市场", "from": "2020-02-01 10:00", "to": "2020-02-01 11:00"})
                }
                ("post", "/api/v1/investigations/{id}/points") => json!({"case_checkin_id": 1}),
                ("post", "/api/v1/investigations/{id}/signature") => json!({"statement": "本人负责"}),
                ("post", "/api/v1/contact-candidates/{id}/decision") => json!({"decision": "clear", "note": "walk"}),
                ("post", "/api/v1/uploads/{id}/import") => json!({"kind": "other", "name": "walk"}),
                ("post", "/api/v1/leads/{id}/verification") => json!({"outcome": "no_risk"}),
                ("post", _) => json!({"to": "bogus_status", "reason": "walk"}),
                ("put", "/api/v1/settings/tracing") => {
                    json!({"lookback_days": 3, "min_stay_seconds": 3600, "max_stay_seconds": 7200, "overlap_seconds": 3600})
                }
                ("put", "/api/v1/settings/leads") => json!({"due_hours": 24}),
                ("put", "/api/v1/settings/statistics") => json!({"suppress_below": 5}),
                ("put", _) => {
                    json!({"home_isolation_days": 14, "central_isolation_days": 14, "epidemic_area_observation_days": 24, "post_discharge_days": 14, "health_monitoring_days": 14})
                }
                _ => Value::Null,
            };
            let status = call(&app, &token, route.method, &path, body).await;
            let allowed = route.allowed.contains(&role);
            let ok = if allowed { status != 401 && status != 403 && status < 500 } else { status == 403 };
            if !ok {
                failures.push(format!(
                    "{role:?} {} {} → {status} (expected {})",
                    route.method,
                    path,
                    if allowed { "allowed" } else { "403" }
                ));
            }
        }
        // Without a token everything but login is 401.
        for route in ROUTES {
            let path = route.template.replace("{id}", "1").replace("{code}", "411702");
            let request = match route.method {
                "get" => app.client.get(app.url(&path)),
                "post" => app.client.post(app.url(&path)).json(&json!({})),
                "put" => app.client.put(app.url(&path)).json(&json!({})),
                _ => app.client.delete(app.url(&path)),
            };
            let status = request.send().await.expect("request").status().as_u16();
            if status != 401 {
                failures.push(format!("anonymous {} {path} → {status}", route.method));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_route_by_every_role_on_sqlite() {
    walk(Kind::Sqlite).await;
}

#[tokio::test]
async fn every_route_by_every_role_on_postgres() {
    walk(Kind::Postgres).await;
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let doc: Value =
        app.client.get(app.url("/api/v1/openapi.json")).send().await.expect("get").json().await.expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().into_iter().flat_map(move |ops| ops.keys().map(move |m| (m.clone(), path.clone())))
        })
        .filter(|(method, _)| ["get", "post", "put", "patch", "delete"].contains(&method.as_str()))
        .collect();
    let mut walked: BTreeSet<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_string(), r.template.to_string())).collect();
    walked.extend(PUBLIC.iter().map(|(m, p)| (m.to_string(), p.to_string())));

    let undocumented: Vec<_> = walked.difference(&documented).collect();
    let unwalked: Vec<_> = documented.difference(&walked).collect();
    assert!(undocumented.is_empty(), "routes missing from the OpenAPI document: {undocumented:?}");
    assert!(unwalked.is_empty(), "documented routes the role walk does not cover: {unwalked:?}");
    // Every documented route answers (not the API's 404 fallback) — the document matches the router.
    let token = app.token("admin").await;
    for (method, path) in &documented {
        let path = path.replace("{id}", "1").replace("{code}", "411700");
        let status = call(&app, &token, method, &path, json!({})).await;
        let fallback = status == 404 && {
            let body = match method.as_str() {
                "get" => app.client.get(app.url(&path)),
                "post" => app.client.post(app.url(&path)).json(&json!({})),
                "put" => app.client.put(app.url(&path)).json(&json!({})),
                _ => app.client.delete(app.url(&path)),
            }
            .bearer_auth(&token)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .unwrap_or_default();
            body.contains("no such API route")
        };
        assert!(!fallback && status != 405, "{method} {path} is documented but not served ({status})");
    }
}

/// The document passes an OpenAPI 3.1 validator (Python's `openapi-spec-validator`, which
/// `.ci/run` installs), and every error it documents is a problem document.
#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_1() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let text = app.client.get(app.url("/api/v1/openapi.json")).send().await.expect("get").text().await.expect("body");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &text).expect("write");
    let script = "import json, sys\nfrom openapi_spec_validator import OpenAPIV31SpecValidator\n\
                  errors = list(OpenAPIV31SpecValidator(json.load(open(sys.argv[1]))).iter_errors())\n\
                  [print(e.message[:300]) for e in errors[:20]]\nsys.exit(1 if errors else 0)";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(file.path())
        .output()
        .expect("python3 with openapi-spec-validator (pip install openapi-spec-validator; .ci/run does)");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_str(&text).expect("json");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if status.as_str() >= "400" {
                    let content = response["content"].as_object().expect("content");
                    assert!(
                        content.keys().all(|k| k == "application/problem+json"),
                        "{method} {path} {status}: {content:?}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_interactive_api_docs_are_served_from_embedded_assets() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let page = app.client.get(app.url("/api/docs")).send().await.expect("docs");
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().expect("policy").to_string();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    let html = page.text().await.expect("html");
    assert!(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from elsewhere");
    for (file, kind) in
        [("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"), ("init.js", "text/javascript")]
    {
        assert!(html.contains(&format!("/api/docs/{file}")), "{file} is linked");
        let response = app.client.get(app.url(&format!("/api/docs/{file}"))).send().await.expect("asset");
        assert_eq!(response.status(), 200, "{file}");
        assert!(response.headers()["content-type"].to_str().expect("type").starts_with(kind), "{file}");
    }
    let init = app.client.get(app.url("/api/docs/init.js")).send().await.expect("init").text().await.expect("js");
    assert!(init.contains("/api/v1/openapi.json") && init.contains("validatorUrl: null"));
    assert_eq!(app.client.get(app.url("/api/docs/other.js")).send().await.expect("get").status(), 404);
}
