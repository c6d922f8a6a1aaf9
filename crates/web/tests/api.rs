#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! API stories over HTTP against the real server, on SQLite and PostgreSQL.

mod common;

use common::{Kind, TestApp, id_number};
use serde_json::{Value, json};

async fn create_transition_history(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let (_, id) = app.key_person(&officer, &id_number("411702", 1), "张三", "411702001").await;
    let (status, record) = app.get(&officer, &format!("/api/v1/key-persons/{id}")).await;
    assert_eq!((status, record["status"].as_str()), (200, Some("screened")));
    for (to, severity) in
        [("central_observation", None), ("suspected", None), ("confirmed", Some("mild")), ("cured", None)]
    {
        let (status, body) = app
            .post(
                &officer,
                &format!("/api/v1/key-persons/{id}/transitions"),
                json!({"to": to, "reason": format!("转{to}"), "severity": severity}),
            )
            .await;
        assert_eq!(status, 201, "{to}: {body}");
        assert_eq!(body["status"], to);
    }
    let (_, record) = app.get(&officer, &format!("/api/v1/key-persons/{id}")).await;
    let history = record["history"].as_array().expect("history");
    let steps: Vec<(Option<&str>, &str)> =
        history.iter().map(|e| (e["from"].as_str(), e["to"].as_str().expect("to"))).collect();
    assert_eq!(
        steps,
        [
            (None, "screened"),
            (Some("screened"), "central_observation"),
            (Some("central_observation"), "suspected"),
            (Some("suspected"), "confirmed"),
            (Some("confirmed"), "cured")
        ]
    );
    assert!(
        history.iter().all(|e| e["actor"] == "officer" && e["at"].as_str().is_some_and(|at| at.ends_with("+08:00")))
    );
    assert_eq!(history[3]["severity"], "mild");
    assert_eq!(history[4]["reason"], "转cured");
    assert_eq!(record["next"], json!(["post_discharge_isolation"]));
    // An illegal move names both states and changes nothing.
    let (status, problem) = app
        .post(&officer, &format!("/api/v1/key-persons/{id}/transitions"), json!({"to": "screened", "reason": "x"}))
        .await;
    assert_eq!(status, 409, "the record's state does not allow it");
    assert_eq!(problem["field"], "to");
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("cured") && detail.contains("screened"), "{detail}");
    let (_, after) = app.get(&officer, &format!("/api/v1/key-persons/{id}")).await;
    assert_eq!(after["history"].as_array().map(Vec::len), Some(5));
}

