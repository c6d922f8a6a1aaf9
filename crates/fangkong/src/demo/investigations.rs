//! A confirmed case with its check-ins, the people who were there, and its investigation.

use domain::{KeyClass, Severity, Source, State, Status};

use store::{BulkPerson, Db, TransitionRequest};

/// A confirmed case of 驿城区 with two days of check-ins and people who were there with them,
/// and its investigation opened: the officer finds epidemic points to confirm and contacts to
/// decide (SPEC §4.4). Returns the investigation's id.
pub(super) async fn add_outbreak(
    handle: &store::Handle,
    db: &Db,
    venues: &[(store::VenueId, String)],
    people: &[BulkPerson],
    person_ids: &[store::PersonId],
    taken: &std::collections::HashSet<store::PersonId>,
) -> anyhow::Result<Option<store::InvestigationId>> {
    let local: Vec<store::PersonId> = people
        .iter()
        .zip(person_ids)
        .filter(|(p, id)| p.place.area.as_str().starts_with("411702") && !taken.contains(id))
        .map(|(_, id)| *id)
        .skip(50)
        .take(20)
        .collect();
    let places: Vec<&(store::VenueId, String)> =
        venues.iter().filter(|(_, code)| code.starts_with("411702")).take(3).collect();
    let ([case, contacts @ ..], [a, b, c]) = (local.as_slice(), places.as_slice()) else {
        return Ok(None);
    };
    let today = domain::shanghai_date(db.now());
    let day = |back: i64| -> anyhow::Result<i64> {
        Ok(domain::shanghai_day_start(today.checked_sub(jiff::Span::new().days(back))?))
    };
    const H: i64 = 3_600;
    let at =
        |venue: &(store::VenueId, String), person: store::PersonId, t_in: i64, t_out: Option<i64>| store::BulkCheckin {
            venue_id: venue.0,
            person_id: person,
            area_code: venue.1.clone(),
            t_in,
            t_out,
            temperature: None,
        };
    let (d2, d1) = (day(2)?, day(1)?);
    let mut rows = vec![
        // Two hours at the market (a point), from 14:00 at the second place without a check-out
        // and nowhere else that day (capped: a point), forty minutes at the third (not a point).
        at(a, *case, d2 + 10 * H, Some(d2 + 12 * H)),
        at(b, *case, d2 + 14 * H, None),
        at(c, *case, d1 + 9 * H, Some(d1 + 9 * H + 2_400)),
    ];
    for (n, person) in contacts.iter().enumerate() {
        let offset = [0, 900, 1_800, 2_700, 3_600, 4_500][n % 6];
        rows.push(match n % 3 {
            0 => at(a, *person, d2 + 9 * H + offset, Some(d2 + 10 * H + offset)),
            1 => at(b, *person, d2 + 13 * H + offset, None),
            _ => at(c, *person, d1 + 9 * H + offset, Some(d1 + 10 * H)),
        });
    }
    rows.sort_by_key(|r| r.t_in);
    db.bulk_insert_checkins(&rows).await?;
    let record = handle
        .create_key_person(
            store::NewKeyPerson {
                arrival_risk: None,
                person_id: *case,
                class: KeyClass::Confirmed,
                source: Source::Hospital,
                cadre_name: None,
                cadre_phone: None,
                reason: "发热门诊就诊，核酸检测阳性".into(),
            },
            None,
        )
        .await?;
    let steps = [
        (Status::CentralObservation, None, "发热，集中隔离观察"),
        (Status::Suspected, None, "核酸初筛阳性"),
        (Status::Confirmed, Some(Severity::Mild), "复核阳性，确诊"),
    ];
    for (status, severity, reason) in steps {
        let request =
            TransitionRequest { to: State { status, severity }, reason: reason.into(), measure: None, site: None };
        handle.transition_key_person(record.id, request, None).await?;
    }
    let opened = handle
        .open_investigation(store::NewInvestigation {
            key_person_id: record.id,
            onset: today.yesterday()?,
            isolated_at: d1 + 20 * H,
        })
        .await?;
    Ok(Some(opened.id))
}
