//! Venues: scoped, and found by their token.

use std::sync::Arc;

use domain::Role;

use super::*;

pub async fn venues_are_scoped_and_found_by_token(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let venue = officer.create_venue(new_venue("tok-market-0000000001", "人民路农贸市场", "411702001")).await.unwrap();
    assert_eq!(officer.venue(venue.id).await.unwrap().name, "人民路农贸市场");
    assert!(matches!(xiping.venue(venue.id).await, Err(StoreError::NotFound)));
    assert_eq!(xiping.venues(PageRequest::default()).await.unwrap().total, 0);
    assert_eq!(officer.venues(PageRequest::default()).await.unwrap().total, 1);
    let outside = officer.create_venue(new_venue("tok-market-0000000002", "外县市场", "411721")).await;
    assert!(matches!(outside, Err(StoreError::Invalid { field: "area_code", .. })), "{outside:?}");
    let clash = officer.create_venue(new_venue("tok-market-0000000001", "重复", "411702")).await;
    assert!(matches!(clash, Err(StoreError::Conflict { field: "token", .. })), "{clash:?}");
    assert_eq!(f.db.venue_by_token("tok-market-0000000001").await.unwrap().map(|v| v.id), Some(venue.id));
    assert_eq!(f.db.venue_by_token("nope").await.unwrap(), None);
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_venues {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases venues, $fresh, $reopenable;
            [
            venues_are_scoped_and_found_by_token,
            ];
            [
            ]
        );
    };
}
