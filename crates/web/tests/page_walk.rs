#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Every page × every role: allowed, refused (403) or, without a session, sent to log in; and
//! every page a role may open, rendered in Chinese and in English, holds no interface text of the
//! other language (data — names, codes, places — is allowed in both).

mod common;

use common::{Kind, TestApp, USERS, id_number};
use domain::Capability;
use serde_json::json;

use Capability::*;

struct PageRoute {
    /// With `{id}` and `{token}` filled in by the walk.
    template: &'static str,
    /// A role may open the page when it has any of these.
    any_of: &'static [Capability],
    /// The area of the record the page shows: outside a user's jurisdiction it is not found.
    area: &'static str,
}

/// Every staff page that answers GET. Public pages (/login, /c/{token}, /h) are walked apart.
const PAGES: &[PageRoute] = &[
    PageRoute { template: "/key-persons", any_of: &[ReadKeyPersons], area: "" },
    PageRoute { template: "/key-persons/new", any_of: &[CreateKeyPersons], area: "" },
    PageRoute { template: "/key-persons/{record}", any_of: &[ReadKeyPersons], area: "411702001001" },
    PageRoute { template: "/tasks", any_of: &[ReadTasks], area: "" },
    PageRoute { template: "/follow-ups", any_of: &[ReadKeyPersons], area: "" },
    PageRoute { template: "/venues", any_of: &[ReadAreas], area: "" },
    PageRoute { template: "/audit", any_of: &[ReadAudit], area: "" },
    PageRoute { template: "/checkpoints", any_of: &[ReadAreas], area: "" },
    PageRoute { template: "/checkpoints/{checkpoint}", any_of: &[ReadPassages], area: "411702" },
    PageRoute { template: "/verify", any_of: &[ReadPassages, RecordPassages], area: "" },
    PageRoute { template: "/investigations", any_of: &[Investigate], area: "" },
    PageRoute { template: "/investigations/{investigation}", any_of: &[Investigate], area: "411702001001" },
    PageRoute { template: "/tracing", any_of: &[TraceContacts], area: "" },
    PageRoute { template: "/lists", any_of: &[ImportLists], area: "" },
    PageRoute { template: "/lists/{list}", any_of: &[ImportLists], area: "411702" },
    PageRoute { template: "/leads", any_of: &[VerifyLeads], area: "" },
];

/// Every staff form post; `{id}` stands for an id that need not exist.
const STAFF_FORMS: &[&str] = &[
    "/key-persons/new",
    "/key-persons/{record}/transition",
    "/follow-ups/{record}",
    "/checkpoints/{checkpoint}",
    "/investigations",
    "/investigations/{investigation}/points",
    "/investigations/{investigation}/places",
    "/investigations/{investigation}/signature",
    "/candidates/1/decision",
    "/candidates/1/trace",
    "/uploads/1/import",
    "/leads/1/verification",
];

/// Ids of one of each record a page shows.
struct Seeded {
    record: i64,
    checkpoint: i64,
    investigation: i64,
    list: i64,
    venue_token: String,
}

async fn seed(app: &TestApp) -> Seeded {
    let officer = app.token("officer").await;
    let (_, record) = app.key_person(&officer, &id_number("411702", 1), "张三", "411702001001").await;
    for to in ["central_observation", "suspected"] {
        let (status, body) = app
            .post(&officer, &format!("/api/v1/key-persons/{record}/transitions"), json!({"to": to, "reason": "检测"}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, venue) = app
        .post(
            &officer,
            "/api/v1/venues",
            json!({"name": "人民路农贸市场", "kind": "market", "area_code": "411702001001"}),
        )
        .await;
    assert_eq!(status, 201, "{venue}");
    let (status, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "驿城东卡口", "area_code": "411702"})).await;
    assert_eq!(status, 201, "{checkpoint}");
    let today = domain::shanghai_date(app.db.now());
    let (status, investigation) = app
        .post(&officer, "/api/v1/investigations", json!({"key_person_id": record, "onset_date": today.to_string()}))
        .await;
    assert_eq!(status, 201, "{investigation}");
    let csv = format!("姓名,身份证号,手机号\n张三,{},13800000001\n", id_number("411702", 1));
    let response = app
        .client
        .post(app.url("/api/v1/uploads?file_name=walk.csv"))
        .bearer_auth(&officer)
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let upload = response.json::<serde_json::Value>().await.unwrap()["upload_id"].as_i64().unwrap();
    let (status, list) = app
        .post(&officer, &format!("/api/v1/uploads/{upload}/import"), json!({"kind": "telecom", "name": "通信大数据"}))
        .await;
    assert_eq!(status, 201, "{list}");
    Seeded {
        record,
        checkpoint: checkpoint["id"].as_i64().unwrap(),
        investigation: investigation["id"].as_i64().unwrap(),
        list: list["id"].as_i64().unwrap(),
        venue_token: venue["token"].as_str().unwrap().to_string(),
    }
}

