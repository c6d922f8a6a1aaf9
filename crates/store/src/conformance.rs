#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed step should stop the test loudly

//! The story every backend must pass, run by each backend crate's own tests on a fresh database:
//! `store::conformance_tests!(fresh_backend);` expands to one `#[tokio::test]` per case.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use domain::{
    AreaCode, GridCode, KeyClass, MeasureKind, PersonName, Phone, ResidentId, Role, Scope, Severity, Source, State,
    Status,
};

use crate::*;

mod checkpoints;
mod identity;
mod lists;
mod tracing;
pub use checkpoints::*;
pub use identity::*;
pub use lists::*;
pub use tracing::*;

/// 2020-02-01 08:00 Asia/Shanghai.
pub const START: Instant = 1_580_515_200;
const DAY: Instant = 86_400;

/// A database on a clock the test moves.
pub struct Fixture {
    pub db: Db,
    pub clock: Arc<AtomicI64>,
}

impl Fixture {
    pub async fn new(backend: Arc<dyn Backend>) -> Fixture {
        let clock = Arc::new(AtomicI64::new(START));
        let read = clock.clone();
        let db = Db::open(backend, Arc::new(move || read.load(Ordering::SeqCst))).await.expect("open db");
        Fixture { db, clock }
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.fetch_add(days * DAY, Ordering::SeqCst);
    }

    /// A user of `role` governing `area`, and a handle for it.
    pub async fn handle(&self, username: &str, role: Role, area: &str) -> Handle {
        let id = self
            .db
            .create_user(NewUser {
                username: username.into(),
                display_name: username.into(),
                password_hash: "not-a-hash".into(),
                role,
                area_code: area.into(),
            })
            .await
            .expect("create user");
        let scope = Scope::of_code_str(area).expect("scope");
        self.db.handle(Actor {
            user_id: id,
            username: username.into(),
            role,
            scope,
            remote_addr: Some("127.0.0.1".into()),
        })
    }
}

/// A valid resident ID for `region` with a serial that makes it unique.
pub fn resident_id(region: &str, serial: u32) -> ResidentId {
    let first17 = format!("{region}19850312{:03}", serial % 1000);
    let check = domain::check_digit(&first17).expect("digits");
    ResidentId::parse(&format!("{first17}{check}")).expect("valid id")
}

pub fn new_person(region: &str, serial: u32, name: &str, area: &str) -> NewPerson {
    NewPerson {
        id_number: resident_id(region, serial),
        name: PersonName::parse(name).expect("name"),
        phone: Some(Phone::parse(&format!("1380000{:04}", serial)).expect("phone")),
        place: Place { area: AreaCode::parse(area).expect("area"), grid: None },
    }
}

fn new_key_person(person_id: Id, class: KeyClass) -> NewKeyPerson {
    NewKeyPerson {
        arrival_risk: None,
        person_id,
        class,
        source: Source::GridScreening,
        cadre_name: None,
        cadre_phone: None,
        reason: "网格排查".into(),
    }
}

fn to(status: Status) -> TransitionRequest {
    TransitionRequest {
        to: State { status, severity: None },
        reason: format!("转为 {}", status.as_str()),
        measure: None,
        site: None,
    }
}

fn confirmed(severity: Severity) -> TransitionRequest {
    TransitionRequest {
        to: State { status: Status::Confirmed, severity: Some(severity) },
        reason: "核酸检测阳性".into(),
        measure: None,
        site: Some("市中心医院".into()),
    }
}

fn idem(key: &str, digest: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey { key: key.into(), request_digest: digest.into() })
}

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

