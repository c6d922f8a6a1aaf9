//! Venues and check-ins: the public side of the 场所码, written in batches (group commit).

use async_trait::async_trait;
use std::collections::HashMap;

use domain::{FrontLine, KeyClass, MeasureKind, Scope, Source, State, Status};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Transaction, Type};
use store::codec;
use store::*;

use crate::lists::SelfReport;
use crate::{Dialect, EventRow, SqlBackend, fail, sql_count};
use domain::Code;

#[derive(Clone)]
pub(crate) struct BatchVenue {
    id: i64,
    name: String,
    area_code: String,
}

/// What the writer needs of a venue, by token. A venue's token, id, name and area never change
/// (there is no update or delete of venues), so an entry never goes stale; unknown tokens are
/// not cached, so a venue registered later is found. Bounded: cleared when full.
#[derive(Default)]
pub(crate) struct VenueCache(std::sync::Mutex<HashMap<String, BatchVenue>>);

const VENUE_CACHE_LIMIT: usize = 200_000;

/// Registered persons by ID number for the check-in writer, so that a batch of known persons
/// needs no lookup: an ID number names one person for good, and a person's name and phone are
/// never changed (persons are never deleted, renumbered or renamed). Only committed persons are
/// remembered. Keys are packed into a u64 and names kept as a keyed 64-bit digest, to keep a
/// million entries near 50 MB; cleared when full.
#[derive(Default)]
pub(crate) struct PersonCache {
    entries: std::sync::Mutex<HashMap<u64, Registered>>,
    /// Keys the name digests: random per process, so nobody can aim at a collision.
    names: std::hash::RandomState,
}

const PERSON_CACHE_LIMIT: usize = 1_000_000;

/// What the writer checks a check-in against: who the ID number names and what the registry
/// holds for them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Registered {
    id: i64,
    name: u64,
    /// The registered mobile as a number; none when the registry holds no phone.
    phone: Option<u64>,
    /// Known only from a public page: their fevers are leads, not records.
    self_registered: bool,
}

fn phone_key(phone: Option<&str>) -> Option<u64> {
    phone.and_then(|p| p.parse().ok())
}

impl PersonCache {
    fn name_digest(&self, name: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.names, name)
    }

    fn registered(&self, id: i64, name: &str, phone: Option<&str>, self_registered: bool) -> Registered {
        Registered { id, name: self.name_digest(name), phone: phone_key(phone), self_registered }
    }

    /// Whether a check-in's name and phone are the registry's: the name always, the phone when
    /// the registry holds one.
    fn vouches_for(&self, registered: &Registered, request: &CheckinRequest) -> bool {
        registered.name == self.name_digest(request.name.as_str())
            && registered
                .phone
                .is_none_or(|phone| phone_key(request.phone.as_ref().map(domain::Phone::as_str)) == Some(phone))
    }

    fn get_many<'a>(&self, id_numbers: impl Iterator<Item = &'a str>) -> (HashMap<String, Registered>, Vec<&'a str>) {
        let mut found = HashMap::new();
        let mut missing: Vec<&str> = Vec::new();
        let Ok(cache) = self.entries.lock() else {
            return (found, id_numbers.collect());
        };
        for id_number in id_numbers {
            match domain::ResidentId::pack(id_number).and_then(|key| cache.get(&key)) {
                Some(registered) => {
                    found.insert(id_number.to_string(), *registered);
                }
                None if !missing.contains(&id_number) => missing.push(id_number),
                None => {}
            }
        }
        (found, missing)
    }

    fn remember(&self, persons: Vec<(String, Registered)>) {
        if persons.is_empty() {
            return;
        }
        if let Ok(mut cache) = self.entries.lock() {
            if cache.len() + persons.len() > PERSON_CACHE_LIMIT {
                cache.clear();
            }
            cache.extend(
                persons
                    .into_iter()
                    .filter_map(|(id_number, registered)| Some((domain::ResidentId::pack(&id_number)?, registered))),
            );
        }
    }
}

