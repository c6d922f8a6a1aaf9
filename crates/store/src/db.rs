use std::sync::{Arc, RwLock};

use domain::{Durations, FrontLine, Temperature};
use jiff::civil::Date;

use crate::audit_queue::AuditQueue;

use crate::checkin_queue::CheckinQueue;
use crate::error::{Result, StoreError};
use crate::handle::Handle;

use crate::*;

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
    frontline: Arc<RwLock<FrontLine>>,
    tracing: Arc<RwLock<domain::TracingRule>>,
    lead_due_hours: Arc<RwLock<u32>>,
    suppress_below: Arc<RwLock<u32>>,
    sessions: Arc<SessionCache>,
    audits: Arc<AuditQueue>,
    checkins: Arc<CheckinQueue>,
    clock: Clock,
}

const FEVER_THRESHOLD_KEY: &str = "frontline.fever_threshold_tenths";
const DEDUPE_KEY: &str = "frontline.checkin_dedupe_seconds";
/// How long a staged upload is kept: a week.
pub const UPLOAD_RETENTION_SECONDS: Instant = 7 * 86_400;
/// The health-code signing keys (their ids) this database's codes have been signed with.
const SIGNING_KEYS_KEY: &str = "health_code.signing_keys";
/// How far ahead of the clock check-in partitions are made: two weeks, so a missed job or two
/// never sends the day's check-ins to a catch-all partition.
const PARTITIONS_AHEAD_SECONDS: Instant = 14 * 86_400;
const RETENTION_KEY: &str = "frontline.retention_days";
const LEAD_DUE_KEY: &str = "leads.due_hours";
/// How long a grid has to verify a lead unless the setting says otherwise (SPEC §4.8).
pub const DEFAULT_LEAD_DUE_HOURS: u32 = 24;
const SUPPRESS_BELOW_KEY: &str = "statistics.suppress_below";
/// The tracing settings, in `TracingRule::parse` order.
const TRACING_KEYS: [&str; 4] =
    ["tracing.lookback_days", "tracing.min_stay_seconds", "tracing.max_stay_seconds", "tracing.overlap_seconds"];
/// How long a session found in the database is trusted without asking again. A logout in this
/// process takes effect at once; a session ended elsewhere (another process, its expiry) at most
/// this much later.
pub const SESSION_CACHE_SECONDS: Instant = 10;
/// Sessions remembered at most; past that the cache starts afresh.
const SESSION_CACHE_ENTRIES: usize = 10_000;

#[derive(Default)]
struct SessionCache {
    /// The user and when (on the store's clock) the database last vouched for the session.
    entries: std::sync::Mutex<std::collections::HashMap<String, (User, Instant)>>,
}

impl SessionCache {
    fn get(&self, digest: &str, now: Instant) -> Option<User> {
        let entries = self.entries.lock().ok()?;
        let (user, at) = entries.get(digest)?;
        (now >= *at && now - *at < SESSION_CACHE_SECONDS).then(|| user.clone())
    }

    fn put(&self, digest: &str, user: &User, now: Instant) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= SESSION_CACHE_ENTRIES {
                entries.clear();
            }
            entries.insert(digest.to_string(), (user.clone(), now));
        }
    }

    fn forget(&self, digest: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(digest);
        }
    }
}

/// How long a health code (and its token) is valid before the phone fetches it again.
pub const CODE_VALIDITY_SECONDS: i64 = 300;

