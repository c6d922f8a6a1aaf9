//! Staged uploads: the same file is one upload, and uploads are purged after a week.

use std::sync::Arc;

use domain::Role;

use super::*;

pub async fn staged_uploads_are_kept_a_week_then_purged(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let first = officer.stage_upload("名单.csv", "digest-1", b"a,b\n".to_vec()).await.unwrap();
    // The same file again by the same user is the same upload.
    assert_eq!(officer.stage_upload("名单 (1).csv", "digest-1", b"a,b\n".to_vec()).await.unwrap(), first);
    f.clock.fetch_add(UPLOAD_RETENTION_SECONDS - 60, std::sync::atomic::Ordering::SeqCst);
    let recent = officer.stage_upload("新名单.csv", "digest-2", b"c,d\n".to_vec()).await.unwrap();
    assert_eq!(f.db.purge_uploads().await.unwrap(), 0, "a week has not passed");
    f.clock.fetch_add(120, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(f.db.purge_uploads().await.unwrap(), 1);
    assert!(matches!(officer.upload(first).await, Err(StoreError::NotFound)));
    assert_eq!(officer.upload(recent).await.unwrap().file_name, "新名单.csv");
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_uploads {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases uploads, $fresh, $reopenable;
            [
            staged_uploads_are_kept_a_week_then_purged,
            ];
            [
            ]
        );
    };
}
