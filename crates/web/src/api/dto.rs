//! JSON shapes of the API and their conversions from store records.

use serde::{Deserialize, Serialize};
use store::{AuditEntry, Grid, KeyPerson, KeyPersonDetail, Measure, Person, StatusEvent, Task};
use utoipa::ToSchema;

use crate::time::instant_text;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub username: String,
    pub role: String,
    pub area_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub area_code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonBody {
    /// Resident ID (GB 11643), 18 characters; full-width digits and spaces are accepted.
    pub id_number: String,
    pub name: String,
    /// 11-digit mobile; `+86`, spaces and dashes are accepted.
    pub phone: Option<String>,
    /// Residence: a 6, 9 or 12-digit division code.
    pub area_code: String,
    /// The grid below that division, when known.
    pub grid_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonBody {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub created_at: String,
    /// False when the ID number was already registered and this is that person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
}

impl From<Person> for PersonBody {
    fn from(p: Person) -> PersonBody {
        PersonBody {
            id: p.id,
            id_number: p.id_number,
            name: p.name,
            phone: p.phone,
            area_code: p.area_code,
            grid_code: p.grid_code,
            created_at: instant_text(p.created_at),
            created: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyPersonBody {
    pub person_id: i64,
    /// One of confirmed, suspected, close_contact, epidemic_area_arrival, fever.
    pub class: String,
    /// One of checkpoint, big_data, grid_screening, report, tracing, hospital.
    pub source: String,
    /// Arrivals (epidemic_area_arrival) only: the risk of the area arrived from, high (class 1:
    /// red code) or medium (class 2: yellow); absent counts as medium.
    pub arrival_risk: Option<String>,
    /// The responsible cadre (包保责任人).
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    /// Why this person is registered; defaults to the source.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonCreated {
    pub id: i64,
    pub status: String,
    pub created: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureBody {
    pub kind: String,
    pub site: Option<String>,
    pub start: String,
    pub planned_end: Option<String>,
    pub actual_end: Option<String>,
}

impl From<Measure> for MeasureBody {
    fn from(m: Measure) -> MeasureBody {
        MeasureBody {
            kind: m.kind.as_str().to_string(),
            site: m.site,
            start: m.start.to_string(),
            planned_end: m.planned_end.map(|d| d.to_string()),
            actual_end: m.actual_end.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonBody {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    /// Masked in lists (4117**********123X); full on a single record, whose read is audited.
    pub id_number: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub class: String,
    pub source: String,
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub status: String,
    pub severity: Option<String>,
    pub measure: Option<MeasureBody>,
    pub created_at: String,
    pub updated_at: String,
}

impl KeyPersonBody {
    pub fn new(k: KeyPerson, masked: bool) -> KeyPersonBody {
        let id_number = if masked { crate::mask::id_number(&k.id_number) } else { k.id_number };
        let phone = if masked { k.phone.as_deref().map(crate::mask::phone) } else { k.phone };
        KeyPersonBody {
            id: k.id,
            person_id: k.person_id,
            name: k.name,
            id_number,
            phone,
            area_code: k.area_code,
            grid_code: k.grid_code,
            class: k.class.as_str().to_string(),
            source: k.source.as_str().to_string(),
            cadre_name: k.cadre_name,
            cadre_phone: k.cadre_phone,
            status: k.state.status.as_str().to_string(),
            severity: k.state.severity.map(|s| s.as_str().to_string()),
            measure: k.measure.map(MeasureBody::from),
            created_at: instant_text(k.created_at),
            updated_at: instant_text(k.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonPage {
    pub items: Vec<KeyPersonBody>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    /// Absent for the event that opened the record.
    pub from: Option<String>,
    pub from_severity: Option<String>,
    pub to: String,
    pub severity: Option<String>,
    pub actor: String,
    pub at: String,
    pub reason: String,
}

impl From<StatusEvent> for HistoryEntry {
    fn from(e: StatusEvent) -> HistoryEntry {
        HistoryEntry {
            id: e.id,
            from: e.from.map(|s| s.status.as_str().to_string()),
            from_severity: e.from.and_then(|s| s.severity).map(|s| s.as_str().to_string()),
            to: e.to.status.as_str().to_string(),
            severity: e.to.severity.map(|s| s.as_str().to_string()),
            actor: e.actor,
            at: instant_text(e.at),
            reason: e.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonDetailBody {
    #[serde(flatten)]
    pub record: KeyPersonBody,
    pub history: Vec<HistoryEntry>,
    pub measures: Vec<MeasureBody>,
    /// Statuses this record may move to next.
    pub next: Vec<String>,
}

impl From<KeyPersonDetail> for KeyPersonDetailBody {
    fn from(d: KeyPersonDetail) -> KeyPersonDetailBody {
        let next = domain::legal_targets(d.record.state.status).iter().map(|s| s.as_str().to_string()).collect();
        KeyPersonDetailBody {
            record: KeyPersonBody::new(d.record, false),
            history: d.history.into_iter().map(HistoryEntry::from).collect(),
            measures: d.measures.into_iter().map(MeasureBody::from).collect(),
            next,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The status to move to.
    pub to: String,
    /// Why; required.
    pub reason: String,
    /// Required when `to` is confirmed: mild, severe or critical.
    pub severity: Option<String>,
    /// Overrides the status's default measure: central_isolation, home_isolation, health_monitoring, hospital_treatment.
    pub measure: Option<String>,
    /// Isolation site or hospital.
    pub site: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionDone {
    pub event_id: i64,
    pub status: String,
    pub severity: Option<String>,
    pub created: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    pub code: String,
    pub name: String,
    pub full_name: String,
    /// province, prefecture, county, township or village.
    pub level: String,
    pub parent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerBody {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GridBody {
    pub code: String,
    pub parent_code: Option<String>,
    /// 1 township/street, 2 village/community, 3 natural village/compound, 4 multi-household unit.
    pub level: u8,
    pub name: String,
    pub households: u64,
    pub workers: Vec<WorkerBody>,
}

impl From<Grid> for GridBody {
    fn from(g: Grid) -> GridBody {
        GridBody {
            code: g.code,
            parent_code: g.parent_code,
            level: g.level,
            name: g.name,
            households: g.households,
            workers: g.workers.into_iter().map(|w| WorkerBody { name: w.name, phone: w.phone }).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskBody {
    pub id: i64,
    pub kind: String,
    pub key_person_id: i64,
    pub person_name: String,
    pub status: String,
    pub area_code: String,
    pub due_date: String,
    pub done_at: Option<String>,
}

impl From<Task> for TaskBody {
    fn from(t: Task) -> TaskBody {
        TaskBody {
            id: t.id,
            kind: t.kind.as_str().to_string(),
            key_person_id: t.key_person_id,
            person_name: t.person_name,
            status: t.status.as_str().to_string(),
            area_code: t.area_code,
            due_date: t.due_date.to_string(),
            done_at: t.done_at.map(instant_text),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskBody>,
    pub total: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBody {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    pub detail: String,
}

impl From<AuditEntry> for AuditBody {
    fn from(a: AuditEntry) -> AuditBody {
        AuditBody {
            id: a.id,
            at: instant_text(a.at),
            username: a.username,
            action: a.action,
            subject_kind: a.subject_kind,
            subject_id: a.subject_id,
            area_code: a.area_code,
            remote_addr: a.remote_addr,
            detail: a.detail,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditBody>,
    pub total: u64,
    pub page: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
    pub time: String,
}