pub async fn key_person_lifecycle_keeps_an_append_only_history(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 4, "赵六", "411702001"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    let path = [
        to(Status::CentralObservation),
        to(Status::Suspected),
        confirmed(Severity::Mild),
        confirmed(Severity::Severe),
        to(Status::Cured),
        to(Status::PostDischargeIsolation),
        to(Status::Released),
    ];
    for step in path.iter().cloned() {
        f.advance_days(1);
        officer.transition_key_person(record.id, step, None).await.unwrap();
    }
    let detail = officer.key_person(record.id).await.unwrap();
    assert_eq!(detail.record.state, State { status: Status::Released, severity: None });
    assert_eq!(detail.record.measure, None);
    let statuses: Vec<_> = detail.history.iter().map(|e| e.to.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Screened,
            Status::CentralObservation,
            Status::Suspected,
            Status::Confirmed,
            Status::Confirmed,
            Status::Cured,
            Status::PostDischargeIsolation,
            Status::Released
        ]
    );
    assert_eq!(detail.history[0].from, None);
    assert_eq!(detail.history[4].from, Some(State { status: Status::Confirmed, severity: Some(Severity::Mild) }));
    assert!(detail.history.iter().all(|e| e.actor == "officer" && !e.reason.is_empty()));
    assert!(detail.history.windows(2).all(|w| w[0].at <= w[1].at));
    // The projection equals a replay of the log.
    let replayed =
        domain::replay(detail.history[0].to, &detail.history[1..].iter().map(|e| e.to).collect::<Vec<_>>()).unwrap();
    assert_eq!(replayed, detail.record.state);
    // Central isolation, then hospital treatment, then post-discharge isolation: all ended.
    let kinds: Vec<_> = detail.measures.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MeasureKind::CentralIsolation, MeasureKind::HospitalTreatment, MeasureKind::CentralIsolation]);
    assert!(detail.measures.iter().all(|m| m.actual_end.is_some()));
    assert_eq!(detail.measures[1].site.as_deref(), Some("市中心医院"));
}

pub async fn illegal_transitions_change_nothing(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 5, "孙七", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
    let err = officer.transition_key_person(record.id, to(Status::Cured), None).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("screened") && message.contains("cured"), "{message}");
    let mut blank = to(Status::FeverObservation);
    blank.reason = " ".into();
    assert!(matches!(
        officer.transition_key_person(record.id, blank, None).await,
        Err(StoreError::Invalid { field: "reason", .. })
    ));
    let detail = officer.key_person(record.id).await.unwrap();
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.record.state.status, Status::Screened);
    assert!(detail.measures.is_empty());
}

pub async fn one_open_record_per_person(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 6, "周八", "411702"), None).await.unwrap();
    let first = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    let second = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await;
    assert!(matches!(second, Err(StoreError::Conflict { field: "person_id", .. })), "{second:?}");
    officer.transition_key_person(first.id, to(Status::HomeObservation), None).await.unwrap();
    officer.transition_key_person(first.id, to(Status::Released), None).await.unwrap();
    // Released: a new exposure opens a new card.
    officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
}

