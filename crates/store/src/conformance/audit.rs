//! The audit log: every read of personal data leaves an entry.

use std::sync::Arc;

use domain::{Code, KeyClass, Role, Scope, Status};

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
    let reads = AuditFilter { subject: None, ..AuditFilter::default() };
    let log = admin.audit_log(&reads, PageRequest::default()).await.unwrap();
    let actions: Vec<_> = log.items.iter().map(|e| (e.username.as_str(), e.action.as_str(), e.subject_id)).collect();
    assert_eq!(
        actions,
        [
            ("officer", "person.search", None),
            ("officer", "key_person.read", Some(record.id.get())),
            ("officer", "person.read", Some(person.id.get())),
            ("officer", "key_person.create", Some(record.id.get())),
            ("officer", "person.create", Some(person.id.get())),
        ]
    );
    assert!(log.items.iter().all(|e| e.remote_addr.as_deref() == Some("127.0.0.1") && e.at == START));
    let denied = officer.audit_log(&AuditFilter::default(), PageRequest::default()).await;
    assert!(matches!(denied, Err(StoreError::Forbidden { .. })));
    assert_eq!(other_admin.audit_log(&AuditFilter::default(), PageRequest::default()).await.unwrap().total, 0);
}

pub async fn writes_are_audited_with_actor_subject_and_area(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let admin = f.handle("admin", Role::Admin, "411700").await;
    let person = officer.create_person(new_person("411702", 12, "卫四", "411702001"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    f.advance_days(1);
    officer.transition_key_person(record.id, to(Status::CentralObservation), None).await.unwrap();
    // A replayed create is one write, audited once.
    let key = IdempotencyKey { key: "audit-1".into(), request_digest: "h".into() };
    let twice = new_person("411702", 13, "蒋五", "411702001");
    officer.create_person(twice.clone(), Some(key.clone())).await.unwrap();
    officer.create_person(twice, Some(key)).await.unwrap();
    let all = admin.audit_log(&AuditFilter::default(), PageRequest::default()).await.unwrap();
    let writes: Vec<_> = all
        .items
        .iter()
        .filter(|e| domain::AuditAction::parse(&e.action).is_ok_and(domain::AuditAction::is_write))
        .map(|e| (e.action.as_str(), e.subject_kind.as_str(), e.area_code.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        writes,
        [
            ("person.create", "person", "411702001", ""),
            ("key_person.transition", "key_person", "411702001", "screened|central_observation"),
            ("key_person.create", "key_person", "411702001", "close_contact"),
            ("person.create", "person", "411702001", ""),
        ]
    );
    assert!(all.items.iter().all(|e| e.username == "officer"));
    // Each filter narrows: by actor, action, record, area and time.
    let by = |filter: AuditFilter| {
        let admin = &admin;
        async move { admin.audit_log(&filter, PageRequest::default()).await.unwrap().total }
    };
    assert_eq!(by(AuditFilter { actor: Some("officer".into()), ..Default::default() }).await, all.total);
    assert_eq!(by(AuditFilter { actor: Some("nobody".into()), ..Default::default() }).await, 0);
    let transition = Some(domain::AuditAction::KeyPersonTransition);
    assert_eq!(by(AuditFilter { action: transition, ..Default::default() }).await, 1);
    let subject = Some(domain::AuditSubject::KeyPerson);
    assert_eq!(by(AuditFilter { subject, subject_id: Some(record.id.get()), ..Default::default() }).await, 2);
    let within = |code: &str| Some(Scope::of_code_str(code).unwrap());
    assert_eq!(by(AuditFilter { within: within("411702001"), ..Default::default() }).await, all.total);
    assert_eq!(by(AuditFilter { within: within("411702002"), ..Default::default() }).await, 0);
    // Outside the admin's own jurisdiction a filter finds nothing rather than widening it.
    assert_eq!(by(AuditFilter { within: within("411500"), ..Default::default() }).await, 0);
    let later = Some(START + 86_400);
    assert_eq!(by(AuditFilter { from: later, ..Default::default() }).await, 2);
    assert_eq!(by(AuditFilter { to: later, ..Default::default() }).await, 2);
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
            writes_are_audited_with_actor_subject_and_area,
            ];
            [
            ]
        );
    };
}
