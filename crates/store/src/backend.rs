//! The trait each database implements. Web code never holds a `Backend`: it gets a [`crate::Db`]
//! and, per request, a [`crate::Handle`] bound to the caller's jurisdiction. Every scoped method
//! here takes that `Scope` and must apply it in its SQL; the conformance suite checks they do.

use async_trait::async_trait;
use domain::Scope;
use jiff::civil::Date;

use crate::error::Result;
use crate::investigation::*;
use crate::list::*;
use crate::model::*;
use crate::transition::TransitionPlanner;

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// A short name for logs and benchmarks: "sqlite" or "postgres".
    fn kind(&self) -> &'static str;
    /// Whether the check-in writer should run on a thread of its own rather than among the
    /// request handlers: right for an in-process database, whose calls never wait on the
    /// server's I/O driver; wrong for a network database, whose socket events that driver
    /// delivers (a writer apart would wait for the busy handlers to pass them on).
    fn writer_apart(&self) -> bool {
        false
    }

    // --- unscoped: authentication, settings, jobs, bulk loading ---
    async fn create_user(&self, user: NewUser, now: Instant) -> Result<Id>;
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>>;
    async fn insert_session(&self, token_digest: &str, user_id: Id, now: Instant, expires_at: Instant) -> Result<()>;
    async fn session_user(&self, token_digest: &str, now: Instant) -> Result<Option<User>>;
    async fn delete_session(&self, token_digest: &str) -> Result<()>;
    async fn settings(&self) -> Result<Vec<(String, String)>>;
    async fn put_setting(&self, key: &str, value: &str) -> Result<()>;
    /// Opens a `release_due` task for every record whose measure's planned end is on or before
    /// `today` and that has none yet for that date. Returns how many were opened.
    async fn open_release_tasks(&self, today: Date, now: Instant) -> Result<u64>;
    async fn insert_grids(&self, grids: &[NewGrid]) -> Result<()>;
    async fn insert_grid_workers(&self, workers: &[NewGridWorker]) -> Result<()>;
    /// Returns the ids of the new households, in order.
    async fn insert_households(&self, households: &[NewHousehold]) -> Result<Vec<Id>>;
    /// Loads persons in one transaction; returns their ids in order.
    async fn bulk_insert_persons(&self, persons: &[BulkPerson], now: Instant) -> Result<Vec<Id>>;
    async fn bulk_insert_key_persons(&self, records: &[BulkKeyPerson], now: Instant) -> Result<()>;
    /// Reclaims space and refreshes planner statistics after a bulk load.
    async fn optimize(&self) -> Result<()>;

    // --- scoped: every query restricted to `scope` ---
    async fn insert_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        person: NewPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created>;
    async fn person(&self, scope: &Scope, id: Id) -> Result<Person>;
    async fn search_persons(&self, scope: &Scope, query: &PersonQuery, limit: u32) -> Result<Vec<Person>>;
    async fn insert_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        record: NewKeyPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created>;
    async fn key_persons(&self, scope: &Scope, filter: &KeyPersonFilter, page: PageRequest) -> Result<Page<KeyPerson>>;
    async fn key_person(&self, scope: &Scope, id: Id) -> Result<KeyPersonDetail>;
    /// Appends a status event and updates the current-state row in one transaction, after
    /// `planner` has accepted the change against the current state read inside it.
    async fn transition_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: Id,
        planner: &TransitionPlanner,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created>;
    async fn tasks(
        &self,
        scope: &Scope,
        due_on_or_before: Option<Date>,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<Task>>;
    async fn grid(&self, scope: &Scope, code: &str) -> Result<Grid>;
    async fn grid_children(&self, scope: &Scope, code: &str) -> Result<Vec<Grid>>;
    /// Appends audit rows in one transaction (the audit queue's batches).
    async fn append_audits(&self, entries: &[NewAuditEntry]) -> Result<()>;
    async fn audit(&self, scope: &Scope, page: PageRequest) -> Result<Page<AuditEntry>>;

    // --- venues and check-ins ---
    async fn insert_venue(&self, scope: &Scope, venue: NewVenue, now: Instant) -> Result<Created>;
    async fn venue(&self, scope: &Scope, id: Id) -> Result<Venue>;
    async fn venues(&self, scope: &Scope, page: PageRequest) -> Result<Page<Venue>>;
    /// The venue a 场所码 names; public, as the code is posted at the door.
    async fn venue_by_token(&self, token: &str) -> Result<Option<Venue>>;
    /// Writes a batch of check-ins in one transaction (group commit) and answers each: an unknown
    /// venue fails only its own request. Repeats within the dedupe window return the earlier
    /// check-in; a fever opens a fever record and a transfer task once per episode.
    async fn insert_checkins(
        &self,
        batch: &[CheckinRequest],
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<Vec<Result<CheckinReceipt>>>;
    /// Loads venues in one transaction; returns their ids in order.
    async fn bulk_insert_venues(&self, venues: &[NewVenue], now: Instant) -> Result<Vec<Id>>;
    async fn bulk_insert_checkins(&self, checkins: &[BulkCheckin]) -> Result<()>;
    // --- checkpoints and passages ---
    async fn insert_checkpoint(&self, scope: &Scope, checkpoint: NewCheckpoint, now: Instant) -> Result<Created>;
    async fn checkpoints(&self, scope: &Scope) -> Result<Vec<Checkpoint>>;
    /// Registers a passage at a checkpoint in `scope`, applying the fever rule to a person with
    /// an ID number, in one transaction.
    async fn insert_passage(
        &self,
        scope: &Scope,
        actor: &Actor,
        passage: NewPassage,
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<PassageReceipt>;
    /// A checkpoint's passages in `[from, to)`, oldest first.
    async fn passages(&self, scope: &Scope, checkpoint_id: Id, from: Instant, to: Instant) -> Result<Vec<Passage>>;
    // --- home follow-ups (一二三工作法) ---
    /// Records a visit of a key person in `scope` who is under home isolation or monitoring; the
    /// same (person, day, visit) again returns the first record. A fever applies the fever rule,
    /// in the same transaction.
    async fn insert_follow_up(
        &self,
        scope: &Scope,
        actor: &Actor,
        follow_up: NewFollowUp,
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<FollowUpReceipt>;
    /// Everyone in `scope` under home isolation or monitoring, with their visits of `day`; at most
    /// `limit` persons, by grid.
    async fn follow_up_sheet(&self, scope: &Scope, day: Date, limit: u32) -> Result<Vec<FollowUpLine>>;
    /// How many check-ins are stored and the bytes they take with their indexes (benchmarks).
    async fn checkins_footprint(&self) -> Result<Footprint>;
    /// Deletes check-ins older than `before`; returns how many.
    async fn purge_checkins(&self, before: Instant) -> Result<u64>;
    /// One step of copying committed check-ins into the person-ordered trail, run by the
    /// check-in writer between batches; true while more is waiting.
    async fn index_checkins(&self) -> Result<bool>;
    /// Copies every stored check-in not yet in the trail (at open, after a restart; tests).
    async fn settle_checkins(&self) -> Result<()>;
    // --- contact tracing (SPEC §4.4) ---
    /// Opens an investigation of the open record `key_person_id` in `scope`; the same record and
    /// onset again return the first (created = false).
    async fn insert_investigation(
        &self,
        scope: &Scope,
        actor: &Actor,
        investigation: NewInvestigation,
        generation: i64,
        now: Instant,
    ) -> Result<Created>;
    async fn investigation(&self, scope: &Scope, id: Id) -> Result<Investigation>;
    /// The newest investigations in `scope`.
    async fn investigations(&self, scope: &Scope, limit: u32) -> Result<Vec<Investigation>>;
    /// A person's check-ins with `from <= t_in < to`, wherever they were (the trail and the
    /// check-ins not yet copied into it), oldest first.
    async fn visits_of_person(&self, person_id: Id, from: Instant, to: Instant) -> Result<Vec<NamedVisit>>;
    /// Where these persons checked in with `from <= t_in < to` — venue and time, without
    /// check-out times (`t_out` is `None`): what ends a stay that has no check-out.
    async fn visits_of_persons(&self, person_ids: &[Id], from: Instant, to: Instant) -> Result<Vec<domain::Visit>>;
    /// Up to `limit` check-ins with id above `after_id`, in id order (exports).
    async fn checkins_after(&self, after_id: Id, limit: u32) -> Result<Vec<domain::Visit>>;
    /// Check-ins at a venue with `after < t_in < before`.
    async fn visits_at_venue(&self, venue_id: Id, after: Instant, before: Instant) -> Result<Vec<domain::Visit>>;
    async fn passages_of_person(&self, person_id: Id, from: Instant, to: Instant) -> Result<Vec<PassageOfPerson>>;
    async fn insert_reported_place(
        &self,
        investigation: &Investigation,
        actor: &Actor,
        place: NewReportedPlace,
        now: Instant,
    ) -> Result<Created>;
    async fn reported_places(&self, investigation_id: Id) -> Result<Vec<ReportedPlace>>;
    async fn points(&self, investigation_id: Id) -> Result<Vec<PointView>>;
    /// Confirms a point and writes its candidates, in one transaction; the same point again
    /// changes nothing and returns the first.
    async fn insert_point(&self, actor: &Actor, point: NewPoint, now: Instant) -> Result<Created>;
    async fn candidates(&self, scope: &Scope, filter: CandidateFilter, limit: u32) -> Result<Vec<Candidate>>;
    /// A candidate in `scope` (the person's area) or of an investigation in `scope`.
    async fn candidate(&self, scope: &Scope, id: Id) -> Result<Candidate>;
    /// Records the decision on a pending candidate; a decided one is a conflict.
    async fn decide_candidate(
        &self,
        id: Id,
        status: CandidateStatus,
        key_person_id: Option<Id>,
        note: Option<String>,
        actor: &Actor,
        now: Instant,
    ) -> Result<()>;
    /// Signs an investigation once; signing again is a conflict.
    async fn sign_investigation(
        &self,
        scope: &Scope,
        id: Id,
        actor: &Actor,
        statement: &str,
        now: Instant,
    ) -> Result<()>;
    // --- health codes (SPEC §4.5) ---
    /// What a person's code derives from: the open record and pending exposures.
    async fn health_facts(&self, person_id: Id) -> Result<HealthFacts>;
    /// The id of the person's open key-person record, if any.
    async fn open_record_id(&self, person_id: Id) -> Result<Option<Id>>;
    /// The person with this ID number, name and phone, if all three match one person.
    async fn person_by_identity(&self, id_number: &str, name: &str, phone: &str) -> Result<Option<Id>>;

    // --- big-data comparison (SPEC §4.8) ---
    /// Persons in `scope` with id > `after_id`, by id, at most `limit`: what matching needs.
    async fn person_keys(&self, scope: &Scope, after_id: Id, limit: u32) -> Result<Vec<PersonKey>>;
    /// Persons in `scope` with an open key-person record.
    async fn active_key_person_ids(&self, scope: &Scope) -> Result<Vec<Id>>;
    /// The subject keys of every lead in `scope`, verified or not.
    async fn lead_subjects(&self, scope: &Scope) -> Result<Vec<String>>;
    /// The list of `scope` imported from a file with this SHA-256, if any.
    async fn list_by_file(&self, scope: &Scope, sha256: &str) -> Result<Option<ListSummary>>;
    /// Writes the list and all its leads, in their order, in one transaction; returns the list's
    /// id. The same file (area, SHA-256) written concurrently is a conflict, and nothing is
    /// written. The leads are handed over so that a backend may prepare them beside the write.
    async fn insert_list(&self, list: &NewListRecord, leads: Vec<NewLead>) -> Result<Id>;
    async fn lists(&self, scope: &Scope, limit: u32) -> Result<Vec<ListSummary>>;
    async fn list(&self, scope: &Scope, id: Id) -> Result<ListSummary>;
    async fn leads(&self, scope: &Scope, filter: LeadFilter, limit: u32) -> Result<Vec<Lead>>;
    async fn lead(&self, scope: &Scope, id: Id) -> Result<Lead>;
    /// Closes an open lead and counts it on its list, in one transaction; a closed one is a
    /// conflict.
    #[allow(clippy::too_many_arguments)]
    async fn verify_lead(
        &self,
        scope: &Scope,
        id: Id,
        outcome: domain::LeadOutcome,
        note: &str,
        key_person_id: Option<Id>,
        actor: &Actor,
        now: Instant,
    ) -> Result<()>;
    async fn insert_upload(
        &self,
        area_code: &str,
        user_id: Id,
        file_name: &str,
        sha256: &str,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<Id>;
    async fn upload(&self, id: Id) -> Result<Upload>;
    /// Deletes staged uploads created before `before`; returns how many.
    async fn purge_uploads(&self, before: Instant) -> Result<u64>;
}
