//! Big-data comparison: a list with a known answer for every row, re-imports, verification.

use std::sync::Arc;

use domain::{Document, KeyClass, LeadOutcome, ListKind, ListRow, MatchKind, PersonName, Phone, Role, Source};

use super::*;

fn person(serial: u32, name: &str, phone: &str, place: &str) -> NewPerson {
    let (area, grid) = if place.len() > 6 {
        (AreaCode::parse(&place[..6]).unwrap(), Some(GridCode::parse(place).unwrap()))
    } else {
        (AreaCode::parse(place).unwrap(), None)
    };
    NewPerson {
        id_number: resident_id("411702", serial),
        name: PersonName::parse(name).unwrap(),
        phone: Some(Phone::parse(phone).unwrap()),
        place: Place { area, grid },
    }
}

fn row(id: Option<ResidentId>, name: Option<&str>, phone: Option<&str>, area: Option<&str>) -> ListRow {
    ListRow {
        document: id.map(Document::Resident),
        name: name.map(|n| PersonName::parse(n).unwrap()),
        phone: phone.map(|p| Phone::parse(p).unwrap()),
        area_code: area.map(str::to_string),
        address: String::new(),
    }
}

fn list(sha: &str, rows: Vec<ListRow>) -> NewList {
    NewList {
        kind: ListKind::Telecom,
        name: format!("通信大数据 {sha}"),
        file_name: format!("{sha}.csv"),
        sha256: sha.to_string(),
        rows: rows.into_iter().enumerate().map(|(i, r)| (i + 2, r)).collect(),
    }
}

pub async fn a_list_matches_by_id_then_phone_then_name_and_area(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let city = f.handle("city", Role::Admin, "411700").await;
    let grid = f.handle("grid", Role::GridWorker, "411702001001").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let mut ids = Vec::new();
    for (serial, name, phone, place) in [
        (1, "张三", "13800000001", "411702001001"), // 0: found by ID
        (2, "李四", "13800000002", "411702"),       // 1: shares a phone with 2
        (3, "王五", "13800000002", "411702"),       // 2
        (4, "赵六", "13800000004", "411702001001"), // 3: found by phone
        (5, "钱七", "13800000005", "411702"),       // 4: a name held twice in the county
        (6, "钱七", "13800000006", "411702"),       // 5
        (7, "孙八", "13800000007", "411702"),       // 6: already a key person
        (8, "周九", "13800000008", "411721"),       // 7: found by name in 西平县
    ] {
        ids.push(city.create_person(person(serial, name, phone, place), None).await.unwrap().id);
    }
    city.create_key_person(
        NewKeyPerson {
            arrival_risk: None,
            person_id: ids[6],
            class: KeyClass::CloseContact,
            source: Source::Tracing,
            cadre_name: None,
            cadre_phone: None,
            reason: "流调".into(),
        },
        None,
    )
    .await
    .unwrap();
    let stranger = resident_id("411721", 900);
    // Text as lists carry it, quotes, backslashes and line breaks included, comes back as written.
    let awkward = "人民路\"1\"号\\2单元\n东\t侧\r\\N";
    let mut first = row(Some(resident_id("411702", 1)), Some("张三"), None, None);
    first.address = awkward.to_string();
    let rows = vec![
        first, // 2: by ID
        // 3: the shared phone matches nobody; the name in the county finds 李四.
        row(None, Some("李四"), Some("13800000002"), Some("411702003")),
        row(None, Some("赵六"), Some("+86 138 0000 0004"), None), // 4: by phone
        row(None, Some("钱七"), None, Some("411702")),            // 5: two 钱七: unmatched, verified in 411702
        row(Some(resident_id("411702", 1)), None, None, None),    // 6: a duplicate of row 2
        row(Some(resident_id("411702", 7)), None, None, None),    // 7: already a key person
        row(None, Some("周九"), None, Some("411721")),            // 8: by name + county
        row(Some(stranger.clone()), Some("吴十"), None, None),    // 9: unmatched, no place: the city's
        row(None, Some("张三"), None, Some("411721")),            // 10: no 张三 in 西平县: unmatched
    ];
    let (summary, again) = city.import_list(list("first", rows.clone())).await.unwrap();
    assert!(!again);
    let c = summary.counts;
    assert_eq!((c.rows, c.duplicates), (9, 1));
    assert_eq!((c.by_id_number, c.by_phone, c.by_name_area, c.unmatched), (2, 1, 2, 3));
    assert_eq!((c.already_key_persons, c.already_leads, c.leads), (1, 0, 7));
    assert_eq!(summary.verified, 0);
    assert_eq!(summary.area_code, "411700");

    let leads = city.leads(LeadFilter::OfList(summary.id)).await.unwrap();
    let got: Vec<(i64, MatchKind, Option<PersonId>, &str)> =
        leads.iter().map(|l| (l.row_number, l.match_kind, l.person_id, l.area_code.as_str())).collect();
    assert_eq!(
        got,
        vec![
            // By place, then row.
            (9, MatchKind::Unmatched, None, "411700"),
            (3, MatchKind::NameArea, Some(ids[1]), "411702"),
            (5, MatchKind::Unmatched, None, "411702"),
            (2, MatchKind::IdNumber, Some(ids[0]), "411702001001"),
            (4, MatchKind::Phone, Some(ids[3]), "411702001001"),
            (8, MatchKind::NameArea, Some(ids[7]), "411721"),
            (10, MatchKind::Unmatched, None, "411721"),
        ]
    );
    assert_eq!(leads[0].id_number.as_deref(), Some(stranger.as_str()));
    assert_eq!(leads[3].address, awkward);

    // The grid worker sees the leads of the grid, 西平县 its own, nothing of the other.
    let mine: Vec<i64> = grid.leads(LeadFilter::Open).await.unwrap().iter().map(|l| l.row_number).collect();
    assert_eq!(mine, vec![2, 4]);
    let theirs: Vec<i64> = xiping.leads(LeadFilter::Open).await.unwrap().iter().map(|l| l.row_number).collect();
    assert_eq!(theirs, vec![8, 10]);
    assert!(matches!(xiping.lead(leads[0].id).await, Err(StoreError::NotFound)));

    // The same file again is the same list; another list does not raise known subjects twice.
    let (same, again) = city.import_list(list("first", rows.clone())).await.unwrap();
    assert!(again);
    assert_eq!(same.id, summary.id);
    let (second, _) = city.import_list(list("second", rows)).await.unwrap();
    assert_eq!((second.counts.already_leads, second.counts.leads), (7, 0));
    assert_eq!(city.lists().await.unwrap().len(), 2);
}

