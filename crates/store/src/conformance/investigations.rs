//! Contact tracing on a planted outbreak whose answer is known.

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::{Colour, KeyClass, MeasureKind, Role, Severity, Status};

use super::*;

const HOUR: Instant = 3_600;

/// 00:00 Asia/Shanghai of the `n`th day after the fixture's start day.
fn day(n: i64) -> Instant {
    domain::shanghai_day_start(domain::shanghai_date(START)) + n * DAY
}

fn at(venue: &Venue, person: PersonId, t_in: Instant, t_out: Option<Instant>) -> BulkCheckin {
    BulkCheckin {
        venue_id: venue.id,
        person_id: person,
        area_code: venue.area_code.clone(),
        t_in,
        t_out,
        temperature: None,
    }
}

pub async fn an_outbreak_yields_exactly_the_planted_points_and_contacts(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let grid = f.handle("grid", Role::GridWorker, "411702001").await;
    let mut venues = Vec::new();
    for (token, name) in
        [("tok-a", "人民路农贸市场"), ("tok-b", "解放路药店"), ("tok-c", "万达影城"), ("tok-d", "天中山公园")]
    {
        let created = officer.create_venue(new_venue(token, name, "411702001")).await.unwrap();
        venues.push(officer.venue(created.id).await.unwrap());
    }
    let (a, b, c, d) = (&venues[0], &venues[1], &venues[2], &venues[3]);
    let mut persons = Vec::new();
    for serial in 0..10u32 {
        let person =
            officer.create_person(new_person("411702", 100 + serial, "居民", "411702001"), None).await.unwrap();
        persons.push(person.id);
    }
    let p = |n: usize| persons[n];
    // Onset on day 5: the exposure window opens at 00:00 of day 2 and closes at isolation.
    let onset = domain::shanghai_date(day(5));
    let isolated_at = day(5) + 18 * HOUR;
    f.db.bulk_insert_checkins(&[
        // The case: A 10:00–12:00 on day 2 (2 h, a point).
        at(a, p(0), day(2) + 10 * HOUR, Some(day(2) + 12 * HOUR)),
        // B at 14:00 without check-out, C at 14:30: 30 min at B (not a point).
        at(b, p(0), day(2) + 14 * HOUR, None),
        // C 14:30 without check-out and nothing until the next day: capped at 2 h (a point).
        at(c, p(0), day(2) + 14 * HOUR + 1_800, None),
        // D exactly 1 h on day 3 (not a point).
        at(d, p(0), day(3) + 9 * HOUR, Some(day(3) + 10 * HOUR)),
        // A for 3 h on day 1, before the window (not a point).
        at(a, p(0), day(1) + 10 * HOUR, Some(day(1) + 13 * HOUR)),
        // At A, exposure 09:00–13:00 on day 2:
        at(a, p(1), day(2) + 11 * HOUR, Some(day(2) + 11 * HOUR + 1_800)), // inside: contact
        at(a, p(2), day(2) + 8 * HOUR, Some(day(2) + 9 * HOUR)),           // left at the edge: no
        at(a, p(3), day(2) + 13 * HOUR - 60, None),                        // came at 12:59: contact
        at(a, p(4), day(2) + 7 * HOUR + 1_800, None),                      // moved on at 08:00: no
        at(b, p(4), day(2) + 8 * HOUR, None),
        at(a, p(5), day(2) + 7 * HOUR + 1_800, None), // capped at 09:30: contact
        at(a, p(6), day(1) + 11 * HOUR, Some(day(1) + 12 * HOUR)), // with the case, but on day 1: no
        // At C, exposure 13:30–17:30 on day 2:
        at(c, p(7), day(2) + 17 * HOUR, Some(day(2) + 18 * HOUR)), // contact
        at(c, p(8), day(2) + 17 * HOUR + 1_800, Some(day(2) + 19 * HOUR)), // came at the edge: no
        // Far away in time and place.
        at(d, p(9), day(4) + 9 * HOUR, None),
    ])
    .await
    .unwrap();
    let case = officer.create_key_person(new_key_person(p(0), KeyClass::Confirmed), None).await.unwrap();
    for step in [to(Status::CentralObservation), to(Status::Suspected), confirmed(Severity::Mild)] {
        officer.transition_key_person(case.id, step, None).await.unwrap();
    }
    f.clock.store(day(6) + 9 * HOUR, Ordering::SeqCst);
    // Only a confirmed or suspected case is investigated; isolation may not be in the future.
    let not_a_case = officer.create_key_person(new_key_person(p(9), KeyClass::Fever), None).await.unwrap();
    let refused =
        officer.open_investigation(NewInvestigation { key_person_id: not_a_case.id, onset, isolated_at }).await;
    assert!(matches!(refused, Err(StoreError::Invalid { field: "key_person_id", .. })), "{refused:?}");
    let future = NewInvestigation { key_person_id: case.id, onset, isolated_at: day(7) };
    assert!(matches!(officer.open_investigation(future).await, Err(StoreError::Invalid { field: "isolated_at", .. })));
    let opened =
        officer.open_investigation(NewInvestigation { key_person_id: case.id, onset, isolated_at }).await.unwrap();
    let again =
        officer.open_investigation(NewInvestigation { key_person_id: case.id, onset, isolated_at }).await.unwrap();
    assert_eq!((again.id, again.created), (opened.id, false));
    // Scoped to the case's county; grid workers do not investigate.
    assert!(matches!(xiping.investigation(opened.id).await, Err(StoreError::NotFound)));
    assert!(matches!(grid.investigation(opened.id).await, Err(StoreError::Forbidden { .. })));

    let detail = officer.investigation(opened.id).await.unwrap();
    assert_eq!((detail.window_from, detail.window_to), (day(2), isolated_at));
    let proposed: Vec<(&str, Instant, Instant)> =
        detail.proposed.iter().map(|p| (p.venue_name.as_str(), p.from, p.to)).collect();
    assert_eq!(
        proposed,
        vec![
            ("人民路农贸市场", day(2) + 10 * HOUR, day(2) + 12 * HOUR),
            ("万达影城", day(2) + 14 * HOUR + 1_800, day(2) + 16 * HOUR + 1_800)
        ]
    );
    // The trajectory holds the window's stays, the short ones too.
    let stays = detail.trajectory.iter().filter(|e| matches!(e, TrajectoryEntry::Stay { .. })).count();
    assert_eq!(stays, 4);

    let mut found = BTreeSet::new();
    for point in &detail.proposed {
        let (created, count) = officer.confirm_point(opened.id, point.case_checkin_id).await.unwrap();
        assert!(created.created && count > 0);
        // Confirming again changes nothing.
        let (repeat, _) = officer.confirm_point(opened.id, point.case_checkin_id).await.unwrap();
        assert_eq!((repeat.id, repeat.created), (created.id, false));
    }
    let detail = officer.investigation(opened.id).await.unwrap();
    assert!(detail.proposed.is_empty());
    assert_eq!(detail.points.len(), 2);
    for candidate in &detail.candidates {
        found.insert((candidate.venue_name.clone(), candidate.person_id));
    }
    let planted: BTreeSet<(String, PersonId)> =
        [("人民路农贸市场", p(1)), ("人民路农贸市场", p(3)), ("人民路农贸市场", p(5)), ("万达影城", p(7))]
            .into_iter()
            .map(|(v, p)| (v.to_string(), p))
            .collect();
    assert_eq!(found, planted, "detected contacts must equal the planted ones exactly");
    let p3 = detail.candidates.iter().find(|c| c.person_id == p(3)).unwrap();
    assert_eq!((p3.overlap_from, p3.overlap_to), (day(2) + 13 * HOUR - 60, day(2) + 13 * HOUR));
    assert!(p3.stay_estimated);
    let a_point = a_point_not_a_point_is_refused(&officer, opened.id, &detail).await;
    assert!(a_point);

    // The grid worker of the contacts' grid sees them as tracing tasks.
    let tasks = grid.tracing_tasks().await.unwrap();
    assert_eq!(tasks.len(), 4);
    assert!(xiping.tracing_tasks().await.unwrap().is_empty());
    // A pending contact out and about (a yellow code should keep them in) is still recorded and
    // told, and their tracing task says where they were seen; nobody else's does.
    let out =
        f.db.check_in(CheckinRequest {
            venue_token: "tok-d".into(),
            id_number: resident_id("411702", 105),
            name: domain::PersonName::parse("居民").unwrap(),
            phone: Some(domain::Phone::parse("13800000105").unwrap()),
            temperature: None,
            idempotency: None,
        })
        .await
        .unwrap();
    assert!(out.breach && !out.duplicate);
    let seen = grid.tracing_tasks().await.unwrap();
    let p5 = seen.iter().find(|c| c.person_id == p(5)).unwrap();
    assert_eq!(p5.seen_out.as_ref().map(|s| (s.place.as_str(), s.at)), Some(("天中山公园", out.at)));
    assert!(seen.iter().filter(|c| c.person_id != p(5)).all(|c| c.seen_out.is_none()));
    assert_eq!(officer.tasks(None, true, PageRequest::default()).await.unwrap().total, 0, "no record, no record task");

    // Codes: the case is red; pending contacts are yellow (an epidemic point not yet cleared).
    let (_, code) = f.db.health_code(p(0)).await.unwrap();
    assert_eq!(code.colour, Colour::Red);
    let (_, code) = f.db.health_code(p(3)).await.unwrap();
    assert_eq!((code.colour, code.reasons[0].code()), (Colour::Yellow, "epidemic_point_visit"));
    assert_eq!(f.db.health_code(p(9)).await.unwrap().1.colour, Colour::Yellow, "p9 has an open fever record");
    assert_eq!(f.db.health_code(p(2)).await.unwrap().1.colour, Colour::Green);

    // Confirmed: a close-contact key person under central isolation, and a red code at once.
    let p1 = detail.candidates.iter().find(|c| c.person_id == p(1)).unwrap();
    let record = officer
        .decide_candidate(p1.id, CandidateDecision::Confirm { measure: MeasureKind::CentralIsolation })
        .await
        .unwrap()
        .unwrap();
    let contact = officer.key_person(record).await.unwrap().record;
    assert_eq!((contact.class, contact.state.status), (KeyClass::CloseContact, Status::CentralObservation));
    assert_eq!(contact.measure.as_ref().map(|m| m.kind), Some(MeasureKind::CentralIsolation));
    let (_, code) = f.db.health_code(p(1)).await.unwrap();
    assert_eq!((code.colour, code.reasons[0].code()), (Colour::Red, "close_contact"));
    let twice = officer.decide_candidate(p1.id, CandidateDecision::Clear { note: "重复".into() }).await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })), "{twice:?}");
    // Cleared: the yellow reason goes, the code turns green.
    let cleared =
        officer.decide_candidate(p3.id, CandidateDecision::Clear { note: "核实未到场".into() }).await.unwrap();
    assert_eq!(cleared, None);
    assert_eq!(f.db.health_code(p(3)).await.unwrap().1.colour, Colour::Green);
    // Released from isolation: the last reason goes, the code turns green.
    officer.transition_key_person(record, to(Status::Released), None).await.unwrap();
    assert_eq!(f.db.health_code(p(1)).await.unwrap().1.colour, Colour::Green);

    // Second generation: the confirmed contact's own contacts, on demand.
    let second = officer.trace_on(p1.id).await;
    assert!(second.is_err(), "a released contact has no open record to investigate: {second:?}");

    // 谁流调、谁签字、谁负责: one signature, and a signed investigation is closed to changes.
    officer.sign_investigation(opened.id, "本人对流调结果负责").await.unwrap();
    let signed = officer.investigation(opened.id).await.unwrap().investigation.signature.unwrap();
    assert_eq!((signed.name.as_str(), signed.statement.as_str()), ("officer", "本人对流调结果负责"));
    assert!(matches!(officer.sign_investigation(opened.id, "再签").await, Err(StoreError::Conflict { .. })));
    let late = NewReportedPlace {
        place: "菜市场".into(),
        venue_id: None,
        from: day(3),
        to: day(3) + HOUR,
        note: String::new(),
    };
    assert!(matches!(officer.add_reported_place(opened.id, late).await, Err(StoreError::Conflict { .. })));
}

