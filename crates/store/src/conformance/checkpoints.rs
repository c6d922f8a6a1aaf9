//! Checkpoints (卡口) and their passages: scoped like every record, a fever with an ID number
//! opens one record, the day's ledger holds the day, and bad input writes nothing.

use std::sync::Arc;

use domain::{Direction, KeyClass, PersonName, Phone, PlateNumber, Role, Source};

use super::*;

fn person_passage(checkpoint_id: CheckpointId, serial: u32, temperature: Option<&str>) -> NewPassage {
    NewPassage {
        checkpoint_id,
        direction: Direction::In,
        subject: PassageSubject::Person {
            id_number: Some(resident_id("411702", serial)),
            name: PersonName::parse("钱二").expect("name"),
            phone: Some(Phone::parse("13900003333").expect("phone")),
        },
        origin: Some("武汉".into()),
        destination: Some("驿城区".into()),
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        pass_checked: false,
    }
}

pub async fn checkpoints_and_their_ledgers_are_scoped(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let staff = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let place = Place { area: AreaCode::parse("411702").unwrap(), grid: None };
    let checkpoint = officer.create_checkpoint(NewCheckpoint { name: "驿城东卡口".into(), place }).await.unwrap().id;
    // Another county's checkpoint cannot be made here, nor a nameless one.
    let outside = Place { area: AreaCode::parse("411721").unwrap(), grid: None };
    assert!(officer.create_checkpoint(NewCheckpoint { name: "西平卡口".into(), place: outside }).await.is_err());
    let place = Place { area: AreaCode::parse("411702").unwrap(), grid: None };
    let nameless = officer.create_checkpoint(NewCheckpoint { name: "  ".into(), place }).await;
    assert!(matches!(nameless, Err(StoreError::Invalid { field: "name", .. })), "{nameless:?}");
    assert_eq!(officer.checkpoints().await.unwrap().len(), 1);
    assert!(xiping.checkpoints().await.unwrap().is_empty());

    let hot = staff.record_passage(person_passage(checkpoint, 20, Some("38.1"))).await.unwrap();
    assert!(hot.fever && hot.person_id.is_some());
    // Again an hour later, still hot: the same episode, one record.
    f.clock.fetch_add(3600, std::sync::atomic::Ordering::SeqCst);
    assert!(staff.record_passage(person_passage(checkpoint, 20, Some("38.0"))).await.unwrap().fever);
    let records = officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(
        records.items.iter().map(|r| (r.class, r.source)).collect::<Vec<_>>(),
        [(KeyClass::Fever, Source::Checkpoint)]
    );
    let truck = NewPassage {
        subject: PassageSubject::Vehicle {
            plate: PlateNumber::parse("豫Q12345").unwrap(),
            occupants: 2,
            cargo: Some("蔬菜".into()),
        },
        pass_checked: true,
        temperature: None,
        ..person_passage(checkpoint, 0, None)
    };
    staff.record_passage(truck).await.unwrap();
    // Bad input writes nothing.
    let mut long = person_passage(checkpoint, 21, None);
    long.origin = Some("远".repeat(101));
    assert!(matches!(staff.record_passage(long).await, Err(StoreError::Invalid { field: "origin", .. })));

    let today = domain::shanghai_date(f.db.now());
    let ledger = staff.passages(checkpoint, today).await.unwrap();
    assert_eq!(ledger.len(), 3, "{ledger:?}");
    assert_eq!(ledger.iter().filter_map(|p| p.plate.as_deref()).collect::<Vec<_>>(), ["豫Q12345"]);
    assert!(staff.passages(checkpoint, today.yesterday().unwrap()).await.unwrap().is_empty());
    // Out of scope, or absent: not found — never an empty ledger or a write.
    assert!(matches!(xiping.passages(checkpoint, today).await, Err(StoreError::NotFound)));
    assert!(matches!(
        staff.passages(CheckpointId::new(checkpoint.get() + 1000), today).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        xiping.record_passage(person_passage(checkpoint, 22, None)).await,
        Err(StoreError::NotFound) | Err(StoreError::Forbidden { .. })
    ));
    assert_eq!(staff.passages(checkpoint, today).await.unwrap().len(), 3);
}

/// A fever at a checkpoint opens one transfer task on the new record; a fever without an ID
/// number opens nothing (staff must take the ID); a registered traveller's passage names them;
/// only checkpoint staff record passages, and only at a checkpoint they can see.
pub async fn a_checkpoint_fever_opens_one_transfer_and_passages_name_known_persons(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let staff = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    let grid = f.handle("grid", Role::GridWorker, "411702").await;
    let place = Place { area: AreaCode::parse("411702").unwrap(), grid: None };
    let checkpoint = officer.create_checkpoint(NewCheckpoint { name: "驿城东卡口".into(), place }).await.unwrap().id;

    let known = officer.create_person(new_person("411702", 31, "钱二", "411702"), None).await.unwrap().id;
    let normal = staff.record_passage(person_passage(checkpoint, 31, Some("36.5"))).await.unwrap();
    assert_eq!((normal.person_id, normal.fever), (Some(known), false));

    let hot = staff.record_passage(person_passage(checkpoint, 32, Some("38.4"))).await.unwrap();
    let tasks = officer.tasks(None, true, PageRequest::default()).await.unwrap();
    let records = officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(records.items.len(), 1);
    assert_eq!(records.items[0].person_id, hot.person_id.unwrap());
    assert_eq!(
        tasks.items.iter().map(|t| (t.kind, t.key_person_id)).collect::<Vec<_>>(),
        [(TaskKind::FeverTransfer, records.items[0].id)]
    );

    // No ID number: the line says fever, and no record or task is made for nobody.
    let mut anonymous = person_passage(checkpoint, 33, Some("38.9"));
    if let PassageSubject::Person { id_number, .. } = &mut anonymous.subject {
        *id_number = None;
    }
    let receipt = staff.record_passage(anonymous).await.unwrap();
    assert_eq!((receipt.fever, receipt.person_id), (true, None));
    assert_eq!(officer.tasks(None, true, PageRequest::default()).await.unwrap().items.len(), 1);

    // Roles and scope: a grid worker may not record; an absent checkpoint is not found.
    assert!(matches!(
        grid.record_passage(person_passage(checkpoint, 34, None)).await,
        Err(StoreError::Forbidden { .. })
    ));
    assert!(matches!(
        staff.record_passage(person_passage(CheckpointId::new(checkpoint.get() + 1000), 35, None)).await,
        Err(StoreError::NotFound)
    ));
    let today = domain::shanghai_date(f.db.now());
    assert_eq!(staff.passages(checkpoint, today).await.unwrap().len(), 3);
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_checkpoints {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases checkpoints, $fresh, $reopenable;
            [
            checkpoints_and_their_ledgers_are_scoped,
            a_checkpoint_fever_opens_one_transfer_and_passages_name_known_persons,
            ];
            [
            ]
        );
    };
}
