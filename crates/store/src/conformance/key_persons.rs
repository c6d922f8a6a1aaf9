//! Key persons: the lifecycle, its history, the one open record, scope, filters, idempotency and roles.

use std::sync::Arc;

use domain::{GridCode, KeyClass, MeasureKind, Role, Scope, Severity, State, Status};

use super::*;

pub async fn key_person_lifecycle_keeps_an_append_only_history(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 4, "赵六", "411702001"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    let path = [
        to(Status::CentralObservation),
        to(Status::Suspected),
        confirmed(Severity::Mild),
        confirmed(Severity::Severe),
        to(Status::Cured),
        to(Status::PostDischargeIsolation),
        to(Status::Released),
    ];
    for step in path.iter().cloned() {
        f.advance_days(1);
        officer.transition_key_person(record.id, step, None).await.unwrap();
    }
    let detail = officer.key_person(record.id).await.unwrap();
    assert_eq!(detail.record.state, State { status: Status::Released, severity: None });
    assert_eq!(detail.record.measure, None);
    let statuses: Vec<_> = detail.history.iter().map(|e| e.to.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Screened,
            Status::CentralObservation,
            Status::Suspected,
            Status::Confirmed,
            Status::Confirmed,
            Status::Cured,
            Status::PostDischargeIsolation,
            Status::Released
        ]
    );
    assert_eq!(detail.history[0].from, None);
    assert_eq!(detail.history[4].from, Some(State { status: Status::Confirmed, severity: Some(Severity::Mild) }));
    assert!(detail.history.iter().all(|e| e.actor == "officer" && !e.reason.is_empty()));
    assert!(detail.history.windows(2).all(|w| w[0].at <= w[1].at));
    // The projection equals a replay of the log.
    let replayed =
        domain::replay(detail.history[0].to, &detail.history[1..].iter().map(|e| e.to).collect::<Vec<_>>()).unwrap();
    assert_eq!(replayed, detail.record.state);
    // Central isolation, then hospital treatment, then post-discharge isolation: all ended.
    let kinds: Vec<_> = detail.measures.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MeasureKind::CentralIsolation, MeasureKind::HospitalTreatment, MeasureKind::CentralIsolation]);
    assert!(detail.measures.iter().all(|m| m.actual_end.is_some()));
    assert_eq!(detail.measures[1].site.as_deref(), Some("市中心医院"));
}

pub async fn illegal_transitions_change_nothing(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 5, "孙七", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
    let err = officer.transition_key_person(record.id, to(Status::Cured), None).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("screened") && message.contains("cured"), "{message}");
    let mut blank = to(Status::FeverObservation);
    blank.reason = " ".into();
    assert!(matches!(
        officer.transition_key_person(record.id, blank, None).await,
        Err(StoreError::Invalid { field: "reason", .. })
    ));
    let detail = officer.key_person(record.id).await.unwrap();
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.record.state.status, Status::Screened);
    assert!(detail.measures.is_empty());
}

pub async fn one_open_record_per_person(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 6, "周八", "411702"), None).await.unwrap();
    let first = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    let second = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await;
    assert!(matches!(second, Err(StoreError::Conflict { field: "person_id", .. })), "{second:?}");
    officer.transition_key_person(first.id, to(Status::HomeObservation), None).await.unwrap();
    officer.transition_key_person(first.id, to(Status::Released), None).await.unwrap();
    // Released: a new exposure opens a new card.
    officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
}

