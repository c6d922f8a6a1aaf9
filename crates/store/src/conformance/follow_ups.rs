//! Home follow-ups (一二三工作法): the day's sheet, and a fever opens one transfer.

use std::sync::Arc;

use domain::{KeyClass, MeasureKind, Role, Status};

use super::*;

fn visit(key_person_id: KeyPersonId, slot: domain::VisitSlot, temperature: Option<&str>) -> NewFollowUp {
    NewFollowUp {
        key_person_id,
        day: domain::shanghai_date(START),
        slot,
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        note: "在家，情况稳定".into(),
    }
}

pub async fn home_follow_ups_fill_the_day_and_a_fever_opens_one_transfer(backend: Arc<dyn Backend>) {
    use domain::{FollowUpGap, VisitSlot};
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let grid = f.handle("grid", Role::GridWorker, "411702001").await;
    let mut records = Vec::new();
    for (serial, name, area, status) in [
        (21, "钱七", "411702001", Status::HomeObservation),
        (22, "孙八", "411702001", Status::CentralObservation),
        (23, "李九", "411702002", Status::HomeObservation),
    ] {
        let person = officer.create_person(new_person("411702", serial, name, area), None).await.unwrap();
        let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
        officer.transition_key_person(record.id, to(status), None).await.unwrap();
        records.push(record.id);
    }
    let (at_home, central, next_village) = (records[0], records[1], records[2]);
    let today = domain::shanghai_date(START);

    // The grid worker's sheet: only the person at home in the worker's own area.
    let sheet = grid.follow_up_sheet(today).await.unwrap();
    assert_eq!(sheet.iter().map(|l| (l.key_person_id, l.name.as_str())).collect::<Vec<_>>(), [(at_home, "钱七")]);
    assert_eq!(sheet[0].measure, MeasureKind::HomeIsolation);
    assert_eq!(sheet[0].day().gaps(8 * 60), vec![], "08:00: nothing is late yet");
    assert_eq!(officer.follow_up_sheet(today).await.unwrap().len(), 2);

    let morning = grid.record_follow_up(visit(at_home, VisitSlot::Morning, Some("36.6"))).await.unwrap();
    assert!(!morning.duplicate && !morning.fever);
    let again = grid.record_follow_up(visit(at_home, VisitSlot::Morning, Some("36.6"))).await.unwrap();
    assert_eq!((again.id, again.duplicate), (morning.id, true), "a double tap is the same visit");
    let sheet = grid.follow_up_sheet(today).await.unwrap();
    assert_eq!(sheet[0].visits.len(), 1);
    assert_eq!(sheet[0].visits[0].recorded_by, "grid");
    // At 15:00 the noon visit is missing; the morning temperature covers what is due so far.
    assert_eq!(sheet[0].day().gaps(15 * 60), vec![FollowUpGap::Visit(VisitSlot::Noon)]);

    // A fever at the noon visit: the open record gets one transfer task; a second hot reading in
    // the evening is the same episode.
    assert!(grid.record_follow_up(visit(at_home, VisitSlot::Noon, Some("37.6"))).await.unwrap().fever);
    assert!(grid.record_follow_up(visit(at_home, VisitSlot::Evening, Some("38.1"))).await.unwrap().fever);
    let tasks = officer.tasks(None, true, PageRequest::default()).await.unwrap();
    assert_eq!(
        tasks.items.iter().map(|t| (t.kind, t.key_person_id)).collect::<Vec<_>>(),
        [(TaskKind::FeverTransfer, at_home)]
    );
    let sheet = grid.follow_up_sheet(today).await.unwrap();
    assert!(sheet[0].day().complete());
    assert_eq!(sheet[0].day().gaps(24 * 60), vec![]);

    // Not under home isolation, not in the worker's area, not the worker's role, not today.
    let refused = grid.record_follow_up(visit(central, VisitSlot::Morning, None)).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict { field: "key_person_id", .. }), "{refused:?}");
    let hidden = grid.record_follow_up(visit(next_village, VisitSlot::Morning, None)).await.unwrap_err();
    assert!(matches!(hidden, StoreError::NotFound), "{hidden:?}");
    let checkpoint = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    let forbidden = checkpoint.record_follow_up(visit(at_home, VisitSlot::Noon, None)).await.unwrap_err();
    assert!(matches!(forbidden, StoreError::Forbidden { .. }), "{forbidden:?}");
    let mut tomorrow = visit(at_home, VisitSlot::Morning, None);
    tomorrow.day = today.tomorrow().unwrap();
    let refused = grid.record_follow_up(tomorrow).await.unwrap_err();
    assert!(matches!(refused, StoreError::Invalid { field: "day", .. }), "{refused:?}");
    // The follow-up sheet reads names: audited.
    let audit = f
        .handle("admin", Role::Admin, "411700")
        .await
        .audit_log(&AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert!(audit.items.iter().any(|e| e.action == "follow_up.sheet" && e.username == "grid"));
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_follow_ups {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases follow_ups, $fresh, $reopenable;
            [
            home_follow_ups_fill_the_day_and_a_fever_opens_one_transfer,
            ];
            [
            ]
        );
    };
}
