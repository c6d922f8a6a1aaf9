//! Persons: one per ID number, invisible outside the jurisdiction.

use std::sync::Arc;

use domain::Role;

use super::*;

pub async fn persons_are_deduplicated_by_id_number(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let first = officer.create_person(new_person("411702", 1, "张三", "411702001"), None).await.unwrap();
    assert!(first.created);
    let again = officer.create_person(new_person("411702", 1, "张三", "411702001"), None).await.unwrap();
    assert_eq!(again, Created { id: first.id, created: false });
    let person = officer.person(first.id).await.unwrap();
    assert_eq!(person.name, "张三");
    assert_eq!(person.area_code, "411702001");
    assert_eq!(person.id_number, resident_id("411702", 1).as_str());
}

pub async fn persons_outside_the_jurisdiction_are_invisible(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let yicheng = f.handle("yicheng", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let city = f.handle("city", Role::Admin, "411700").await;
    let theirs = xiping.create_person(new_person("411721", 2, "李四", "411721"), None).await.unwrap();
    assert!(matches!(yicheng.person(theirs.id).await, Err(StoreError::NotFound)));
    assert!(yicheng.search_persons("李四", 10).await.unwrap().is_empty());
    assert!(yicheng.search_persons(resident_id("411721", 2).as_str(), 10).await.unwrap().is_empty());
    assert!(yicheng.search_persons("13800000002", 10).await.unwrap().is_empty());
    assert_eq!(city.search_persons("李", 10).await.unwrap().len(), 1);
    assert_eq!(city.search_persons("138 0000 0002", 10).await.unwrap().len(), 1);
    // Registering the same ID elsewhere reveals nothing but the conflict.
    let clash = yicheng.create_person(new_person("411721", 2, "李四", "411702"), None).await;
    assert!(matches!(clash, Err(StoreError::Conflict { field: "id_number", .. })), "{clash:?}");
    // Nor may an officer register someone outside its area.
    let outside = yicheng.create_person(new_person("411721", 3, "王五", "411721"), None).await;
    assert!(matches!(outside, Err(StoreError::Invalid { field: "area_code", .. })), "{outside:?}");
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_persons {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases persons, $fresh, $reopenable;
            [
            persons_are_deduplicated_by_id_number,
            persons_outside_the_jurisdiction_are_invisible,
            ];
            [
            ]
        );
    };
}
