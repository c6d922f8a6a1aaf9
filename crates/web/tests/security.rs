#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Abuse, as an attacker or a fuzzer would try it (issue 13), on SQLite and PostgreSQL: nobody
//! colours another person's code, bad text and bad bodies are refused naming the field, exports
//! are safe to open, headers and cross-site posts are right, out of scope is not found.

mod common;

use common::{Kind, TestApp, id_number};
use serde_json::{Value, json};

async fn venue(app: &TestApp, officer: &str) -> String {
    let (status, venue) = app
        .post(officer, "/api/v1/venues", json!({"name": "人民路超市", "kind": "supermarket", "area_code": "411702001"}))
        .await;
    assert_eq!(status, 201, "{venue}");
    venue["token"].as_str().unwrap().to_string()
}

async fn public_post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let response = app.client.post(app.url(path)).json(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A check-in with a registered ID number and another name is refused and colours nothing; the
/// person themself, with a fever, turns yellow as before.
async fn nobody_colours_another_persons_code(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let token = venue(&app, &officer).await;
    let id = id_number("411702", 61);
    let (status, person) = app
        .post(
            &officer,
            "/api/v1/persons",
            json!({"id_number": id, "name": "王芳", "phone": "13800006161", "area_code": "411702001"}),
        )
        .await;
    assert_eq!(status, 201, "{person}");
    let code_path = format!("/api/v1/persons/{}/health-code", person["id"]);
    for (name, phone) in [("李四", Some("13800006161")), ("王芳", Some("13900000000")), ("王芳", None)] {
        let mut forged = json!({"venue_token": token, "id_number": id, "name": name, "temperature": 38.9});
        if let Some(phone) = phone {
            forged["phone"] = json!(phone);
        }
        let (status, problem) = public_post(&app, "/api/v1/checkins", &forged).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("name")), "{problem}");
        assert_eq!(problem["type"], "https://fangkong.dev/problems/identity-mismatch");
        let detail = problem["detail"].as_str().unwrap();
        assert!(!detail.contains("王芳") && !detail.contains("6161"), "reveals nothing: {detail}");
    }
    // The citizen's page says it in Chinese, on the form, and registers nothing.
    let form = [("id_number", id.as_str()), ("name", "李四"), ("phone", "13800006161"), ("temperature", "38.9")];
    let page = app.client.post(app.url(&format!("/c/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 422);
    let html = page.text().await.unwrap();
    assert!(html.contains("登记信息不符") && !html.contains("do not match"), "{html}");
    let (_, code) = app.get(&officer, &code_path).await;
    assert_eq!(code["colour"], "green", "{code}");
    let (_, fevers) = app.get(&officer, "/api/v1/key-persons?class=fever").await;
    assert_eq!(fevers["total"], 0);
    let own =
        json!({"venue_token": token, "id_number": id, "name": "王芳", "phone": "13800006161", "temperature": 38.9});
    let (status, receipt) = public_post(&app, "/api/v1/checkins", &own).await;
    assert_eq!((status, receipt["fever"].as_bool()), (201, Some(true)), "{receipt}");
    let (_, code) = app.get(&officer, &code_path).await;
    assert_eq!(code["colour"], "yellow", "{code}");
    // Mismatches count as identity guesses: the eleventh try from this address waits.
    for n in 0..10 {
        let forged = json!({"venue_token": token, "id_number": id, "name": format!("猜{}", "一二三四五六七八九十".chars().nth(n).unwrap())});
        public_post(&app, "/api/v1/checkins", &forged).await;
    }
    let (status, _) = public_post(&app, "/api/v1/checkins", &own).await;
    assert_eq!(status, 429);
}

/// Check-ins per address stop at the ceiling for the rest of the minute.
async fn public_writes_are_limited_per_address(kind: Kind) {
    let options = web::Options { public_writes_per_minute: 5, ..web::Options::default() };
    let app = TestApp::spawn_with(kind, options).await;
    let officer = app.token("officer").await;
    let token = venue(&app, &officer).await;
    for n in 0..5 {
        let body = json!({"venue_token": token, "id_number": id_number("411702", 70 + n), "name": "顾客"});
        assert_eq!(public_post(&app, "/api/v1/checkins", &body).await.0, 201, "check-in {n}");
    }
    let body = json!({"venue_token": token, "id_number": id_number("411702", 79), "name": "顾客"});
    let response = app.client.post(app.url("/api/v1/checkins")).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

/// Bodies are parsed strictly: too large 413, trailing data 400, unknown fields and vehicle
/// fields on a person refused, a birth date after today refused; `bearer` in any case.
async fn bodies_are_parsed_strictly(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let token = venue(&app, &officer).await;
    let send = |body: Vec<u8>| {
        let request =
            app.client.post(app.url("/api/v1/checkins")).header("content-type", "application/json").body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let good = json!({"venue_token": token, "id_number": id_number("411702", 80), "name": "顾客"}).to_string();
    let (status, _) = send(format!("{good}}}garbage").into_bytes()).await;
    assert_eq!(status, 400);
    let (status, _) = send(b"{\"venue_token\": ".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _) = send(vec![b' '; 20 * 1024 * 1024]).await;
    assert_eq!(status, 413);
    let unknown = json!({"venue_token": token, "id_number": id_number("411702", 80), "name": "顾客", "nmae": "x"});
    let (status, problem) = send(unknown.to_string().into_bytes()).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("nmae")), "{problem}");
    let first17 = "41170220990101001";
    let future = format!("{first17}{}", domain::check_digit(first17).unwrap());
    let born_later = json!({"venue_token": token, "id_number": future, "name": "顾客"});
    let (status, problem) = send(born_later.to_string().into_bytes()).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("id_number")), "{problem}");
    assert_eq!(send(good.into_bytes()).await.0, 201);

    let (_, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "东卡口", "area_code": "411702"})).await;
    let path = format!("/api/v1/checkpoints/{}/passages", checkpoint["id"]);
    let person_with_cargo = json!({"direction": "in", "name": "孙三", "phone": "13900004444", "cargo": "蔬菜"});
    let (status, problem) = app.post(&officer, &path, person_with_cargo).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("cargo")), "{problem}");
    let lower = app.client.get(app.url("/api/v1/me")).header("authorization", format!("bearer {officer}")).send().await;
    assert_eq!(lower.unwrap().status().as_u16(), 200);
}