pub async fn officers_never_see_records_outside_their_prefix(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let yicheng = f.handle("yicheng", Role::AreaOfficer, "411702").await;
    let xiping = f.handle("xiping", Role::AreaOfficer, "411721").await;
    let city = f.handle("city", Role::Admin, "411700").await;
    let other_city = f.handle("xinyang", Role::Admin, "411500").await;
    let mine = yicheng.create_person(new_person("411702", 7, "吴九", "411702"), None).await.unwrap();
    let theirs = xiping.create_person(new_person("411721", 8, "郑十", "411721"), None).await.unwrap();
    let my_record = yicheng.create_key_person(new_key_person(mine.id, KeyClass::CloseContact), None).await.unwrap();
    let their_record = xiping.create_key_person(new_key_person(theirs.id, KeyClass::CloseContact), None).await.unwrap();
    // Reading, listing, transitioning and linking across the boundary all fail as "absent".
    assert!(matches!(yicheng.key_person(their_record.id).await, Err(StoreError::NotFound)));
    assert!(matches!(
        yicheng.transition_key_person(their_record.id, to(Status::HomeObservation), None).await,
        Err(StoreError::NotFound)
    ));
    let linked = yicheng.create_key_person(new_key_person(theirs.id, KeyClass::Fever), None).await;
    assert!(matches!(linked, Err(StoreError::Invalid { field: "person_id", .. })), "{linked:?}");
    let listed = yicheng.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!((listed.total, listed.items.iter().map(|k| k.id).collect::<Vec<_>>()), (1, vec![my_record.id]));
    // Asking for a wider area than one governs never widens the view.
    let widened = KeyPersonFilter { within: Some(Scope::of_code_str("411700").unwrap()), ..Default::default() };
    assert_eq!(yicheng.key_persons(&widened, PageRequest::default()).await.unwrap().total, 1);
    let sideways = KeyPersonFilter { within: Some(Scope::of_code_str("411721").unwrap()), ..Default::default() };
    assert_eq!(yicheng.key_persons(&sideways, PageRequest::default()).await.unwrap().total, 0);
    // The prefecture sees both; another prefecture sees neither.
    assert_eq!(city.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 2);
    assert_eq!(city.key_persons(&sideways, PageRequest::default()).await.unwrap().total, 1);
    assert_eq!(other_city.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert!(matches!(other_city.key_person(my_record.id).await, Err(StoreError::NotFound)));
}

pub async fn lists_filter_and_page(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let grid = GridCode::parse("411702001001").unwrap();
    for serial in 0..7u32 {
        let mut new = new_person("411702", 100 + serial, "钱一", "411702001001");
        if serial % 2 == 0 {
            new.place.grid = Some(grid.clone());
        }
        let person = officer.create_person(new, None).await.unwrap();
        let class = if serial < 3 { KeyClass::Fever } else { KeyClass::CloseContact };
        let record = officer.create_key_person(new_key_person(person.id, class), None).await.unwrap();
        if serial < 2 {
            officer.transition_key_person(record.id, to(Status::FeverObservation), None).await.unwrap();
        }
    }
    let fever = KeyPersonFilter { class: Some(KeyClass::Fever), ..Default::default() };
    assert_eq!(officer.key_persons(&fever, PageRequest::default()).await.unwrap().total, 3);
    let observed = KeyPersonFilter { status: Some(Status::FeverObservation), ..Default::default() };
    let found = officer.key_persons(&observed, PageRequest::default()).await.unwrap();
    assert_eq!(found.total, 2);
    assert!(found.items.iter().all(|k| k.state.status == Status::FeverObservation && k.class == KeyClass::Fever));
    let in_grid = KeyPersonFilter { grid: Some(grid), ..Default::default() };
    assert_eq!(officer.key_persons(&in_grid, PageRequest::default()).await.unwrap().total, 4);
    let page2 = officer.key_persons(&KeyPersonFilter::default(), PageRequest::new(2, 3)).await.unwrap();
    assert_eq!((page2.total, page2.items.len(), page2.page), (7, 3, 2));
    let page3 = officer.key_persons(&KeyPersonFilter::default(), PageRequest::new(3, 3)).await.unwrap();
    assert_eq!(page3.items.len(), 1);
    let mut all: Vec<_> = page2.items.iter().chain(&page3.items).map(|k| k.id).collect();
    all.dedup();
    assert_eq!(all.len(), 4, "pages do not overlap");
}

pub async fn idempotent_creates_make_one_record(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 9, "冯一", "411702"), idem("p-1", "d1")).await.unwrap();
    let replay = officer.create_person(new_person("411702", 9, "冯一", "411702"), idem("p-1", "d1")).await.unwrap();
    assert_eq!(replay, Created { id: person.id, created: false });
    let record =
        officer.create_key_person(new_key_person(person.id, KeyClass::Fever), idem("k-1", "d2")).await.unwrap();
    let again = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), idem("k-1", "d2")).await.unwrap();
    assert_eq!(again.id, record.id);
    let moved =
        officer.transition_key_person(record.id, to(Status::FeverObservation), idem("t-1", "d3")).await.unwrap();
    let moved_again =
        officer.transition_key_person(record.id, to(Status::FeverObservation), idem("t-1", "d3")).await.unwrap();
    assert_eq!(moved_again.id, moved.id);
    assert_eq!(officer.key_person(record.id).await.unwrap().history.len(), 2);
    let other_body = officer.transition_key_person(record.id, to(Status::Excluded), idem("t-1", "other")).await;
    assert!(matches!(other_body, Err(StoreError::IdempotencyMismatch)), "{other_body:?}");
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 1);
}

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
            ("officer", "key_person.read", Some(record.id)),
            ("officer", "person.read", Some(person.id))
        ]
    );
    assert!(log.items.iter().all(|e| e.remote_addr.as_deref() == Some("127.0.0.1") && e.at == START));
    assert!(matches!(officer.audit_log(PageRequest::default()).await, Err(StoreError::Forbidden { .. })));
    assert_eq!(other_admin.audit_log(PageRequest::default()).await.unwrap().total, 0);
}

