//! What the store keeps and answers for contact tracing (SPEC §4.4) and health codes (§4.5).

use domain::{KeyClass, MeasureKind, Status};
use jiff::civil::Date;

use crate::model::{Id, Instant};

/// Opening an investigation for a confirmed (or suspected) case.
#[derive(Debug, Clone)]
pub struct NewInvestigation {
    pub key_person_id: Id,
    pub onset: Date,
    /// When the case was isolated; the exposure window ends here.
    pub isolated_at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investigation {
    pub id: Id,
    pub key_person_id: Id,
    pub person_id: Id,
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
    pub user_id: Id,
    pub name: String,
    pub at: Instant,
    pub statement: String,
}

/// One line of the case's trajectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrajectoryEntry {
    /// A venue check-in with its stay (ended by check-out, next check-in elsewhere or the cap).
    Stay { checkin_id: Id, venue_id: Id, venue_name: String, from: Instant, to: Instant, estimated: bool },
    /// A checkpoint passage.
    Passage { passage_id: Id, checkpoint_name: String, at: Instant, direction: String },
    /// A place the case reported.
    Reported { id: Id, place: String, venue_id: Option<Id>, from: Instant, to: Instant, note: String },
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
    pub venue_id: Option<Id>,
    pub from: Instant,
    pub to: Instant,
    pub note: String,
}

/// A venue the rule proposes as an epidemic point, or one confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointView {
    /// Set once confirmed.
    pub id: Option<Id>,
    pub venue_id: Id,
    pub venue_name: String,
    pub area_code: String,
    pub case_checkin_id: Id,
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

    pub fn label_zh(self) -> &'static str {
        match self {
            CandidateStatus::Pending => "待核查",
            CandidateStatus::Confirmed => "已判定密接",
            CandidateStatus::Cleared => "已排除",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CandidateStatus::Pending => "To check",
            CandidateStatus::Confirmed => "Close contact",
            CandidateStatus::Cleared => "Cleared",
        }
    }
}

/// A close-contact candidate with the overlap that makes them one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: Id,
    pub investigation_id: Id,
    pub point_id: Id,
    pub venue_name: String,
    pub person_id: Id,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub checkin_id: Id,
    pub stay_from: Instant,
    pub stay_to: Instant,
    pub stay_estimated: bool,
    pub overlap_from: Instant,
    pub overlap_to: Instant,
    pub status: CandidateStatus,
    pub due_at: Instant,
    pub decided_by: Option<String>,
    pub key_person_id: Option<Id>,
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

/// What the health code is derived from, as read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthFacts {
    pub person_id: Id,
    pub area_code: String,
    pub record: Option<OpenRecord>,
    /// Pending candidacies: a stay at an epidemic point in a case's exposure, not yet cleared.
    pub exposures: Vec<(String, Instant)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRecord {
    pub class: KeyClass,
    pub status: Status,
    pub measure: Option<MeasureKind>,
    pub measure_until: Option<Date>,
    pub arrival_risk: Option<domain::ArrivalRisk>,
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
    pub id: Id,
    pub checkpoint_name: String,
    pub at: Instant,
    pub direction: String,
}

/// A reported place as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedPlace {
    pub id: Id,
    pub place: String,
    pub venue_id: Option<Id>,
    pub from: Instant,
    pub to: Instant,
    pub note: String,
}

/// A confirmed point and the candidates it yields, written together.
#[derive(Debug, Clone)]
pub struct NewPoint {
    pub investigation_id: Id,
    pub venue_id: Id,
    pub area_code: String,
    pub case_checkin_id: Id,
    pub from: Instant,
    pub to: Instant,
    pub exposure_from: Instant,
    pub exposure_to: Instant,
    pub candidates: Vec<NewCandidate>,
}

#[derive(Debug, Clone)]
pub struct NewCandidate {
    pub person_id: Id,
    pub checkin_id: Id,
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
    Investigation(Id),
    /// Pending tracing tasks in the caller's jurisdiction (the grid worker's list).
    PendingInScope,
}
