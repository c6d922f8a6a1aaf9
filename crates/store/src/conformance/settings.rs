//! Settings: the durations in force are stored and read back.

use std::sync::Arc;

use domain::{KeyClass, Role, Status};

use super::*;

pub async fn durations_are_settings(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend.clone()).await;
    let mut durations = f.db.durations();
    assert_eq!(durations, domain::Durations::default());
    durations.home_isolation_days = 7;
    f.db.set_durations(durations.clone()).await.unwrap();
    let reopened = Fixture::new(backend).await;
    assert_eq!(reopened.db.durations(), durations);
    let officer = reopened.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 13, "沈六", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
    let measure = officer.key_person(record.id).await.unwrap().record.measure.unwrap();
    assert_eq!(measure.planned_end, measure.start.checked_add(jiff::Span::new().days(7)).ok());
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_settings {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases settings, $fresh, $reopenable;
            [
            durations_are_settings,
            ];
            [
            ]
        );
    };
}
