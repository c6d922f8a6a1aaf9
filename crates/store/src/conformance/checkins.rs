//! Check-ins at venues: idempotent, batched without losing a neighbour, a fever opens one
//! record, expired ones purged, the trail survives a restart; and a check-in names a registered
//! person only with the registered name (and mobile), while a fever typed by someone nobody
//! vouched for becomes a lead to verify, never a coloured code.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use domain::{Colour, KeyClass, ListKind, PersonName, Phone, Role, Source, Status};

use super::*;

fn checkin(token: &str, serial: u32, temperature: Option<&str>) -> CheckinRequest {
    CheckinRequest {
        venue_token: token.into(),
        id_number: resident_id("411702", serial),
        name: PersonName::parse("顾客").expect("name"),
        phone: Some(Phone::parse("13900000000").expect("phone")),
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        idempotency: None,
    }
}

pub async fn checkins_are_idempotent_within_the_window(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-shop", "超市", "411702001")).await.unwrap();
    let first = f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap();
    assert!(!first.duplicate && !first.fever);
    // A double tap and a re-submit five minutes later are the same check-in.
    let tap = f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap();
    assert_eq!((tap.id, tap.duplicate), (first.id, true));
    f.clock.fetch_add(300, Ordering::SeqCst);
    assert_eq!(f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap().id, first.id);
    // Past the window (10 minutes by default) it is a new visit.
    f.clock.fetch_add(301, Ordering::SeqCst);
    let later = f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap();
    assert!(!later.duplicate && later.id != first.id);
    // The person was registered once, at the venue's area, and is found by staff there.
    let found = officer.search_persons(resident_id("411702", 1).as_str(), 10).await.unwrap();
    assert_eq!((found.len(), found[0].area_code.as_str()), (1, "411702001"));
    // An Idempotency-Key replays; with another body it is refused.
    let mut keyed = checkin("tok-shop", 2, None);
    keyed.idempotency = Some(IdempotencyKey { key: "phone-1-visit-1".into(), request_digest: "d".into() });
    let a = f.db.check_in(keyed.clone()).await.unwrap();
    let b = f.db.check_in(keyed.clone()).await.unwrap();
    assert_eq!((a.id, b.duplicate), (b.id, true));
    keyed.idempotency = Some(IdempotencyKey { key: "phone-1-visit-1".into(), request_digest: "other".into() });
    assert!(matches!(f.db.check_in(keyed).await, Err(StoreError::IdempotencyMismatch)));
}

pub async fn a_bad_checkin_fails_alone_in_its_batch(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-station", "汽车站", "411702")).await.unwrap();
    let requests: Vec<_> = (0..50u32)
        .map(|n| if n == 25 { checkin("no-such-venue", n, None) } else { checkin("tok-station", n, None) })
        .collect();
    let results = futures_join(f.db.clone(), requests).await;
    let failed: Vec<_> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
    assert_eq!(failed, [25]);
    assert!(matches!(results[25], Err(StoreError::Invalid { field: "venue_token", .. })));
    let mut ids: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 49, "every good check-in written once");
    // A code unknown a moment ago works once its venue is registered (nothing remembered the miss),
    // and the persons the batch registered are the same persons next time.
    officer.create_venue(new_venue("no-such-venue", "新开药店", "411702")).await.unwrap();
    let late = f.db.check_in(checkin("no-such-venue", 25, None)).await.unwrap();
    assert_eq!(late.venue_name, "新开药店");
    let again = f.db.check_in(checkin("no-such-venue", 3, None)).await.unwrap();
    let earlier = results[3].as_ref().unwrap();
    assert_eq!(again.person_id, earlier.person_id);
    let found = officer.search_persons(resident_id("411702", 3).as_str(), 10).await.unwrap();
    assert_eq!(found.len(), 1, "one person per ID number");
}

pub async fn simultaneous_repeats_are_one_checkin(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-gate", "小区大门", "411702")).await.unwrap();
    // Ten taps at once, some with the same Idempotency-Key: they land in the same batches.
    let requests: Vec<_> = (0..10u32)
        .map(|n| {
            let mut request = checkin("tok-gate", 77, None);
            if n % 2 == 0 {
                request.idempotency = Some(IdempotencyKey { key: "tap".into(), request_digest: "same".into() });
            }
            request
        })
        .collect();
    let results = futures_join(f.db.clone(), requests).await;
    let ids: std::collections::BTreeSet<_> = results.iter().map(|r| r.as_ref().map(|r| r.id).unwrap()).collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| !r.as_ref().unwrap().duplicate).count(), 1);
}