/// A stay that is not a proposed point cannot be confirmed.
async fn a_point_not_a_point_is_refused(
    officer: &Handle,
    investigation: InvestigationId,
    detail: &InvestigationDetail,
) -> bool {
    let short = detail
        .trajectory
        .iter()
        .find_map(|e| match e {
            TrajectoryEntry::Stay { checkin_id, venue_name, .. } if venue_name == "解放路药店" => {
                Some(*checkin_id)
            }
            _ => None,
        })
        .unwrap();
    matches!(
        officer.confirm_point(investigation, short).await,
        Err(StoreError::Invalid { field: "case_checkin_id", .. })
    )
}

pub async fn reported_places_complete_the_trajectory(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 300, "病例", "411702001"), None).await.unwrap();
    let case = officer.create_key_person(new_key_person(person.id, KeyClass::Suspected), None).await.unwrap();
    for step in [to(Status::CentralObservation), to(Status::Suspected)] {
        officer.transition_key_person(case.id, step, None).await.unwrap();
    }
    f.clock.store(day(4) + 9 * HOUR, Ordering::SeqCst);
    let onset = domain::shanghai_date(day(3));
    let opened = officer
        .open_investigation(NewInvestigation { key_person_id: case.id, onset, isolated_at: day(4) })
        .await
        .unwrap();
    let place = |name: &str, from: Instant, to: Instant| NewReportedPlace {
        place: name.into(),
        venue_id: None,
        from,
        to,
        note: "病例自述".into(),
    };
    officer.add_reported_place(opened.id, place("亲戚家聚餐", day(1) + 18 * HOUR, day(1) + 21 * HOUR)).await.unwrap();
    let backwards = officer.add_reported_place(opened.id, place("超市", day(2), day(2) - 1)).await;
    assert!(matches!(backwards, Err(StoreError::Invalid { field: "to", .. })), "{backwards:?}");
    let empty = officer.add_reported_place(opened.id, place(" ", day(2), day(2) + 1)).await;
    assert!(matches!(empty, Err(StoreError::Invalid { field: "place", .. })));
    let detail = officer.investigation(opened.id).await.unwrap();
    assert!(matches!(&detail.trajectory[..], [TrajectoryEntry::Reported { place, .. }] if place == "亲戚家聚餐"));
    // A suspected case's code is red, with its reason.
    let (_, code) = f.db.health_code(person.id).await.unwrap();
    assert_eq!(code.colour, Colour::Red);
    assert_eq!(code.reasons[0].code(), "suspected");
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_investigations {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases investigations, $fresh, $reopenable;
            [
            an_outbreak_yields_exactly_the_planted_points_and_contacts,
            reported_places_complete_the_trajectory,
            ];
            [
            ]
        );
    };
}
