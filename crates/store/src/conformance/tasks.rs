//! Due tasks: a release falls due on its day.

use std::sync::Arc;

use domain::{KeyClass, Role, Status};

use super::*;

pub async fn releases_fall_due_as_tasks(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let person = officer.create_person(new_person("411702", 10, "陈二", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
    let planned = officer.key_person(record.id).await.unwrap().record.measure.unwrap().planned_end.unwrap();
    let start_day = domain::shanghai_date(START);
    assert_eq!(planned, start_day.checked_add(jiff::Span::new().days(14)).unwrap());
    assert_eq!(f.db.open_release_tasks(planned.yesterday().unwrap()).await.unwrap(), 0);
    f.advance_days(14);
    assert_eq!(f.db.open_release_tasks(planned).await.unwrap(), 1);
    assert_eq!(f.db.open_release_tasks(planned).await.unwrap(), 0, "one task per due date");
    let due = officer.tasks(Some(planned), true, PageRequest::default()).await.unwrap();
    assert_eq!(due.total, 1);
    assert_eq!(
        (due.items[0].key_person_id, due.items[0].kind, due.items[0].due_date),
        (record.id, TaskKind::ReleaseDue, planned)
    );
    assert_eq!(xiping.tasks(None, true, PageRequest::default()).await.unwrap().total, 0);
    // Still under observation: not released silently.
    assert_eq!(officer.key_person(record.id).await.unwrap().record.state.status, Status::HomeObservation);
    officer.transition_key_person(record.id, to(Status::Released), None).await.unwrap();
    assert_eq!(officer.tasks(None, true, PageRequest::default()).await.unwrap().total, 0);
    assert_eq!(officer.tasks(None, false, PageRequest::default()).await.unwrap().total, 1);
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_tasks {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases tasks, $fresh, $reopenable;
            [
            releases_fall_due_as_tasks,
            ];
            [
            ]
        );
    };
}
