//! Decoding stored rows into records, once for both SQL backends: each backend only says how to
//! read a column of its row type (`RowReader`), and the shapes of the records live here.

use crate::codec;
use crate::error::{Result, StoreError};
use crate::*;

pub const USER_COLUMNS: &str = "id, username, display_name, role, area_code";
pub const PERSON_COLUMNS: &str = "id, id_number, name, phone, area_code, grid_code, created_at";
/// Key-person columns over `key_persons k JOIN persons p`.
pub const KEY_PERSON_COLUMNS: &str = "k.id, k.person_id, p.name, p.id_number, p.phone, k.area_code, k.grid_code, k.class, \
    k.source, k.cadre_name, k.cadre_phone, k.status, k.severity, k.measure_kind, k.measure_site, k.measure_start, \
    k.measure_planned_end, k.created_at, k.updated_at";

/// Reading one column of a database row by name.
pub trait RowReader {
    fn text(&self, column: &str) -> Result<String>;
    fn opt_text(&self, column: &str) -> Result<Option<String>>;
    fn int(&self, column: &str) -> Result<i64>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>>;
}

pub fn user(row: &impl RowReader) -> Result<User> {
    let role = row.text("role")?;
    Ok(User {
        id: row.int("id")?,
        username: row.text("username")?,
        display_name: row.text("display_name")?,
        role: domain::Role::parse(&role)
            .map_err(|_| StoreError::Backend(format!("stored role {role:?} is not valid")))?,
        area_code: row.text("area_code")?,
    })
}

pub fn person(row: &impl RowReader) -> Result<Person> {
    Ok(Person {
        id: row.int("id")?,
        id_number: row.text("id_number")?,
        name: row.text("name")?,
        phone: row.opt_text("phone")?,
        area_code: row.text("area_code")?,
        grid_code: row.opt_text("grid_code")?,
        created_at: row.int("created_at")?,
    })
}

/// The current measure from the `measure_*` columns of `key_persons`.
pub fn current_measure(row: &impl RowReader) -> Result<Option<Measure>> {
    let (Some(kind), Some(start)) = (row.opt_text("measure_kind")?, row.opt_text("measure_start")?) else {
        return Ok(None);
    };
    let planned_end = row.opt_text("measure_planned_end")?;
    codec::measure(&kind, row.opt_text("measure_site")?, &start, planned_end.as_deref(), None).map(Some)
}

pub fn state(row: &impl RowReader) -> Result<domain::State> {
    codec::state(&row.text("status")?, row.opt_text("severity")?.as_deref())
}

pub fn key_person(row: &impl RowReader) -> Result<KeyPerson> {
    Ok(KeyPerson {
        id: row.int("id")?,
        person_id: row.int("person_id")?,
        name: row.text("name")?,
        id_number: row.text("id_number")?,
        phone: row.opt_text("phone")?,
        area_code: row.text("area_code")?,
        grid_code: row.opt_text("grid_code")?,
        class: codec::class(&row.text("class")?)?,
        source: codec::source(&row.text("source")?)?,
        cadre_name: row.opt_text("cadre_name")?,
        cadre_phone: row.opt_text("cadre_phone")?,
        state: state(row)?,
        measure: current_measure(row)?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

pub fn event(row: &impl RowReader) -> Result<StatusEvent> {
    Ok(StatusEvent {
        id: row.int("id")?,
        from: codec::optional_state(
            row.opt_text("from_status")?.as_deref(),
            row.opt_text("from_severity")?.as_deref(),
        )?,
        to: codec::state(&row.text("to_status")?, row.opt_text("to_severity")?.as_deref())?,
        actor: row.text("actor_name")?,
        at: row.int("at")?,
        reason: row.text("reason")?,
    })
}

pub fn measure(row: &impl RowReader) -> Result<Measure> {
    codec::measure(
        &row.text("kind")?,
        row.opt_text("site")?,
        &row.text("start_date")?,
        row.opt_text("planned_end")?.as_deref(),
        row.opt_text("actual_end")?.as_deref(),
    )
}

pub fn task(row: &impl RowReader) -> Result<Task> {
    let kind = row.text("kind")?;
    Ok(Task {
        id: row.int("id")?,
        kind: TaskKind::parse(&kind)
            .ok_or_else(|| StoreError::Backend(format!("stored task kind {kind:?} is not valid")))?,
        key_person_id: row.int("key_person_id")?,
        person_name: row.text("name")?,
        status: codec::state(&row.text("status")?, None)?.status,
        area_code: row.text("area_code")?,
        due_date: codec::date(&row.text("due_date")?)?,
        created_at: row.int("created_at")?,
        done_at: row.opt_int("done_at")?,
    })
}

/// A grid without its details; the backend adds households and workers.
pub fn grid(row: &impl RowReader) -> Result<Grid> {
    let level = row.int("level")?;
    Ok(Grid {
        code: row.text("code")?,
        parent_code: row.opt_text("parent_code")?,
        level: u8::try_from(level)
            .map_err(|_| StoreError::Backend(format!("stored grid level {level} is not valid")))?,
        name: row.text("name")?,
        households: 0,
        workers: Vec::new(),
    })
}

pub fn grid_worker(row: &impl RowReader) -> Result<GridWorker> {
    Ok(GridWorker { name: row.text("name")?, phone: row.text("phone")?, user_id: row.opt_int("user_id")? })
}

pub const VENUE_COLUMNS: &str =
    "id, token, name, kind, address, area_code, grid_code, owner_name, owner_phone, created_at";

pub fn venue(row: &impl RowReader) -> Result<Venue> {
    let kind = row.text("kind")?;
    Ok(Venue {
        id: row.int("id")?,
        token: row.text("token")?,
        name: row.text("name")?,
        kind: domain::VenueKind::parse(&kind)
            .map_err(|_| StoreError::Backend(format!("stored venue kind {kind:?} is not valid")))?,
        address: row.text("address")?,
        area_code: row.text("area_code")?,
        grid_code: row.opt_text("grid_code")?,
        owner_name: row.opt_text("owner_name")?,
        owner_phone: row.opt_text("owner_phone")?,
        created_at: row.int("created_at")?,
    })
}

pub fn audit(row: &impl RowReader) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.int("id")?,
        at: row.int("at")?,
        user_id: row.int("user_id")?,
        username: row.text("username")?,
        action: row.text("action")?,
        subject_kind: row.text("subject_kind")?,
        subject_id: row.opt_int("subject_id")?,
        area_code: row.text("area_code")?,
        remote_addr: row.opt_text("remote_addr")?,
        detail: row.text("detail")?,
    })
}
