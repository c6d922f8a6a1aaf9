use std::sync::{Arc, RwLock};

use domain::Durations;
use jiff::civil::Date;

use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::handle::Handle;
use crate::model::*;

/// Where "now" comes from; tests move it to make releases fall due.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_second())
}

/// The opened database. Cheap to clone. Unscoped operations (login, jobs, loading) live here;
/// everything that reads or writes personal data goes through [`Db::handle`].
#[derive(Clone)]
pub struct Db {
    backend: Arc<dyn Backend>,
    durations: Arc<RwLock<Durations>>,
    clock: Clock,
}

const DURATION_KEYS: [&str; 5] = [
    "durations.home_isolation_days",
    "durations.central_isolation_days",
    "durations.epidemic_area_observation_days",
    "durations.post_discharge_days",
    "durations.health_monitoring_days",
];

fn duration_fields(d: &mut Durations) -> [&mut u16; 5] {
    [
        &mut d.home_isolation_days,
        &mut d.central_isolation_days,
        &mut d.epidemic_area_observation_days,
        &mut d.post_discharge_days,
        &mut d.health_monitoring_days,
    ]
}

impl Db {
    /// Wraps an opened, migrated backend and loads its settings.
    pub async fn open(backend: Arc<dyn Backend>, clock: Clock) -> Result<Db> {
        let mut durations = Durations::default();
        let stored = backend.settings().await?;
        for (key, field) in DURATION_KEYS.iter().zip(duration_fields(&mut durations)) {
            if let Some((_, value)) = stored.iter().find(|(k, _)| k == key) {
                *field = value.parse().map_err(|_| {
                    StoreError::Backend(format!("setting {key} is not a number: {value}"))
                })?;
            }
        }
        Ok(Db {
            backend,
            durations: Arc::new(RwLock::new(durations)),
            clock,
        })
    }

    pub fn kind(&self) -> &'static str {
        self.backend.kind()
    }

    pub fn now(&self) -> Instant {
        (self.clock)()
    }

    pub fn durations(&self) -> Durations {
        self.durations.read().map(|d| d.clone()).unwrap_or_default()
    }

    pub async fn set_durations(&self, durations: Durations) -> Result<()> {
        let mut copy = durations.clone();
        for (key, value) in DURATION_KEYS.iter().zip(duration_fields(&mut copy)) {
            if *value == 0 {
                return Err(StoreError::Invalid {
                    field: "durations",
                    message: format!("{key} must be at least one day"),
                });
            }
            self.backend.put_setting(key, &value.to_string()).await?;
        }
        if let Ok(mut current) = self.durations.write() {
            *current = durations;
        }
        Ok(())
    }

    /// A handle bound to `actor`'s role and jurisdiction.
    pub fn handle(&self, actor: Actor) -> Handle {
        Handle::new(self.backend.clone(), self.clone(), actor)
    }

    pub async fn create_user(&self, user: NewUser) -> Result<Id> {
        if domain::Scope::of_code_str(&user.area_code).is_none() {
            return Err(StoreError::Invalid {
                field: "area_code",
                message: format!("{} is not a division or grid code", user.area_code),
            });
        }
        self.backend.create_user(user, self.now()).await
    }

    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        self.backend.credentials(username).await
    }

    pub async fn insert_session(
        &self,
        token_digest: &str,
        user_id: Id,
        expires_at: Instant,
    ) -> Result<()> {
        self.backend
            .insert_session(token_digest, user_id, self.now(), expires_at)
            .await
    }

    pub async fn session_user(&self, token_digest: &str) -> Result<Option<User>> {
        self.backend.session_user(token_digest, self.now()).await
    }

    pub async fn delete_session(&self, token_digest: &str) -> Result<()> {
        self.backend.delete_session(token_digest).await
    }

    /// The daily job: every release that falls due becomes a task; nobody is released silently.
    pub async fn open_release_tasks(&self, today: Date) -> Result<u64> {
        self.backend.open_release_tasks(today, self.now()).await
    }

    pub async fn insert_grids(&self, grids: &[NewGrid]) -> Result<()> {
        self.backend.insert_grids(grids).await
    }

    pub async fn insert_grid_workers(&self, workers: &[NewGridWorker]) -> Result<()> {
        self.backend.insert_grid_workers(workers).await
    }

    pub async fn insert_households(&self, households: &[NewHousehold]) -> Result<Vec<Id>> {
        self.backend.insert_households(households).await
    }

    pub async fn bulk_insert_persons(&self, persons: &[BulkPerson]) -> Result<Vec<Id>> {
        self.backend.bulk_insert_persons(persons, self.now()).await
    }

    pub async fn bulk_insert_key_persons(&self, records: &[BulkKeyPerson]) -> Result<()> {
        self.backend
            .bulk_insert_key_persons(records, self.now())
            .await
    }

    pub async fn optimize(&self) -> Result<()> {
        self.backend.optimize().await
    }
}
