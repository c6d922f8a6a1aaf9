//! Public writes bound to an identity: a check-in names a registered person only with the
//! registered name (and mobile, where one is registered), and a fever typed by someone nobody
//! vouched for becomes a lead to verify, never a coloured code.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use domain::{Colour, KeyClass, ListKind, PersonName, Phone, Role, Source};

use super::*;

fn typed(token: &str, serial: u32, name: &str, phone: Option<&str>, temperature: Option<&str>) -> CheckinRequest {
    CheckinRequest {
        venue_token: token.into(),
        id_number: resident_id("411702", serial),
        name: PersonName::parse(name).expect("name"),
        phone: phone.map(|p| Phone::parse(p).expect("phone")),
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        idempotency: None,
    }
}

pub async fn a_checkin_names_a_registered_person_only_with_their_identity(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-mall", "万达广场", "411702001")).await.unwrap();
    // Registered by staff: 王芳, 13800000005.
    let person = officer.create_person(new_person("411702", 5, "王芳", "411702001"), None).await.unwrap().id;
    let stranger = [
        typed("tok-mall", 5, "李四", Some("13800000005"), Some("38.9")),
        typed("tok-mall", 5, "王芳", Some("13900000000"), Some("38.9")),
        typed("tok-mall", 5, "王芳", None, Some("38.9")),
    ];
    for request in stranger {
        let refused = f.db.check_in(request.clone()).await;
        assert!(matches!(refused, Err(StoreError::IdentityMismatch)), "{request:?}: {refused:?}");
    }
    // Nothing was written: no record, no task, the code is green.
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert_eq!(f.db.health_code(person).await.unwrap().1.colour, Colour::Green);
    // A refusal in a batch fails alone; the person themself is accepted, with their fever.
    let batch = futures_join(
        f.db.clone(),
        vec![
            typed("tok-mall", 5, "李四", Some("13800000005"), None),
            typed("tok-mall", 5, "王芳", Some("138 0000 0005"), Some("38.9")),
        ],
    )
    .await;
    assert!(matches!(batch[0], Err(StoreError::IdentityMismatch)), "{:?}", batch[0]);
    let own = batch[1].as_ref().unwrap();
    assert!(own.fever && own.person_id == person);
    let records = officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(
        records.items.iter().map(|r| (r.class, r.source)).collect::<Vec<_>>(),
        [(KeyClass::Fever, Source::Venue)]
    );
    assert_eq!(f.db.health_code(person).await.unwrap().1.colour, Colour::Yellow);
    // The registry holds no phone for this one: the name alone binds, any phone is accepted.
    let mut no_phone = new_person("411702", 6, "赵六", "411702001");
    no_phone.phone = None;
    officer.create_person(no_phone, None).await.unwrap();
    assert!(f.db.check_in(typed("tok-mall", 6, "赵六", Some("13700000000"), None)).await.is_ok());
    assert!(matches!(f.db.check_in(typed("tok-mall", 6, "赵七", None, None)).await, Err(StoreError::IdentityMismatch)));
}

pub async fn a_fever_nobody_vouched_for_is_a_lead_not_a_code(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-pharmacy", "大药房", "411702001")).await.unwrap();
    // An ID number the registry does not know, typed with a fever: registered as typed.
    let hot = f.db.check_in(typed("tok-pharmacy", 9, "陈七", Some("13600000009"), Some("38.6"))).await.unwrap();
    assert!(hot.fever, "the person is still told to go to the fever clinic");
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert_eq!(f.db.health_code(hot.person_id).await.unwrap().1.colour, Colour::Green);
    // The venue's grid verifies it: a lead on the day's self-report list of the county.
    let leads = officer.leads(LeadFilter::Open).await.unwrap();
    assert_eq!(leads.len(), 1, "{leads:?}");
    let lead = &leads[0];
    assert_eq!((lead.person_id, lead.area_code.as_str()), (Some(hot.person_id), "411702001"));
    assert!(lead.address.contains("大药房") && lead.address.contains("38.6"), "{}", lead.address);
    assert_eq!(lead.due_at, f.db.now() + domain::SELF_REPORT_DUE_SECONDS);
    let lists = officer.lists().await.unwrap();
    assert_eq!(
        lists.iter().map(|l| (l.kind, l.area_code.as_str(), l.counts.leads)).collect::<Vec<_>>(),
        [(ListKind::SelfReport, "411702", 1)]
    );
    // Still hot an hour later: the same open lead, not a second.
    f.clock.fetch_add(3600, Ordering::SeqCst);
    assert!(f.db.check_in(typed("tok-pharmacy", 9, "陈七", Some("13600000009"), Some("38.4"))).await.unwrap().fever);
    assert_eq!(officer.leads(LeadFilter::Open).await.unwrap().len(), 1);
    // What was typed first now binds the ID number: another name is refused.
    assert!(matches!(
        f.db.check_in(typed("tok-pharmacy", 9, "王芳", Some("13600000009"), Some("38.9"))).await,
        Err(StoreError::IdentityMismatch)
    ));
    // The grid worker found them and registered the fever: now the code is yellow.
    let verify = VerifyLead {
        outcome: domain::LeadOutcome::Registered,
        note: String::new(),
        class: Some(KeyClass::Fever),
        arrival_risk: None,
    };
    officer.verify_lead(lead.id, verify).await.unwrap();
    assert_eq!(f.db.health_code(hot.person_id).await.unwrap().1.colour, Colour::Yellow);
}