pub async fn roles_are_enforced_by_the_handle(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 12, "卫四", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::Fever), None).await.unwrap();
    let citizen = f.handle("citizen", Role::Citizen, "411702").await;
    let checkpoint = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    let grid_worker = f.handle("grid", Role::GridWorker, "411702").await;
    assert!(matches!(citizen.person(person.id).await, Err(StoreError::Forbidden { .. })));
    assert!(matches!(checkpoint.key_person(record.id).await, Err(StoreError::Forbidden { .. })));
    assert!(matches!(
        grid_worker.transition_key_person(record.id, to(Status::FeverObservation), None).await,
        Err(StoreError::Forbidden { .. })
    ));
    assert!(grid_worker.key_person(record.id).await.is_ok());
}

pub async fn grids_hold_households_and_workers(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let township = GridCode::parse("411702001").unwrap();
    let village = GridCode::parse("411702001001").unwrap();
    let compound = village.child(1).unwrap();
    let unit = compound.child(1).unwrap();
    let grids: Vec<_> =
        [(&township, "顺河街道"), (&village, "顺河社区"), (&compound, "幸福小区"), (&unit, "1号楼联防组")]
            .into_iter()
            .map(|(code, name)| NewGrid { code: code.clone(), name: name.into() })
            .collect();
    f.db.insert_grids(&grids).await.unwrap();
    f.db.insert_households(&[
        NewHousehold { grid: unit.clone(), address: "1号楼101".into() },
        NewHousehold { grid: unit.clone(), address: "1号楼102".into() },
    ])
    .await
    .unwrap();
    f.db.insert_grid_workers(&[NewGridWorker {
        grid: compound.clone(),
        name: PersonName::parse("蒋五").unwrap(),
        phone: Phone::parse("13900000001").unwrap(),
        user_id: None,
    }])
    .await
    .unwrap();
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let top = officer.grid_children("411702").await.unwrap();
    assert_eq!(top.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(), [township.as_str()]);
    assert_eq!(top[0].households, 2);
    let got = officer.grid(compound.as_str()).await.unwrap();
    assert_eq!((got.level, got.name.as_str(), got.households), (3, "幸福小区", 2));
    assert_eq!(got.workers[0].name, "蒋五");
    assert_eq!(officer.grid_children(compound.as_str()).await.unwrap()[0].code, unit.as_str());
    let worker = f.handle("worker", Role::GridWorker, unit.as_str()).await;
    assert!(worker.grid(unit.as_str()).await.is_ok());
    assert!(matches!(worker.grid(compound.as_str()).await, Err(StoreError::NotFound)));
    let elsewhere = f.handle("elsewhere", Role::AreaOfficer, "411721").await;
    assert!(matches!(elsewhere.grid(village.as_str()).await, Err(StoreError::NotFound)));
}

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

pub async fn durations_are_settings(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend.clone()).await;
    let mut durations = f.db.durations();
    assert_eq!(durations, domain::Durations::default());
    durations.home_isolation_days = 7;
    f.db.set_durations(durations.clone()).await.unwrap();
    let reopened = Fixture::new(backend).await;
    assert_eq!(reopened.db.durations(), durations);
    let officer = reopened.handle("officer", Role::AreaOfficer, "411702").await;
    let person = officer.create_person(new_person("411702", 13, "沈六", "411702"), None).await.unwrap();
    let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
    officer.transition_key_person(record.id, to(Status::HomeObservation), None).await.unwrap();
    let measure = officer.key_person(record.id).await.unwrap().record.measure.unwrap();
    assert_eq!(measure.planned_end, measure.start.checked_add(jiff::Span::new().days(7)).ok());
}

fn new_venue(token: &str, name: &str, area: &str) -> NewVenue {
    NewVenue {
        token: token.into(),
        name: name.into(),
        kind: domain::VenueKind::Market,
        address: "解放路1号".into(),
        place: Place { area: AreaCode::parse(area).expect("area"), grid: None },
        owner_name: None,
        owner_phone: None,
    }
}