pub async fn a_fever_at_a_venue_opens_one_record_and_one_transfer(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-pharmacy", "大药房", "411702001")).await.unwrap();
    // A registered resident (a fever typed by someone nobody vouched for is a lead: `identity`).
    let mut resident = new_person("411702", 3, "顾客", "411702001");
    resident.phone = Some(Phone::parse("13900000000").expect("phone"));
    officer.create_person(resident, None).await.unwrap();
    let normal = f.db.check_in(checkin("tok-pharmacy", 3, Some("36.8"))).await.unwrap();
    assert!(!normal.fever);
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    f.clock.fetch_add(3600, Ordering::SeqCst);
    let hot = f.db.check_in(checkin("tok-pharmacy", 3, Some("38.2"))).await.unwrap();
    assert!(hot.fever);
    // Measured again an hour later, still hot: the same episode.
    f.clock.fetch_add(3600, Ordering::SeqCst);
    assert!(f.db.check_in(checkin("tok-pharmacy", 3, Some("38.0"))).await.unwrap().fever);
    let records = officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(records.total, 1);
    let record = &records.items[0];
    assert_eq!((record.class, record.source, record.state.status), (KeyClass::Fever, Source::Venue, Status::Screened));
    let history = officer.key_person(record.id).await.unwrap().history;
    assert!(history[0].reason.contains("38.2") && history[0].reason.contains("大药房"), "{}", history[0].reason);
    let tasks = officer.tasks(None, true, PageRequest::default()).await.unwrap();
    assert_eq!(
        tasks.items.iter().map(|t| (t.kind, t.key_person_id)).collect::<Vec<_>>(),
        [(TaskKind::FeverTransfer, record.id)]
    );
    // Taken to the fever clinic: the task closes; a new fever later is a new transfer.
    officer.transition_key_person(record.id, to(Status::FeverObservation), None).await.unwrap();
    assert_eq!(officer.tasks(None, true, PageRequest::default()).await.unwrap().total, 0);
}

