//! Sessions: they expire.

use std::sync::Arc;

use domain::Role;

use super::*;

pub async fn sessions_expire(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let id =
        f.db.create_user(NewUser {
            username: "u".into(),
            display_name: "用户".into(),
            password_hash: "h".into(),
            role: Role::AreaOfficer,
            area_code: "411702".into(),
        })
        .await
        .unwrap();
    let dup =
        f.db.create_user(NewUser {
            username: "u".into(),
            display_name: "x".into(),
            password_hash: "h".into(),
            role: Role::Admin,
            area_code: "411700".into(),
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict { field: "username", .. })));
    assert_eq!(f.db.credentials("u").await.unwrap().unwrap().user.id, id);
    assert!(f.db.credentials("nobody").await.unwrap().is_none());
    f.db.insert_session("digest", id, START + DAY).await.unwrap();
    assert_eq!(f.db.session_user("digest").await.unwrap().unwrap().role, Role::AreaOfficer);
    f.advance_days(2);
    assert!(f.db.session_user("digest").await.unwrap().is_none());
    f.db.insert_session("other", id, START + 3 * DAY).await.unwrap();
    f.db.delete_session("other").await.unwrap();
    assert!(f.db.session_user("other").await.unwrap().is_none());
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_auth {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases auth, $fresh, $reopenable;
            [
            sessions_expire,
            ];
            [
            ]
        );
    };
}