fn checkin(token: &str, serial: u32, temperature: Option<&str>) -> CheckinRequest {
    CheckinRequest {
        venue_token: token.into(),
        id_number: resident_id("411702", serial),
        name: PersonName::parse("顾客").expect("name"),
        phone: Some(Phone::parse("13900000000").expect("phone")),
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        idempotency: None,
    }
}

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

pub async fn checkins_are_idempotent_within_the_window(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-shop", "超市", "411702001")).await.unwrap();
    let first = f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap();
    assert!(!first.duplicate && !first.fever);
    // A double tap and a re-submit five minutes later are the same check-in.
    let tap = f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap();
    assert_eq!((tap.id, tap.duplicate), (first.id, true));
    f.clock.fetch_add(300, Ordering::SeqCst);
    assert_eq!(f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap().id, first.id);
    // Past the window (10 minutes by default) it is a new visit.
    f.clock.fetch_add(301, Ordering::SeqCst);
    let later = f.db.check_in(checkin("tok-shop", 1, None)).await.unwrap();
    assert!(!later.duplicate && later.id != first.id);
    // The person was registered once, at the venue's area, and is found by staff there.
    let found = officer.search_persons(resident_id("411702", 1).as_str(), 10).await.unwrap();
    assert_eq!((found.len(), found[0].area_code.as_str()), (1, "411702001"));
    // An Idempotency-Key replays; with another body it is refused.
    let mut keyed = checkin("tok-shop", 2, None);
    keyed.idempotency = Some(IdempotencyKey { key: "phone-1-visit-1".into(), request_digest: "d".into() });
    let a = f.db.check_in(keyed.clone()).await.unwrap();
    let b = f.db.check_in(keyed.clone()).await.unwrap();
    assert_eq!((a.id, b.duplicate), (b.id, true));
    keyed.idempotency = Some(IdempotencyKey { key: "phone-1-visit-1".into(), request_digest: "other".into() });
    assert!(matches!(f.db.check_in(keyed).await, Err(StoreError::IdempotencyMismatch)));
}

pub async fn a_bad_checkin_fails_alone_in_its_batch(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-station", "汽车站", "411702")).await.unwrap();
    let requests: Vec<_> = (0..50u32)
        .map(|n| if n == 25 { checkin("no-such-venue", n, None) } else { checkin("tok-station", n, None) })
        .collect();
    let results = futures_join(f.db.clone(), requests).await;
    let failed: Vec<_> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
    assert_eq!(failed, [25]);
    assert!(matches!(results[25], Err(StoreError::Invalid { field: "venue_token", .. })));
    let mut ids: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 49, "every good check-in written once");
    // A code unknown a moment ago works once its venue is registered (nothing remembered the miss),
    // and the persons the batch registered are the same persons next time.
    officer.create_venue(new_venue("no-such-venue", "新开药店", "411702")).await.unwrap();
    let late = f.db.check_in(checkin("no-such-venue", 25, None)).await.unwrap();
    assert_eq!(late.venue_name, "新开药店");
    let again = f.db.check_in(checkin("no-such-venue", 3, None)).await.unwrap();
    let earlier = results[3].as_ref().unwrap();
    assert_eq!(again.person_id, earlier.person_id);
    let found = officer.search_persons(resident_id("411702", 3).as_str(), 10).await.unwrap();
    assert_eq!(found.len(), 1, "one person per ID number");
}

pub async fn simultaneous_repeats_are_one_checkin(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-gate", "小区大门", "411702")).await.unwrap();
    // Ten taps at once, some with the same Idempotency-Key: they land in the same batches.
    let requests: Vec<_> = (0..10u32)
        .map(|n| {
            let mut request = checkin("tok-gate", 77, None);
            if n % 2 == 0 {
                request.idempotency = Some(IdempotencyKey { key: "tap".into(), request_digest: "same".into() });
            }
            request
        })
        .collect();
    let results = futures_join(f.db.clone(), requests).await;
    let ids: std::collections::BTreeSet<_> = results.iter().map(|r| r.as_ref().map(|r| r.id).unwrap()).collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| !r.as_ref().unwrap().duplicate).count(), 1);
}