pub async fn a_person_kept_in_is_recorded_and_one_breach_task_opens(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let village = f.handle("village", Role::AreaOfficer, "411702001").await;
    officer.create_venue(new_venue("tok-market", "超市", "411702002")).await.unwrap();
    let mut resident = new_person("411702", 5, "顾客", "411702001");
    resident.phone = Some(Phone::parse("13900000000").expect("phone"));
    let person = officer.create_person(resident, None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    // Screened is not kept in: an ordinary check-in.
    assert!(!f.db.check_in(checkin("tok-market", 5, None)).await.unwrap().breach);
    officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
    f.clock.fetch_add(3600, Ordering::SeqCst);
    let out = f.db.check_in(checkin("tok-market", 5, None)).await.unwrap();
    assert!(out.breach && !out.duplicate, "kept in, and still recorded");
    f.clock.fetch_add(3600, Ordering::SeqCst);
    assert!(f.db.check_in(checkin("tok-market", 5, None)).await.unwrap().breach);
    // One task for the cadre's area and one for the venue's, however often it happens.
    let tasks = officer.tasks(None, true, PageRequest::default()).await.unwrap();
    let mut kinds: Vec<_> = tasks.items.iter().map(|t| (t.kind, t.key_person_id, t.area_code.clone())).collect();
    kinds.sort_by_key(|k| k.0.as_str());
    assert_eq!(
        kinds,
        [
            (TaskKind::Breach, record.id, "411702001".to_string()),
            (TaskKind::BreachAtVenue, record.id, "411702002".to_string())
        ]
    );
    // The record's area sees its own task only.
    let theirs = village.tasks(None, true, PageRequest::default()).await.unwrap();
    assert_eq!(theirs.items.iter().map(|t| t.kind).collect::<Vec<_>>(), [TaskKind::Breach]);
    // The record shows where the person has been: every check-in is there, newest first.
    let card = officer.key_person(record.id).await.unwrap();
    let movements = officer.key_person_movements(&card.record, 14).await.unwrap();
    assert_eq!(movements.checkins.len(), 3);
    assert!(movements.checkins.iter().all(|v| v.venue_name == "超市"));
    assert!(movements.checkins[0].visit.t_in > movements.checkins[2].visit.t_in);
    // A status change closes the episode: the next breach is a new task.
    officer.transition_key_person(record.id, to(Status::CentralObservation), None).await.unwrap();
    assert_eq!(officer.tasks(None, true, PageRequest::default()).await.unwrap().total, 0);
}

pub async fn purge_removes_exactly_the_expired_checkins(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-old", "老街", "411702")).await.unwrap();
    for serial in 0..3 {
        f.db.check_in(checkin("tok-old", serial, None)).await.unwrap();
    }
    f.advance_days(20);
    for serial in 3..5 {
        f.db.check_in(checkin("tok-old", serial, None)).await.unwrap();
    }
    f.advance_days(8);
    // The first three are 28 days and a moment old, the last two 8 days.
    f.clock.fetch_add(1, Ordering::SeqCst);
    assert_eq!(f.db.purge_expired().await.unwrap(), 3);
    assert_eq!(f.db.purge_expired().await.unwrap(), 0);
}

pub async fn checkins_reach_the_trail_across_a_restart(backend: Arc<dyn Backend>, reopen: Reopen) {
    let f = Fixture::new(backend.clone()).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-clinic", "社区诊所", "411702001")).await.unwrap();
    // Copied into the trail: a repeat within the window is found there.
    let copied = f.db.check_in(checkin("tok-clinic", 1, Some("36.5"))).await.unwrap();
    backend.settle_checkins().await.unwrap();
    let again = f.db.check_in(checkin("tok-clinic", 1, None)).await.unwrap();
    assert_eq!((again.id, again.duplicate), (copied.id, true));
    // Written but not yet copied when the process stops: the next process copies it at open,
    // so the repeat is still the same check-in.
    let uncopied = f.db.check_in(checkin("tok-clinic", 2, None)).await.unwrap();
    drop(f);
    drop(backend);
    let restarted = Fixture::new(reopen().await).await;
    let repeat = restarted.db.check_in(checkin("tok-clinic", 2, None)).await.unwrap();
    assert_eq!((repeat.id, repeat.duplicate), (uncopied.id, true));
    // A bulk load goes into the trail with its rows.
    let stored = restarted.db.checkins_footprint().await.unwrap();
    assert_eq!(stored.rows, 2);
    a_bulk_load_counts_for_the_dedupe(&restarted).await;
}

/// A check-in loaded in bulk a minute ago makes a live one by the same person a repeat.
async fn a_bulk_load_counts_for_the_dedupe(f: &Fixture) {
    let venue = f.db.venue_by_token("tok-clinic").await.unwrap().unwrap();
    let person = f.db.check_in(checkin("tok-clinic", 3, None)).await.unwrap().person_id;
    f.clock.fetch_add(3_600, Ordering::SeqCst);
    let now = f.db.now();
    f.db.bulk_insert_checkins(&[BulkCheckin {
        venue_id: venue.id,
        person_id: person,
        area_code: venue.area_code.clone(),
        t_in: now - 60,
        t_out: None,
        temperature: None,
    }])
    .await
    .unwrap();
    let live = f.db.check_in(checkin("tok-clinic", 3, None)).await.unwrap();
    assert!(live.duplicate, "{live:?}");
}

fn typed(token: &str, serial: u32, name: &str, phone: Option<&str>, temperature: Option<&str>) -> CheckinRequest {
    CheckinRequest {
        venue_token: token.into(),
        id_number: resident_id("411702", serial),
        name: PersonName::parse(name).expect("name"),
        phone: phone.map(|p| Phone::parse(p).expect("phone")),
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        idempotency: None,
    }
}

pub async fn a_checkin_names_a_registered_person_only_with_their_identity(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-mall", "万达广场", "411702001")).await.unwrap();
    // Registered by staff: 王芳, 13800000005.
    let person = officer.create_person(new_person("411702", 5, "王芳", "411702001"), None).await.unwrap().id;
    let stranger = [
        typed("tok-mall", 5, "李四", Some("13800000005"), Some("38.9")),
        typed("tok-mall", 5, "王芳", Some("13900000000"), Some("38.9")),
        typed("tok-mall", 5, "王芳", None, Some("38.9")),
    ];
    for request in stranger {
        let refused = f.db.check_in(request.clone()).await;
        assert!(matches!(refused, Err(StoreError::IdentityMismatch)), "{request:?}: {refused:?}");
    }
    // Nothing was written: no record, no task, the code is green.
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert_eq!(f.db.health_code(person).await.unwrap().1.colour, Colour::Green);
    // A refusal in a batch fails alone; the person themself is accepted, with their fever.
    let batch = futures_join(
        f.db.clone(),
        vec![
            typed("tok-mall", 5, "李四", Some("13800000005"), None),
            typed("tok-mall", 5, "王芳", Some("138 0000 0005"), Some("38.9")),
        ],
    )
    .await;
    assert!(matches!(batch[0], Err(StoreError::IdentityMismatch)), "{:?}", batch[0]);
    let own = batch[1].as_ref().unwrap();
    assert!(own.fever && own.person_id == person);
    let records = officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(
        records.items.iter().map(|r| (r.class, r.source)).collect::<Vec<_>>(),
        [(KeyClass::Fever, Source::Venue)]
    );
    assert_eq!(f.db.health_code(person).await.unwrap().1.colour, Colour::Yellow);
    // The registry holds no phone for this one: the name alone binds, any phone is accepted.
    let mut no_phone = new_person("411702", 6, "赵六", "411702001");
    no_phone.phone = None;
    officer.create_person(no_phone, None).await.unwrap();
    assert!(f.db.check_in(typed("tok-mall", 6, "赵六", Some("13700000000"), None)).await.is_ok());
    assert!(matches!(f.db.check_in(typed("tok-mall", 6, "赵七", None, None)).await, Err(StoreError::IdentityMismatch)));
}

pub async fn a_fever_nobody_vouched_for_is_a_lead_not_a_code(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-pharmacy", "大药房", "411702001")).await.unwrap();
    // An ID number the registry does not know, typed with a fever: registered as typed.
    let hot = f.db.check_in(typed("tok-pharmacy", 9, "陈七", Some("13600000009"), Some("38.6"))).await.unwrap();
    assert!(hot.fever, "the person is still told to go to the fever clinic");
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert_eq!(f.db.health_code(hot.person_id).await.unwrap().1.colour, Colour::Green);
    // The venue's grid verifies it: a lead on the day's self-report list of the county.
    let leads = officer.leads(LeadFilter::Open).await.unwrap();
    assert_eq!(leads.len(), 1, "{leads:?}");
    let lead = &leads[0];
    assert_eq!((lead.person_id, lead.area_code.as_str()), (Some(hot.person_id), "411702001"));
    assert!(lead.address.contains("大药房") && lead.address.contains("38.6"), "{}", lead.address);
    assert_eq!(lead.due_at, f.db.now() + domain::SELF_REPORT_DUE_SECONDS);
    let lists = officer.lists().await.unwrap();
    assert_eq!(
        lists.iter().map(|l| (l.kind, l.area_code.as_str(), l.counts.leads)).collect::<Vec<_>>(),
        [(ListKind::SelfReport, "411702", 1)]
    );
    // Still hot an hour later: the same open lead, not a second.
    f.clock.fetch_add(3600, Ordering::SeqCst);
    assert!(f.db.check_in(typed("tok-pharmacy", 9, "陈七", Some("13600000009"), Some("38.4"))).await.unwrap().fever);
    assert_eq!(officer.leads(LeadFilter::Open).await.unwrap().len(), 1);
    // What was typed first now binds the ID number: another name is refused.
    assert!(matches!(
        f.db.check_in(typed("tok-pharmacy", 9, "王芳", Some("13600000009"), Some("38.9"))).await,
        Err(StoreError::IdentityMismatch)
    ));
    // The grid worker found them and registered the fever: now the code is yellow.
    let verify = VerifyLead {
        outcome: domain::LeadOutcome::Registered,
        note: String::new(),
        class: Some(KeyClass::Fever),
        arrival_risk: None,
    };
    officer.verify_lead(lead.id, verify).await.unwrap();
    assert_eq!(f.db.health_code(hot.person_id).await.unwrap().1.colour, Colour::Yellow);
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_checkins {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases checkins, $fresh, $reopenable;
            [
            checkins_are_idempotent_within_the_window,
            a_bad_checkin_fails_alone_in_its_batch,
            simultaneous_repeats_are_one_checkin,
            a_fever_at_a_venue_opens_one_record_and_one_transfer,
            a_person_kept_in_is_recorded_and_one_breach_task_opens,
            purge_removes_exactly_the_expired_checkins,
            a_checkin_names_a_registered_person_only_with_their_identity,
            a_fever_nobody_vouched_for_is_a_lead_not_a_code,
            ];
            [
            checkins_reach_the_trail_across_a_restart,
            ]
        );
    };
}