/// Control and invisible characters are refused naming the field; text is normalised.
async fn hidden_characters_are_refused(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    for (path, body, field) in [
        ("/api/v1/checkpoints", json!({"name": "卡口\u{0}", "area_code": "411702"}), "name"),
        ("/api/v1/checkpoints", json!({"name": "卡口\u{1b}[31m", "area_code": "411702"}), "name"),
        ("/api/v1/venues", json!({"name": "超市\u{202E}", "kind": "supermarket", "area_code": "411702"}), "name"),
        (
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 90), "name": "张\u{200B}三", "area_code": "411702"}),
            "name",
        ),
        (
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 91), "name": "张三\u{E0041}", "area_code": "411702"}),
            "name",
        ),
    ] {
        let (status, problem) = app.post(&officer, path, body.clone()).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{body}: {problem}");
    }
    let (status, person) = app
        .post(
            &officer,
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 92), "name": " Rene\u{301} ", "area_code": "411702"}),
        )
        .await;
    assert_eq!((status, person["name"].as_str()), (201, Some("René")), "{person}");
}

/// A formula in a passage's origin is written neutralised in the ledger's CSV and XLSX.
async fn exports_neutralise_formulas(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let (_, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "东卡口", "area_code": "411702"})).await;
    let path = format!("/api/v1/checkpoints/{}/passages", checkpoint["id"]);
    let formula = r#"=HYPERLINK("http://evil","x")"#;
    let passage =
        json!({"direction": "in", "name": "孙三", "phone": "13900004444", "origin": formula, "destination": "+1+1"});
    assert_eq!(app.post(&officer, &path, passage).await.0, 201);
    let csv = app.client.get(app.url(&format!("{path}?format=csv"))).bearer_auth(&officer).send().await.unwrap();
    let text = csv.text().await.unwrap();
    assert!(text.contains(r#""'=HYPERLINK(""http://evil"",""x"")""#), "{text}");
    assert!(text.contains("'+1+1"), "{text}");
    let xlsx = app.client.get(app.url(&format!("{path}?format=xlsx"))).bearer_auth(&officer).send().await.unwrap();
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("台账").unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(std::string::ToString::to_string)).collect();
    assert!(cells.contains(&format!("'{formula}")), "{cells:?}");
    assert!(!cells.iter().any(|c| c.starts_with('=')), "{cells:?}");
}