async fn bad_id_is_refused_and_writes_nothing(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let mut bad = id_number("411702", 2);
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.replace_range(17.., &last.to_string());
    let response = app
        .client
        .post(app.url("/api/v1/persons"))
        .bearer_auth(&officer)
        .json(&json!({"id_number": bad, "name": "李四", "phone": "13800002222", "area_code": "411702"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = response.json().await.expect("json");
    assert_eq!(problem["field"], "id_number");
    assert_eq!(problem["status"], 422);
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("check")), "{problem}");
    let (_, found) = app.get(&officer, "/api/v1/persons?q=李四").await;
    assert_eq!(found["items"], json!([]));
    // The detail follows Accept-Language; the field stays the field.
    for (accept, expected) in
        [("zh-CN,zh;q=0.9,en;q=0.8", "校验位"), ("zh", "校验位"), ("en-US,zh;q=0.5", "check digit")]
    {
        let response = app
            .client
            .post(app.url("/api/v1/persons"))
            .bearer_auth(&officer)
            .header("accept-language", accept)
            .json(&json!({"id_number": bad, "name": "李四", "phone": "13800002222", "area_code": "411702"}))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 422);
        let problem: serde_json::Value = response.json().await.expect("json");
        assert_eq!(problem["field"], "id_number", "{accept}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains(expected)), "{accept}: {problem}");
        assert!(problem["errors"][0]["message"].as_str().is_some_and(|d| d.contains(expected)), "{problem}");
    }
    let response = app.client.get(app.url("/api/v1/key-persons")).header("accept-language", "zh-CN").send().await;
    let problem: serde_json::Value = response.expect("get").json().await.expect("json");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("请先登录")), "{problem}");
    // Each other field is named when it is the one at fault.
    for (body, field) in [
        (
            json!({"id_number": id_number("411702", 3), "name": "李四", "phone": "12345", "area_code": "411702"}),
            "phone",
        ),
        (json!({"id_number": id_number("411702", 3), "name": "李4", "area_code": "411702"}), "name"),
        (json!({"id_number": id_number("411702", 3), "name": "李四", "area_code": "999999"}), "area_code"),
        (json!({"id_number": id_number("411702", 3), "name": "李四"}), "area_code"),
        (json!({"id_number": 411702, "name": "李四", "area_code": "411702"}), "id_number"),
    ] {
        let (status, problem) = app.post(&officer, "/api/v1/persons", body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    let (_, found) = app.get(&officer, "/api/v1/persons?q=李四").await;
    assert_eq!(found["items"], json!([]));
}

async fn same_idempotency_key_makes_one_record(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let (status, person) = app
        .post(
            &officer,
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 4), "name": "王五", "area_code": "411702"}),
        )
        .await;
    assert_eq!(status, 201);
    let body = json!({"person_id": person["id"], "class": "fever", "source": "checkpoint"});
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url("/api/v1/key-persons"))
            .bearer_auth(&officer)
            .header("Idempotency-Key", "8d0f5c1e-create-1")
            .json(&body)
            .send()
            .await
            .expect("post");
        assert!(response.status().is_success(), "{}", response.status());
        ids.push(response.json::<serde_json::Value>().await.expect("json")["id"].clone());
    }
    assert_eq!(ids[0], ids[1]);
    let (_, list) = app.get(&officer, "/api/v1/key-persons").await;
    assert_eq!(list["total"], 1);
    // The same key with another body is refused.
    let response = app
        .client
        .post(app.url("/api/v1/key-persons"))
        .bearer_auth(&officer)
        .header("Idempotency-Key", "8d0f5c1e-create-1")
        .json(&json!({"person_id": person["id"], "class": "close_contact", "source": "checkpoint"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422);
}

async fn an_arrival_from_a_high_risk_area_has_a_red_code(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let (_, person) = app
        .post(
            &officer,
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 41), "name": "孙九", "area_code": "411702"}),
        )
        .await;
    // Only an arrival has the risk of the area it came from; the refusal names the field.
    let fever = json!({"person_id": person["id"], "class": "fever", "source": "checkpoint", "arrival_risk": "high"});
    let (status, problem) = app.post(&officer, "/api/v1/key-persons", fever).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("arrival_risk")), "{problem}");
    let unknown = json!({"person_id": person["id"], "class": "epidemic_area_arrival", "source": "checkpoint", "arrival_risk": "3"});
    let (status, problem) = app.post(&officer, "/api/v1/key-persons", unknown).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("arrival_risk")), "{problem}");
    let (_, list) = app.get(&officer, "/api/v1/key-persons").await;
    assert_eq!(list["total"], 0, "nothing written on a refusal");
    let arrival = json!({"person_id": person["id"], "class": "epidemic_area_arrival", "source": "checkpoint", "arrival_risk": "high"});
    let (status, _) = app.post(&officer, "/api/v1/key-persons", arrival).await;
    assert_eq!(status, 201);
    let (status, code) = app.get(&officer, &format!("/api/v1/persons/{}/health-code", person["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(code["colour"], "red");
    assert_eq!(code["reasons"][0]["code"], "high_risk_arrival", "{code}");
}

async fn officers_see_only_their_prefix(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let xiping = app.token("xiping").await;
    let admin = app.token("admin").await;
    let (mine_person, mine) = app.key_person(&officer, &id_number("411702", 5), "赵六", "411702").await;
    let (theirs_person, theirs) = app.key_person(&xiping, &id_number("411721", 6), "钱七", "411721").await;
    assert_eq!(app.get(&officer, &format!("/api/v1/key-persons/{theirs}")).await.0, 404);
    assert_eq!(app.get(&officer, &format!("/api/v1/persons/{theirs_person}")).await.0, 404);
    assert_eq!(
        app.post(
            &officer,
            &format!("/api/v1/key-persons/{theirs}/transitions"),
            json!({"to": "home_observation", "reason": "x"})
        )
        .await
        .0,
        404
    );
    let (_, list) = app.get(&officer, "/api/v1/key-persons").await;
    let ids: Vec<_> = list["items"].as_array().expect("items").iter().map(|k| k["id"].as_i64()).collect();
    assert_eq!(ids, [Some(mine)]);
    let (_, list) = app.get(&officer, "/api/v1/key-persons?area=411721").await;
    assert_eq!(list["total"], 0);
    let (_, found) = app.get(&officer, &format!("/api/v1/persons?q={}", id_number("411721", 6))).await;
    assert_eq!(found["items"], json!([]));
    let (_, found) = app.get(&officer, "/api/v1/persons?q=钱七").await;
    assert_eq!(found["items"], json!([]));
    let (_, all) = app.get(&admin, "/api/v1/key-persons").await;
    assert_eq!(all["total"], 2);
    assert_eq!(app.get(&xiping, &format!("/api/v1/persons/{mine_person}")).await.0, 404);
    // Lists mask identity data; a single record shows it, and that read is audited.
    let masked = all["items"][0]["id_number"].as_str().expect("id");
    assert!(masked.contains("**********"), "{masked}");
    let (_, log) = app.get(&admin, "/api/v1/audit").await;
    let actions: Vec<_> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        actions.iter().any(|a| a == "key_person.read") && actions.iter().any(|a| a == "person.search"),
        "{actions:?}"
    );
    assert!(log["items"].as_array().expect("items").iter().all(|e| e["remote_addr"] == "127.0.0.1"));
    // Writes are there beside the reads, filtered by actor and action, told in words.
    let (status, created) = app.get(&admin, "/api/v1/audit?actor=officer&action=key_person.create").await;
    assert_eq!(status, 200, "{created}");
    let items = created["items"].as_array().expect("items");
    assert!(!items.is_empty() && items.iter().all(|e| e["actor"] == "officer" && e["write"] == true), "{created}");
    assert!(
        items.iter().all(|e| e["subject"] == "key_person" && e["at"].as_str().is_some_and(|t| t.ends_with("+08:00")))
    );
    let response = app
        .client
        .get(app.url("/api/v1/audit?action=key_person.create"))
        .bearer_auth(&admin)
        .header("accept-language", "zh-CN")
        .send()
        .await
        .expect("get");
    let zh: serde_json::Value = response.json().await.expect("json");
    assert!(zh["items"][0]["description"].as_str().is_some_and(|d| d.starts_with("新增重点人员")), "{zh}");
    let (_, none) = app.get(&admin, "/api/v1/audit?actor=officer&from=2999-01-01").await;
    assert_eq!(none["total"], 0);
    // A filter that names nothing is refused, not ignored.
    for (query, field) in [("action=key_person.eat", "action"), ("area=12", "area"), ("from=yesterday", "from")] {
        let (status, problem) = app.get(&admin, &format!("/api/v1/audit?{query}")).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{query}: {problem}");
    }
    let response = app.client.get(app.url("/api/v1/audit?format=xlsx")).bearer_auth(&admin).send().await.expect("get");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], web::export::XLSX_TYPE);
    assert!(response.bytes().await.expect("body").starts_with(b"PK"));
}

