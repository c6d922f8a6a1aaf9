#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Big-data comparison over HTTP with real-shaped files (`tests/fixtures/`, made by
//! `scripts/make-list-fixtures.py`): upload, mapping, all-or-nothing import, report, leads.

#[macro_use]
mod common;

use common::{Kind, TestApp};
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The ID numbers the fixtures use: region, birth date, serial, check digit.
fn resident(region: &str, birth: &str, serial: u32) -> String {
    let first = format!("{region}{birth}{serial:03}");
    format!("{first}{}", domain::check_digit(&first).unwrap())
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/uploads?file_name={name}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The persons the fixtures name, registered by the city.
async fn residents(app: &TestApp, token: &str) {
    for (id, name, phone, area) in [
        (resident("411702", "19850312", 1), "张三", "13800000001", "411702001001"),
        (resident("411702", "19850312", 2), "李四", "13800000002", "411702"),
        (resident("411702", "19850312", 3), "王五", "13800000002", "411702"),
        (resident("411702", "19850312", 4), "赵六", "13800000004", "411702001001"),
        (resident("411702", "19650312", 5), "钱七", "13800000005", "411702"),
    ] {
        let (status, body) = app
            .post(token, "/api/v1/persons", json!({"id_number": id, "name": name, "phone": phone, "area_code": area}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
}

async fn lists_and_leads(app: &TestApp, token: &str) -> (usize, usize) {
    let (_, lists) = app.get(token, "/api/v1/lists").await;
    let lists = lists["lists"].as_array().unwrap();
    let mut leads = 0;
    for list in lists {
        leads += usize::try_from(list["leads"].as_u64().unwrap()).unwrap();
    }
    (lists.len(), leads)
}

async fn a_gbk_list_is_compared_and_its_leads_verified(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let admin = app.token("admin").await;
    residents(&app, &admin).await;
    let (status, preview) = upload(&app, &admin, "通信大数据.csv", fixture("list-gbk.csv")).await;
    assert_eq!(status, 201, "{preview}");
    assert_eq!(preview["format"], "CSV GBK/GB18030");
    assert_eq!(preview["header_row"], 2, "the title row is skipped");
    assert_eq!(preview["mapping"], json!({"address": 4, "id_number": 2, "name": 1, "phone": 3}));
    assert_eq!(preview["columns"][2]["header"], "身份证号码");
    let id = preview["upload_id"].as_i64().unwrap();
    let (status, list) = app
        .post(&admin, &format!("/api/v1/uploads/{id}/import"), json!({"kind": "telecom", "name": "3月15日通信大数据"}))
        .await;
    assert_eq!(status, 201, "{list}");
    assert_eq!((list["rows"].as_u64(), list["duplicates"].as_u64()), (Some(6), Some(1)));
    assert_eq!(list["matched"], json!({"id_number": 2, "phone": 1, "name_area": 1, "unmatched": 1}));
    assert_eq!(list["leads"], 5);
    assert_eq!(list["progress"], "5 条，已核查 0，待核查 5");

    // The same file again: the same list, nothing new.
    let (_, again) = upload(&app, &admin, "again.csv", fixture("list-gbk.csv")).await;
    assert_eq!(again["already_imported"]["id"], list["id"]);
    let again_id = again["upload_id"].as_i64().unwrap();
    let (status, same) = app
        .post(&admin, &format!("/api/v1/uploads/{again_id}/import"), json!({"kind": "telecom", "name": "重复"}))
        .await;
    assert_eq!((status, same["id"].clone(), same["already_imported"].clone()), (200, list["id"].clone(), json!(true)));
    assert_eq!(lists_and_leads(&app, &admin).await, (1, 5));

    // The grid worker of 张三 and 赵六's grid sees exactly those two and verifies one.
    let grid = app.token("grid").await;
    let (_, mine) = app.get(&grid, "/api/v1/leads").await;
    let mine = mine["leads"].as_array().unwrap().clone();
    let names: Vec<&str> = mine.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["张三", "赵六"]);
    assert!(mine[0]["id_number"].as_str().unwrap().contains('*'), "ID numbers are masked");
    let lead = mine[0]["id"].as_i64().unwrap();
    let (status, bad) =
        app.post(&grid, &format!("/api/v1/leads/{lead}/verification"), json!({"outcome": "done"})).await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("outcome")));
    let (status, bad) = app
        .post(
            &grid,
            &format!("/api/v1/leads/{lead}/verification"),
            json!({"outcome": "registered", "class": "epidemic_area_arrival", "arrival_risk": "extreme"}),
        )
        .await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("arrival_risk")), "{bad}");
    let (status, bad) = app
        .post(
            &grid,
            &format!("/api/v1/leads/{lead}/verification"),
            json!({"outcome": "no_risk", "arrival_risk": "high"}),
        )
        .await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("arrival_risk")), "{bad}");
    let (status, done) = app
        .post(
            &grid,
            &format!("/api/v1/leads/{lead}/verification"),
            json!({"outcome": "registered", "class": "epidemic_area_arrival", "arrival_risk": "high",
                "note": "已上门，集中隔离"}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert!(done["key_person_id"].as_i64().is_some());
    // Registered as arriving from a high-risk area: the person's code is red at once.
    let (status, code) = app.get(&admin, &format!("/api/v1/persons/{}/health-code", done["person_id"])).await;
    assert_eq!((status, code["colour"].as_str()), (200, Some("red")), "{code}");
    let (status, _) =
        app.post(&grid, &format!("/api/v1/leads/{lead}/verification"), json!({"outcome": "no_risk"})).await;
    assert_eq!(status, 409, "a lead is verified once");
    let (_, after) = app.get(&admin, &format!("/api/v1/lists/{}", list["id"])).await;
    assert_eq!(after["progress"], "5 条，已核查 1，待核查 4");
    // 西平县 sees the stranger whose address names it, not the others.
    let xiping = app.token("xiping").await;
    let (_, theirs) = app.get(&xiping, "/api/v1/leads").await;
    assert_eq!(theirs["leads"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["leads"][0]["match_kind"], "unmatched");
}

async fn an_xlsx_with_merged_headers_and_other_documents(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let admin = app.token("admin").await;
    residents(&app, &admin).await;
    let (status, preview) = upload(&app, &admin, "来驻人员.xlsx", fixture("list-merged.xlsx")).await;
    assert_eq!(status, 201, "{preview}");
    assert_eq!(preview["format"], "XLSX");
    assert_eq!(preview["header_row"], 3, "the lower row of the merged header");
    assert_eq!(preview["mapping"], json!({"document_kind": 2, "id_number": 3, "name": 1, "phone": 4}));
    let id = preview["upload_id"].as_i64().unwrap();
    let (status, list) = app
        .post(&admin, &format!("/api/v1/uploads/{id}/import"), json!({"kind": "provincial", "name": "省推送"}))
        .await;
    assert_eq!(status, 201, "{list}");
    assert_eq!(list["matched"], json!({"id_number": 2, "phone": 0, "name_area": 0, "unmatched": 1}));
}

async fn one_bad_row_in_ten_thousand_writes_nothing(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let mut csv = String::from("姓名,身份证号码,手机号码\n");
    for n in 0..10_000u32 {
        let id = resident("411702", "19900101", n % 1000);
        let phone = if n == 6_543 { "1380000".to_string() } else { format!("139{n:08}") };
        csv.push_str(&format!("居民,{id},{phone}\n"));
    }
    let (status, preview) = upload(&app, &officer, "big.csv", csv.into_bytes()).await;
    assert_eq!(status, 201, "{preview}");
    let id = preview["upload_id"].as_i64().unwrap();
    let (status, problem) =
        app.post(&officer, &format!("/api/v1/uploads/{id}/import"), json!({"kind": "other", "name": "一万行"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "rows");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    // The header is line 1, so the 6,544th data row is line 6,545.
    // Without Accept-Language: zh the API answers in English (the page shows Chinese).
    assert_eq!(errors[0]["field"], "row 6545, C (手机号码)");
    assert!(errors[0]["message"].as_str().unwrap().contains("11 digits"), "{}", errors[0]["message"]);
    assert_eq!(lists_and_leads(&app, &officer).await, (0, 0), "nothing was written");
}

async fn bad_rows_are_reported_as_a_page_of_problems_and_a_workbook(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let admin = app.token("admin").await;
    let (status, preview) = upload(&app, &admin, "bad.csv", fixture("list-bad-rows.csv")).await;
    assert_eq!(status, 201, "{preview}");
    let id = preview["upload_id"].as_i64().unwrap();
    let (status, problem) =
        app.post(&admin, &format!("/api/v1/uploads/{id}/import"), json!({"kind": "other", "name": "坏行"})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["row 3, B (身份证号)", "row 4, C (手机号)", "row 5, A (姓名)", "row 6, B (身份证号)"]);
    let response =
        app.client.get(app.url(&format!("/api/v1/uploads/{id}/report.xlsx"))).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    let sheet = sheet::Sheet::open(&bytes).unwrap();
    let rows = sheet.head(10).unwrap();
    assert_eq!(rows.len(), 5, "a header and one line per problem");
    assert_eq!(rows[1].1[..2], ["3".to_string(), "B (身份证号)".to_string()]);
    assert!(rows[1].1[3].contains("校验位"));
    // A corrected mapping is refused when it uses a column twice, naming the mapping.
    let (status, problem) = app
        .post(
            &admin,
            &format!("/api/v1/uploads/{id}/import"),
            json!({"kind": "other", "name": "坏行", "mapping": {"name": 0, "phone": 0}}),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("mapping")));
    // Someone else's upload is not theirs to import.
    let (status, _) = app
        .post(
            &app.token("officer").await,
            &format!("/api/v1/uploads/{id}/import"),
            json!({"kind": "other", "name": "x"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, problem) = upload(&app, &admin, "empty.csv", b"   ".to_vec()).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("file")));
}

on_both_backends!(
    a_gbk_list_is_compared_and_its_leads_verified,
    an_xlsx_with_merged_headers_and_other_documents,
    one_bad_row_in_ten_thousand_writes_nothing,
    bad_rows_are_reported_as_a_page_of_problems_and_a_workbook,
);