/// Submits all at once, as many phones would, so they share batches.
async fn futures_join(db: Db, requests: Vec<CheckinRequest>) -> Vec<Result<CheckinReceipt>> {
    let handles: Vec<_> = requests
        .into_iter()
        .map(|r| {
            let db = db.clone();
            tokio::spawn(async move { db.check_in(r).await })
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.expect("task"));
    }
    results
}

pub async fn a_fever_at_a_venue_opens_one_record_and_one_transfer(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-pharmacy", "大药房", "411702001")).await.unwrap();
    // A registered resident (a fever typed by someone nobody vouched for is a lead: `identity`).
    let mut resident = new_person("411702", 3, "顾客", "411702001");
    resident.phone = Some(Phone::parse("13900000000").expect("phone"));
    officer.create_person(resident, None).await.unwrap();
    let normal = f.db.check_in(checkin("tok-pharmacy", 3, Some("36.8"))).await.unwrap();
    assert!(!normal.fever);
    assert_eq!(officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    f.clock.fetch_add(3600, Ordering::SeqCst);
    let hot = f.db.check_in(checkin("tok-pharmacy", 3, Some("38.2"))).await.unwrap();
    assert!(hot.fever);
    // Measured again an hour later, still hot: the same episode.
    f.clock.fetch_add(3600, Ordering::SeqCst);
    assert!(f.db.check_in(checkin("tok-pharmacy", 3, Some("38.0"))).await.unwrap().fever);
    let records = officer.key_persons(&KeyPersonFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(records.total, 1);
    let record = &records.items[0];
    assert_eq!((record.class, record.source, record.state.status), (KeyClass::Fever, Source::Venue, Status::Screened));
    let history = officer.key_person(record.id).await.unwrap().history;
    assert!(history[0].reason.contains("38.2") && history[0].reason.contains("大药房"), "{}", history[0].reason);
    let tasks = officer.tasks(None, true, PageRequest::default()).await.unwrap();
    assert_eq!(
        tasks.items.iter().map(|t| (t.kind, t.key_person_id)).collect::<Vec<_>>(),
        [(TaskKind::FeverTransfer, record.id)]
    );
    // Taken to the fever clinic: the task closes; a new fever later is a new transfer.
    officer.transition_key_person(record.id, to(Status::FeverObservation), None).await.unwrap();
    assert_eq!(officer.tasks(None, true, PageRequest::default()).await.unwrap().total, 0);
}

pub async fn purge_removes_exactly_the_expired_checkins(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-old", "老街", "411702")).await.unwrap();
    for serial in 0..3 {
        f.db.check_in(checkin("tok-old", serial, None)).await.unwrap();
    }
    f.advance_days(20);
    for serial in 3..5 {
        f.db.check_in(checkin("tok-old", serial, None)).await.unwrap();
    }
    f.advance_days(8);
    // The first three are 28 days and a moment old, the last two 8 days.
    f.clock.fetch_add(1, Ordering::SeqCst);
    assert_eq!(f.db.purge_expired().await.unwrap(), 3);
    assert_eq!(f.db.purge_expired().await.unwrap(), 0);
}

/// Opens another backend on the same database, as a restarted process would.
pub type Reopen =
    Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Arc<dyn Backend>> + Send>> + Send + Sync>;

pub async fn checkins_reach_the_trail_across_a_restart(backend: Arc<dyn Backend>, reopen: Reopen) {
    let f = Fixture::new(backend.clone()).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    officer.create_venue(new_venue("tok-clinic", "社区诊所", "411702001")).await.unwrap();
    // Copied into the trail: a repeat within the window is found there.
    let copied = f.db.check_in(checkin("tok-clinic", 1, Some("36.5"))).await.unwrap();
    backend.settle_checkins().await.unwrap();
    let again = f.db.check_in(checkin("tok-clinic", 1, None)).await.unwrap();
    assert_eq!((again.id, again.duplicate), (copied.id, true));
    // Written but not yet copied when the process stops: the next process copies it at open,
    // so the repeat is still the same check-in.
    let uncopied = f.db.check_in(checkin("tok-clinic", 2, None)).await.unwrap();
    drop(f);
    drop(backend);
    let restarted = Fixture::new(reopen().await).await;
    let repeat = restarted.db.check_in(checkin("tok-clinic", 2, None)).await.unwrap();
    assert_eq!((repeat.id, repeat.duplicate), (uncopied.id, true));
    // A bulk load goes into the trail with its rows.
    let stored = restarted.db.checkins_footprint().await.unwrap();
    assert_eq!(stored.rows, 2);
    a_bulk_load_counts_for_the_dedupe(&restarted).await;
}

/// A check-in loaded in bulk a minute ago makes a live one by the same person a repeat.
async fn a_bulk_load_counts_for_the_dedupe(f: &Fixture) {
    let venue = f.db.venue_by_token("tok-clinic").await.unwrap().unwrap();
    let person = f.db.check_in(checkin("tok-clinic", 3, None)).await.unwrap().person_id;
    f.clock.fetch_add(3_600, Ordering::SeqCst);
    let now = f.db.now();
    f.db.bulk_insert_checkins(&[BulkCheckin {
        venue_id: venue.id,
        person_id: person,
        area_code: venue.area_code.clone(),
        t_in: now - 60,
        t_out: None,
        temperature: None,
    }])
    .await
    .unwrap();
    let live = f.db.check_in(checkin("tok-clinic", 3, None)).await.unwrap();
    assert!(live.duplicate, "{live:?}");
}

fn visit(key_person_id: Id, slot: domain::VisitSlot, temperature: Option<&str>) -> NewFollowUp {
    NewFollowUp {
        key_person_id,
        day: domain::shanghai_date(START),
        slot,
        temperature: temperature.map(|t| domain::Temperature::parse(t).expect("temperature")),
        note: "在家，情况稳定".into(),
    }
}

pub async fn home_follow_ups_fill_the_day_and_a_fever_opens_one_transfer(backend: Arc<dyn Backend>) {
    use domain::{FollowUpGap, VisitSlot};
    let f = Fixture::new(backend).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let grid = f.handle("grid", Role::GridWorker, "411702001").await;
    let mut records = Vec::new();
    for (serial, name, area, status) in [
        (21, "钱七", "411702001", Status::HomeObservation),
        (22, "孙八", "411702001", Status::CentralObservation),
        (23, "李九", "411702002", Status::HomeObservation),
    ] {
        let person = officer.create_person(new_person("411702", serial, name, area), None).await.unwrap();
        let record = officer.create_key_person(new_key_person(person.id, KeyClass::CloseContact), None).await.unwrap();
        officer.transition_key_person(record.id, to(status), None).await.unwrap();
        records.push(record.id);
    }
    let (at_home, central, next_village) = (records[0], records[1], records[2]);
    let today = domain::shanghai_date(START);

    // The grid worker's sheet: only the person at home in the worker's own area.
    let sheet = grid.follow_up_sheet(today).await.unwrap();
    assert_eq!(sheet.iter().map(|l| (l.key_person_id, l.name.as_str())).collect::<Vec<_>>(), [(at_home, "钱七")]);
    assert_eq!(sheet[0].measure, MeasureKind::HomeIsolation);
    assert_eq!(sheet[0].day().gaps(8 * 60), vec![], "08:00: nothing is late yet");
    assert_eq!(officer.follow_up_sheet(today).await.unwrap().len(), 2);

    let morning = grid.record_follow_up(visit(at_home, VisitSlot::Morning, Some("36.6"))).await.unwrap();
    assert!(!morning.duplicate && !morning.fever);
    let again = grid.record_follow_up(visit(at_home, VisitSlot::Morning, Some("36.6"))).await.unwrap();
    assert_eq!((again.id, again.duplicate), (morning.id, true), "a double tap is the same visit");
    let sheet = grid.follow_up_sheet(today).await.unwrap();
    assert_eq!(sheet[0].visits.len(), 1);
    assert_eq!(sheet[0].visits[0].recorded_by, "grid");
    // At 15:00 the noon visit is missing; the morning temperature covers what is due so far.
    assert_eq!(sheet[0].day().gaps(15 * 60), vec![FollowUpGap::Visit(VisitSlot::Noon)]);

    // A fever at the noon visit: the open record gets one transfer task; a second hot reading in
    // the evening is the same episode.
    assert!(grid.record_follow_up(visit(at_home, VisitSlot::Noon, Some("37.6"))).await.unwrap().fever);
    assert!(grid.record_follow_up(visit(at_home, VisitSlot::Evening, Some("38.1"))).await.unwrap().fever);
    let tasks = officer.tasks(None, true, PageRequest::default()).await.unwrap();
    assert_eq!(
        tasks.items.iter().map(|t| (t.kind, t.key_person_id)).collect::<Vec<_>>(),
        [(TaskKind::FeverTransfer, at_home)]
    );
    let sheet = grid.follow_up_sheet(today).await.unwrap();
    assert!(sheet[0].day().complete());
    assert_eq!(sheet[0].day().gaps(24 * 60), vec![]);

    // Not under home isolation, not in the worker's area, not the worker's role, not today.
    let refused = grid.record_follow_up(visit(central, VisitSlot::Morning, None)).await.unwrap_err();
    assert!(matches!(refused, StoreError::Invalid { field: "key_person_id", .. }), "{refused:?}");
    let hidden = grid.record_follow_up(visit(next_village, VisitSlot::Morning, None)).await.unwrap_err();
    assert!(matches!(hidden, StoreError::NotFound), "{hidden:?}");
    let checkpoint = f.handle("checkpoint", Role::CheckpointStaff, "411702").await;
    let forbidden = checkpoint.record_follow_up(visit(at_home, VisitSlot::Noon, None)).await.unwrap_err();
    assert!(matches!(forbidden, StoreError::Forbidden { .. }), "{forbidden:?}");
    let mut tomorrow = visit(at_home, VisitSlot::Morning, None);
    tomorrow.day = today.tomorrow().unwrap();
    let refused = grid.record_follow_up(tomorrow).await.unwrap_err();
    assert!(matches!(refused, StoreError::Invalid { field: "day", .. }), "{refused:?}");
    // The follow-up sheet reads names: audited.
    let audit = f.handle("admin", Role::Admin, "411700").await.audit_log(PageRequest::default()).await.unwrap();
    assert!(audit.items.iter().any(|e| e.action == "follow_up.sheet" && e.username == "grid"));
}

/// Expands to one `#[tokio::test]` per conformance case, each on a backend from `$fresh`
/// (an async fn returning `Arc<dyn store::Backend>` on a new, empty database); the restart cases
/// take `$reopenable`, which returns such a backend and a way to open it again.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@reopen $reopenable; checkins_reach_the_trail_across_a_restart);
        $crate::conformance_tests!($fresh);
    };
    ($fresh:path) => {
        $crate::conformance_tests!(@cases $fresh;
            persons_are_deduplicated_by_id_number,
            persons_outside_the_jurisdiction_are_invisible,
            key_person_lifecycle_keeps_an_append_only_history,
            illegal_transitions_change_nothing,
            one_open_record_per_person,
            officers_never_see_records_outside_their_prefix,
            lists_filter_and_page,
            idempotent_creates_make_one_record,
            releases_fall_due_as_tasks,
            reads_of_personal_data_are_audited,
            roles_are_enforced_by_the_handle,
            grids_hold_households_and_workers,
            sessions_expire,
            durations_are_settings,
            venues_are_scoped_and_found_by_token,
            checkins_are_idempotent_within_the_window,
            a_bad_checkin_fails_alone_in_its_batch,
            simultaneous_repeats_are_one_checkin,
            a_fever_at_a_venue_opens_one_record_and_one_transfer,
            purge_removes_exactly_the_expired_checkins,
            home_follow_ups_fill_the_day_and_a_fever_opens_one_transfer,
            an_outbreak_yields_exactly_the_planted_points_and_contacts,
            reported_places_complete_the_trajectory,
            an_arrivals_code_follows_the_risk_of_the_area_it_came_from,
            a_list_matches_by_id_then_phone_then_name_and_area,
            leads_are_verified_once_and_overdue_ones_escalate,
            a_checkin_names_a_registered_person_only_with_their_identity,
            a_fever_nobody_vouched_for_is_a_lead_not_a_code,
            staged_uploads_are_kept_a_week_then_purged,
            checkpoints_and_their_ledgers_are_scoped
        );
    };
    (@reopen $reopenable:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (backend, reopen) = $reopenable().await;
                $crate::conformance::$case(backend, reopen).await;
            }
        )*
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                $crate::conformance::$case($fresh().await).await;
            }
        )*
    };
}