impl VenueCache {
    fn get_many<'a>(&self, tokens: impl Iterator<Item = &'a str>) -> (HashMap<String, BatchVenue>, Vec<&'a str>) {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        let Ok(cache) = self.0.lock() else {
            return (found, tokens.collect());
        };
        for token in tokens {
            match cache.get(token) {
                Some(venue) => {
                    found.insert(token.to_string(), venue.clone());
                }
                None => missing.push(token),
            }
        }
        (found, missing)
    }

    fn remember(&self, venues: &HashMap<String, BatchVenue>) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() + venues.len() > VENUE_CACHE_LIMIT {
                cache.clear();
            }
            cache.extend(venues.iter().map(|(token, venue)| (token.clone(), venue.clone())));
        }
    }
}

/// A check-in of the batch that will be written.
struct Fresh {
    /// Its request in the batch.
    request: usize,
    person_id: i64,
    /// Known only from a public page: a fever becomes a lead to verify.
    self_registered: bool,
    venue: BatchVenue,
    temperature: Option<domain::Temperature>,
    /// Filled in from RETURNING.
    id: i64,
}

/// What becomes of one request of the batch.
enum Outcome {
    Done(Result<CheckinReceipt>),
    /// A new check-in: `fresh[j]`.
    New(usize),
    /// The same person at the same venue earlier in this batch.
    DuplicateOf(usize),
    /// The same Idempotency-Key earlier in this batch: that request's answer.
    SameAs(usize),
    /// An Idempotency-Key answered before: that check-in.
    Replay(i64, String),
}

/// The latest check-in within the dedupe window by (person, venue): id, time, temperature.
type Recent = HashMap<(i64, i64), (i64, Instant, Option<domain::Temperature>)>;

/// The actor recorded on events the system makes itself (the fever rule).
const SYSTEM_ACTOR: (i64, &str) = (0, "system");

