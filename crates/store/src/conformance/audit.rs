//! The audit log: every read of personal data leaves an entry.

use std::sync::Arc;

use domain::{KeyClass, Role};

use super::*;

pub async fn reads_of_personal_data_are_audited(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let admin = f.handle("admin", Role::Admin, "411700").await;
    let other_admin = f.handle("other", Role::Admin, "411500").await;
    let person = officer.create_person(new_person("411702", 11, "褚三", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
    officer.person(person.id).await.unwrap();
    officer.key_person(record.id).await.unwrap();
    officer.search_persons("褚三", 10).await.unwrap();
    let log = admin.audit_log(PageRequest::default()).await.unwrap();
    let actions: Vec<_> = log.items.iter().map(|e| (e.username.as_str(), e.action.as_str(), e.subject_id)).collect();
    assert_eq!(
        actions,
        [
            ("officer", "person.search", None),
            ("officer", "key_person.read", Some(record.id.get())),
            ("officer", "person.read", Some(person.id.get()))
        ]
    );
    assert!(log.items.iter().all(|e| e.remote_addr.as_deref() == Some("127.0.0.1") && e.at == START));
    assert!(matches!(officer.audit_log(PageRequest::default()).await, Err(StoreError::Forbidden { .. })));
    assert_eq!(other_admin.audit_log(PageRequest::default()).await.unwrap().total, 0);
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_audit {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases audit, $fresh, $reopenable;
            [
            reads_of_personal_data_are_audited,
            ];
            [
            ]
        );
    };
}
