//! Home isolation in the grid worker's unit, some visits already recorded.

use domain::{GridCode, KeyClass, PersonName, Phone, Source, State, Status};
use rand::Rng;
use rand::rngs::StdRng;

use store::{BulkPerson, TransitionRequest};

use super::*;

/// A few residents of the grid worker's own unit under home isolation, some already visited
/// this morning, so the follow-up sheet (一二三工作法) has work on it.
pub(super) async fn add_home_follow_ups(
    handle: &store::Handle,
    unit: &GridCode,
    people: &[BulkPerson],
    person_ids: &[store::PersonId],
    taken: &std::collections::HashSet<store::PersonId>,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let residents = people
        .iter()
        .zip(person_ids)
        .filter(|(p, id)| p.place.grid.as_ref() == Some(unit) && !taken.contains(id))
        .take(4);
    for (n, (_, &person_id)) in residents.enumerate() {
        let record = handle
            .create_key_person(
                store::NewKeyPerson {
                    arrival_risk: None,
                    person_id,
                    class: KeyClass::CloseContact,
                    source: Source::Tracing,
                    cadre_name: Some(PersonName::parse(&name(rng))?),
                    cadre_phone: Some(Phone::parse(&phone(rng))?),
                    reason: "流调判定密切接触者".into(),
                },
                None,
            )
            .await?;
        let home = TransitionRequest {
            to: State { status: Status::HomeObservation, severity: None },
            reason: "密接判定，居家隔离观察".into(),
            measure: None,
            site: None,
        };
        handle.transition_key_person(record.id, home, None).await?;
        if n < 2 {
            handle
                .record_follow_up(store::NewFollowUp {
                    key_person_id: record.id,
                    day: handle.today(),
                    slot: domain::VisitSlot::Morning,
                    temperature: Some(domain::Temperature::from_tenths(rng.random_range(362..370))?),
                    note: "在家，无不适".into(),
                })
                .await?;
        }
    }
    Ok(())
}
