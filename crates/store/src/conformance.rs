#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed step should stop the test loudly

//! The story every backend must pass, run by each backend crate's own tests on a fresh database:
//! `store::conformance_tests!(fresh_backend);` expands to one `#[tokio::test]` per case.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use domain::{
    AreaCode, GridCode, KeyClass, PersonName, Phone, ResidentId, Role, Scope, Severity, Source, State, Status,
};

use crate::*;
use domain::Code;

pub mod audit;
pub mod auth;
pub mod checkins;
pub mod checkpoints;
pub mod follow_ups;
pub mod grids;
pub mod health_codes;
pub mod investigations;
pub mod key_persons;
pub mod lists;
pub mod persons;
pub mod settings;
pub mod statistics;
pub mod tasks;
pub mod uploads;
pub mod venues;
pub mod workbench;

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
        phone: Some(Phone::parse(&format!("1380000{serial:04}")).expect("phone")),
        place: Place { area: AreaCode::parse(area).expect("area"), grid: None },
    }
}

fn new_key_person(person_id: PersonId, class: KeyClass) -> NewKeyPerson {
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

pub fn new_venue(token: &str, name: &str, area: &str) -> NewVenue {
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

/// Opens another backend on the same database, as a restarted process would.
pub type Reopen =
    Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Arc<dyn Backend>> + Send>> + Send + Sync>;

/// Expands to one `#[tokio::test]` per conformance case, in a module per capability, each on a
/// backend from `$fresh` (an async fn returning `Arc<dyn store::Backend>` on a new, empty
/// database); the restart cases take `$reopenable`, which returns such a backend and a way to
/// open it again. Each capability's module lists its own cases (`conformance_<module>!`); a new
/// capability adds one line here.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_auth!($fresh, $reopenable);
        $crate::conformance_audit!($fresh, $reopenable);
        $crate::conformance_checkins!($fresh, $reopenable);
        $crate::conformance_checkpoints!($fresh, $reopenable);
        $crate::conformance_follow_ups!($fresh, $reopenable);
        $crate::conformance_grids!($fresh, $reopenable);
        $crate::conformance_health_codes!($fresh, $reopenable);
        $crate::conformance_investigations!($fresh, $reopenable);
        $crate::conformance_key_persons!($fresh, $reopenable);
        $crate::conformance_lists!($fresh, $reopenable);
        $crate::conformance_persons!($fresh, $reopenable);
        $crate::conformance_settings!($fresh, $reopenable);
        $crate::conformance_statistics!($fresh, $reopenable);
        $crate::conformance_tasks!($fresh, $reopenable);
        $crate::conformance_uploads!($fresh, $reopenable);
        $crate::conformance_venues!($fresh, $reopenable);
        $crate::conformance_workbench!($fresh, $reopenable);
    };
    (@cases $module:ident, $fresh:path, $reopenable:path; [$($case:ident),* $(,)?]; [$($restart:ident),* $(,)?]) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $case() {
                    $crate::conformance::$module::$case($fresh().await).await;
                }
            )*
            $(
                #[tokio::test]
                async fn $restart() {
                    let (backend, reopen) = $reopenable().await;
                    $crate::conformance::$module::$restart(backend, reopen).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod listed {
    use std::collections::BTreeSet;

    /// The `pub async fn` names of a conformance module: its cases.
    fn cases_written(text: &str) -> BTreeSet<String> {
        text.split("pub async fn ").skip(1).filter_map(|rest| rest.split('(').next()).map(str::to_string).collect()
    }

    /// The names listed in a module's `conformance_<module>!` macro.
    fn cases_listed(text: &str, module: &str) -> BTreeSet<String> {
        let marker = format!("macro_rules! conformance_{module} ");
        let Some(start) = text.find(&marker) else { return BTreeSet::new() };
        let body = &text[start..];
        let body = &body[..body.find("\n}\n").unwrap_or(body.len())];
        body.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_written_case_is_listed() {
        let root = include_str!("conformance.rs");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/conformance");
        let mut modules = 0;
        for entry in std::fs::read_dir(dir).expect("conformance directory") {
            let path = entry.expect("entry").path();
            let module = path.file_stem().and_then(|s| s.to_str()).expect("file name").to_string();
            let text = std::fs::read_to_string(&path).expect("module source");
            assert!(
                root.contains(&format!("$crate::conformance_{module}!($fresh, $reopenable);")),
                "conformance/{module}.rs is not run by conformance_tests!"
            );
            let listed = cases_listed(&text, &module);
            for case in cases_written(&text) {
                assert!(
                    listed.contains(&case),
                    "{case} in conformance/{module}.rs is not listed in conformance_{module}!"
                );
            }
            modules += 1;
        }
        assert!(modules >= 15, "{modules} conformance modules found");
    }
}
