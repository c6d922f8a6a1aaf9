//! What waits, counted: within the caller's jurisdiction, and only what their role acts on.

use std::sync::Arc;

use domain::{KeyClass, Role, Status};

use super::*;

pub async fn waiting_work_is_counted_within_the_jurisdiction(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let grid = f.handle("grid", Role::GridWorker, "411702001").await;
    let elsewhere = f.handle("other", Role::AreaOfficer, "411721").await;
    let checkpoint = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    assert_eq!(officer.waiting().await.unwrap(), Waiting::default());
    // Two people under home observation in the grid's village: two visits wait.
    for serial in [21, 22] {
        let person = officer.create_person(new_person("411702", serial, "随访者", "411702001"), None).await.unwrap();
        let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
        officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
    }
    let waiting = grid.waiting().await.unwrap();
    assert_eq!(waiting.visits, 2, "{waiting:?}");
    assert_eq!(officer.waiting().await.unwrap().visits, 2);
    assert_eq!(elsewhere.waiting().await.unwrap(), Waiting::default(), "another county sees none of it");
    // A role that does not act on it sees zero.
    assert_eq!(checkpoint.waiting().await.unwrap(), Waiting::default());
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_workbench {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases workbench, $fresh, $reopenable;
            [
            waiting_work_is_counted_within_the_jurisdiction,
            ];
            [
            ]
        );
    };
}
