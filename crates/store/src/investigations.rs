//! What the store keeps and answers for contact tracing (SPEC §4.4).

use async_trait::async_trait;
use domain::{MeasureKind, Scope};
use jiff::civil::Date;

use crate::error::Result;
use crate::*;

/// Opening an investigation for a confirmed (or suspected) case.
#[derive(Debug, Clone)]
pub struct NewInvestigation {
    pub key_person_id: KeyPersonId,
    pub onset: Date,
    /// When the case was isolated; the exposure window ends here.
    pub isolated_at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investigation {
    pub id: InvestigationId,
    pub key_person_id: KeyPersonId,
    pub person_id: PersonId,
    pub person_name: String,
    pub area_code: String,
    pub onset: Date,
    pub isolated_at: Instant,
    /// 1 for a case, 2 for a close contact traced on (contacts of contacts).
    pub generation: i64,
    pub created_by: String,
    pub created_at: Instant,
    pub signature: Option<Signature>,
}

/// 谁流调、谁签字、谁负责: who signed the investigation, when, and the statement they signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub user_id: UserId,
    pub name: String,
    pub at: Instant,
    pub statement: String,
}

/// One line of the case's trajectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrajectoryEntry {
    /// A venue check-in with its stay (ended by check-out, next check-in elsewhere or the cap).
    Stay { checkin_id: CheckinId, venue_id: VenueId, venue_name: String, from: Instant, to: Instant, estimated: bool },
    /// A checkpoint passage.
    Passage { passage_id: PassageId, checkpoint_name: String, at: Instant, direction: String },
    /// A place the case reported.
    Reported { id: ReportedPlaceId, place: String, venue_id: Option<VenueId>, from: Instant, to: Instant, note: String },
}

impl TrajectoryEntry {
    pub fn starts_at(&self) -> Instant {
        match self {
            TrajectoryEntry::Stay { from, .. } | TrajectoryEntry::Reported { from, .. } => *from,
            TrajectoryEntry::Passage { at, .. } => *at,
        }
    }
}

/// A place the case reports: free text, optionally a registered venue.
#[derive(Debug, Clone)]
pub struct NewReportedPlace {
    pub place: String,
    pub venue_id: Option<VenueId>,
    pub from: Instant,
    pub to: Instant,
    pub note: String,
}

/// A venue the rule proposes as an epidemic point, or one confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointView {
    /// Set once confirmed.
    pub id: Option<PointId>,
    pub venue_id: VenueId,
    pub venue_name: String,
    pub area_code: String,
    pub case_checkin_id: CheckinId,
    /// The case's stay within the exposure window.
    pub from: Instant,
    pub to: Instant,
    /// The stay widened by the overlap margin: who was there then is a candidate.
    pub exposure_from: Instant,
    pub exposure_to: Instant,
    pub confirmed_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateStatus {
    /// A tracing task: the grid of the person finds and checks them.
    Pending,
    /// Confirmed by the investigator: a close-contact key person.
    Confirmed,
    /// Cleared: not a contact after all.
    Cleared,
}

impl CandidateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateStatus::Pending => "pending",
            CandidateStatus::Confirmed => "confirmed",
            CandidateStatus::Cleared => "cleared",
        }
    }

    pub fn parse(s: &str) -> Option<CandidateStatus> {
        [CandidateStatus::Pending, CandidateStatus::Confirmed, CandidateStatus::Cleared]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

impl domain::Label for CandidateStatus {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            CandidateStatus::Pending => ("待核查", "To check"),
            CandidateStatus::Confirmed => ("已判定密接", "Close contact"),
            CandidateStatus::Cleared => ("已排除", "Cleared"),
        }
    }
}

/// A close-contact candidate with the overlap that makes them one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: CandidateId,
    pub investigation_id: InvestigationId,
    pub point_id: PointId,
    pub venue_name: String,
    pub person_id: PersonId,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub checkin_id: CheckinId,
    pub stay_from: Instant,
    pub stay_to: Instant,
    pub stay_estimated: bool,
    pub overlap_from: Instant,
    pub overlap_to: Instant,
    pub status: CandidateStatus,
    pub due_at: Instant,
    pub decided_by: Option<String>,
    pub key_person_id: Option<KeyPersonId>,
    /// The last check-in or passage while the candidacy was pending (a yellow code should have
    /// kept them in).
    pub seen_out: Option<SeenOut>,
}

/// Where and when a person who should have stayed in was seen out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenOut {
    pub at: Instant,
    /// The venue's or checkpoint's name.
    pub place: String,
}

/// Everything the investigation workspace shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestigationDetail {
    pub investigation: Investigation,
    /// The exposure window: from 00:00 of onset − lookback to isolation.
    pub window_from: Instant,
    pub window_to: Instant,
    pub trajectory: Vec<TrajectoryEntry>,
    /// Proposed by the rule and not yet confirmed.
    pub proposed: Vec<PointView>,
    pub points: Vec<PointView>,
    pub candidates: Vec<Candidate>,
}

/// How a candidate ends.
#[derive(Debug, Clone)]
pub enum CandidateDecision {
    /// A close contact under this measure (central or home isolation), from today.
    Confirm {
        measure: MeasureKind,
    },
    Clear {
        note: String,
    },
}

