//! De-identified statistics: entries per county, day, class and status, current counts, the
//! jurisdiction, and small cells suppressed.

use std::sync::Arc;

use domain::statistics::{Cell, CountOf};
use domain::{KeyClass, Role, Severity, Status};

use super::*;

pub async fn statistics_count_entries_and_current_records_within_the_jurisdiction(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let admin = f.handle("admin", Role::Admin, "411700").await;
    let day0 = admin.today();
    // Six close contacts in 驿城区 into home observation on day 0; one of them confirmed on
    // day 1, then more severe the same day (not a second entry); two in 西平县.
    let mut records = Vec::new();
    for serial in 0..6u32 {
        let person =
            officer.create_person(new_person("411702", 300 + serial, "统计甲", "411702001"), None).await.unwrap();
        let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
        officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
        records.push(record.id);
    }
    for serial in 0..2u32 {
        let person = xiping.create_person(new_person("411721", 300 + serial, "统计乙", "411721"), None).await.unwrap();
        let record = xiping.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
        xiping.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
    }
    f.advance_days(1);
    let day1 = admin.today();
    officer.transition_key_person(records[0], to(Status::Suspected), None).await.unwrap();
    officer.transition_key_person(records[0], confirmed(Severity::Mild), None).await.unwrap();
    officer.transition_key_person(records[0], confirmed(Severity::Severe), None).await.unwrap();

    let found = admin.statistics(day0, day1).await.unwrap().1;
    let count = |county: &str, day, of, status| {
        found
            .iter()
            .find(|(c, _)| {
                c.county == county
                    && c.day == day
                    && c.of == of
                    && c.status == status
                    && c.class == KeyClass::CloseContact
            })
            .map(|(c, cell)| (c.count, *cell))
    };
    assert_eq!(count("411702", day0, CountOf::Entered, Status::HomeObservation), Some((6, Cell::Count(6))));
    assert_eq!(count("411702", day0, CountOf::Entered, Status::Screened), Some((6, Cell::Count(6))));
    assert_eq!(
        count("411702", day1, CountOf::Entered, Status::Confirmed),
        Some((1, Cell::Suppressed)),
        "one entry, suppressed"
    );
    assert_eq!(count("411721", day0, CountOf::Entered, Status::HomeObservation), Some((2, Cell::Suppressed)));
    assert_eq!(count("411702", day1, CountOf::Current, Status::HomeObservation), Some((5, Cell::Count(5))));
    assert_eq!(count("411702", day1, CountOf::Current, Status::Confirmed), Some((1, Cell::Suppressed)));
    // The county officer sees only their county.
    let theirs = officer.statistics(day0, day1).await.unwrap().1;
    assert!(!theirs.is_empty() && theirs.iter().all(|(c, _)| c.county == "411702"));
    // A day outside the period counts nothing entered.
    let later = admin.statistics(day1, day1).await.unwrap().1;
    assert!(later.iter().filter(|(c, _)| c.of == CountOf::Entered).all(|(c, _)| c.day == day1));
    // The threshold is a setting: at 1 nothing is suppressed; a period backwards is refused.
    admin.set_statistics_suppress_below(1).await.unwrap();
    let open = admin.statistics(day0, day1).await.unwrap().1;
    assert!(open.iter().all(|(c, cell)| *cell == Cell::Count(c.count)));
    assert!(matches!(admin.statistics(day1, day0).await, Err(StoreError::Invalid { .. })));
    assert!(matches!(officer.set_statistics_suppress_below(3).await, Err(StoreError::Forbidden { .. })));
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_statistics {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases statistics, $fresh, $reopenable;
            [
            statistics_count_entries_and_current_records_within_the_jurisdiction,
            ];
            [
            ]
        );
    };
}
