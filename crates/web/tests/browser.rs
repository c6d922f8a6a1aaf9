#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The pages in headless Chromium (Debian `chromium` + `chromium-driver`) through WebDriver: log
//! in, filter the key-person list, open a record, change its status — on a 375 px phone screen.
//! No skipping: without Chromium this test fails and says so.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::{Kind, TestApp, id_number};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    process: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver must be installed (Debian package chromium-driver; .ci/run installs it)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-quic", format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {response}"))
            .to_string();
        Driver { process, base, session, http, _profile: profile }
    }

    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response: Value = request.send().await.expect("webdriver").json().await.expect("json");
        response["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.command("POST", "/url", json!({"url": url})).await;
    }

    async fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let found = self.command("POST", "/element", json!({"using": "css selector", "value": css})).await;
            if let Some(id) = found[ELEMENT].as_str() {
                return id.to_string();
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no element {css}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.command("POST", &format!("/element/{id}/value"), json!({"text": text})).await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.command("POST", &format!("/element/{id}/click"), json!({})).await;
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.command("GET", &format!("/element/{id}/text"), Value::Null).await.as_str().unwrap_or_default().to_string()
    }

    async fn script(&self, script: &str) -> Value {
        self.command("POST", "/execute/sync", json!({"script": script, "args": []})).await
    }

    /// Waits until `script` returns true.
    async fn wait_for(&self, script: &str) {
        let started = Instant::now();
        while self.script(script).await != Value::Bool(true) {
            assert!(started.elapsed() < Duration::from_secs(10), "timed out waiting for {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        let data = self.command("GET", "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap_or_default()).expect("png");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}

#[tokio::test]
async fn an_officer_filters_opens_and_transitions_on_a_phone() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let token = app.token("officer").await;
    let (_, contact) = app.key_person(&token, &id_number("411702", 1), "张三", "411702001").await;
    let (status, person) = app
        .post(
            &token,
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 2), "name": "李四", "area_code": "411702"}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, fever) = app
        .post(
            &token,
            "/api/v1/key-persons",
            json!({"person_id": person["id"], "class": "fever", "source": "checkpoint"}),
        )
        .await;
    app.post(
        &token,
        &format!("/api/v1/key-persons/{}/transitions", fever["id"]),
        json!({"to": "fever_observation", "reason": "体温38.1℃"}),
    )
    .await;

    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 812})).await;
    driver.goto(&app.url("/key-persons")).await;
    // Not logged in: the login page, in Chinese.
    driver.wait_for("return document.querySelector('#login-submit') !== null").await;
    assert_eq!(driver.text("h1").await, "登录");
    driver.type_into("input[name=username]", "officer").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver
        .wait_for(
            "return location.pathname === '/key-persons' && document.querySelectorAll('a.open-record').length === 2",
        )
        .await;

    // Filter by status: htmx swaps the results in place.
    driver.click("select[name=status] option[value=fever_observation]").await;
    driver.wait_for("return document.querySelectorAll('a.open-record').length === 1 && location.search.includes('status=fever_observation')").await;
    assert_eq!(driver.text("a.open-record").await, "李四");
    driver.screenshot("key-person-list-375.png").await;
    let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(overflow, Value::Bool(true), "the list fits a 375 px screen");

    // Open the close contact instead, and move it to central observation.
    driver.goto(&app.url(&format!("/key-persons/{contact}"))).await;
    assert!(driver.text("#current-status").await.contains("已筛查"));
    driver.click("select[name=to] option[value=central_observation]").await;
    driver.type_into("textarea[name=reason]", "密接，转运集中隔离").await;
    driver.click("#transition-submit").await;
    driver.wait_for("return document.querySelector('#current-status').textContent.includes('集中观察')").await;
    let history = driver.text("#history").await;
    assert!(history.contains("密接，转运集中隔离") && history.contains("officer"), "{history}");
    driver.screenshot("key-person-detail-375.png").await;

    // An illegal choice cannot be offered: the form lists only legal next states.
    let options = driver
        .script(
            "return Array.from(document.querySelectorAll('select[name=to] option')).map(o => o.value).filter(v => v)",
        )
        .await;
    assert!(!options.as_array().expect("options").iter().any(|v| v == "cured"), "{options}");

    // A citizen scans the venue's code: the page works without an account, at 375 px.
    let (_, venue) = app
        .post(&token, "/api/v1/venues", json!({"name": "人民路农贸市场", "kind": "market", "area_code": "411702"}))
        .await;
    let checkin_url = app.url(venue["checkin_path"].as_str().expect("path"));
    driver.command("POST", "/cookie", json!({"cookie": {"name": "fk_session", "value": "", "path": "/"}})).await;
    driver.goto(&checkin_url).await;
    assert_eq!(driver.text("#venue-name").await, "人民路农贸市场");
    driver.type_into("#id_number", &id_number("411702", 3)).await;
    driver.type_into("#name", "王五").await;
    driver.type_into("#phone", "139 0000 1111").await;
    driver.type_into("#temperature", "36.6").await;
    driver.screenshot("citizen-checkin-375.png").await;
    driver.click("#checkin-submit").await;
    driver.wait_for("return document.querySelector('#checkin-done') !== null").await;
    assert!(driver.text("#checkin-done").await.contains("登记成功"));
    driver.screenshot("citizen-checkin-done-375.png").await;
    // The phone remembers: the next scan is one tap.
    driver.goto(&checkin_url).await;
    driver.wait_for("return !document.querySelector('#remembered').hidden").await;
    assert_eq!(driver.text("#remembered-name").await, "王五");
    driver.click("#one-tap").await;
    driver.wait_for("return document.querySelector('#checkin-done') !== null").await;
    assert!(
        driver.text("#checkin-done").await.contains("无需重复登记"),
        "a second scan within minutes is the same check-in"
    );

    // The API agrees with what the page showed.

    let (_, record) = app.get(&token, &format!("/api/v1/key-persons/{contact}")).await;
    assert_eq!(record["status"], "central_observation");
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn a_checkpoint_worker_registers_a_passage_with_fever_on_a_phone() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let (status, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "驿城东卡口", "area_code": "411702"})).await;
    assert_eq!(status, 201);
    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 900})).await;
    driver.goto(&app.url("/login")).await;
    driver.type_into("input[name=username]", "checkpoint").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    // Checkpoint staff with one station land on it, ready to register.
    let station = format!("/checkpoints/{}", checkpoint["id"]);
    driver.wait_for(&format!("return location.pathname === '{station}'")).await;
    driver.wait_for("return document.querySelector('#passage-form') !== null").await;
    assert_eq!(driver.text("#checkpoint-name").await, "驿城东卡口");
    driver.type_into("#p-id", &id_number("411702", 30)).await;
    driver.type_into("#p-name", "孙七").await;
    driver.type_into("#p-phone", "13900005555").await;
    driver.type_into("#p-temp", "38.3").await;
    driver.type_into("#p-origin", "武汉").await;
    driver.click("#passage-submit").await;
    driver.wait_for("return document.querySelector('#passage-result') !== null").await;
    let result = driver.text("#passage-result").await;
    assert!(result.contains("体温异常") && result.contains("转运"), "{result}");
    assert!(driver.text("#ledger").await.contains("孙七"));
    let counters = driver.text("#station-counters").await;
    assert!(counters.contains("1\n今日进") && counters.contains("1\n今日发热"), "{counters:?}");
    // The origin is remembered for the next traveller; the person fields are cleared.
    let origin = driver.script("return document.getElementById('p-origin').value").await;
    assert_eq!(origin, "武汉");
    assert_eq!(driver.script("return document.getElementById('p-name').value").await, "");
    let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(overflow, Value::Bool(true), "the page fits a 375 px screen");
    driver.screenshot("checkpoint-passage-fever-375.png").await;
    // The fever reached the command side: a fever record and a transfer task.
    let (_, fevers) = app.get(&officer, "/api/v1/key-persons?class=fever").await;
    assert_eq!(fevers["total"], 1);
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn a_grid_worker_records_a_home_visit_on_a_phone() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let record = app.home_isolated(&officer, &id_number("411702", 40), "卫十二", "411702001001").await;
    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 900})).await;
    driver.goto(&app.url("/login?next=/follow-ups")).await;
    driver.type_into("input[name=username]", "grid").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname === '/follow-ups'").await;
    let card = format!("#kp-{record}");
    assert!(driver.text(&card).await.contains("卫十二"));
    driver.type_into(&format!("{card} input[name=temperature]"), "37.9").await;
    driver.type_into(&format!("{card} input[name=note]"), "咽痛").await;
    driver.click(&format!("{card} button[type=submit]")).await;
    driver.wait_for(&format!("return document.querySelector('{card} .result') !== null")).await;
    let text = driver.text(&card).await;
    // A fever is never shown as a plain tick.
    assert!(text.contains("发热门诊") && text.contains("37.9℃ 发热") && !text.contains("✓ 37.9℃"), "{text}");
    let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(overflow, Value::Bool(true), "the page fits a 375 px screen");
    driver.screenshot("follow-up-visit-fever-375.png").await;
    // The fever reached the command side as one transfer task.
    let (_, tasks) = app.get(&officer, "/api/v1/tasks?due=all").await;
    assert_eq!(tasks["items"][0]["kind"], "fever_transfer", "{tasks}");
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn a_citizen_shows_a_code_and_a_checkpoint_verifies_it_offline() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let id = id_number("411702", 61);
    // A close contact: red.
    let (_, record) = app.key_person(&officer, &id, "周八", "411702001001").await;
    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 900})).await;
    driver.goto(&app.url("/h")).await;
    driver.type_into("#id_number", &id).await;
    driver.type_into("#name", "周八").await;
    driver.type_into("#phone", "13800001111").await;
    driver.click("#code-submit").await;
    driver.wait_for("return document.querySelector('#code') !== null").await;
    assert_eq!(driver.script("return document.getElementById('code-colour').dataset.colour").await, "red");
    assert!(driver.text(".reasons").await.contains("密切接触者"), "{}", driver.text(".reasons").await);
    let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(overflow, Value::Bool(true), "the page fits a 375 px screen");
    driver.screenshot("citizen-health-code-red-375.png").await;
    let red_token = driver.script("return document.getElementById('code-token').value").await;
    let red_token = red_token.as_str().expect("token").to_string();

    // Released: the next look (one tap, the phone remembers) is green.
    for to in ["central_observation", "released"] {
        let (status, body) = app
            .post(&officer, &format!("/api/v1/key-persons/{record}/transitions"), json!({"to": to, "reason": "核查"}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    driver.goto(&app.url("/h")).await;
    driver.wait_for("return !document.querySelector('#remembered').hidden").await;
    driver.click("#one-tap").await;
    driver.wait_for("return document.querySelector('#code') !== null").await;
    assert_eq!(driver.script("return document.getElementById('code-colour').dataset.colour").await, "green");
    driver.screenshot("citizen-health-code-green-375.png").await;
    let green_token = driver.script("return document.getElementById('code-token').value").await;
    let green_token = green_token.as_str().expect("token").to_string();

    // A wrong phone: nobody, and nothing else is said.
    driver.command("POST", "/execute/sync", json!({"script": "localStorage.clear(); return 1", "args": []})).await;
    driver.goto(&app.url("/h")).await;
    driver.type_into("#id_number", &id).await;
    driver.type_into("#name", "周八").await;
    driver.type_into("#phone", "13800009999").await;
    driver.click("#code-submit").await;
    driver.wait_for("return document.querySelector('.error') !== null").await;
    assert!(driver.text(".error").await.contains("未找到"));

    // The checkpoint verifies in the browser with the public keys it keeps.
    driver.goto(&app.url("/login")).await;
    driver.type_into("input[name=username]", "checkpoint").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname === '/checkpoints'").await;
    driver.goto(&app.url("/verify")).await;
    driver.wait_for("return !document.getElementById('keys-kept').hidden").await;
    // Offline from here on: verification must not need the server.
    driver.script("window.fetch = function () { throw new Error('offline'); }; return 1").await;
    let verify = |token: String| {
        let driver = &driver;
        async move {
            driver.script("document.getElementById('verdict').removeAttribute('data-result'); return 1").await;
            driver.script(&format!("document.getElementById('token').value = {token:?}; return 1")).await;
            driver.click("#verify-button").await;
            driver.wait_for("return document.getElementById('verdict').hasAttribute('data-result')").await;
            driver.script("return document.getElementById('verdict').getAttribute('data-result')").await
        }
    };
    assert_eq!(verify(green_token.clone()).await, "green");
    driver.screenshot("checkpoint-verify-green-375.png").await;
    assert_eq!(verify(red_token).await, "red");
    let mut tampered = green_token.into_bytes();
    tampered[13] = if tampered[13] == b'A' { b'B' } else { b'A' };
    assert_eq!(verify(String::from_utf8(tampered).unwrap()).await, "refused");
    assert!(driver.text("#verdict-detail").await.contains("签名不符"), "{}", driver.text("#verdict-detail").await);
    driver.screenshot("checkpoint-verify-refused-375.png").await;
    assert_eq!(verify("garbage".into()).await, "refused");
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn an_investigator_confirms_a_point_and_a_contact_and_the_grid_sees_the_task() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let (case_person, case) = app.key_person(&officer, &id_number("411702", 71), "病例甲", "411702001001").await;
    for to in ["central_observation", "suspected"] {
        let (status, body) = app
            .post(&officer, &format!("/api/v1/key-persons/{case}/transitions"), json!({"to": to, "reason": "检测"}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let mut contacts = Vec::new();
    for (serial, name) in [(72, "顾客乙"), (73, "顾客丙")] {
        let (status, person) = app
            .post(
                &officer,
                "/api/v1/persons",
                json!({"id_number": id_number("411702", serial), "name": name, "phone": "13800003333", "area_code": "411702001001"}),
            )
            .await;
        assert_eq!(status, 201, "{person}");
        contacts.push(person["id"].as_i64().expect("id"));
    }
    let (_, venue) = app
        .post(
            &officer,
            "/api/v1/venues",
            json!({"name": "人民路农贸市场", "kind": "market", "area_code": "411702001001"}),
        )
        .await;
    let venue = app.db.venue_by_token(venue["token"].as_str().expect("token")).await.unwrap().expect("venue");
    let now = app.db.now();
    let at = |person: i64, t_in: i64, t_out: Option<i64>| store::BulkCheckin {
        venue_id: venue.id,
        person_id: domain::PersonId::new(person),
        area_code: venue.area_code.clone(),
        t_in,
        t_out,
        temperature: None,
    };
    app.db
        .bulk_insert_checkins(&[
            at(case_person, now - 30 * 3_600, Some(now - 27 * 3_600)),
            at(contacts[0], now - 29 * 3_600, None),
            at(contacts[1], now - 28 * 3_600, Some(now - 28 * 3_600 + 1_200)),
        ])
        .await
        .unwrap();

    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 900})).await;
    driver.goto(&app.url("/login")).await;
    driver.type_into("input[name=username]", "officer").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname !== '/login'").await;
    driver.goto(&app.url(&format!("/key-persons/{case}"))).await;
    driver.click("#start-investigation").await;
    driver.wait_for("return document.getElementById('open-form') !== null").await;
    let today = domain::shanghai_date(now).to_string();
    driver.script(&format!("document.getElementById('i-onset').value = '{today}'; return 1")).await;
    driver.click("#open-submit").await;
    driver.wait_for("return document.getElementById('timeline') !== null").await;
    assert!(driver.text("#timeline").await.contains("人民路农贸市场"));
    driver.click("button.confirm-point").await;
    driver.wait_for("return document.querySelectorAll('#candidates li').length === 2").await;
    let table = driver.text("#candidates").await;
    assert!(table.contains("顾客乙") && table.contains("顾客丙") && table.contains("**"), "{table}");
    let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(overflow, Value::Bool(true), "the workspace fits a 375 px screen");
    driver.screenshot("investigation-workspace-375.png").await;
    driver.click("#candidates li:first-child button.decide-central").await;
    driver
        .wait_for("return document.querySelector('#candidates li:first-child .status').textContent.includes('密接')")
        .await;
    driver.type_into("#s-statement", "本人对流调结果负责").await;
    driver.click("#sign-submit").await;
    driver.wait_for("return document.getElementById('signature') !== null").await;
    driver.screenshot("investigation-signed-375.png").await;
    // Second generation: the confirmed contact's own investigation, one click away.
    let first = driver.script("return location.pathname").await;
    driver.click("#candidates li:first-child button.trace-on").await;
    driver.wait_for(&format!("return location.pathname !== {first}")).await;
    driver.wait_for("return document.getElementById('generation') !== null").await;
    let heading = driver.text("h1").await;
    assert!(heading.contains("顾客乙") && heading.contains("代次 2"), "{heading}");
    driver.screenshot("investigation-second-generation-375.png").await;

    // The grid worker where the contacts live sees the one still pending.
    driver.command("POST", "/cookie", json!({"cookie": {"name": "fk_session", "value": "", "path": "/"}})).await;
    driver.goto(&app.url("/login")).await;
    driver.type_into("input[name=username]", "grid").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname !== '/login'").await;
    driver.goto(&app.url("/tracing")).await;
    let tasks = driver.text("#tracing-tasks").await;
    assert!(tasks.contains("顾客丙") && !tasks.contains("顾客乙"), "{tasks}");
    driver.screenshot("tracing-tasks-375.png").await;
    assert!(driver.text("#tracing-tasks a.call").await.contains("13800003333"), "the worker calls them");
    assert_eq!(driver.script("return document.querySelectorAll('#tracing-tasks button').length").await, json!(0));
    // The area's investigator decides on the card itself (the case's investigation may be
    // another area's) and is told it is saved.
    driver.command("POST", "/cookie", json!({"cookie": {"name": "fk_session", "value": "", "path": "/"}})).await;
    driver.goto(&app.url("/login?next=/tracing")).await;
    driver.type_into("input[name=username]", "officer").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname === '/tracing'").await;
    driver.click("#tracing-tasks li:first-child button.decide-home").await;
    driver.wait_for("return document.getElementById('saved-note') !== null").await;
    assert!(driver.text("#saved-note").await.contains("已保存"));
    assert_eq!(driver.script("return document.querySelectorAll('#tracing-tasks li').length").await, json!(0));
    let (_, code) = app.get(&officer, &format!("/api/v1/persons/{}/health-code", contacts[0])).await;
    assert_eq!(code["colour"], "red");
    let (_, code) = app.get(&officer, &format!("/api/v1/persons/{}/health-code", contacts[1])).await;
    assert_eq!(code["colour"], "red", "a close contact under home isolation");
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn an_officer_imports_a_list_fixing_a_column_and_the_grid_verifies_a_lead() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let admin = app.token("admin").await;
    for (serial, name, phone) in [(61, "张三", "13800000061"), (62, "赵六", "13800000062")] {
        let (status, body) = app
            .post(
                &admin,
                "/api/v1/persons",
                json!({"id_number": id_number("411702", serial), "name": name, "phone": phone, "area_code": "411702001001"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // The phone column's header is one no rule knows: the officer maps it by hand.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("通信大数据.csv");
    let csv = format!(
        "驻马店市通信大数据推送,,\n姓名,证件号,电话（本人）\n张三,{},\n赵六,,13800000062\n",
        id_number("411702", 61)
    );
    std::fs::write(&file, csv).unwrap();
    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 1100, "height": 900})).await;
    driver.goto(&app.url("/login?next=/lists")).await;
    driver.type_into("input[name=username]", "admin").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname === '/lists'").await;
    driver.type_into("#u-file", &file.display().to_string()).await;
    driver.click("#u-send").await;
    driver.wait_for("return location.pathname.startsWith('/uploads/')").await;
    assert_eq!(driver.script("return document.querySelector('#col-2').value").await, json!(""), "not guessed");
    assert_eq!(driver.script("return document.querySelector('#col-1').value").await, json!("id_number"));
    driver.script("document.querySelector('#col-2').value = 'phone'; return 1").await;
    driver.script("document.querySelector('#i-kind').value = 'telecom'; return 1").await;
    driver.screenshot("list-mapping.png").await;
    driver.click("#import-submit").await;
    driver.wait_for("return location.pathname.startsWith('/lists/')").await;
    let progress = driver.text("#progress").await;
    assert!(progress.contains("2 条，已核查 0"), "{progress}");
    let counts = driver.text("#counts").await;
    assert!(counts.contains("身份证号比中 1") && counts.contains("手机号比中 1"), "{counts}");
    driver.screenshot("list-progress.png").await;

    // The grid worker, on a phone, sees both leads and verifies one.
    driver.command("DELETE", "/cookie", Value::Null).await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 900})).await;
    driver.goto(&app.url("/login?next=/leads")).await;
    driver.type_into("input[name=username]", "grid").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname === '/leads'").await;
    let cards = driver.text("#leads").await;
    assert!(cards.contains("张三") && cards.contains("赵六"), "{cards}");
    let summary = driver.text("#leads-summary").await;
    assert!(summary.contains("待核查 2"), "the page counts what waits: {summary}");
    let first = driver.script("return document.querySelector('#leads li.card').id").await;
    let card = format!("#{}", first.as_str().unwrap());
    driver.script(&format!("document.querySelector('{card} .l-outcome').value = 'unreachable'; return 1")).await;
    driver.click(&format!("{card} .l-submit")).await;
    driver.wait_for(&format!("return document.querySelector('{card} .error') !== null")).await;
    assert!(driver.text(&format!("{card} .error")).await.contains("核查情况"), "a note is needed when unreachable");
    driver.type_into(&format!("{card} .l-note"), "电话关机，明日再访").await;
    driver.script(&format!("document.querySelector('{card} .l-outcome').value = 'unreachable'; return 1")).await;
    driver.click(&format!("{card} .l-submit")).await;
    driver.wait_for("return document.querySelector('#verified-note') !== null").await;
    assert_eq!(driver.script("return document.querySelectorAll('#leads li.card').length").await, json!(1));
    let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(overflow, Value::Bool(true), "the page fits a 375 px screen");
    driver.screenshot("leads-verify-375.png").await;
    let (_, lists) = app.get(&admin, "/api/v1/lists").await;
    assert_eq!(lists["lists"][0]["progress"], "2 条，已核查 1，待核查 1");

    // The other one is found: registered as an arrival from a high-risk area, its code turns red.
    let card =
        format!("#{}", driver.script("return document.querySelector('#leads li.card').id").await.as_str().unwrap());
    driver.script(&format!("document.querySelector('{card} .l-outcome').value = 'registered'; return 1")).await;
    driver.script(&format!("document.querySelector('{card} .l-risk').value = 'high'; return 1")).await;
    driver.click(&format!("{card} .l-submit")).await;
    driver.wait_for("return document.querySelector('#leads li.card') === null").await;
    let (_, leads) = app.get(&admin, &format!("/api/v1/lists/{}/leads", lists["lists"][0]["id"])).await;
    let registered: Vec<&Value> =
        leads["leads"].as_array().unwrap().iter().filter(|l| l["outcome"] == "registered").collect();
    assert_eq!(registered.len(), 1, "{leads}");
    let (_, code) = app.get(&admin, &format!("/api/v1/persons/{}/health-code", registered[0]["person_id"])).await;
    assert_eq!(code["colour"], "red", "{code}");

    // The officer reads the finished list in English: kind, progress, matches and outcomes.
    driver.command("DELETE", "/cookie", Value::Null).await;
    driver.command("POST", "/window/rect", json!({"width": 1100, "height": 900})).await;
    driver.goto(&app.url(&format!("/login?next=/lists/{}", lists["lists"][0]["id"]))).await;
    driver.type_into("input[name=username]", "admin").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return location.pathname.startsWith('/lists/')").await;
    driver.goto(&app.url("/lang/en")).await;
    driver.goto(&app.url(&format!("/lists/{}", lists["lists"][0]["id"]))).await;
    let progress = driver.text("#progress").await;
    assert_eq!(progress, "2 leads, 2 verified, all verified");
    let counts = driver.text("#counts").await;
    assert!(counts.contains("Telecom big data") && counts.contains("Matched by ID 1"), "{counts}");
    let rows = driver.text("#list-leads").await;
    assert!(rows.contains("Found, registered as a key person") && rows.contains("Unreachable"), "{rows}");
    driver.screenshot("list-done-en.png").await;
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn every_role_lands_on_its_days_work_on_a_phone_and_a_desktop() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    // The day's work: a person under home isolation in the grid worker's village, and a station.
    app.home_isolated(&officer, &id_number("411702", 60), "韩十三", "411702001001").await;
    let (status, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "驿城西卡口", "area_code": "411702"})).await;
    assert_eq!(status, 201);
    let driver = Driver::start().await;
    for (username, expect_path, expect_text) in [
        ("grid", "/".to_string(), "现在要随访"),
        ("officer", "/".to_string(), "到期待解除"),
        ("medic", "/".to_string(), "发热待转运"),
        ("admin", "/".to_string(), "确诊"),
        ("checkpoint", format!("/checkpoints/{}", checkpoint["id"]), "驿城西卡口"),
    ] {
        for width in [375, 1366] {
            driver.command("DELETE", "/cookie", Value::Null).await;
            driver.command("POST", "/window/rect", json!({"width": width, "height": 900})).await;
            driver.goto(&app.url("/login")).await;
            driver.type_into("input[name=username]", username).await;
            driver.type_into("input[name=password]", common::PASSWORD).await;
            driver.click("#login-submit").await;
            driver.wait_for(&format!("return location.pathname === '{expect_path}'")).await;
            let text = driver.text("main").await;
            assert!(text.contains(expect_text), "{username} at {width} px: {text}");
            if username == "grid" {
                assert!(text.contains("韩十三"), "the grid worker's visit is listed: {text}");
            }
            let overflow = driver.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
            assert_eq!(overflow, Value::Bool(true), "{username}'s landing page fits {width} px");
            // On a phone the menu folds behind one button; on a desktop it is open.
            let menu_shown =
                driver.script("return getComputedStyle(document.querySelector('.menu')).display !== 'none'").await;
            let role_has_menu = driver.script("return document.querySelector('.menu') !== null").await;
            if role_has_menu == Value::Bool(true) {
                assert_eq!(menu_shown, Value::Bool(width > 600), "{username} at {width} px");
            }
            driver.screenshot(&format!("landing-{username}-{width}.png")).await;
        }
    }
    driver.command("DELETE", "", Value::Null).await;
}