/// Personal data is never cached; cross-site posts to the login and logout are refused.
async fn headers_and_cross_site_posts(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(me.headers()["cache-control"], "no-store");
    let asset = app.client.get(app.url("/assets/htmx.min.js")).send().await.unwrap();
    assert_ne!(asset.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    let form = [("username", "officer"), ("password", common::PASSWORD)];
    let foreign = app.client.post(app.url("/login")).header("origin", "https://evil.example").form(&form).send().await;
    let foreign = foreign.unwrap();
    assert_eq!(foreign.status().as_u16(), 403);
    assert!(foreign.headers().get("set-cookie").is_none(), "no session for a cross-site login");
    let logout = app.client.post(app.url("/logout")).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(logout.status().as_u16(), 403);
    // Without TLS the cookie is not Secure; over TLS it is, with HSTS.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let host = app.base.trim_start_matches("http://").to_string();
    let own = no_redirects.post(app.url("/login")).header("origin", format!("http://{host}")).form(&form).send().await;
    let own = own.unwrap();
    assert_eq!(own.status().as_u16(), 303, "its own page logs in");
    let cookie = own.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!cookie.contains("Secure"), "{cookie}");
    let tls = TestApp::spawn_with(kind, web::Options { tls: true, ..web::Options::default() }).await;
    let login = no_redirects.post(tls.url("/login")).form(&form).send().await.unwrap();
    assert!(login.headers()["strict-transport-security"].to_str().unwrap().contains("max-age"));
    assert!(login.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

/// Another county's checkpoint ledger and lead are not found, like every other record.
async fn out_of_scope_is_not_found(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let xiping = app.token("xiping").await;
    let (_, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "东卡口", "area_code": "411702"})).await;
    let path = format!("/api/v1/checkpoints/{}/passages", checkpoint["id"]);
    assert_eq!(app.get(&officer, &path).await.0, 200);
    assert_eq!(app.get(&xiping, &path).await.0, 404);
    assert_eq!(app.get(&officer, "/api/v1/checkpoints/999999/passages").await.0, 404);
}

/// The same file uploaded twice by the same user is one upload.
async fn identical_uploads_are_one(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let csv = format!("姓名,身份证号\n张三,{}\n", id_number("411702", 95));
    let upload = |name: &'static str| {
        let request = app
            .client
            .post(app.url(&format!("/api/v1/uploads?file_name={name}")))
            .bearer_auth(&officer)
            .body(csv.clone());
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let first = upload("a.csv").await;
    let again = upload("b%0D%0ASet-Cookie%3A%20x.csv").await;
    assert_eq!(first["upload_id"], again["upload_id"], "{first} {again}");
    let odd = app
        .client
        .post(app.url("/api/v1/uploads?file_name=..%2F..%2Fevil%0D%0A%E2%80%AEx.csv"))
        .bearer_auth(&officer)
        .body(format!("姓名,身份证号\n李四,{}\n", id_number("411702", 96)))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(odd["file_name"], "evilx.csv", "{odd}");
}

on_both_backends!(
    nobody_colours_another_persons_code,
    public_writes_are_limited_per_address,
    bodies_are_parsed_strictly,
    hidden_characters_are_refused,
    exports_neutralise_formulas,
    headers_and_cross_site_posts,
    out_of_scope_is_not_found,
    identical_uploads_are_one,
);