sql_impl! {
impl {
    async fn venues_by_token(
        &self,
        tx: &mut Transaction<'_, D::Db>,
        batch: &[CheckinRequest],
    ) -> Result<HashMap<String, BatchVenue>> {
        let tokens: std::collections::BTreeSet<&str> = batch.iter().map(|r| r.venue_token.as_str()).collect();
        let (mut venues, missing) = self.venues.get_many(tokens.into_iter());
        if missing.is_empty() {
            return Ok(venues);
        }
        let mut query = QueryBuilder::<D::Db>::new("SELECT id, name, area_code, token FROM venues WHERE token IN (");
        let mut list = query.separated(", ");
        for token in &missing {
            list.push_bind(token.to_string());
        }
        query.push(")");
        let mut fetched = HashMap::new();
        for row in query.build().fetch_all(&mut **tx).await.map_err(fail)? {
            let venue = BatchVenue {
                id: row.try_get(0).map_err(fail)?,
                name: row.try_get(1).map_err(fail)?,
                area_code: row.try_get(2).map_err(fail)?,
            };
            fetched.insert(row.try_get(3).map_err(fail)?, venue);
        }
        self.venues.remember(&fetched);
        venues.extend(fetched);
        Ok(venues)
    }

    async fn stored_idempotency(
        tx: &mut Transaction<'_, D::Db>,
        batch: &[CheckinRequest],
    ) -> Result<HashMap<String, (String, i64)>> {
        let keys: Vec<&str> = batch.iter().filter_map(|r| r.idempotency.as_ref()).map(|i| i.key.as_str()).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut query = QueryBuilder::<D::Db>::new(
            "SELECT key, request_digest, entity_id FROM idempotency WHERE user_id = 0 AND key IN (",
        );
        let mut list = query.separated(", ");
        for key in &keys {
            list.push_bind(key.to_string());
        }
        query.push(")");
        let mut stored = HashMap::new();
        for row in query.build().fetch_all(&mut **tx).await.map_err(fail)? {
            stored
                .insert(row.try_get(0).map_err(fail)?, (row.try_get(1).map_err(fail)?, row.try_get(2).map_err(fail)?));
        }
        Ok(stored)
    }

    /// Every person of the batch by ID number with what the registry holds: from the cache,
    /// then the database; persons not yet known are registered at their venue's area as typed
    /// (self-registered). Returns also the ones to remember once the transaction commits.
    async fn persons_for_batch(
        &self,
        tx: &mut Transaction<'_, D::Db>,
        batch: &[CheckinRequest],
        venues: &HashMap<String, BatchVenue>,
        now: Instant,
    ) -> Result<(HashMap<String, Registered>, Vec<(String, Registered)>)> {
        let wanted: Vec<&CheckinRequest> =
            batch.iter().filter(|r| venues.contains_key(r.venue_token.as_str())).collect();
        let (mut persons, missing) = self.persons.get_many(wanted.iter().map(|r| r.id_number.as_str()));
        let mut learned = Vec::new();
        if missing.is_empty() {
            return Ok((persons, learned));
        }
        let mut query =
            QueryBuilder::<D::Db>::new("SELECT id_number, id, name, phone, self_registered FROM persons WHERE id_number IN (");
        let mut list = query.separated(", ");
        for id_number in &missing {
            list.push_bind(id_number.to_string());
        }
        query.push(")");
        for row in query.build().fetch_all(&mut **tx).await.map_err(fail)? {
            let id_number: String = row.try_get(0).map_err(fail)?;
            let name: String = row.try_get(2).map_err(fail)?;
            let phone: Option<String> = row.try_get(3).map_err(fail)?;
            let registered =
                self.persons.registered(row.try_get(1).map_err(fail)?, &name, phone.as_deref(), row.try_get(4).map_err(fail)?);
            persons.insert(id_number.clone(), registered);
            learned.push((id_number, registered));
        }
        let mut new: Vec<&CheckinRequest> = Vec::new();
        for request in wanted {
            if !persons.contains_key(request.id_number.as_str())
                && !new.iter().any(|n| n.id_number == request.id_number)
            {
                new.push(request);
            }
        }
        if !new.is_empty() {
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO persons (id_number, name, phone, area_code, created_at, self_registered) ",
            );
            query.push_values(&new, |mut row, request| {
                let area = venues.get(request.venue_token.as_str()).map(|v| v.area_code.clone()).unwrap_or_default();
                row.push_bind(request.id_number.as_str().to_string())
                    .push_bind(request.name.as_str().to_string())
                    .push_bind(request.phone.as_ref().map(|p| p.as_str().to_string()))
                    .push_bind(area)
                    .push_bind(now)
                    .push_bind(true);
            });
            query.push(" RETURNING id_number, id");
            let typed: HashMap<&str, &CheckinRequest> = new.iter().map(|r| (r.id_number.as_str(), *r)).collect();
            for row in query.build().fetch_all(&mut **tx).await.map_err(fail)? {
                let (id_number, id): (String, i64) = (row.try_get(0).map_err(fail)?, row.try_get(1).map_err(fail)?);
                let Some(request) = typed.get(id_number.as_str()) else { continue };
                let registered = self.persons.registered(
                    id,
                    request.name.as_str(),
                    request.phone.as_ref().map(domain::Phone::as_str),
                    true,
                );
                persons.insert(id_number.clone(), registered);
                learned.push((id_number, registered));
            }
        }
        Ok((persons, learned))
    }

    /// The latest check-in since `since` of each (person, venue) pair of the batch: from the
    /// trail, and from the backlog of check-ins not yet copied there.
    async fn recent_checkins(
        &self,
        tx: &mut Transaction<'_, D::Db>,
        pairs: &std::collections::HashSet<(i64, i64)>,
        since: Instant,
    ) -> Result<Recent> {
        if pairs.is_empty() {
            return Ok(HashMap::new());
        }
        let persons: std::collections::BTreeSet<i64> = pairs.iter().map(|(person, _)| *person).collect();
        let venues: std::collections::BTreeSet<i64> = pairs.iter().map(|(_, venue)| *venue).collect();
        let mut query = QueryBuilder::<D::Db>::new(
            "SELECT person_id, venue_id, id, t_in, temperature FROM checkin_trail WHERE t_in >= ",
        );
        query.push_bind(since).push(" AND person_id IN (");
        let mut list = query.separated(", ");
        for id in &persons {
            list.push_bind(*id);
        }
        query.push(") AND venue_id IN (");
        let mut list = query.separated(", ");
        for id in &venues {
            list.push_bind(*id);
        }
        query.push(") ORDER BY t_in");
        let mut recent: Recent = HashMap::new();
        for row in query.build().fetch_all(&mut **tx).await.map_err(fail)? {
            let pair: (i64, i64) = (row.try_get(0).map_err(fail)?, row.try_get(1).map_err(fail)?);
            if !pairs.contains(&pair) {
                continue;
            }
            let temperature: Option<i64> = row.try_get(4).map_err(fail)?;
            let temperature = codec::temperature(temperature);
            recent.insert(pair, (row.try_get(2).map_err(fail)?, row.try_get(3).map_err(fail)?, temperature));
        }
        for (pair, (id, at, tenths)) in self.backlog.recent(pairs, since) {
            if recent.get(&pair).is_none_or(|(_, seen, _)| *seen <= at) {
                recent.insert(pair, (id, at, codec::temperature(tenths)));
            }
        }
        Ok(recent)
    }

    async fn existing_checkin(
        tx: &mut Transaction<'_, D::Db>,
        id: i64,
        venue_name: String,
        rule: &FrontLine,
    ) -> Result<CheckinReceipt> {
        let row = sqlx::query(D::sql("SELECT person_id, venue_id, t_in, temperature FROM checkins WHERE id = ?"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await
            .map_err(fail)?;
        let temperature: Option<i64> = row.try_get(3).map_err(fail)?;
        let recorded = codec::temperature(temperature);
        Ok(CheckinReceipt {
            id: domain::CheckinId::new(id),
            person_id: row.try_get::<i64, _>(0).map_err(fail)?.into(),
            venue_id: row.try_get::<i64, _>(1).map_err(fail)?.into(),
            venue_name,
            at: row.try_get(2).map_err(fail)?,
            duplicate: true,
            fever: rule.is_fever(recorded),
            breach: false,
        })
    }

    /// SPEC §4.3, once per episode: a person without an open key-person record gets a fever
    /// record; an open record gets a fever-transfer task unless one is already open.
    pub(crate) async fn apply_fever_rule(
        tx: &mut Transaction<'_, D::Db>,
        person_id: i64,
        source: Source,
        reason: &str,
        now: Instant,
    ) -> Result<()> {
        let open: Option<(i64, String)> =
            sqlx::query(D::sql("SELECT id, area_code FROM key_persons WHERE person_id = ? AND active"))
                .bind(person_id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(fail)?
                .map(|r| Ok::<_, StoreError>((r.try_get(0).map_err(fail)?, r.try_get(1).map_err(fail)?)))
                .transpose()?;
        let (record, area_code) = match open {
            Some(open) => open,
            None => {
                let person = sqlx::query(D::sql("SELECT area_code, grid_code FROM persons WHERE id = ?"))
                    .bind(person_id)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(fail)?;
                let area_code: String = person.try_get(0).map_err(fail)?;
                let grid_code: Option<String> = person.try_get(1).map_err(fail)?;
                let screened = State { status: Status::Screened, severity: None };
                let row = sqlx::query(D::sql(
                    "INSERT INTO key_persons (person_id, area_code, grid_code, class, source, status, active, created_at, \
                     updated_at, version) VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?, 1) RETURNING id",
                ))
                .bind(person_id)
                .bind(&area_code)
                .bind(&grid_code)
                .bind(KeyClass::Fever.as_str())
                .bind(source.as_str())
                .bind(screened.status.as_str())
                .bind(now)
                .bind(now)
                .fetch_one(&mut **tx)
                .await
                .map_err(fail)?;
                let id: i64 = row.try_get(0).map_err(fail)?;
                let actor = Actor {
                    user_id: domain::UserId::new(SYSTEM_ACTOR.0),
                    username: SYSTEM_ACTOR.1.to_string(),
                    role: domain::Role::Admin,
                    scope: Scope::national(),
                    remote_addr: None,
                };
                let event = EventRow::opening(id, &area_code, screened, now, reason);
                Self::insert_event(tx, &event, &actor).await?;
                (id, area_code)
            }
        };
        Self::open_task_once(tx, TaskKind::FeverTransfer, record, &area_code, now).await
    }

    /// Opens a task of `kind` on `record` at `area_code`, due today, unless one is open: once
    /// per episode (any status change closes it).
    pub(crate) async fn open_task_once(
        tx: &mut Transaction<'_, D::Db>,
        kind: TaskKind,
        record: i64,
        area_code: &str,
        now: Instant,
    ) -> Result<()> {
        let pending: Option<i64> =
            sqlx::query_scalar(D::sql("SELECT id FROM tasks WHERE key_person_id = ? AND kind = ? AND done_at IS NULL"))
                .bind(record)
                .bind(kind.as_str())
                .fetch_optional(&mut **tx)
                .await
                .map_err(fail)?;
        if pending.is_none() {
            sqlx::query(D::sql(
                "INSERT INTO tasks (kind, key_person_id, area_code, due_date, created_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING",
            ))
            .bind(kind.as_str())
            .bind(record)
            .bind(area_code)
            .bind(codec::date_text(domain::shanghai_date(now)))
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        }
        Ok(())
    }

    /// Why each of `person_ids` should have stayed in, for those who should have: an open record
    /// that keeps them in, or else a pending tracing candidacy (their code is yellow until
    /// someone has called them).
    pub(crate) async fn confinements(
        tx: &mut Transaction<'_, D::Db>,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Confinement>> {
        let mut confined = HashMap::new();
        for chunk in person_ids.chunks(1000) {
            let records = "SELECT person_id, id, area_code, status, measure_kind FROM key_persons WHERE active AND person_id IN (";
            for row in Self::among(records, chunk).build().fetch_all(&mut **tx).await.map_err(fail)? {
                let status: String = row.try_get(3).map_err(fail)?;
                let measure: Option<String> = row.try_get(4).map_err(fail)?;
                let status = Status::parse(&status).map_err(StoreError::backend)?;
                let measure = measure.as_deref().map(MeasureKind::parse).transpose().map_err(StoreError::backend)?;
                if domain::confines(status, measure) {
                    let person: i64 = row.try_get(0).map_err(fail)?;
                    let record = Confinement::Record { id: row.try_get(1).map_err(fail)?, area: row.try_get(2).map_err(fail)? };
                    confined.insert(person, record);
                }
            }
            let candidacies = "SELECT DISTINCT person_id FROM contact_candidates WHERE status = 'pending' AND person_id IN (";
            for row in Self::among(candidacies, chunk).build().fetch_all(&mut **tx).await.map_err(fail)? {
                let person: i64 = row.try_get(0).map_err(fail)?;
                confined.entry(person).or_insert(Confinement::Candidacy);
            }
        }
        Ok(confined)
    }

    /// `select` (ending in `IN (`) completed with `ids` and the closing parenthesis.
    fn among(select: &str, ids: &[i64]) -> QueryBuilder<D::Db> {
        let mut query = QueryBuilder::<D::Db>::new(select);
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query
    }

    /// A breach (违规外出) by `person` at `place` in `where_area`. For a record: a task for the
    /// record's area (the responsible cadre) and, when the place is elsewhere, one for that area.
    /// For a candidacy: the pending candidacies say where the person was last seen out, so that
    /// whoever calls them knows it first.
    pub(crate) async fn raise_breach(
        tx: &mut Transaction<'_, D::Db>,
        (person, confinement): (i64, &Confinement),
        (where_area, place): (&str, &str),
        now: Instant,
    ) -> Result<()> {
        match confinement {
            Confinement::Record { id, area } => {
                Self::open_task_once(tx, TaskKind::Breach, *id, area, now).await?;
                if !where_area.starts_with(area.as_str()) {
                    Self::open_task_once(tx, TaskKind::BreachAtVenue, *id, where_area, now).await?;
                }
            }
            Confinement::Candidacy => {
                sqlx::query(D::sql(
                    "UPDATE contact_candidates SET seen_out_at = ?, seen_out_place = ? \
                     WHERE person_id = ? AND status = 'pending'",
                ))
                .bind(now)
                .bind(place)
                .bind(person)
                .execute(&mut **tx)
                .await
                .map_err(fail)?;
            }
        }
        Ok(())
    }
}
}

/// Why a person should have stayed in (see `confinements`).
pub(crate) enum Confinement {
    /// An open key-person record that keeps them in: its id and area.
    Record { id: i64, area: String },
    /// A tracing candidacy nobody has decided yet.
    Candidacy,
}

sql_impl! {
#[async_trait]
impl CheckinStore {
    /// The batch in set-based statements — a fixed handful per batch, not per check-in — so the
    /// cost of a round trip is shared by everyone in the batch.
    async fn insert_checkins(
        &self,
        batch: &[CheckinRequest],
        rule: &FrontLine,
        now: Instant,
    ) -> Result<Vec<Result<CheckinReceipt>>> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let venues = self.venues_by_token(&mut tx, batch).await?;
        let replays = Self::stored_idempotency(&mut tx, batch).await?;
        let (persons, learned) = self.persons_for_batch(&mut tx, batch, &venues, now).await?;
        let pairs = batch
            .iter()
            .filter_map(|r| Some((persons.get(r.id_number.as_str())?.id, venues.get(r.venue_token.as_str())?.id)))
            .collect();
        let recent = self.recent_checkins(&mut tx, &pairs, now - rule.checkin_dedupe_seconds).await?;

        // Decide each request in order; new check-ins are written together below.
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut fresh: Vec<Fresh> = Vec::new();
        let mut fresh_by_pair: HashMap<(i64, i64), usize> = HashMap::new();
        let mut keys_in_batch: HashMap<&str, (&str, usize)> = HashMap::new();
        for (i, request) in batch.iter().enumerate() {
            let Some(venue) = venues.get(request.venue_token.as_str()) else {
                outcomes.push(Outcome::Done(Err(StoreError::invalid("venue_token", "没有场所使用这个场所码", "no venue has this code"))));
                continue;
            };
            if let Some(idem) = &request.idempotency {
                if let Some((digest, id)) = replays.get(idem.key.as_str()) {
                    outcomes.push(if *digest == idem.request_digest {
                        Outcome::Replay(*id, venue.name.clone())
                    } else {
                        Outcome::Done(Err(StoreError::IdempotencyMismatch))
                    });
                    continue;
                }
                if let Some((digest, first)) = keys_in_batch.get(idem.key.as_str()) {
                    outcomes.push(if *digest == idem.request_digest {
                        Outcome::SameAs(*first)
                    } else {
                        Outcome::Done(Err(StoreError::IdempotencyMismatch))
                    });
                    continue;
                }
                keys_in_batch.insert(idem.key.as_str(), (idem.request_digest.as_str(), i));
            }
            let Some(registered) = persons.get(request.id_number.as_str()) else {
                return Err(StoreError::Backend("a person of the batch was not registered".into()));
            };
            if !self.persons.vouches_for(registered, request) {
                outcomes.push(Outcome::Done(Err(StoreError::IdentityMismatch)));
                continue;
            }
            let person_id = registered.id;
            let pair = (person_id, venue.id);
            if let Some(&(id, at, temperature)) = recent.get(&pair) {
                let receipt = CheckinReceipt {
                    id: domain::CheckinId::new(id),
                    person_id: domain::PersonId::new(person_id),
                    venue_id: domain::VenueId::new(venue.id),
                    venue_name: venue.name.clone(),
                    at,
                    duplicate: true,
                    fever: rule.is_fever(temperature),
                    breach: false,
                };
                outcomes.push(Outcome::Done(Ok(receipt)));
            } else if let Some(&j) = fresh_by_pair.get(&pair) {
                outcomes.push(Outcome::DuplicateOf(j));
            } else {
                fresh_by_pair.insert(pair, fresh.len());
                outcomes.push(Outcome::New(fresh.len()));
                fresh.push(Fresh {
                    request: i,
                    person_id,
                    self_registered: registered.self_registered,
                    venue: venue.clone(),
                    temperature: request.temperature,
                    id: 0,
                });
            }
        }

        // One multi-row INSERT for the new check-ins; RETURNING maps ids back by (person, venue),
        // which the dedupe above made unique within the batch.
        if !fresh.is_empty() {
            let mut query =
                QueryBuilder::<D::Db>::new("INSERT INTO checkins (venue_id, person_id, area_code, t_in, temperature) ");
            query.push_values(&fresh, |mut row, f| {
                row.push_bind(f.venue.id)
                    .push_bind(f.person_id)
                    .push_bind(f.venue.area_code.clone())
                    .push_bind(now)
                    .push_bind(f.temperature.map(|t| i64::from(t.tenths())));
            });
            query.push(" RETURNING id, person_id, venue_id");
            for row in query.build().fetch_all(&mut *tx).await.map_err(fail)? {
                let pair: (i64, i64) = (row.try_get(1).map_err(fail)?, row.try_get(2).map_err(fail)?);
                if let Some(&j) = fresh_by_pair.get(&pair) {
                    fresh[j].id = row.try_get(0).map_err(fail)?;
                }
            }
        }
        // A person kept in is still recorded (the trail is what tracing needs), and told; their
        // cadre and the venue's area get a task, once per episode.
        let batch_persons: Vec<i64> = persons.values().map(|p| p.id).collect();
        let confined = Self::confinements(&mut tx, &batch_persons).await?;
        for f in &fresh {
            if let Some(confinement) = confined.get(&f.person_id) {
                let place = (f.venue.area_code.as_str(), f.venue.name.as_str());
                Self::raise_breach(&mut tx, (f.person_id, confinement), place, now).await?;
            }
        }
        if !fresh.is_empty() {
            for f in fresh.iter().filter(|f| rule.is_fever(f.temperature)) {
                let reading = f.temperature.map(|t| t.to_string()).unwrap_or_default();
                if f.self_registered {
                    // Nobody vouched for this identity: a grid worker verifies before any code
                    // is coloured (ARCHITECTURE.md, "Public writes").
                    let report = SelfReport {
                        request: &batch[f.request],
                        person_id: f.person_id,
                        venue_area: &f.venue.area_code,
                        what: format!("{}，自报体温 {reading}℃", f.venue.name),
                    };
                    Self::raise_self_report(&mut tx, &report, now).await?;
                } else {
                    let reason = format!("场所码登记体温 {reading}℃（{}）", f.venue.name);
                    Self::apply_fever_rule(&mut tx, f.person_id, Source::Venue, &reason, now).await?;
                }
            }
        }

        let mut receipts: Vec<Result<CheckinReceipt>> = Vec::with_capacity(batch.len());
        for outcome in outcomes {
            let receipt = match outcome {
                Outcome::Done(result) => result,
                Outcome::New(j) | Outcome::DuplicateOf(j) => {
                    let f = &fresh[j];
                    Ok(CheckinReceipt {
                        id: domain::CheckinId::new(f.id),
                        person_id: domain::PersonId::new(f.person_id),
                        venue_id: domain::VenueId::new(f.venue.id),
                        venue_name: f.venue.name.clone(),
                        at: now,
                        duplicate: matches!(outcome, Outcome::DuplicateOf(_)),
                        fever: rule.is_fever(f.temperature),
                        breach: false,
                    })
                }
                Outcome::SameAs(first) => match &receipts[first] {
                    Ok(receipt) => Ok(CheckinReceipt { duplicate: true, ..receipt.clone() }),
                    Err(_) => Err(StoreError::invalid("Idempotency-Key", "使用该键的第一次请求已失败", "its first request failed")),
                },
                Outcome::Replay(id, venue_name) => Self::existing_checkin(&mut tx, id, venue_name, rule).await,
            };
            receipts.push(receipt.map(|r| CheckinReceipt { breach: confined.contains_key(&r.person_id.get()), ..r }));
        }

        // Remember the keys of the check-ins this batch answered for the first time.
        let mut seen = std::collections::HashSet::new();
        let remembered: Vec<(&IdempotencyKey, CheckinId)> = batch
            .iter()
            .zip(&receipts)
            .filter_map(|(request, receipt)| Some((request.idempotency.as_ref()?, receipt.as_ref().ok()?.id)))
            .filter(|(idem, _)| !replays.contains_key(idem.key.as_str()))
            .filter(|(idem, _)| seen.insert(idem.key.as_str()))
            .collect();
        if !remembered.is_empty() {
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO idempotency (user_id, key, request_digest, entity_id, created_at) ",
            );
            query.push_values(&remembered, |mut row, (idem, id)| {
                row.push_bind(0i64)
                    .push_bind(idem.key.clone())
                    .push_bind(idem.request_digest.clone())
                    .push_bind(id.get())
                    .push_bind(now);
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)?;
        self.persons.remember(learned);
        self.backlog.record(fresh.iter().map(|f| crate::trail::TrailRow {
            person_id: f.person_id,
            t_in: now,
            id: f.id,
            venue_id: f.venue.id,
            temperature: f.temperature.map(|t| i64::from(t.tenths())),
            area_code: f.venue.area_code.clone(),
        }));
        Ok(receipts)
    }

    async fn checkins_footprint(&self) -> Result<Footprint> {
        let rows: i64 =
            sqlx::query_scalar("SELECT count(*) FROM checkins").fetch_one(&self.readers).await.map_err(fail)?;
        let bytes: i64 = sqlx::query_scalar(D::CHECKINS_BYTES).fetch_one(&self.readers).await.map_err(fail)?;
        Ok(Footprint { rows: sql_count(rows), bytes: sql_count(bytes) })
    }

    async fn prepare_partitions(&self, from: Instant, to: Instant) -> Result<u64> {
        let mut conn = self.writer.acquire().await.map_err(fail)?;
        D::prepare_partitions(&mut conn, from, to).await
    }

    async fn purge_checkins(&self, before: Instant) -> Result<u64> {
        let dropped = {
            let mut conn = self.writer.acquire().await.map_err(fail)?;
            D::drop_expired_partitions(&mut conn, before).await?
        };
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let done =
            sqlx::query(D::sql("DELETE FROM checkins WHERE t_in < ?")).bind(before).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query(D::sql("DELETE FROM checkin_trail WHERE t_in < ?"))
            .bind(before)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        self.backlog.purge(before);
        Ok(dropped + D::rows_affected(&done))
    }

    async fn index_checkins(&self) -> Result<bool> {
        self.copy_to_trail(false).await
    }

    /// Brings the trail up to every stored check-in: the backlog first, then whatever lies above
    /// the watermark in the database (check-ins of a process that stopped before copying them).
    async fn settle_checkins(&self) -> Result<()> {
        while self.copy_to_trail(true).await? {}
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        Self::catch_up_trail(&mut tx).await?;
        tx.commit().await.map_err(fail)
    }

    async fn checkins_after(&self, after_id: CheckinId, limit: u32) -> Result<Vec<domain::Visit>> {
        let rows = sqlx::query(D::sql(
            "SELECT person_id, id, venue_id, t_in, t_out FROM checkins WHERE id > ? ORDER BY id LIMIT ?",
        ))
        .bind(after_id.get())
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await
        .map_err(fail)?;
        rows.iter().map(Self::visit_row).collect()
    }
}
}