fn setting<T: std::str::FromStr>(stored: &[(String, String)], key: &str) -> Result<Option<T>> {
    match stored.iter().find(|(k, _)| k == key) {
        None => Ok(None),
        Some((_, value)) => {
            value.parse().map(Some).map_err(|_| StoreError::Backend(format!("setting {key} is not valid: {value}")))
        }
    }
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
                *field = value
                    .parse()
                    .map_err(|_| StoreError::Backend(format!("setting {key} is not a number: {value}")))?;
            }
        }
        let mut frontline = FrontLine::default();
        if let Some(tenths) = setting::<i16>(&stored, FEVER_THRESHOLD_KEY)? {
            frontline.fever_threshold =
                Temperature::from_tenths(tenths).map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        if let Some(seconds) = setting(&stored, DEDUPE_KEY)? {
            frontline.checkin_dedupe_seconds = seconds;
        }
        if let Some(days) = setting(&stored, RETENTION_KEY)? {
            frontline.retention_days = days;
        }
        let frontline = Arc::new(RwLock::new(frontline));
        let defaults = domain::TracingRule::default();
        let mut tracing =
            [defaults.lookback_days, defaults.min_stay_seconds, defaults.max_stay_seconds, defaults.overlap_seconds];
        for (key, value) in TRACING_KEYS.iter().zip(tracing.iter_mut()) {
            if let Some(stored) = setting(&stored, key)? {
                *value = stored;
            }
        }
        let tracing = domain::TracingRule::parse(tracing[0], tracing[1], tracing[2], tracing[3])
            .map_err(|e| StoreError::Backend(format!("stored tracing settings: {e}")))?;
        let tracing = Arc::new(RwLock::new(tracing));
        let lead_due_hours = Arc::new(RwLock::new(setting(&stored, LEAD_DUE_KEY)?.unwrap_or(DEFAULT_LEAD_DUE_HOURS)));
        let suppress_below = Arc::new(RwLock::new(
            setting(&stored, SUPPRESS_BELOW_KEY)?.unwrap_or(domain::statistics::DEFAULT_SUPPRESS_BELOW),
        ));
        // Check-ins a stopped process wrote but never copied into the trail, before any new one.
        backend.settle_checkins().await?;
        let checkins = Arc::new(CheckinQueue::spawn(backend.clone(), frontline.clone(), clock.clone()));
        let audits = Arc::new(AuditQueue::spawn(backend.clone()));
        Ok(Db {
            backend,
            durations: Arc::new(RwLock::new(durations)),
            frontline,
            tracing,
            lead_due_hours,
            suppress_below,
            sessions: Arc::default(),
            audits,
            checkins,
            clock,
        })
    }

    /// Hours a grid has to verify a new lead.
    pub fn lead_due_hours(&self) -> u32 {
        self.lead_due_hours.read().map(|h| *h).unwrap_or(DEFAULT_LEAD_DUE_HOURS)
    }

    pub async fn set_lead_due_hours(&self, hours: u32) -> Result<()> {
        if !(1..=24 * 14).contains(&hours) {
            return Err(StoreError::invalid("due_hours", "应在 1 小时到 14 天之间", "between 1 hour and 14 days"));
        }
        self.backend.put_setting(LEAD_DUE_KEY, &hours.to_string()).await?;
        if let Ok(mut current) = self.lead_due_hours.write() {
            *current = hours;
        }
        Ok(())
    }

    /// Statistics cells under this count are suppressed (default 5).
    pub fn statistics_suppress_below(&self) -> u32 {
        self.suppress_below.read().map(|t| *t).unwrap_or(domain::statistics::DEFAULT_SUPPRESS_BELOW)
    }

    pub async fn set_statistics_suppress_below(&self, threshold: u32) -> Result<()> {
        if !(1..=100).contains(&threshold) {
            return Err(StoreError::invalid("suppress_below", "应在 1 到 100 之间", "between 1 and 100"));
        }
        self.backend.put_setting(SUPPRESS_BELOW_KEY, &threshold.to_string()).await?;
        if let Ok(mut current) = self.suppress_below.write() {
            *current = threshold;
        }
        Ok(())
    }

    /// The public keys (`id:key`) that have signed this database's health codes, as recorded at
    /// each start: a server must hold them all, or every code issued before reads as forged.
    pub async fn signing_keys(&self) -> Result<Vec<String>> {
        let stored = self.backend.settings().await?;
        let Some((_, value)) = stored.iter().find(|(k, _)| k == SIGNING_KEYS_KEY) else { return Ok(Vec::new()) };
        Ok(value.split(',').filter(|v| !v.is_empty()).map(str::to_string).collect())
    }

    pub async fn record_signing_keys(&self, keys: &[String]) -> Result<()> {
        self.backend.put_setting(SIGNING_KEYS_KEY, &keys.join(",")).await
    }

    pub fn frontline(&self) -> FrontLine {
        self.frontline.read().map(|f| f.clone()).unwrap_or_default()
    }

    pub async fn set_frontline(&self, frontline: FrontLine) -> Result<()> {
        if frontline.checkin_dedupe_seconds < 0 || frontline.retention_days == 0 {
            return Err(StoreError::invalid(
                "frontline",
                "去重时间不能为负，保留期至少一天",
                "the dedupe window is not negative and retention is at least a day",
            ));
        }
        self.backend.put_setting(FEVER_THRESHOLD_KEY, &frontline.fever_threshold.tenths().to_string()).await?;
        self.backend.put_setting(DEDUPE_KEY, &frontline.checkin_dedupe_seconds.to_string()).await?;
        self.backend.put_setting(RETENTION_KEY, &frontline.retention_days.to_string()).await?;
        if let Ok(mut current) = self.frontline.write() {
            *current = frontline;
        }
        Ok(())
    }

    pub fn tracing(&self) -> domain::TracingRule {
        self.tracing.read().map(|t| *t).unwrap_or_default()
    }

    pub async fn set_tracing(&self, rule: domain::TracingRule) -> Result<()> {
        let values = [rule.lookback_days, rule.min_stay_seconds, rule.max_stay_seconds, rule.overlap_seconds];
        for (key, value) in TRACING_KEYS.iter().zip(values) {
            self.backend.put_setting(key, &value.to_string()).await?;
        }
        if let Ok(mut current) = self.tracing.write() {
            *current = rule;
        }
        Ok(())
    }

    /// A person's health code, derived now from what the store knows (SPEC §4.5).
    pub async fn health_code(&self, person_id: PersonId) -> Result<(HealthFacts, domain::HealthCode)> {
        let facts = self.backend.health_facts(person_id).await?;
        let record = facts.record.as_ref().map(|r| domain::RecordFacts {
            class: r.class,
            status: r.status,
            measure: r.measure,
            measure_until: r.measure_until,
            arrival_risk: r.arrival_risk,
        });
        let exposures: Vec<domain::Exposure> = facts
            .exposures
            .iter()
            .map(|(venue_name, at)| domain::Exposure { venue_name: venue_name.clone(), at: *at })
            .collect();
        let code = domain::health_code(record.as_ref(), &exposures, self.now(), CODE_VALIDITY_SECONDS);
        Ok((facts, code))
    }

    /// The citizen's own code: ID number, name and phone must all match one person. `None` when
    /// they do not (the answer does not say which part is wrong).
    pub async fn health_code_by_identity(
        &self,
        id_number: &domain::ResidentId,
        name: &domain::PersonName,
        phone: &domain::Phone,
    ) -> Result<Option<(PersonId, domain::HealthCode)>> {
        let Some(person_id) =
            self.backend.person_by_identity(id_number.as_str(), name.as_str(), phone.as_str()).await?
        else {
            return Ok(None);
        };
        let (_, code) = self.health_code(person_id).await?;
        Ok(Some((person_id, code)))
    }

    /// Appends an audit row; returns once it is committed (group commit with other reads').
    pub async fn append_audit(&self, entry: NewAuditEntry) -> Result<()> {
        self.audits.append(entry).await
    }

    /// A citizen's check-in, acknowledged once its batch is durable.
    pub async fn check_in(&self, request: CheckinRequest) -> Result<CheckinReceipt> {
        self.checkins.submit(request).await
    }

    /// The venue a 场所码 token names.
    pub async fn venue_by_token(&self, token: &str) -> Result<Option<Venue>> {
        self.backend.venue_by_token(token).await
    }

    /// Staged uploads older than `UPLOAD_RETENTION_SECONDS` are deleted: a file waits between its
    /// upload and its import (and its error report) for days at most, and holds personal data.
    pub async fn purge_uploads(&self) -> Result<u64> {
        self.backend.purge_uploads(self.now() - UPLOAD_RETENTION_SECONDS).await
    }

    /// The partitions the next weeks' check-ins go to, created ahead (a no-op on SQLite): from
    /// the retention cutoff to a fortnight from now.
    pub async fn prepare_partitions(&self) -> Result<u64> {
        let now = self.now();
        self.backend.prepare_partitions(self.frontline().retention_cutoff(now), now + PARTITIONS_AHEAD_SECONDS).await
    }

    /// The retention job: check-ins older than the retention period are deleted.
    pub async fn purge_expired(&self) -> Result<u64> {
        let cutoff = self.frontline().retention_cutoff(self.now());
        self.backend.purge_checkins(cutoff).await
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
                return Err(StoreError::invalid(
                    "durations",
                    format!("{key} 至少为一天"),
                    format!("{key} must be at least one day"),
                ));
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

    pub async fn create_user(&self, user: NewUser) -> Result<UserId> {
        if domain::Scope::of_code_str(&user.area_code).is_none() {
            return Err(StoreError::invalid(
                "area_code",
                format!("{} 不是区划代码或网格代码", user.area_code),
                format!("{} is not a division or grid code", user.area_code),
            ));
        }
        self.backend.create_user(user, self.now()).await
    }

    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        self.backend.credentials(username).await
    }

    pub async fn insert_session(&self, token_digest: &str, user_id: UserId, expires_at: Instant) -> Result<()> {
        self.backend.insert_session(token_digest, user_id, self.now(), expires_at).await
    }

    /// The user of a live session. A session found is remembered for a few seconds
    /// ([`SESSION_CACHE_SECONDS`]): every API call carries its token, and the lookup was one of
    /// five database round trips of a health-code read.
    pub async fn session_user(&self, token_digest: &str) -> Result<Option<User>> {
        let now = self.now();
        if let Some(user) = self.sessions.get(token_digest, now) {
            return Ok(Some(user));
        }
        let found = self.backend.session_user(token_digest, now).await?;
        if let Some(user) = &found {
            self.sessions.put(token_digest, user, now);
        }
        Ok(found)
    }

    pub async fn delete_session(&self, token_digest: &str) -> Result<()> {
        self.sessions.forget(token_digest);
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

    pub async fn insert_households(&self, households: &[NewHousehold]) -> Result<Vec<HouseholdId>> {
        self.backend.insert_households(households).await
    }

    pub async fn bulk_insert_persons(&self, persons: &[BulkPerson]) -> Result<Vec<PersonId>> {
        self.backend.bulk_insert_persons(persons, self.now()).await
    }

    pub async fn bulk_insert_key_persons(&self, records: &[BulkKeyPerson]) -> Result<()> {
        self.backend.bulk_insert_key_persons(records, self.now()).await
    }

    pub async fn bulk_insert_venues(&self, venues: &[NewVenue]) -> Result<Vec<VenueId>> {
        self.backend.bulk_insert_venues(venues, self.now()).await
    }

    pub async fn bulk_insert_checkins(&self, checkins: &[BulkCheckin]) -> Result<()> {
        self.backend.bulk_insert_checkins(checkins).await
    }

    pub async fn optimize(&self) -> Result<()> {
        self.backend.optimize().await
    }

    /// Up to `limit` check-ins after `after_id`, in id order (benchmark exports).
    pub async fn checkins_after(&self, after_id: CheckinId, limit: u32) -> Result<Vec<domain::Visit>> {
        self.backend.checkins_after(after_id, limit).await
    }

    /// Check-ins stored and the bytes they take on disk, indexes included.
    pub async fn checkins_footprint(&self) -> Result<Footprint> {
        self.backend.checkins_footprint().await
    }
}