#[tokio::test]
async fn an_officer_picks_a_place_by_name_instead_of_typing_a_code() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let driver = Driver::start().await;
    driver.command("POST", "/window/rect", json!({"width": 375, "height": 900})).await;
    driver.goto(&app.url("/login?next=/key-persons/new")).await;
    driver.type_into("input[name=username]", "officer").await;
    driver.type_into("input[name=password]", common::PASSWORD).await;
    driver.click("#login-submit").await;
    driver.wait_for("return document.querySelectorAll('.place-picker select').length === 1").await;
    // 乡镇 first, then 村: each choice fills the code and opens the next level.
    let pick = |depth: usize| {
        let driver = &driver;
        async move {
            driver
                .script(&format!(
                    "const s = document.querySelectorAll('.place-picker select')[{depth}]; s.selectedIndex = 1; \
                     s.dispatchEvent(new Event('change')); return s.options[1].textContent"
                ))
                .await
        }
    };
    let township = pick(0).await;
    driver.wait_for("return document.querySelectorAll('.place-picker select').length === 2").await;
    let area = driver.script("return document.querySelector('input[name=area_code]').value").await;
    assert_eq!(area.as_str().map(str::len), Some(9), "a township's code: {area}");
    let village = pick(1).await;
    let area = driver.script("return document.querySelector('input[name=area_code]').value").await;
    assert_eq!(area.as_str().map(str::len), Some(12), "a village's code: {area}");
    let code = area.as_str().unwrap_or_default().to_string();
    assert_eq!(divisions::get(&code).map(|d| d.name), village.as_str(), "the code is the named village's");
    assert!(divisions::get(&code[..9]).is_some_and(|d| Some(d.name) == township.as_str()));
    driver.screenshot("place-picker-375.png").await;
    driver.command("DELETE", "", Value::Null).await;
}