/// An error page keeps the menu, logout and the way back to the role's own landing page, and
/// names no role by its code.
fn inside_the_frame(body: &str, role: domain::Role) -> bool {
    body.contains("<nav>")
        && body.contains("action=\"/logout\"")
        && body.contains("href=\"/\"")
        && !body.contains(&format!("role {role}"))
}

/// A page without a record is everyone's; a record is seen within its jurisdiction.
fn in_scope(area: &str, jurisdiction: &str) -> bool {
    area.is_empty() || domain::Scope::of_code_str(jurisdiction).is_some_and(|scope| scope.contains(area))
}

fn path_of(template: &str, seeded: &Seeded) -> String {
    template
        .replace("{record}", &seeded.record.to_string())
        .replace("{checkpoint}", &seeded.checkpoint.to_string())
        .replace("{investigation}", &seeded.investigation.to_string())
        .replace("{list}", &seeded.list.to_string())
}

/// A client that does not follow redirects, so a redirect to the login page is seen.
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn get(client: &reqwest::Client, url: String, token: Option<&str>, lang: &str) -> (u16, String, String) {
    let mut request = client.get(url).header("cookie", format!("fk_lang={lang}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, location, response.text().await.unwrap())
}

async fn walk(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let seeded = seed(&app).await;
    let client = client();
    let mut failures = Vec::new();
    for &(username, role, jurisdiction) in USERS {
        let token = app.token(username).await;
        for page in PAGES {
            let path = path_of(page.template, &seeded);
            let allowed = page.any_of.iter().any(|&c| role.may(c));
            let expected = match (allowed, in_scope(page.area, jurisdiction)) {
                (false, _) => 403,
                (true, true) => 200,
                (true, false) => 404,
            };
            let (status, _, body) = get(&client, app.url(&path), Some(&token), "zh").await;
            if status != expected {
                failures.push(format!("{username} ({role:?}) GET {path} → {status}, expected {expected}"));
            }
            if status != 200 && !inside_the_frame(&body, role) {
                failures.push(format!("{username} ({role:?}) GET {path} → {status} outside the frame"));
            }
        }
        // What waits, counted for the menu: every logged-in role may ask, and gets numbers.
        let (status, _, body) = get(&client, app.url("/menu-counts"), Some(&token), "zh").await;
        let counts: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        if status != 200 || !counts["tasks"].is_u64() || !counts["visits"].is_u64() {
            failures.push(format!("{username} ({role:?}) GET /menu-counts → {status} {body}"));
        }
        // A path nobody serves is a real 404 page, inside the frame too.
        let (status, _, body) = get(&client, app.url("/no-such-page"), Some(&token), "zh").await;
        if status != 404 || !inside_the_frame(&body, role) || !body.contains("没有这个页面") {
            failures.push(format!("{username} ({role:?}) GET /no-such-page → {status}"));
        }
    }
    let (status, _, body) = get(&client, app.url("/no-such-page"), None, "en").await;
    if status != 404 || !body.contains("There is no such page") {
        failures.push(format!("anonymous GET /no-such-page → {status}"));
    }
    for page in PAGES {
        let path = path_of(page.template, &seeded);
        let (status, location, _) = get(&client, app.url(&path), None, "zh").await;
        if status != 303 || !location.starts_with("/login?next=") {
            failures.push(format!("anonymous GET {path} → {status} {location}, expected the login page"));
        }
    }
    // Every staff form is refused without the session's form token, before anything is looked up.
    let admin = app.token("admin").await;
    for template in STAFF_FORMS {
        let path = path_of(template, &seeded);
        let response = client
            .post(app.url(&path))
            .bearer_auth(&admin)
            .form(&[("token", "0123456789abcdef0123456789abcdef"), ("reason", "walk")])
            .send()
            .await
            .unwrap();
        if response.status() != 403 {
            failures.push(format!("POST {path} with a wrong form token → {}, expected 403", response.status()));
        }
    }
    for public in ["/login", "/h", &format!("/c/{}", seeded.venue_token)] {
        let (status, _, _) = get(&client, app.url(public), None, "zh").await;
        if status != 200 {
            failures.push(format!("anonymous GET {public} → {status}, expected 200"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_page_by_every_role_on_sqlite() {
    walk(Kind::Sqlite).await;
}

#[tokio::test]
async fn every_page_by_every_role_on_postgres() {
    walk(Kind::Postgres).await;
}

/// What a reader sees: text between tags and the visible attributes, without scripts and styles.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        text.push(' ');
        let tag_end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..tag_end];
        for attribute in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                text.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                text.push(' ');
            }
        }
        rest = &rest[tag_end..];
        // <code> holds machine text shown as stored (audit actions and details): data.
        for hidden in ["script", "style", "code"] {
            if tag.starts_with(&format!("<{hidden}")) {
                let close = format!("</{hidden}>");
                rest = rest.find(&close).map_or("", |e| &rest[e + close.len()..]);
            }
        }
    }
    text.push_str(rest);
    text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'")
}

/// Words that are data (usernames, the seeded file name) or names of formats, fine on a Chinese page.
const LATIN_DATA: &[&str] = &[
    "English",
    "Excel",
    "csv",
    "walk",
    "CSV",
    "XLSX",
    "XLS",
    "GBK",
    "UTF",
    "PDF",
    "PNG",
    "QR",
    "SHA",
    "GB",
    "admin",
    "officer",
    "xiping",
    "grid",
    "checkpoint",
    "medic",
    "enterprise",
    "inspector",
    "citizen",
];

/// Latin words of three letters or more that are not data.
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !LATIN_DATA.contains(w))
        .map(str::to_string)
        .collect()
}