async fn key_persons_are_found_by_name_id_or_phone(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let xiping = app.token("xiping").await;
    let (_, zhang) = app.key_person(&officer, &id_number("411702", 31), "张三丰", "411702").await;
    let (_, li) = app.key_person(&officer, &id_number("411702", 32), "李四", "411702").await;
    let (_, elsewhere) = app.key_person(&xiping, &id_number("411721", 33), "张无忌", "411721").await;
    let ids = |body: &serde_json::Value| -> Vec<i64> {
        body["items"].as_array().expect("items").iter().filter_map(|k| k["id"].as_i64()).collect()
    };
    let (_, by_name) = app.get(&officer, "/api/v1/key-persons?q=张").await;
    assert_eq!(ids(&by_name), [zhang], "{by_name}");
    let (_, by_id) = app.get(&officer, &format!("/api/v1/key-persons?q={}", id_number("411702", 32))).await;
    assert_eq!(ids(&by_id), [li]);
    // Every test person shares the mobile: both of the officer's, narrowed by any other filter.
    let (_, by_phone) = app.get(&officer, "/api/v1/key-persons?q=138-0000-1111&area=411702").await;
    assert_eq!(by_phone["total"], 2, "{by_phone}");
    // Within the caller's jurisdiction only.
    let (_, theirs) = app.get(&xiping, "/api/v1/key-persons?q=张").await;
    assert_eq!(ids(&theirs), [elsewhere]);
    let (_, nobody) = app.get(&officer, "/api/v1/key-persons?q=王").await;
    assert_eq!(nobody["total"], 0);
    let (status, problem) = app.get(&officer, &format!("/api/v1/key-persons?q={}", "张".repeat(101))).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("q")));
    // The search is audited like every read, with how it was made.
    let admin = app.token("admin").await;
    let (_, log) = app.get(&admin, "/api/v1/audit?action=key_person.list&actor=officer").await;
    assert!(
        log["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["detail"].as_str().is_some_and(|d| d.ends_with("|name"))),
        "{log}"
    );
}

async fn unauthenticated_requests_are_refused(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let response = app.client.get(app.url("/api/v1/key-persons")).send().await.expect("get");
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "officer", "password": "wrong"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 401);
    let health: serde_json::Value =
        app.client.get(app.url("/healthz")).send().await.expect("get").json().await.expect("json");
    assert_eq!(health["status"], "ok");
}

async fn durations_are_settings_over_the_api(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let admin = app.token("admin").await;
    let officer = app.token("officer").await;
    let (_, current) = app.get(&officer, "/api/v1/settings/durations").await;
    assert_eq!(current["home_isolation_days"], 14);
    assert_eq!(current["epidemic_area_observation_days"], 24);
    let mut changed = current.clone();
    changed["home_isolation_days"] = json!(0);
    let response = app
        .client
        .put(app.url("/api/v1/settings/durations"))
        .bearer_auth(&admin)
        .json(&changed)
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 422);
    assert_eq!(response.json::<serde_json::Value>().await.expect("json")["field"], "home_isolation_days");
    let response = app
        .client
        .put(app.url("/api/v1/settings/durations"))
        .bearer_auth(&officer)
        .json(&current)
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 403);
    changed["home_isolation_days"] = json!(7);
    let response = app
        .client
        .put(app.url("/api/v1/settings/durations"))
        .bearer_auth(&admin)
        .json(&changed)
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 200);
    let (_, id) = app.key_person(&officer, &id_number("411702", 7), "孙八", "411702").await;
    app.post(
        &officer,
        &format!("/api/v1/key-persons/{id}/transitions"),
        json!({"to": "home_observation", "reason": "居家"}),
    )
    .await;
    let (_, record) = app.get(&officer, &format!("/api/v1/key-persons/{id}")).await;
    let start: jiff::civil::Date = record["measure"]["start"].as_str().expect("start").parse().expect("date");
    let planned: jiff::civil::Date = record["measure"]["planned_end"].as_str().expect("end").parse().expect("date");
    assert_eq!((planned - start).get_days(), 7);
}

