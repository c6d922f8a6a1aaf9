//! Pure rules and types of fangkong: identity and place codes that validate on construction, the
//! key-person status machine, classes, measures and their durations, roles and what they may do.
//! No IO, no async, no serde: everything here is a function of its arguments.

mod area;
mod audit;
mod class;
mod code;
mod contact;
mod digits;
mod followup;
mod frontline;
mod health_code;
mod id_number;
mod ids;
mod label;
mod lead;
mod list;
mod measure;
mod message;
mod name;
mod phone;
mod role;
pub mod statistics;
mod status;
mod temperature;
pub mod text;
mod time;

pub use area::{AreaCode, AreaCodeError, AreaLevel, GridCode, GridCodeError, GridLevel, Scope};
pub use audit::{AuditAction, AuditSubject, describe as describe_audit};
pub use class::{KeyClass, Source};
pub use code::{Code, UnknownCode, parse_among};
pub use contact::{
    LONGEST_STAY, Overlap, Stay, TracingRule, TracingRuleError, Visit, Window, epidemic_points, exposure_of, overlaps,
    stays_of,
};
pub use followup::{FollowUpDay, FollowUpGap, VisitSlot, minutes_into, needs_follow_up};
pub use frontline::{Direction, FrontLine, PlateError, PlateNumber, SELF_REPORT_DUE_SECONDS, VenueKind};
pub use health_code::{
    ArrivalRisk, CodeReason, Colour, Exposure, HealthCode, RecordFacts, confines, health_code, record_reasons,
};
pub use id_number::{ResidentId, ResidentIdError, check_digit};
pub use ids::{
    AuditEntryId, CandidateId, CheckinId, CheckpointId, FollowUpId, HouseholdId, InvestigationId, KeyPersonId, LeadId,
    ListId, PassageId, PersonId, PointId, ReportedPlaceId, StatusEventId, TaskId, UploadId, UserId, VenueId,
};
pub use label::Label;
pub use lead::{LeadOutcome, ListKind, MatchKind, match_person, progress, progress_en, progress_zh};
pub use list::{
    ADDRESS_MAX, CellProblem, Document, HEADER_SEARCH_ROWS, ListField, ListRow, Mapping, MappingError, OtherDocument,
    PlaceNames, header_row, normalise_row,
};
pub use measure::{Durations, MeasureKind, default_measure, falls_due_for_release};
pub use message::{Explain, Message};
pub use name::{PersonName, PersonNameError};
pub use phone::{Phone, PhoneError};
pub use role::{Capability, Role};
pub use status::{KeyPersonOrder, Severity, State, Status, TransitionError, check_transition, legal_targets, replay};
pub use temperature::{Temperature, TemperatureError};
pub use time::{shanghai_date, shanghai_day_start};
