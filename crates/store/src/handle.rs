//! The scoped handle: the only way request code reaches personal data. It checks the caller's
//! role, pins every query to the caller's jurisdiction and writes the audit log, so no handler can
//! forget any of the three.

use std::sync::Arc;

use domain::{Capability, Phone, ResidentId, Scope};
use jiff::civil::Date;

use crate::backend::Backend;
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::transition::{TransitionPlanner, checked_reason};

mod lists;
mod tracing;

pub use lists::{Comparison, PersonIndex};

pub struct Handle {
    backend: Arc<dyn Backend>,
    db: Db,
    actor: Actor,
}

/// The narrower of two nested scopes, or `None` when they do not overlap.
fn narrowest(outer: &Scope, inner: &Scope) -> Option<Scope> {
    if outer.includes(inner) {
        Some(inner.clone())
    } else if inner.includes(outer) {
        Some(outer.clone())
    } else {
        None
    }
}

impl Handle {
    pub(crate) fn new(backend: Arc<dyn Backend>, db: Db, actor: Actor) -> Handle {
        Handle { backend, db, actor }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Today in Asia/Shanghai, on the database's clock.
    pub fn today(&self) -> Date {
        domain::shanghai_date(self.db.now())
    }

    /// The clock the store runs on (tests move it).
    pub fn now(&self) -> Instant {
        self.db.now()
    }

    fn require(&self, capability: Capability) -> Result<()> {
        if self.actor.role.may(capability) {
            Ok(())
        } else {
            Err(StoreError::Forbidden { role: self.actor.role, capability })
        }
    }

    fn scope(&self) -> &Scope {
        &self.actor.scope
    }

    async fn audit(
        &self,
        action: &'static str,
        subject_kind: &'static str,
        subject_id: Option<Id>,
        area_code: &str,
        detail: String,
    ) -> Result<()> {
        self.db
            .append_audit(NewAuditEntry {
                at: self.db.now(),
                user_id: self.actor.user_id,
                username: self.actor.username.clone(),
                action,
                subject_kind,
                subject_id,
                area_code: area_code.to_string(),
                remote_addr: self.actor.remote_addr.clone(),
                detail,
            })
            .await
    }

    fn check_place(&self, place: &Place) -> Result<()> {
        if let Some(grid) = &place.grid
            && !grid.as_str().starts_with(place.area.as_str())
        {
            return Err(StoreError::Invalid {
                field: "grid_code",
                message: format!("grid {grid} is not under area {}", place.area),
            });
        }
        if self.scope().contains(place.location_code()) {
            Ok(())
        } else {
            let field = if place.grid.is_some() { "grid_code" } else { "area_code" };
            Err(StoreError::Invalid {
                field,
                message: format!("{} is outside your jurisdiction", place.location_code()),
            })
        }
    }

    pub async fn create_person(&self, person: NewPerson, idem: Option<IdempotencyKey>) -> Result<Created> {
        self.require(Capability::WritePersons)?;
        self.check_place(&person.place)?;
        self.backend.insert_person(self.scope(), &self.actor, person, idem, self.db.now()).await
    }

    pub async fn person(&self, id: Id) -> Result<Person> {
        self.require(Capability::ReadPersons)?;
        let person = self.backend.person(self.scope(), id).await?;
        self.audit("person.read", "person", Some(id), &person.area_code, String::new()).await?;
        Ok(person)
    }

    /// Searches by ID number, then phone, else name, whichever the text parses as.
    pub async fn search_persons(&self, text: &str, limit: u32) -> Result<Vec<Person>> {
        self.require(Capability::ReadPersons)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid {
                field: "q",
                message: "enter an ID number, a phone number or a name".into(),
            });
        }
        let (query, kind) = if let Ok(id) = ResidentId::parse(text) {
            (PersonQuery::IdNumber(id.as_str().to_string()), "id_number")
        } else if let Ok(phone) = Phone::parse(text) {
            (PersonQuery::Phone(phone.as_str().to_string()), "phone")
        } else {
            (PersonQuery::Name(text.to_string()), "name")
        };
        let found = self.backend.search_persons(self.scope(), &query, limit.clamp(1, 100)).await?;
        let detail = format!("by {kind}, {} found", found.len());
        self.audit("person.search", "person", None, self.scope().prefix(), detail).await?;
        Ok(found)
    }

    pub async fn create_key_person(&self, mut record: NewKeyPerson, idem: Option<IdempotencyKey>) -> Result<Created> {
        self.require(Capability::CreateKeyPersons)?;
        record.reason = checked_reason(&record.reason)?;
        if record.arrival_risk.is_some() && record.class != domain::KeyClass::EpidemicAreaArrival {
            return Err(StoreError::Invalid {
                field: "arrival_risk",
                message: "only an arrival from an epidemic area has the risk of the area it came from".into(),
            });
        }
        self.backend.insert_key_person(self.scope(), &self.actor, record, idem, self.db.now()).await
    }

    pub async fn key_persons(&self, filter: &KeyPersonFilter, page: PageRequest) -> Result<Page<KeyPerson>> {
        self.require(Capability::ReadKeyPersons)?;
        let scope = match &filter.within {
            Some(within) => match narrowest(self.scope(), within) {
                Some(scope) => scope,
                None => {
                    return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
                }
            },
            None => self.scope().clone(),
        };
        let found = self.backend.key_persons(&scope, filter, page).await?;
        let detail = format!("page {} of a list, {} shown", page.page, found.items.len());
        self.audit("key_person.list", "key_person", None, scope.prefix(), detail).await?;
        Ok(found)
    }

    pub async fn key_person(&self, id: Id) -> Result<KeyPersonDetail> {
        self.require(Capability::ReadKeyPersons)?;
        let detail = self.backend.key_person(self.scope(), id).await?;
        self.audit("key_person.read", "key_person", Some(id), &detail.record.area_code, String::new()).await?;
        Ok(detail)
    }

    pub async fn transition_key_person(
        &self,
        id: Id,
        request: TransitionRequest,
        idem: Option<IdempotencyKey>,
    ) -> Result<Created> {
        self.require(Capability::TransitionKeyPersons)?;
        let now = self.db.now();
        let planner = TransitionPlanner { request, durations: self.db.durations(), today: domain::shanghai_date(now) };
        self.backend.transition_key_person(self.scope(), &self.actor, id, &planner, idem, now).await
    }

    pub async fn tasks(
        &self,
        due_on_or_before: Option<Date>,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<Task>> {
        self.require(Capability::ReadTasks)?;
        self.backend.tasks(self.scope(), due_on_or_before, open_only, page).await
    }

    pub async fn grid(&self, code: &str) -> Result<Grid> {
        self.require(Capability::ReadAreas)?;
        self.backend.grid(self.scope(), code).await
    }

    pub async fn grid_children(&self, code: &str) -> Result<Vec<Grid>> {
        self.require(Capability::ReadAreas)?;
        self.backend.grid_children(self.scope(), code).await
    }

    /// The measure durations in force (SPEC §4.2).
    pub fn durations(&self) -> Result<domain::Durations> {
        self.require(Capability::ReadKeyPersons)?;
        Ok(self.db.durations())
    }

    pub async fn set_durations(&self, durations: domain::Durations) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_durations(durations).await
    }

    /// The contact-tracing windows and thresholds in force (SPEC §4.4).
    pub fn tracing_rule(&self) -> Result<domain::TracingRule> {
        self.require(Capability::Investigate)?;
        Ok(self.db.tracing())
    }

    pub async fn set_tracing_rule(&self, rule: domain::TracingRule) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_tracing(rule).await
    }

    pub async fn create_venue(&self, venue: NewVenue) -> Result<Created> {
        self.require(Capability::ManageVenues)?;
        self.check_place(&venue.place)?;
        let name = venue.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid { field: "name", message: "1 to 100 characters".into() });
        }
        if venue.address.chars().count() > 200 {
            return Err(StoreError::Invalid { field: "address", message: "at most 200 characters".into() });
        }
        self.backend.insert_venue(self.scope(), venue, self.db.now()).await
    }

    pub async fn venue(&self, id: Id) -> Result<Venue> {
        self.require(Capability::ReadAreas)?;
        self.backend.venue(self.scope(), id).await
    }

    pub async fn venues(&self, page: PageRequest) -> Result<Page<Venue>> {
        self.require(Capability::ReadAreas)?;
        self.backend.venues(self.scope(), page).await
    }

    /// Every venue under `code` (a division or grid code), for printing their posters: the
    /// caller's jurisdiction narrowed to `code`; a code outside it is not found. At most `limit`.
    pub async fn venues_within(&self, code: &str, limit: usize) -> Result<Vec<Venue>> {
        self.require(Capability::ReadAreas)?;
        let wanted = Scope::of_code_str(code).ok_or_else(|| StoreError::Invalid {
            field: "area_code",
            message: "give a 6, 9 or 12-digit division code or a 15 or 17-digit grid code".into(),
        })?;
        let scope = if self.scope().includes(&wanted) {
            wanted
        } else if wanted.includes(self.scope()) {
            self.scope().clone()
        } else {
            return Err(StoreError::NotFound);
        };
        let mut venues = Vec::new();
        for page in 1.. {
            let found = self.backend.venues(&scope, PageRequest::new(page, PageRequest::MAX_PER_PAGE)).await?;
            let done = found.items.len() < PageRequest::MAX_PER_PAGE as usize;
            venues.extend(found.items);
            if venues.len() > limit {
                return Err(StoreError::Invalid {
                    field: "area_code",
                    message: format!("more than {limit} venues here: print a smaller area or one grid at a time"),
                });
            }
            if done {
                break;
            }
        }
        Ok(venues)
    }

    /// The fever threshold in force, to mark ledger lines.
    pub fn frontline_threshold(&self) -> domain::Temperature {
        self.db.frontline().fever_threshold
    }

    pub async fn create_checkpoint(&self, checkpoint: NewCheckpoint) -> Result<Created> {
        self.require(Capability::ManageVenues)?;
        self.check_place(&checkpoint.place)?;
        let name = checkpoint.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid { field: "name", message: "1 to 100 characters".into() });
        }
        self.backend.insert_checkpoint(self.scope(), checkpoint, self.db.now()).await
    }

    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        self.require(Capability::ReadAreas)?;
        self.backend.checkpoints(self.scope()).await
    }

    /// Registers a passage; a fever with an ID number opens a fever record and a transfer task.
    pub async fn record_passage(&self, passage: NewPassage) -> Result<PassageReceipt> {
        self.require(Capability::RecordPassages)?;
        for (field, text) in [("origin", &passage.origin), ("destination", &passage.destination)] {
            if text.as_deref().is_some_and(|t| t.chars().count() > 100) {
                return Err(StoreError::Invalid { field, message: "at most 100 characters".into() });
            }
        }
        if let PassageSubject::Vehicle { cargo: Some(cargo), .. } = &passage.subject
            && cargo.chars().count() > 200
        {
            return Err(StoreError::Invalid { field: "cargo", message: "at most 200 characters".into() });
        }
        let rule = self.db.frontline();
        self.backend.insert_passage(self.scope(), &self.actor, passage, &rule, self.db.now()).await
    }

    /// A checkpoint's ledger (台账) for one Shanghai day; reading names and phones is audited.
    pub async fn passages(&self, checkpoint_id: Id, day: Date) -> Result<Vec<Passage>> {
        self.require(Capability::ReadPassages)?;
        // Another county's checkpoint, or none, is not found — not an empty ledger.
        if !self.backend.checkpoints(self.scope()).await?.iter().any(|c| c.id == checkpoint_id) {
            return Err(StoreError::NotFound);
        }
        let from = domain::shanghai_day_start(day);
        let found = self.backend.passages(self.scope(), checkpoint_id, from, from + 86_400).await?;
        let detail = format!("ledger of {day}, {} lines", found.len());
        self.audit("passage.ledger", "checkpoint", Some(checkpoint_id), self.scope().prefix(), detail).await?;
        Ok(found)
    }

    /// Records a home follow-up visit (一二三工作法); a fever opens a transfer task once per episode.
    pub async fn record_follow_up(&self, follow_up: NewFollowUp) -> Result<FollowUpReceipt> {
        self.require(Capability::RecordFollowUps)?;
        let now = self.db.now();
        let today = domain::shanghai_date(now);
        if follow_up.day > today || follow_up.day < today.yesterday().unwrap_or(today) {
            return Err(StoreError::Invalid { field: "day", message: "record visits of today or yesterday".into() });
        }
        if follow_up.note.chars().count() > 200 {
            return Err(StoreError::Invalid { field: "note", message: "at most 200 characters".into() });
        }
        let rule = self.db.frontline();
        self.backend.insert_follow_up(self.scope(), &self.actor, follow_up, &rule, now).await
    }

    /// The follow-up sheet of a Shanghai day: everyone under home isolation or monitoring in the
    /// caller's jurisdiction, with the visits recorded. Reading names and phones is audited.
    pub async fn follow_up_sheet(&self, day: Date) -> Result<Vec<FollowUpLine>> {
        self.require(Capability::ReadKeyPersons)?;
        let lines = self.backend.follow_up_sheet(self.scope(), day, 2000).await?;
        let detail = format!("follow-up sheet of {day}, {} persons", lines.len());
        self.audit("follow_up.sheet", "key_person", None, self.scope().prefix(), detail).await?;
        Ok(lines)
    }

    pub async fn audit_log(&self, page: PageRequest) -> Result<Page<AuditEntry>> {
        self.require(Capability::ReadAudit)?;
        self.backend.audit(self.scope(), page).await
    }

    /// Refuses early, before a request body is even parsed, when the role lacks `capability`:
    /// a caller who may not act learns nothing about its input. Division names, public
    /// statistical data, need only this check.
    pub fn authorize(&self, capability: Capability) -> Result<()> {
        self.require(capability)
    }
}