async fn malformed_paths_and_queries_are_problems(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    for (path, field) in [
        ("/api/v1/key-persons/abc", "path"),
        ("/api/v1/key-persons?page=abc", "page"),
        ("/api/v1/key-persons?status=cured_twice", "status"),
        ("/api/v1/key-persons?area=4117", "area"),
        ("/api/v1/persons", "q"),
        ("/api/v1/tasks?due=tomorrow", "due"),
    ] {
        let response = app.client.get(app.url(path)).bearer_auth(&officer).send().await.expect("get");
        assert_eq!(response.status(), 422, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
        let problem: serde_json::Value = response.json().await.expect("json");
        assert_eq!(problem["field"], field, "{path}: {problem}");
    }
    let response = app.client.get(app.url("/api/v1/no-such-thing")).bearer_auth(&officer).send().await.expect("get");
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let response = app
        .client
        .post(app.url("/api/v1/persons"))
        .bearer_auth(&officer)
        .body("{\"name\":")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400, "not JSON at all");
}

async fn citizens_check_in_at_venues(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let (status, venue) = app
        .post(&officer, "/api/v1/venues", json!({"name": "人民路农贸市场", "kind": "market", "area_code": "411702001"}))
        .await;
    assert_eq!(status, 201, "{venue}");
    let token = venue["token"].as_str().expect("token").to_string();
    assert_eq!(venue["checkin_path"], format!("/c/{token}"));
    assert!(token.len() >= 22, "an unguessable token");
    let checkin = |body: serde_json::Value| {
        let client = app.client.clone();
        let url = app.url("/api/v1/checkins");
        async move {
            let response = client.post(url).json(&body).send().await.expect("post");
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.expect("json"))
        }
    };
    let person =
        json!({"venue_token": token, "id_number": id_number("411702", 8), "name": "周九", "phone": "13900001111"});
    let (status, first) = checkin(person.clone()).await;
    assert_eq!((status, first["duplicate"].as_bool()), (201, Some(false)), "{first}");
    let (status, again) = checkin(person.clone()).await;
    assert_eq!((status, &again["id"]), (200, &first["id"]));
    // Bad input names the field and writes nothing.
    for (body, field) in [
        (json!({"venue_token": token, "id_number": "41170219900101001", "name": "吴十"}), "id_number"),
        (
            json!({"venue_token": token, "id_number": id_number("411702", 9), "name": "吴十", "temperature": 45.0}),
            "temperature",
        ),
        (json!({"venue_token": "not-a-venue", "id_number": id_number("411702", 9), "name": "吴十"}), "venue_token"),
    ] {
        let (status, problem) = checkin(body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    let (_, found) = app.get(&officer, &format!("/api/v1/persons?q={}", id_number("411702", 9))).await;
    assert_eq!(found["items"], json!([]), "nothing written for the refused check-ins");
    // A fever at the door of a registered resident: one fever record, one transfer task.
    let resident = json!({"id_number": id_number("411702", 10), "name": "郑一", "area_code": "411702001"});
    assert_eq!(app.post(&officer, "/api/v1/persons", resident).await.0, 201);
    let hot = json!({"venue_token": token, "id_number": id_number("411702", 10), "name": "郑一", "temperature": 38.4});
    let (status, receipt) = checkin(hot.clone()).await;
    assert_eq!((status, receipt["fever"].as_bool()), (201, Some(true)));
    checkin(hot).await;
    let (_, fevers) = app.get(&officer, "/api/v1/key-persons?class=fever").await;
    assert_eq!(fevers["total"], 1);
    assert_eq!(fevers["items"][0]["source"], "venue");
    let (_, tasks) = app.get(&officer, "/api/v1/tasks?due=all").await;
    let kinds: Vec<_> =
        tasks["items"].as_array().expect("items").iter().map(|t| t["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["fever_transfer"]);
}

async fn checkpoints_register_passages_and_keep_a_ledger(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let staff = app.token("checkpoint").await;
    let xiping = app.token("xiping").await;
    let (status, checkpoint) =
        app.post(&officer, "/api/v1/checkpoints", json!({"name": "驿城东卡口", "area_code": "411702"})).await;
    assert_eq!(status, 201, "{checkpoint}");
    let path = format!("/api/v1/checkpoints/{}/passages", checkpoint["id"]);
    // A person with fever and an ID: one fever record and one transfer task.
    let hot = json!({"direction": "in", "id_number": id_number("411702", 20), "name": "钱二", "phone": "+86 139-0000-3333",
                     "origin": "武汉", "destination": "驿城区", "temperature": 38.1});
    let (status, done) = app.post(&staff, &path, hot).await;
    assert_eq!((status, done["fever"].as_bool()), (201, Some(true)), "{done}");
    let (_, fevers) = app.get(&officer, "/api/v1/key-persons?class=fever").await;
    assert_eq!((fevers["total"].as_u64(), fevers["items"][0]["source"].as_str()), (Some(1), Some("checkpoint")));
    let (_, tasks) = app.get(&officer, "/api/v1/tasks?due=all").await;
    assert_eq!(tasks["items"][0]["kind"], "fever_transfer");
    // A vehicle, its pass checked.
    let truck = json!({"direction": "out", "plate": "豫Q·12345", "occupants": 2, "cargo": "蔬菜", "pass_checked": true, "temperature": 36.4});
    assert_eq!(app.post(&staff, &path, truck).await.0, 201);
    // Bad input names the field; another county's officer cannot use this checkpoint.
    for (body, field) in [
        (json!({"direction": "in", "plate": "Q12345"}), "plate"),
        (json!({"direction": "in", "name": "孙三", "phone": "13900004444", "temperature": 45.0}), "temperature"),
        (json!({"direction": "sideways", "name": "孙三", "phone": "13900004444"}), "direction"),
        (json!({"direction": "in", "name": "孙三"}), "id_number"),
    ] {
        let (status, problem) = app.post(&staff, &path, body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    let body = json!({"direction": "in", "name": "孙三", "phone": "13900004444"});
    assert_eq!(app.post(&xiping, &path, body).await.0, 404);
    // The day's ledger: two lines, as JSON and as CSV for Excel.
    let (status, lines) = app.get(&staff, &path).await;
    assert_eq!(status, 200);
    let lines = lines.as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0]["phone"].as_str(), lines[0]["temperature"].as_str()), (Some("13900003333"), Some("38.1")));
    assert_eq!((lines[1]["plate"].as_str(), lines[1]["pass_checked"].as_bool()), (Some("豫Q12345"), Some(true)));
    let csv = app.client.get(app.url(&format!("{path}?format=csv"))).bearer_auth(&staff).send().await.expect("get");
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = csv.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a BOM so Excel reads UTF-8");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert_eq!(text.lines().count(), 3);
    assert!(text.starts_with("时间,方向,姓名") && text.contains("豫Q12345") && text.contains("武汉"), "{text}");
    // And as an Excel workbook, read back with calamine: text stays text, temperatures are numbers.
    let xlsx = app.client.get(app.url(&format!("{path}?format=xlsx"))).bearer_auth(&staff).send().await.expect("get");
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.expect("body").to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("台账").expect("sheet");
    let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned().unwrap_or(calamine::Data::Empty);
    assert!(matches!(cell(0, 0), calamine::Data::String(title) if title.contains("台账")));
    assert_eq!(cell(1, 0), calamine::Data::String("时间".into()));
    assert_eq!(cell(2, 3), calamine::Data::String("13900003333".into()));
    assert_eq!(cell(2, 11), calamine::Data::Float(38.1));
    assert_eq!(cell(3, 5), calamine::Data::String("豫Q12345".into()));
    assert_eq!(sheet.height(), 4, "title, header and two lines");
}

/// The text of a PDF as poppler's `pdftotext` reads it (Debian poppler-utils; .ci/run installs it).
fn pdf_text(pdf: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file.path())
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) reads the posters back");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

async fn venue_posters_print_one_or_a_whole_grid(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let mut ids = Vec::new();
    for (name, area) in [("东街超市", "411702001001"), ("西街药店", "411702001001"), ("南关饭店", "411702002001")]
    {
        let (status, venue) =
            app.post(&officer, "/api/v1/venues", json!({"name": name, "kind": "supermarket", "area_code": area})).await;
        assert_eq!(status, 201, "{venue}");
        ids.push(venue["id"].as_i64().expect("id"));
    }
    let fetch = |token: String, path: String| {
        let request = app.client.get(app.url(&path)).bearer_auth(token);
        async move {
            let response = request.send().await.expect("get");
            let status = response.status().as_u16();
            let content_type =
                response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            (status, content_type, response.bytes().await.expect("body").to_vec())
        }
    };
    let (status, content_type, pdf) = fetch(officer.clone(), format!("/api/v1/venues/{}/poster.pdf", ids[0])).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    let text = pdf_text(&pdf);
    assert!(text.contains("东街超市") && text.contains("场所码"), "{text}");
    let (status, content_type, png) = fetch(officer.clone(), format!("/api/v1/venues/{}/poster.png", ids[1])).await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    assert!(png.starts_with(b"\x89PNG"));

    // A grid worker prints every venue of the grid: one page each, none of the next village's.
    let grid = app.token("grid").await;
    let (status, _, pdf) = fetch(grid.clone(), "/api/v1/venues/posters.pdf?area_code=411702001001".into()).await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    assert_eq!(text.split('\u{c}').filter(|page| !page.trim().is_empty()).count(), 2, "{text}");
    assert!(text.contains("东街超市") && text.contains("西街药店") && !text.contains("南关饭店"));
    // Another village, another county, a bad code.
    let (status, _, _) = fetch(grid.clone(), "/api/v1/venues/posters.pdf?area_code=411702002001".into()).await;
    assert_eq!(status, 404);
    let (status, _, _) = fetch(grid.clone(), format!("/api/v1/venues/{}/poster.pdf", ids[2])).await;
    assert_eq!(status, 404);
    let (status, _, problem) = fetch(grid, "/api/v1/venues/posters.pdf?area_code=4117".into()).await;
    let problem: serde_json::Value = serde_json::from_slice(&problem).expect("problem json");
    assert_eq!((status, problem["field"].as_str()), (422, Some("area_code")), "{problem}");
    let xiping = app.token("xiping").await;
    let (status, _, _) = fetch(xiping, "/api/v1/venues/posters.pdf?area_code=411702".into()).await;
    assert_eq!(status, 404);
}

async fn home_follow_ups_over_the_api(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let grid = app.token("grid").await;
    let (_, record) = app.key_person(&officer, &id_number("411702", 31), "冯十一", "411702001001").await;
    let path = format!("/api/v1/key-persons/{record}/follow-ups");
    // Not yet under home isolation: refused as in conflict with the record's state, naming it.
    let (status, problem) = app.post(&grid, &path, json!({"slot": "morning", "temperature": 36.5})).await;
    assert_eq!((status, problem["field"].as_str()), (409, Some("key_person_id")), "{problem}");
    let (status, _) = app
        .post(
            &officer,
            &format!("/api/v1/key-persons/{record}/transitions"),
            json!({"to": "home_observation", "reason": "密接，居家隔离"}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, sheet) = app.get(&grid, "/api/v1/follow-ups").await;
    assert_eq!(sheet["persons"].as_array().map(Vec::len), Some(1), "{sheet}");
    assert_eq!(sheet["persons"][0]["name"], "冯十一");

    // Bad input names the field and writes nothing.
    for (body, field) in [
        (json!({"slot": "morning", "temperature": 45.0}), "temperature"),
        (json!({"slot": "midnight"}), "slot"),
        (json!({"slot": "noon", "day": "2020-13-01"}), "day"),
    ] {
        let (status, problem) = app.post(&grid, &path, body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    let (_, sheet) = app.get(&grid, "/api/v1/follow-ups").await;
    assert_eq!(sheet["persons"][0]["visits"], json!([]));

    // A double tap is one visit; a fever opens one transfer task.
    let (status, first) = app.post(&grid, &path, json!({"slot": "morning", "temperature": 37.8})).await;
    assert_eq!((status, first["fever"].as_bool()), (201, Some(true)), "{first}");
    let (status, again) = app.post(&grid, &path, json!({"slot": "morning", "temperature": 37.8})).await;
    assert_eq!((status, &again["id"], again["duplicate"].as_bool()), (200, &first["id"], Some(true)));
    let (status, _) = app.post(&grid, &path, json!({"slot": "noon", "temperature": 38.0})).await;
    assert_eq!(status, 201);
    let (_, tasks) = app.get(&officer, "/api/v1/tasks?due=all").await;
    let kinds: Vec<_> =
        tasks["items"].as_array().expect("items").iter().map(|t| t["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["fever_transfer"]);
    let (_, sheet) = app.get(&grid, "/api/v1/follow-ups").await;
    let line = &sheet["persons"][0];
    assert_eq!(line["visits"].as_array().map(Vec::len), Some(2));
    assert_eq!(line["temperatures"], 2);
}

async fn health_codes_change_at_once_and_verify_offline(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let id = id_number("411702", 41);
    let (person, record) = app.key_person(&officer, &id, "钱七", "411702001001").await;
    let own = json!({"id_number": id, "name": "钱七", "phone": "13800001111"});
    // An open close-contact record under no measure yet: red, with its reason.
    let (status, code) = app.post("", "/api/v1/health-code", own.clone()).await;
    assert_eq!((status, code["colour"].as_str()), (200, Some("red")), "{code}");
    assert_eq!(code["reasons"][0]["code"], "close_contact");
    // Released: green at once, and the token says so.
    for to in ["central_observation", "released"] {
        let (status, body) = app
            .post(&officer, &format!("/api/v1/key-persons/{record}/transitions"), json!({"to": to, "reason": "核查"}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, code) = app.post("", "/api/v1/health-code", own.clone()).await;
    assert_eq!((code["colour"].as_str(), code["reasons"].as_array().map(Vec::len)), (Some("green"), Some(0)));
    let token = code["token"].as_str().expect("token").to_string();
    // Offline: the public key alone verifies it; one changed character fails.
    let keys = app.client.get(app.url("/api/v1/health-code/public-key?format=text")).send().await.unwrap();
    let keys = token::PublicKeys::parse(&keys.text().await.unwrap()).expect("public keys");
    let now = app.db.now();
    let claims = token::verify(&token, &keys, now).expect("valid token");
    assert_eq!((claims.person_ref, claims.colour), (u64::try_from(person).unwrap(), domain::Colour::Green));
    let mut tampered = token.clone().into_bytes();
    tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert!(token::verify(&tampered, &keys, now).is_err());
    assert!(token::verify(&token, &keys, now + 3_600).is_err(), "expired an hour later");
    let (_, online) = app.post("", "/api/v1/health-code/verify", json!({"token": tampered})).await;
    assert_eq!(online["valid"], false);
    assert!(online["reason"].as_str().unwrap_or_default().contains("signature"), "{online}");
    let (_, online) = app.post("", "/api/v1/health-code/verify", json!({"token": token})).await;
    assert_eq!((online["valid"].as_bool(), online["colour"].as_str()), (Some(true), Some("green")));
    // Staff read it for persons of their jurisdiction only.
    let (status, _) = app.get(&officer, &format!("/api/v1/persons/{person}/health-code")).await;
    assert_eq!(status, 200);
    let xiping = app.token("xiping").await;
    let (status, _) = app.get(&xiping, &format!("/api/v1/persons/{person}/health-code")).await;
    assert_eq!(status, 404);
    // A wrong name or phone finds nobody and says not which; a bad ID names the field.
    let (status, _) =
        app.post("", "/api/v1/health-code", json!({"id_number": id, "name": "钱八", "phone": "13800001111"})).await;
    assert_eq!(status, 404);
    let (status, problem) = app
        .post(
            "",
            "/api/v1/health-code",
            json!({"id_number": "411702199001010000", "name": "钱七", "phone": "13800001111"}),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("id_number")), "{problem}");
}

async fn an_investigation_over_the_api(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let grid = app.token("grid").await;
    let (case_person, case) = app.key_person(&officer, &id_number("411702", 51), "病例甲", "411702001001").await;
    for to in ["central_observation", "suspected"] {
        let (status, body) = app
            .post(&officer, &format!("/api/v1/key-persons/{case}/transitions"), json!({"to": to, "reason": "检测"}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, contact) = app
        .post(
            &officer,
            "/api/v1/persons",
            json!({"id_number": id_number("411702", 52), "name": "顾客乙", "phone": "13800002222", "area_code": "411702001001"}),
        )
        .await;
    assert_eq!(status, 201, "{contact}");
    let contact = contact["id"].as_i64().expect("person id");
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
            at(contact, now - 29 * 3_600, None),
        ])
        .await
        .unwrap();
    let today = domain::shanghai_date(now).to_string();
    let (status, opened) =
        app.post(&officer, "/api/v1/investigations", json!({"key_person_id": case, "onset_date": today})).await;
    assert_eq!(status, 201, "{opened}");
    let path = format!("/api/v1/investigations/{}", opened["id"]);
    let (status, detail) = app.get(&officer, &path).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["proposed_points"].as_array().map(Vec::len), Some(1), "{detail}");
    let checkin = detail["proposed_points"][0]["case_checkin_id"].clone();
    let (status, point) = app.post(&officer, &format!("{path}/points"), json!({"case_checkin_id": checkin})).await;
    assert_eq!((status, point["candidates"].as_u64()), (201, Some(1)), "{point}");
    let (status, bad) = app.post(&officer, &format!("{path}/points"), json!({"case_checkin_id": 999_999})).await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("case_checkin_id")));
    // The grid worker sees the tracing task, masked: 2 h there (no check-out: the cap), all of it
    // within the hour around the case's stay.
    let (_, tasks) = app.get(&grid, "/api/v1/contact-candidates").await;
    let task = &tasks["candidates"][0];
    assert_eq!((task["name"].as_str(), task["overlap_minutes"].as_i64()), (Some("顾客乙"), Some(120)), "{tasks}");
    assert!(task["id_number"].as_str().unwrap_or_default().contains('*'));
    let (status, decided) = app
        .post(&officer, &format!("/api/v1/contact-candidates/{}/decision", task["id"]), json!({"decision": "confirm"}))
        .await;
    assert_eq!(status, 200, "{decided}");
    let (_, code) = app.get(&officer, &format!("/api/v1/persons/{contact}/health-code")).await;
    assert_eq!(code["colour"], "red", "{code}");
    let (status, _) =
        app.post(&officer, &format!("{path}/signature"), json!({"statement": "本人对流调结果负责"})).await;
    assert_eq!(status, 204);
    let (status, problem) = app.post(&officer, &format!("{path}/signature"), json!({"statement": "再签"})).await;
    assert_eq!((status, problem["field"].as_str()), (409, Some("signature")), "{problem}");
}

async fn tracing_windows_are_settings(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let admin = app.token("admin").await;
    let (status, rule) = app.get(&admin, "/api/v1/settings/tracing").await;
    assert_eq!((status, rule["overlap_seconds"].as_i64()), (200, Some(3600)), "{rule}");
    let put = |body: Value| {
        let request = app.client.put(app.url("/api/v1/settings/tracing")).bearer_auth(&admin).json(&body);
        async move {
            let response = request.send().await.expect("put");
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, problem) =
        put(json!({"lookback_days": 3, "min_stay_seconds": 9000, "max_stay_seconds": 7200, "overlap_seconds": 3600}))
            .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("min_stay_seconds")), "{problem}");
    let (status, _) =
        put(json!({"lookback_days": 4, "min_stay_seconds": 1800, "max_stay_seconds": 7200, "overlap_seconds": 1800}))
            .await;
    assert_eq!(status, 200);
    let (_, rule) = app.get(&admin, "/api/v1/settings/tracing").await;
    assert_eq!((rule["lookback_days"].as_i64(), rule["min_stay_seconds"].as_i64()), (Some(4), Some(1800)));
    let grid = app.token("grid").await;
    let (status, _) = app.get(&grid, "/api/v1/settings/tracing").await;
    assert_eq!(status, 403);
}

/// Guessing a citizen's identity or a staff password from one address is cut off after ten
/// failures; a known token keeps working, and the two counts are separate.
async fn guessing_from_one_address_is_cut_off(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let id = id_number("411702", 43);
    app.key_person(&officer, &id, "孙九", "411702001001").await;
    for phone in 13800002000u64..13800002010 {
        let guess = json!({"id_number": id, "name": "孙九", "phone": phone.to_string()});
        let (status, _) = app.post("", "/api/v1/health-code", guess).await;
        assert_eq!(status, 404, "guess {phone}");
    }
    // The eleventh try is refused before it is looked at, even the right one.
    let right = json!({"id_number": id, "name": "孙九", "phone": "13800001111"});
    let response = app.client.post(app.url("/api/v1/health-code")).json(&right).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let wait: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 15 * 60, "{wait}");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "https://fangkong.dev/problems/too-many-attempts", "{problem}");
    // The citizen's page counts with the API: it says to wait, in Chinese by default.
    let form = [("id_number", id.as_str()), ("name", "孙九"), ("phone", "13800001111")];
    let page = app.client.post(app.url("/h")).form(&form).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 429);
    assert!(page.text().await.unwrap().contains("失败次数过多"));

    // Logins count on their own: the officer still logs in, until ten wrong passwords.
    let login = |password: &str| json!({"username": "officer", "password": password});
    let (status, _) = app.post("", "/api/v1/session", login(common::PASSWORD)).await;
    assert_eq!(status, 200);
    for n in 0..10 {
        let (status, _) = app.post("", "/api/v1/session", login(&format!("wrong-{n}"))).await;
        assert_eq!(status, 401, "try {n}");
    }
    let (status, problem) = app.post("", "/api/v1/session", login(common::PASSWORD)).await;
    assert_eq!((status, problem["type"].as_str()), (429, Some("https://fangkong.dev/problems/too-many-attempts")));
    let (status, _) = app.get(&officer, "/api/v1/me").await;
    assert_eq!(status, 200, "a session already open is not affected");
    // The login page says so in the user's language.
    let page = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "officer"), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 429);
    assert!(page.text().await.unwrap().contains("失败次数过多"));
}

