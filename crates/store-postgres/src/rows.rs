//! Decoding PostgreSQL rows into store records.

use sqlx::Row;
use sqlx::postgres::PgRow;
use store::codec;
use store::*;

use crate::fail;

pub const USER_COLUMNS: &str = "id, username, display_name, role, area_code";
pub const USER_COLUMNS_U: &str = "u.id, u.username, u.display_name, u.role, u.area_code";
pub const PERSON_COLUMNS: &str = "id, id_number, name, phone, area_code, grid_code, created_at";
pub const KEY_PERSON_COLUMNS: &str = "k.id, k.person_id, p.name, p.id_number, p.phone, k.area_code, k.grid_code, k.class, \
    k.source, k.cadre_name, k.cadre_phone, k.status, k.severity, k.measure_kind, k.measure_site, k.measure_start, \
    k.measure_planned_end, k.created_at, k.updated_at";

pub fn text(row: &PgRow, column: &str) -> Result<String> {
    row.try_get(column).map_err(fail)
}

pub fn opt_text(row: &PgRow, column: &str) -> Result<Option<String>> {
    row.try_get(column).map_err(fail)
}

fn int(row: &PgRow, column: &str) -> Result<i64> {
    row.try_get(column).map_err(fail)
}

pub fn user(row: &PgRow) -> Result<User> {
    let role = text(row, "role")?;
    Ok(User {
        id: int(row, "id")?,
        username: text(row, "username")?,
        display_name: text(row, "display_name")?,
        role: domain::Role::parse(&role)
            .map_err(|_| StoreError::Backend(format!("stored role {role:?} is not valid")))?,
        area_code: text(row, "area_code")?,
    })
}

pub fn person(row: &PgRow) -> Result<Person> {
    Ok(Person {
        id: int(row, "id")?,
        id_number: text(row, "id_number")?,
        name: text(row, "name")?,
        phone: opt_text(row, "phone")?,
        area_code: text(row, "area_code")?,
        grid_code: opt_text(row, "grid_code")?,
        created_at: int(row, "created_at")?,
    })
}

/// The current measure from the `measure_*` columns of `key_persons`.
pub fn current_measure(row: &PgRow) -> Result<Option<Measure>> {
    let (Some(kind), Some(start)) = (
        opt_text(row, "measure_kind")?,
        opt_text(row, "measure_start")?,
    ) else {
        return Ok(None);
    };
    let planned_end = opt_text(row, "measure_planned_end")?;
    codec::measure(
        &kind,
        opt_text(row, "measure_site")?,
        &start,
        planned_end.as_deref(),
        None,
    )
    .map(Some)
}

pub fn key_person(row: &PgRow) -> Result<KeyPerson> {
    Ok(KeyPerson {
        id: int(row, "id")?,
        person_id: int(row, "person_id")?,
        name: text(row, "name")?,
        id_number: text(row, "id_number")?,
        phone: opt_text(row, "phone")?,
        area_code: text(row, "area_code")?,
        grid_code: opt_text(row, "grid_code")?,
        class: codec::class(&text(row, "class")?)?,
        source: codec::source(&text(row, "source")?)?,
        cadre_name: opt_text(row, "cadre_name")?,
        cadre_phone: opt_text(row, "cadre_phone")?,
        state: codec::state(&text(row, "status")?, opt_text(row, "severity")?.as_deref())?,
        measure: current_measure(row)?,
        created_at: int(row, "created_at")?,
        updated_at: int(row, "updated_at")?,
    })
}

pub fn event(row: &PgRow) -> Result<StatusEvent> {
    Ok(StatusEvent {
        id: int(row, "id")?,
        from: codec::optional_state(
            opt_text(row, "from_status")?.as_deref(),
            opt_text(row, "from_severity")?.as_deref(),
        )?,
        to: codec::state(
            &text(row, "to_status")?,
            opt_text(row, "to_severity")?.as_deref(),
        )?,
        actor: text(row, "actor_name")?,
        at: int(row, "at")?,
        reason: text(row, "reason")?,
    })
}

pub fn measure(row: &PgRow) -> Result<Measure> {
    codec::measure(
        &text(row, "kind")?,
        opt_text(row, "site")?,
        &text(row, "start_date")?,
        opt_text(row, "planned_end")?.as_deref(),
        opt_text(row, "actual_end")?.as_deref(),
    )
}

pub fn task(row: &PgRow) -> Result<Task> {
    let kind = text(row, "kind")?;
    Ok(Task {
        id: int(row, "id")?,
        kind: TaskKind::parse(&kind).ok_or_else(|| {
            StoreError::Backend(format!("stored task kind {kind:?} is not valid"))
        })?,
        key_person_id: int(row, "key_person_id")?,
        person_name: text(row, "name")?,
        status: codec::state(&text(row, "status")?, None)?.status,
        area_code: text(row, "area_code")?,
        due_date: codec::date(&text(row, "due_date")?)?,
        created_at: int(row, "created_at")?,
        done_at: row.try_get("done_at").map_err(fail)?,
    })
}

pub fn grid(row: &PgRow) -> Result<Grid> {
    let level: i64 = int(row, "level")?;
    Ok(Grid {
        code: text(row, "code")?,
        parent_code: opt_text(row, "parent_code")?,
        level: u8::try_from(level).map_err(fail)?,
        name: text(row, "name")?,
        households: 0,
        workers: Vec::new(),
    })
}

pub fn grid_worker(row: &PgRow) -> Result<GridWorker> {
    Ok(GridWorker {
        name: text(row, "name")?,
        phone: text(row, "phone")?,
        user_id: row.try_get("user_id").map_err(fail)?,
    })
}

pub fn audit(row: &PgRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: int(row, "id")?,
        at: int(row, "at")?,
        user_id: int(row, "user_id")?,
        username: text(row, "username")?,
        action: text(row, "action")?,
        subject_kind: text(row, "subject_kind")?,
        subject_id: row.try_get("subject_id").map_err(fail)?,
        area_code: text(row, "area_code")?,
        remote_addr: opt_text(row, "remote_addr")?,
        detail: text(row, "detail")?,
    })
}