/// Runs of Chinese characters that are not data (names of people, places, venues, lists).
fn chinese_runs(text: &str, data: &[String]) -> Vec<String> {
    let mut cleaned = text.to_string();
    let mut data: Vec<&String> = data.iter().collect();
    data.sort_by_key(|d| std::cmp::Reverse(d.chars().count()));
    for d in data {
        cleaned = cleaned.replace(d.as_str(), " ");
    }
    let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c);
    cleaned.split(|c: char| !is_cjk(c)).filter(|run| !run.is_empty()).map(str::to_string).collect()
}

/// The page at `url` in Chinese and in English, as `who` sees it: a line per language that holds
/// the other language's text.
async fn other_language(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    data: &[String],
    who: &str,
) -> Vec<String> {
    let mut found = Vec::new();
    let (_, _, zh) = get(client, url.to_string(), token, "zh").await;
    let english = english_words(&visible_text(&zh));
    if !english.is_empty() {
        found.push(format!("{who} {url} (中文): {}", english.join(" ")));
    }
    let (_, _, en) = get(client, url.to_string(), token, "en").await;
    let chinese = chinese_runs(&visible_text(&en), data);
    if !chinese.is_empty() {
        found.push(format!("{who} {url} (English): {}", chinese.join(" ")));
    }
    found
}

#[tokio::test]
async fn every_page_in_both_languages_holds_only_its_own_text() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let seeded = seed(&app).await;
    let client = client();
    // Data in Chinese: the seeded records and every division name under 驻马店.
    let mut data: Vec<String> = [
        "张三",
        "人民路农贸市场",
        "驿城东卡口",
        "通信大数据",
        "检测",
        // The language switch, a plate's province prefix in an example, a stored default reason.
        "中文",
        "豫",
        "流调追踪",
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    data.extend(divisions::within("4117").map(|d| d.name.to_string()));
    data.extend(divisions::get("411700").map(|d| d.name.to_string()));
    data.extend(divisions::get("410000").map(|d| d.name.to_string()));
    let mut failures = Vec::new();
    for &(username, _, _) in USERS {
        let token = app.token(username).await;
        // Every page, so refusals (403) and records out of reach (404) are read too.
        let mut paths: Vec<String> = PAGES.iter().map(|p| path_of(p.template, &seeded)).collect();
        paths.push("/no-such-page".into());
        paths.push("/h".into());
        paths.push(format!("/c/{}", seeded.venue_token));
        for path in paths {
            failures.extend(other_language(&client, &app.url(&path), Some(&token), &data, username).await);
        }
    }
    failures.extend(other_language(&client, &app.url("/login"), None, &data, "anonymous").await);
    failures.dedup();
    assert!(failures.is_empty(), "{} pages hold the other language:\n{}", failures.len(), failures.join("\n"));
}