/// A check-in as tracing reads it, with its venue's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedVisit {
    pub visit: domain::Visit,
    pub venue_name: String,
    pub venue_area_code: String,
}

/// A passage of the case through a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageOfPerson {
    pub id: PassageId,
    pub checkpoint_name: String,
    pub at: Instant,
    pub direction: String,
}

/// A reported place as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedPlace {
    pub id: ReportedPlaceId,
    pub place: String,
    pub venue_id: Option<VenueId>,
    pub from: Instant,
    pub to: Instant,
    pub note: String,
}

/// A confirmed point and the candidates it yields, written together.
#[derive(Debug, Clone)]
pub struct NewPoint {
    pub investigation_id: InvestigationId,
    pub venue_id: VenueId,
    pub area_code: String,
    pub case_checkin_id: CheckinId,
    pub from: Instant,
    pub to: Instant,
    pub exposure_from: Instant,
    pub exposure_to: Instant,
    pub candidates: Vec<NewCandidate>,
}

#[derive(Debug, Clone)]
pub struct NewCandidate {
    pub person_id: PersonId,
    pub checkin_id: CheckinId,
    pub stay_from: Instant,
    pub stay_to: Instant,
    pub stay_estimated: bool,
    pub overlap_from: Instant,
    pub overlap_to: Instant,
    pub due_at: Instant,
}

/// Which candidates to list.
#[derive(Debug, Clone, Copy)]
pub enum CandidateFilter {
    /// Every candidate of one investigation.
    Investigation(InvestigationId),
    /// Pending tracing tasks in the caller's jurisdiction (the grid worker's list).
    PendingInScope,
}

/// A candidate's decision as stored: its new status, the record it became, the tracer's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateOutcome {
    pub status: CandidateStatus,
    /// The key-person record the candidate was registered as, when registered.
    pub key_person_id: Option<KeyPersonId>,
    pub note: Option<String>,
}

/// Contact tracing (SPEC §4.4): investigations, the reads of a trajectory, points and candidates.
#[async_trait]
pub trait InvestigationStore: Send + Sync {
    /// Opens an investigation of the open record `key_person_id` in `scope`; the same record and
    /// onset again return the first (created = false).
    async fn insert_investigation(
        &self,
        scope: &Scope,
        actor: &Actor,
        investigation: NewInvestigation,
        generation: i64,
        now: Instant,
    ) -> Result<Created<InvestigationId>>;

    async fn investigation(&self, scope: &Scope, id: InvestigationId) -> Result<Investigation>;

    /// The newest investigations in `scope`.
    async fn investigations(&self, scope: &Scope, limit: u32) -> Result<Vec<Investigation>>;

    /// A person's check-ins with `from <= t_in < to`, wherever they were (the trail and the
    /// check-ins not yet copied into it), oldest first.
    async fn visits_of_person(&self, person_id: PersonId, from: Instant, to: Instant) -> Result<Vec<NamedVisit>>;

    /// Where these persons checked in with `from <= t_in < to` — venue and time, without
    /// check-out times (`t_out` is `None`): what ends a stay that has no check-out.
    async fn visits_of_persons(
        &self,
        person_ids: &[PersonId],
        from: Instant,
        to: Instant,
    ) -> Result<Vec<domain::Visit>>;

    /// Check-ins at a venue with `after < t_in < before`.
    async fn visits_at_venue(&self, venue_id: VenueId, after: Instant, before: Instant) -> Result<Vec<domain::Visit>>;

    async fn passages_of_person(&self, person_id: PersonId, from: Instant, to: Instant)
    -> Result<Vec<PassageOfPerson>>;

    async fn insert_reported_place(
        &self,
        investigation: &Investigation,
        actor: &Actor,
        place: NewReportedPlace,
        now: Instant,
    ) -> Result<Created<ReportedPlaceId>>;

    async fn reported_places(&self, investigation_id: InvestigationId) -> Result<Vec<ReportedPlace>>;

    async fn points(&self, investigation_id: InvestigationId) -> Result<Vec<PointView>>;

    /// Confirms a point and writes its candidates, in one transaction; the same point again
    /// changes nothing and returns the first.
    async fn insert_point(&self, actor: &Actor, point: NewPoint, now: Instant) -> Result<Created<PointId>>;

    async fn candidates(&self, scope: &Scope, filter: CandidateFilter, limit: u32) -> Result<Vec<Candidate>>;

    /// A candidate in `scope` (the person's area) or of an investigation in `scope`.
    async fn candidate(&self, scope: &Scope, id: CandidateId) -> Result<Candidate>;

    /// Records the decision on a pending candidate; a decided one is a conflict.
    async fn decide_candidate(
        &self,
        id: CandidateId,
        outcome: &CandidateOutcome,
        actor: &Actor,
        now: Instant,
    ) -> Result<()>;

    /// Signs an investigation once; signing again is a conflict.
    async fn sign_investigation(
        &self,
        scope: &Scope,
        id: InvestigationId,
        actor: &Actor,
        statement: &str,
        now: Instant,
    ) -> Result<()>;
}