pub async fn officers_never_see_records_outside_their_prefix(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let yicheng = f.handle("yicheng", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let city = f.handle("city", Role::Admin, "411700").await;
    let other_city = f.handle("xinyang", Role::Admin, "411500").await;
    let mine = yicheng.create_person(new_person("411702", 7, "吴九", "411702"), None).await.unwrap();
    let theirs = xiping.create_person(new_person("411721", 8, "郑十", "411721"), None).await.unwrap();
    let my_record = yicheng.create_key_person(new_key_person(mine.id, KeyClass::CloseContact), None).await.unwrap();
    let their_record = xiping.create_key_person(new_key_person(theirs.id, KeyClass::CloseContact), None).await.unwrap();
    // Reading, listing, transitioning and linking across the boundary all fail as "absent".
    assert!(matches!(yicheng.key_person(their_record.id).await, Err(StoreError::NotFound)));
    assert!(matches!(
        yicheng.transition_key_person(their_record.id, to(Status::HomeObservation), None).await,
        Err(StoreError::NotFound)
    ));
    let linked = yicheng.create_key_person(new_key_person(theirs.id, KeyClass::Fever), None).await;
    assert!(matches!(linked, Err(StoreError::Invalid { field: "person_id", .. })), "{linked:?}");
    let listed = yicheng.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!((listed.total, listed.items.iter().map(|k| k.id).collect::<Vec<_>>()), (1, vec![my_record.id]));
    // Asking for a wider area than one governs never widens the view.
    let widened = KeyPersonFilter { within: Some(Scope::of_code_str("411700").unwrap()), ..Default::default() };
    assert_eq!(yicheng.key_persons(&widened, PageRequest::default()).await.unwrap().total, 1);
    let sideways = KeyPersonFilter { within: Some(Scope::of_code_str("411721").unwrap()), ..Default::default() };
    assert_eq!(yicheng.key_persons(&sideways, PageRequest::default()).await.unwrap().total, 0);
    // The prefecture sees both; another prefecture sees neither.
    assert_eq!(city.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 2);
    assert_eq!(city.key_persons(&sideways, PageRequest::default()).await.unwrap().total, 1);
    assert_eq!(other_city.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert!(matches!(other_city.key_person(my_record.id).await, Err(StoreError::NotFound)));
}

pub async fn lists_filter_and_page(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let grid = GridCode::parse("411702001001").unwrap();
    for serial in 0..7u32 {
        let mut new = new_person("411702", 100 + serial, "钱一", "411702001001");
        if serial % 2 == 0 {
            new.place.grid = Some(grid.clone());
        }
        let person = officer.create_person(new, None).await.unwrap();
        let class = if serial < 3 { KeyClass::Fever } else { KeyClass::CloseContact };
        let record = officer.create_key_person(new_key_person(person.id, class), None).await.unwrap();
        if serial < 2 {
            officer.transition_key_person(record.id, to(Status::FeverObservation), None).await.unwrap();
        }
    }
    let fever = KeyPersonFilter { class: Some(KeyClass::Fever), ..Default::default() };
    assert_eq!(officer.key_persons(&fever, PageRequest::default()).await.unwrap().total, 3);
    let observed = KeyPersonFilter { status: Some(Status::FeverObservation), ..Default::default() };
    let found = officer.key_persons(&observed, PageRequest::default()).await.unwrap();
    assert_eq!(found.total, 2);
    assert!(found.items.iter().all(|k| k.state.status == Status::FeverObservation && k.class == KeyClass::Fever));
    let in_grid = KeyPersonFilter { grid: Some(grid), ..Default::default() };
    assert_eq!(officer.key_persons(&in_grid, PageRequest::default()).await.unwrap().total, 4);
    let page2 = officer.key_persons(&KeyPersonFilter::default(), PageRequest::new(2, 3)).await.unwrap();
    assert_eq!((page2.total, page2.items.len(), page2.page), (7, 3, 2));
    let page3 = officer.key_persons(&KeyPersonFilter::default(), PageRequest::new(3, 3)).await.unwrap();
    assert_eq!(page3.items.len(), 1);
    let mut all: Vec<_> = page2.items.iter().chain(&page3.items).map(|k| k.id).collect();
    all.dedup();
    assert_eq!(all.len(), 4, "pages do not overlap");
}

pub async fn lists_sort_by_change_planned_end_or_opening(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let mut records = Vec::new();
    for serial in 0..3u32 {
        let person =
            officer.create_person(new_person("411702", 200 + serial, "孙一", "411702001"), None).await.unwrap();
        let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
        if serial < 2 {
            officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
        }
        records.push(record.id);
        f.advance_days(1);
    }
    // The first record changes last, and its measure now ends after the second's.
    officer.transition_key_person(records[0], to(Status::CentralObservation), None).await.unwrap();
    let officer = &officer;
    let order = |order| async move {
        let filter = KeyPersonFilter { order, ..Default::default() };
        let found = officer.key_persons(&filter, PageRequest::default()).await.unwrap();
        found.items.iter().map(|k| k.id).collect::<Vec<_>>()
    };
    let [first, second, third] = [records[0], records[1], records[2]];
    assert_eq!(order(domain::KeyPersonOrder::Updated).await, [first, third, second]);
    assert_eq!(order(domain::KeyPersonOrder::PlannedEnd).await, [second, first, third], "no planned end comes last");
    assert_eq!(order(domain::KeyPersonOrder::Opened).await, [third, second, first]);
    // Pages of a sorted list do not overlap.
    let filter = KeyPersonFilter { order: domain::KeyPersonOrder::PlannedEnd, ..Default::default() };
    let page2 = officer.key_persons(&filter, PageRequest::new(2, 2)).await.unwrap();
    assert_eq!(page2.items.iter().map(|k| k.id).collect::<Vec<_>>(), [third]);
}

pub async fn idempotent_creates_make_one_record(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 9, "冯一", "411702"), idem("p-1", "d1")).await.unwrap();
    let replay = officer.create_person(new_person("411702", 9, "冯一", "411702"), idem("p-1", "d1")).await.unwrap();
    assert_eq!(replay, Created { id: person.id, created: false });
    let record =
        officer.create_key_person(new_key_person(person.id, KeyClass::Fever), idem("k-1", "d2")).await.unwrap();
    let again = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), idem("k-1", "d2")).await.unwrap();
    assert_eq!(again.id, record.id);
    let moved =
        officer.transition_key_person(record.id, to(Status::FeverObservation), idem("t-1", "d3")).await.unwrap();
    let moved_again =
        officer.transition_key_person(record.id, to(Status::FeverObservation), idem("t-1", "d3")).await.unwrap();
    assert_eq!(moved_again.id, moved.id);
    assert_eq!(officer.key_person(record.id).await.unwrap().history.len(), 2);
    let other_body = officer.transition_key_person(record.id, to(Status::Excluded), idem("t-1", "other")).await;
    assert!(matches!(other_body, Err(StoreError::IdempotencyMismatch)), "{other_body:?}");
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 1);
}

pub async fn roles_are_enforced_by_the_handle(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 12, "卫四", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
    let citizen = f.handle("citizen", Role::Citizen, "411702").await;
    let checkpoint = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    let grid_worker = f.handle("grid", Role::GridWorker, "411702").await;
    assert!(matches!(citizen.person(person.id).await, Err(StoreError::Forbidden { .. })));
    assert!(matches!(checkpoint.key_person(record.id).await, Err(StoreError::Forbidden { .. })));
    assert!(matches!(
        grid_worker.transition_key_person(record.id, to(Status::FeverObservation), None).await,
        Err(StoreError::Forbidden { .. })
    ));
    assert!(grid_worker.key_person(record.id).await.is_ok());
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_key_persons {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases key_persons, $fresh, $reopenable;
            [
            key_person_lifecycle_keeps_an_append_only_history,
            illegal_transitions_change_nothing,
            one_open_record_per_person,
            officers_never_see_records_outside_their_prefix,
            lists_filter_and_page,
            lists_sort_by_change_planned_end_or_opening,
            idempotent_creates_make_one_record,
            roles_are_enforced_by_the_handle,
            ];
            [
            ]
        );
    };
}
