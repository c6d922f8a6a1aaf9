#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The pages over plain HTTP: login by form, the create form with its field errors, the
//! cross-site form guard, the language switch and the due-today list.

mod common;

use common::{Kind, PASSWORD, TestApp, id_number};

/// A client that keeps cookies and does not follow redirects, so each step is visible.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn log_in(app: &TestApp, client: &reqwest::Client, username: &str) {
    let response = client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", PASSWORD), ("next", "/key-persons")])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 303, "login of {username}");
    assert_eq!(response.headers()["location"], "/key-persons");
}

fn form_token(html: &str) -> String {
    let start = html.find("name=\"token\" value=\"").expect("form token") + "name=\"token\" value=\"".len();
    html[start..start + 32].to_string()
}

async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.expect("get");
    (response.status().as_u16(), response.text().await.expect("body"))
}

#[tokio::test]
async fn visitors_are_sent_to_log_in_and_back() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let client = browser();
    let response = client.get(app.url("/key-persons?status=confirmed")).send().await.expect("get");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Fkey-persons%3Fstatus%3Dconfirmed");
    let wrong = client
        .post(app.url("/login"))
        .form(&[("username", "officer"), ("password", "nope")])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.expect("body").contains("用户名或密码错误"));
    // An open redirect is not on offer.
    let response = client
        .post(app.url("/login"))
        .form(&[("username", "officer"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.headers()["location"], "/", "home, which sends each role to its work");
}

#[tokio::test]
async fn the_create_form_names_each_bad_field_and_writes_nothing() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let client = browser();
    log_in(&app, &client, "officer").await;
    let (status, html) = page(&client, app.url("/key-persons/new")).await;
    assert_eq!(status, 200);
    let token = form_token(&html);
    let mut bad_id = id_number("411702", 1);
    bad_id.replace_range(17.., if bad_id.ends_with('0') { "1" } else { "0" });
    let response = client
        .post(app.url("/key-persons/new"))
        .form(&[
            ("token", token.as_str()),
            ("id_number", bad_id.as_str()),
            ("name", "张3"),
            ("phone", "12345"),
            ("area_code", "411702"),
            ("class", "close_contact"),
            ("source", "tracing"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("body");
    // The Chinese page names each fault in Chinese, with no English left over.
    for message in ["校验位", "姓名不能含有字符", "应为 11 位"] {
        assert!(html.contains(message), "{message} missing");
    }
    for english in ["check digit", "cannot contain", "11 digits"] {
        assert!(!html.contains(english), "{english} on a Chinese page");
    }
    assert_eq!(html.matches("class=\"invalid\"").count(), 3, "id_number, name and phone are marked");
    assert!(html.contains(&format!("value=\"{bad_id}\"")), "what was typed is kept");
    let (_, list) = page(&client, app.url("/key-persons")).await;
    assert!(list.contains("没有符合条件的记录"));

    // Corrected, the same form makes the person and the card and opens it.
    let good_id = id_number("411702", 1);
    let response = client
        .post(app.url("/key-persons/new"))
        .form(&[
            ("token", token.as_str()),
            ("id_number", good_id.as_str()),
            ("name", "张三"),
            ("phone", "+86 138-0000-1111"),
            ("area_code", "411702001"),
            ("class", "close_contact"),
            ("source", "tracing"),
            ("cadre_name", "王书记"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().expect("location").to_string();
    let (status, detail) = page(&client, app.url(&location)).await;
    assert_eq!(status, 200);
    assert!(detail.contains("id=\"saved-note\"") && detail.contains("已登记为重点人员"), "the save is confirmed");
    for text in ["张三", "13800001111", "密切接触者", "流调追踪", "王书记", "已筛查", "驿城区"] {
        assert!(detail.contains(text), "{text} missing from the record page");
    }
}

#[tokio::test]
async fn forms_from_elsewhere_are_refused() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let client = browser();
    log_in(&app, &client, "officer").await;
    let token = app.token("officer").await;
    let (_, record) = app.key_person(&token, &id_number("411702", 2), "李四", "411702").await;
    let response = client
        .post(app.url(&format!("/key-persons/{record}/transition")))
        .form(&[("token", "0123456789abcdef0123456789abcdef"), ("to", "home_observation"), ("reason", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
    let (_, json) = app.get(&token, &format!("/api/v1/key-persons/{record}")).await;
    assert_eq!(json["status"], "screened");
}

#[tokio::test]
async fn english_on_request_and_releases_due_listed() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let client = browser();
    log_in(&app, &client, "officer").await;
    let response = client.get(app.url("/lang/en")).header("referer", app.url("/tasks")).send().await.expect("get");
    assert_eq!(response.headers()["location"], "/tasks");
    let (_, html) = page(&client, app.url("/tasks")).await;
    assert!(html.contains("Nothing is due today") && html.contains("lang=\"en\""));
    // A home isolation that started 14 days ago falls due today and is listed once the job runs.
    let token = app.token("officer").await;
    let (_, record) = app.key_person(&token, &id_number("411702", 3), "王五", "411702").await;
    app.post(
        &token,
        &format!("/api/v1/key-persons/{record}/transitions"),
        serde_json::json!({"to": "home_observation", "reason": "居家"}),
    )
    .await;
    let (_, json) = app.get(&token, &format!("/api/v1/key-persons/{record}")).await;
    let planned: jiff::civil::Date = json["measure"]["planned_end"].as_str().expect("planned").parse().expect("date");
    assert_eq!(app.db.open_release_tasks(planned).await.expect("job"), 1);
    let (_, tasks) = app.get(&token, "/api/v1/tasks?due=all").await;
    assert_eq!(tasks["total"], 1);
    assert_eq!(tasks["items"][0]["key_person_id"], record);
}

#[tokio::test]
async fn the_venue_page_prints_one_poster_or_a_whole_grid() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let (status, venue) = app
        .post(
            &officer,
            "/api/v1/venues",
            serde_json::json!({"name": "东关菜市场", "kind": "market", "area_code": "411702001001"}),
        )
        .await;
    assert_eq!(status, 201);
    let client = browser();
    log_in(&app, &client, "grid").await;
    let (status, html) = page(&client, app.url("/venues")).await;
    assert_eq!(status, 200);
    let id = venue["id"].as_i64().unwrap();
    assert!(html.contains("东关菜市场") && html.contains(&format!("/api/v1/venues/{id}/poster.pdf")), "{html}");
    // The batch form prints the worker's own grid by default, with the session cookie alone.
    assert!(html.contains("value=\"411702001001\""));
    let pdf = client.get(app.url("/api/v1/venues/posters.pdf?area_code=411702001001")).send().await.unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn another_countys_lead_is_not_found_on_the_verification_page() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    // A fever typed at a 驿城区 door by someone the registry does not know: a lead there.
    let (_, venue) = app
        .post(
            &officer,
            "/api/v1/venues",
            serde_json::json!({"name": "超市", "kind": "supermarket", "area_code": "411702001"}),
        )
        .await;
    let checkin = serde_json::json!({"venue_token": venue["token"], "id_number": id_number("411702", 7), "name": "陈七", "temperature": 38.6});
    let response = app.client.post(app.url("/api/v1/checkins")).json(&checkin).send().await.expect("check-in");
    assert_eq!(response.status(), 201);
    let (_, leads) = app.get(&officer, "/api/v1/leads").await;
    let lead = leads["leads"][0]["id"].as_i64().expect("a lead");
    // 西平县's officer posts a verification for it from a page of their own.
    let client = browser();
    log_in(&app, &client, "xiping").await;
    let (_, html) = page(&client, app.url("/key-persons/new")).await;
    let token = form_token(&html);
    let response = client
        .post(app.url(&format!("/leads/{lead}/verification")))
        .form(&[("token", token.as_str()), ("outcome", "not_in_area"), ("note", "不在本地")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 404);
    let (_, leads) = app.get(&officer, "/api/v1/leads").await;
    assert_eq!(leads["leads"][0]["id"].as_i64(), Some(lead), "still open for 驿城区");
}

#[tokio::test]
async fn the_key_person_list_searches_refuses_a_bad_filter_and_exports() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    app.key_person(&officer, &id_number("411702", 41), "欧阳锋", "411702001001").await;
    app.key_person(&officer, &id_number("411702", 42), "黄药师", "411702").await;
    let client = browser();
    log_in(&app, &client, "officer").await;
    let (status, html) = page(&client, app.url("/key-persons?q=欧阳")).await;
    assert_eq!(status, 200);
    assert!(html.contains("欧阳锋") && !html.contains("黄药师"), "the search narrows the list");
    // The area column names the place; the code is on hover.
    assert!(html.contains("title=\"411702001001\""), "the code is kept for a hover");
    // A filter that names nothing is marked and lists nothing, rather than listing everyone.
    let (status, html) = page(&client, app.url("/key-persons?area=12")).await;
    assert_eq!(status, 422);
    assert!(html.contains("class=\"invalid\"") && !html.contains("欧阳锋") && html.contains("区划代码应为"), "{html}");
    let response = client.get(app.url("/key-persons?q=欧阳&format=xlsx")).send().await.expect("export");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], web::export::XLSX_TYPE);
    let workbook = sheet::Sheet::open(&response.bytes().await.expect("body")).expect("workbook");
    let rows = workbook.head(10).expect("rows");
    let text = format!("{rows:?}");
    assert!(text.contains("欧阳锋") && text.contains(&id_number("411702", 41)) && !text.contains("黄药师"), "{text}");
    // The audit log names the officer and their role, the username on hover.
    let client = browser();
    log_in(&app, &client, "admin").await;
    let (_, audit) = page(&client, app.url("/audit?actor=officer")).await;
    assert!(audit.contains("<span title=\"officer\">officer（区域干部）</span>"), "{audit}");
}

#[tokio::test]
async fn a_person_under_home_isolation_is_told_at_the_venue_and_the_record_shows_it() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let record = app.home_isolated(&officer, &id_number("411702", 51), "东方白", "411702001001").await;
    let (status, venue) = app
        .post(
            &officer,
            "/api/v1/venues",
            serde_json::json!({"name": "百货超市", "kind": "market", "area_code": "411702002"}),
        )
        .await;
    assert_eq!(status, 201, "{venue}");
    let token = venue["token"].as_str().expect("token");
    let client = reqwest::Client::new();
    let response = client
        .post(app.url(&format!("/c/{token}")))
        .form(&[("id_number", id_number("411702", 51).as_str()), ("name", "东方白"), ("phone", "13800001111")])
        .send()
        .await
        .expect("check in");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("body");
    assert!(html.contains("您的健康码不允许外出") && !html.contains("登记成功"), "{html}");
    // The cadre's area has the task, labelled by its kind; the record lists the check-in.
    let browser = browser();
    log_in(&app, &browser, "officer").await;
    let (_, tasks) = page(&browser, app.url("/tasks")).await;
    assert!(tasks.contains("违规外出") && tasks.contains("东方白"), "{tasks}");
    let (_, card) = page(&browser, app.url(&format!("/key-persons/{record}"))).await;
    assert!(card.contains("百货超市") && card.contains("违规外出"), "{card}");
}

#[tokio::test]
async fn a_breach_elsewhere_gives_that_area_the_cadre_to_call_not_a_record_it_cannot_open() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let xiping = app.token("xiping").await;
    let officer = app.token("officer").await;
    let (status, person) = app
        .post(
            &xiping,
            "/api/v1/persons",
            serde_json::json!({"id_number": id_number("411721", 61), "name": "令狐冲", "phone": "13800006161", "area_code": "411721"}),
        )
        .await;
    assert_eq!(status, 201, "{person}");
    let (status, record) = app
        .post(
            &xiping,
            "/api/v1/key-persons",
            serde_json::json!({"person_id": person["id"], "class": "close_contact", "source": "tracing",
                "cadre_name": "岳不群", "cadre_phone": "13900007777"}),
        )
        .await;
    assert_eq!(status, 201, "{record}");
    let record = record["id"].as_i64().expect("record");
    let path = format!("/api/v1/key-persons/{record}/transitions");
    let (status, _) =
        app.post(&xiping, &path, serde_json::json!({"to": "home_observation", "reason": "居家隔离"})).await;
    assert_eq!(status, 201);
    let (_, venue) = app
        .post(
            &officer,
            "/api/v1/venues",
            serde_json::json!({"name": "驿城超市", "kind": "market", "area_code": "411702002"}),
        )
        .await;
    let checkin = serde_json::json!({"venue_token": venue["token"], "id_number": id_number("411721", 61), "name": "令狐冲", "phone": "13800006161"});
    let response = app.client.post(app.url("/api/v1/checkins")).json(&checkin).send().await.expect("check-in");
    assert_eq!(response.status(), 201);
    // 驿城区 cannot open 西平县's record: its task names the cadre to call instead.
    let client = browser();
    log_in(&app, &client, "officer").await;
    let (_, tasks) = page(&client, app.url("/tasks")).await;
    assert!(tasks.contains("辖区内违规外出") && tasks.contains("岳不群"), "{tasks}");
    assert!(
        tasks.contains("href=\"tel:13900007777\"") && !tasks.contains(&format!("/key-persons/{record}")),
        "{tasks}"
    );
    let (_, home) = page(&client, app.url("/")).await;
    assert!(home.contains("tel:13900007777") && !home.contains(&format!("/key-persons/{record}")), "{home}");
    // The list exports as the page shows it.
    let response = client.get(app.url("/tasks?format=xlsx")).send().await.expect("export");
    assert_eq!(response.headers()["content-type"], web::export::XLSX_TYPE);
    let workbook = sheet::Sheet::open(&response.bytes().await.expect("body")).expect("workbook");
    let text = format!("{:?}", workbook.head(10).expect("rows"));
    assert!(text.contains("令狐冲") && text.contains("13900007777") && text.contains("辖区内违规外出"), "{text}");
    // The record's own area gets the record's task.
    let client = browser();
    log_in(&app, &client, "xiping").await;
    let (_, tasks) = page(&client, app.url("/tasks")).await;
    assert!(tasks.contains(&format!("/key-persons/{record}#transition")), "{tasks}");
}

#[tokio::test]
async fn the_grid_landing_and_the_menu_count_the_same_visits() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    let grid = app.token("grid").await;
    let waiting = app.home_isolated(&officer, &id_number("411702", 81), "任盈盈", "411702001001").await;
    let visited = app.home_isolated(&officer, &id_number("411702", 82), "向问天", "411702001001").await;
    let now = app.db.now();
    let today = domain::shanghai_date(now);
    let current = domain::VisitSlot::at_minute(domain::minutes_into(today, now));
    let path = format!("/api/v1/key-persons/{visited}/follow-ups");
    let (status, body) =
        app.post(&grid, &path, serde_json::json!({"slot": domain::Code::as_str(current), "temperature": 36.5})).await;
    assert_eq!(status, 201, "{body}");
    let client = browser();
    log_in(&app, &client, "grid").await;
    let (_, counts) = page(&client, app.url("/menu-counts")).await;
    let counts: serde_json::Value = serde_json::from_str(&counts).expect("json");
    assert_eq!(counts["visits"], 1, "{counts}");
    // The landing page's "due now" is the same one person. (After the evening window closes
    // nothing is due now: both are listed as missed, one for the evening, one for earlier.)
    let (_, home) = page(&client, app.url("/")).await;
    let section = |heading: &str| {
        home.split(heading).nth(1).and_then(|rest| rest.split("</section>").next()).unwrap_or_default().to_string()
    };
    if domain::minutes_into(today, app.db.now()) < current.ends_at_minute() {
        let due_now = section("现在要随访");
        assert!(due_now.contains("<span class=\"count\">1</span>"), "{due_now}");
        assert!(due_now.contains("任盈盈") && due_now.contains(&format!("#kp-{waiting}")), "{due_now}");
        assert!(!due_now.contains("向问天"), "{due_now}");
    } else {
        let missed = section("今天漏访");
        assert!(missed.contains("任盈盈") && missed.contains("向问天"), "{missed}");
    }
}

#[tokio::test]
async fn venue_and_lead_lists_export_what_they_show() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    for name in ["人民路农贸市场", "解放路药店"] {
        let body = serde_json::json!({"name": name, "kind": "market", "area_code": "411702001"});
        assert_eq!(app.post(&officer, "/api/v1/venues", body).await.0, 201);
    }
    let client = browser();
    log_in(&app, &client, "officer").await;
    let (_, html) = page(&client, app.url("/venues")).await;
    assert!(html.contains("/venues?format=xlsx"), "{html}");
    let response = client.get(app.url("/venues?format=xlsx")).send().await.expect("export");
    assert_eq!(response.headers()["content-type"], web::export::XLSX_TYPE);
    let workbook = sheet::Sheet::open(&response.bytes().await.expect("body")).expect("workbook");
    let text = format!("{:?}", workbook.head(10).expect("rows"));
    assert!(text.contains("场所（共 2 个）") && text.contains("解放路药店") && text.contains("411702001"), "{text}");
    // Nothing waits: an empty workbook still opens, with its header.
    let response = client.get(app.url("/leads?format=xlsx")).send().await.expect("export");
    let workbook = sheet::Sheet::open(&response.bytes().await.expect("body")).expect("workbook");
    let text = format!("{:?}", workbook.head(10).expect("rows"));
    assert!(text.contains("线索（共 0 条）") && text.contains("身份证号"), "{text}");
}

#[tokio::test]
async fn checkpoint_staff_see_a_verified_holders_masked_name_and_others_do_not() {
    let app = TestApp::spawn(Kind::Sqlite).await;
    let officer = app.token("officer").await;
    // Registered elsewhere: the signed code names the person, wherever they live.
    let (person, _) = app.key_person(&officer, &id_number("411702", 71), "令狐冲", "411702").await;
    let checkpoint = browser();
    log_in(&app, &checkpoint, "checkpoint").await;
    let response = checkpoint.get(app.url(&format!("/verify/holder/{person}"))).send().await.expect("get");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["name"], "令*冲");
    let grid = browser();
    log_in(&app, &grid, "grid").await;
    let response = grid.get(app.url(&format!("/verify/holder/{person}"))).send().await.expect("get");
    assert_eq!(response.status(), 403);
    // The look-up is audited as a read of that person.
    let admin = app.token("admin").await;
    let (_, log) = app.get(&admin, &format!("/api/v1/audit?subject=person&subject_id={person}&actor=checkpoint")).await;
    assert_eq!(log["total"], 1, "{log}");
}
