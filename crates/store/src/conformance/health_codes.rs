//! Health codes (SPEC §4.5): an arrival's code follows the risk of the area it came from.

use std::sync::Arc;

use domain::{Colour, KeyClass, Role};

use super::*;

pub async fn an_arrivals_code_follows_the_risk_of_the_area_it_came_from(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let mut persons = Vec::new();
    for serial in 0..3u32 {
        persons.push(
            officer.create_person(new_person("411702", 400 + serial, "返乡", "411702001"), None).await.unwrap().id,
        );
    }
    let arrival = |person: PersonId, risk: Option<domain::ArrivalRisk>| NewKeyPerson {
        arrival_risk: risk,
        ..new_key_person(person, KeyClass::EpidemicAreaArrival)
    };
    officer.create_key_person(arrival(persons[0], Some(domain::ArrivalRisk::High)), None).await.unwrap();
    officer.create_key_person(arrival(persons[1], None), None).await.unwrap();
    let (_, high) = f.db.health_code(persons[0]).await.unwrap();
    assert_eq!((high.colour, high.reasons[0].code()), (Colour::Red, "high_risk_arrival"));
    let (_, unrecorded) = f.db.health_code(persons[1]).await.unwrap();
    assert_eq!((unrecorded.colour, unrecorded.reasons[0].code()), (Colour::Yellow, "medium_risk_arrival"));
    // Only an arrival carries the risk of where it came from; nothing is written otherwise.
    let contact = NewKeyPerson {
        arrival_risk: Some(domain::ArrivalRisk::High),
        ..new_key_person(persons[2], KeyClass::CloseContact)
    };
    let refused = officer.create_key_person(contact, None).await;
    assert!(matches!(refused, Err(StoreError::Invalid { field: "arrival_risk", .. })), "{refused:?}");
    assert_eq!(f.db.health_code(persons[2]).await.unwrap().1.colour, Colour::Green);
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_health_codes {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases health_codes, $fresh, $reopenable;
            [
            an_arrivals_code_follows_the_risk_of_the_area_it_came_from,
            ];
            [
            ]
        );
    };
}