pub async fn leads_are_verified_once_and_overdue_ones_escalate(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let city = f.handle("city", Role::Admin, "411700").await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let grid = f.handle("grid", Role::GridWorker, "411702001001").await;
    let found = city.create_person(person(1, "张三", "13800000001", "411702001001"), None).await.unwrap().id;
    city.create_person(person(2, "李四", "13800000002", "411702001001"), None).await.unwrap();
    let rows = vec![
        row(Some(resident_id("411702", 1)), None, None, None),
        row(Some(resident_id("411702", 2)), None, None, None),
        row(None, Some("无名"), Some("13900000000"), Some("411702001001")),
    ];
    let (summary, _) = city.import_list(list("verify", rows)).await.unwrap();
    assert_eq!(summary.counts.leads, 3);
    assert_eq!(summary.due_at, START + 24 * 3_600);
    let open = grid.leads(LeadFilter::Open).await.unwrap();
    assert_eq!(open.len(), 3);
    assert!(officer.leads(LeadFilter::Overdue { now: f.db.now() }).await.unwrap().is_empty());

    // Registering needs a class; a row that matched nobody cannot be registered from the lead.
    let missing = grid
        .verify_lead(
            open[0].id,
            VerifyLead { outcome: LeadOutcome::Registered, note: String::new(), class: None, arrival_risk: None },
        )
        .await;
    assert!(matches!(missing, Err(StoreError::Invalid { field: "class", .. })), "{missing:?}");
    let unmatched = VerifyLead {
        outcome: LeadOutcome::Registered,
        note: String::new(),
        class: Some(KeyClass::EpidemicAreaArrival),
        arrival_risk: None,
    };
    assert!(matches!(grid.verify_lead(open[2].id, unmatched).await, Err(StoreError::Invalid { field: "outcome", .. })));
    let unreachable =
        VerifyLead { outcome: LeadOutcome::Unreachable, note: " ".into(), class: None, arrival_risk: None };
    assert!(matches!(grid.verify_lead(open[2].id, unreachable).await, Err(StoreError::Invalid { field: "note", .. })));

    // The risk of where a person came from belongs to a registration only, and to an arrival only.
    let risk_without_registering = VerifyLead {
        outcome: LeadOutcome::NoRisk,
        note: String::new(),
        class: None,
        arrival_risk: Some(domain::ArrivalRisk::High),
    };
    let refused = grid.verify_lead(open[0].id, risk_without_registering).await;
    assert!(matches!(refused, Err(StoreError::Invalid { field: "arrival_risk", .. })), "{refused:?}");
    let contact_with_risk = VerifyLead {
        outcome: LeadOutcome::Registered,
        note: String::new(),
        class: Some(KeyClass::CloseContact),
        arrival_risk: Some(domain::ArrivalRisk::High),
    };
    let refused = grid.verify_lead(open[0].id, contact_with_risk).await;
    assert!(matches!(refused, Err(StoreError::Invalid { field: "arrival_risk", .. })), "{refused:?}");
    let still_open = grid.leads(LeadFilter::Open).await.expect("open leads after the refusals");
    assert!(still_open.iter().any(|l| l.id == open[0].id), "nothing written");
    let (_, before) = f.db.health_code(found).await.expect("code before registering");
    assert_eq!(before.colour, domain::Colour::Green);

    let registered = grid
        .verify_lead(
            open[0].id,
            VerifyLead {
                outcome: LeadOutcome::Registered,
                note: "已上门".into(),
                class: Some(KeyClass::EpidemicAreaArrival),
                arrival_risk: Some(domain::ArrivalRisk::High),
            },
        )
        .await
        .expect("registering a found arrival from a high-risk area");
    let verification = registered.verification.clone().unwrap();
    assert_eq!((verification.outcome, verification.by_name.as_str()), (LeadOutcome::Registered, "grid"));
    let record = city.key_person(verification.key_person_id.unwrap()).await.unwrap();
    assert_eq!((record.record.person_id, record.record.source), (found, Source::BigData));
    // Came from a high-risk area: the code turns red at once, with that reason.
    let (_, code) = f.db.health_code(found).await.expect("code after registering");
    assert_eq!((code.colour, code.reasons[0].code()), (domain::Colour::Red, "high_risk_arrival"));
    let twice = grid
        .verify_lead(
            open[0].id,
            VerifyLead { outcome: LeadOutcome::NoRisk, note: String::new(), class: None, arrival_risk: None },
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })), "{twice:?}");
    assert_eq!(city.list(summary.id).await.unwrap().verified, 1);

    // A day and more later the two open leads are overdue: on the officer's escalation list.
    f.advance_days(2);
    let overdue = officer.leads(LeadFilter::Overdue { now: f.db.now() }).await.unwrap();
    assert_eq!(overdue.iter().map(|l| l.id).collect::<Vec<_>>(), vec![open[1].id, open[2].id]);
    grid.verify_lead(
        open[1].id,
        VerifyLead { outcome: LeadOutcome::NoRisk, note: String::new(), class: None, arrival_risk: None },
    )
    .await
    .expect("an overdue lead verified: no risk");
    grid.verify_lead(
        open[2].id,
        VerifyLead { outcome: LeadOutcome::NotInArea, note: "在外地工作".into(), class: None, arrival_risk: None },
    )
    .await
    .expect("an overdue lead verified: not in the area");
    let done = city.list(summary.id).await.unwrap();
    assert_eq!(domain::progress_zh(done.counts.leads, done.verified), "3 条，已核查 3，全部核查完毕");
    assert!(grid.leads(LeadFilter::Open).await.unwrap().is_empty());
    // Roles: an inspector neither imports nor verifies.
    let inspector = f.handle("inspector", Role::Inspector, "411700").await;
    assert!(matches!(inspector.leads(LeadFilter::Open).await, Err(StoreError::Forbidden { .. })));
    assert!(matches!(inspector.import_list(list("x", Vec::new())).await, Err(StoreError::Forbidden { .. })));
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_lists {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases lists, $fresh, $reopenable;
            [
            a_list_matches_by_id_then_phone_then_name_and_area,
            leads_are_verified_once_and_overdue_ones_escalate,
            ];
            [
            ]
        );
    };
}