/// Published statistics: counts per county, no value that identifies anyone, small cells
/// suppressed, in JSON, CSV and Excel.
async fn statistics_hold_no_personal_value(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let officer = app.token("officer").await;
    let admin = app.token("admin").await;
    let mut personal: Vec<String> = Vec::new();
    for serial in 0..7u32 {
        let id = id_number("411702", 90 + serial);
        let name = format!("保密{}", ["甲", "乙", "丙", "丁", "戊", "己", "庚"][serial as usize]);
        app.home_isolated(&officer, &id, &name, "411702001001").await;
        // Identity, phone and the grid (a place finer than the county).
        personal.extend([id, name, "13800001111".to_string(), "411702001001".to_string()]);
    }
    let (status, body) = app.get(&admin, "/api/v1/statistics").await;
    assert_eq!(status, 200, "{body}");
    let rows = body["rows"].as_array().expect("rows");
    let home = rows
        .iter()
        .find(|r| r["of"] == "entered" && r["status"] == "home_observation" && r["county"] == "411702")
        .expect("the day's entries into home observation");
    assert_eq!((home["count"].as_u64(), home["county_name"].as_str()), (Some(7), Some("驿城区")), "{home}");
    let text = body.to_string();
    for value in &personal {
        assert!(!text.contains(value.as_str()), "{value} in {text}");
    }
    // Under the threshold (raised to 8 here), the count is not there at all.
    let response = app
        .client
        .put(app.url("/api/v1/settings/statistics"))
        .bearer_auth(&admin)
        .json(&json!({"suppress_below": 8}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 200);
    let (_, body) = app.get(&admin, "/api/v1/statistics").await;
    let home = body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["of"] == "entered" && r["status"] == "home_observation")
        .cloned()
        .expect("row");
    assert_eq!((home["count"].clone(), home["suppressed"].clone()), (Value::Null, Value::Bool(true)), "{home}");
    for format in ["csv", "xlsx"] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/statistics?format={format}")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.expect("body");
        let sheet = sheet::Sheet::open(&bytes).expect("a table");
        let text = format!("{:?}", sheet.head(1000).expect("rows"));
        assert!(text.contains("驿城区") && text.contains("<8"), "{text}");
        for value in &personal {
            assert!(!text.contains(value.as_str()), "{value} in the {format}: {text}");
        }
    }
    let (status, problem) = app.get(&admin, "/api/v1/statistics?from=2026-01-10&to=2026-01-01").await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("to")), "{problem}");
}

on_both_backends!(
    guessing_from_one_address_is_cut_off,
    tracing_windows_are_settings,
    health_codes_change_at_once_and_verify_offline,
    an_investigation_over_the_api,
    home_follow_ups_over_the_api,
    venue_posters_print_one_or_a_whole_grid,
    checkpoints_register_passages_and_keep_a_ledger,
    citizens_check_in_at_venues,
    malformed_paths_and_queries_are_problems,
    durations_are_settings_over_the_api,
    create_transition_history,
    bad_id_is_refused_and_writes_nothing,
    same_idempotency_key_makes_one_record,
    an_arrival_from_a_high_risk_area_has_a_red_code,
    officers_see_only_their_prefix,
    unauthenticated_requests_are_refused,
    key_persons_are_found_by_name_id_or_phone,
    statistics_hold_no_personal_value,
);
