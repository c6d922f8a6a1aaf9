//! Lists, leads and staged uploads (SPEC §4.8).

use crate::columns::RowReader;
use async_trait::async_trait;
use domain::{LeadOutcome, ListKind, MatchKind, Scope};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::*;

use crate::{Columns, Dialect, SqlBackend, fail, is_unique_violation, sql_count, sql_int};
use domain::Code;

/// A fever typed on the public check-in page by someone the registry did not vouch for.
pub(crate) struct SelfReport<'a> {
    pub(crate) request: &'a CheckinRequest,
    pub(crate) person_id: i64,
    /// Where the venue is: the lead goes to its grid, the day's list to its county.
    pub(crate) venue_area: &'a str,
    /// Shown as the lead's place: the venue and the reading.
    pub(crate) what: String,
}

/// Leads per INSERT statement (one bound JSON text of about 2 MB).
const LEAD_CHUNK: usize = 10_000;

/// Appends `value,` (a JSON number or null).
fn push_int(json: &mut String, value: Option<i64>) {
    use std::fmt::Write;
    match value {
        Some(v) => {
            let _ = write!(json, "{v},");
        }
        None => json.push_str("null,"),
    }
}

/// Appends `"text",` with JSON escapes (or null).
fn push_text(json: &mut String, value: Option<&str>) {
    use std::fmt::Write;
    let Some(text) = value else {
        json.push_str("null,");
        return;
    };
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(json, "\\u{:04x}", c as u32);
            }
            c => json.push(c),
        }
    }
    json.push_str("\",");
}

/// Leads as one JSON array of arrays, the columns in the order `do_insert_list` reads them.
fn leads_json(leads: &[NewLead], due_at: i64) -> String {
    let mut json = String::with_capacity(leads.len() * 200);
    json.push('[');
    for (n, lead) in leads.iter().enumerate() {
        if n > 0 {
            json.push(',');
        }
        json.push('[');
        push_int(&mut json, Some(lead.row_number));
        push_text(&mut json, Some(&lead.area_code));
        push_int(&mut json, lead.person_id.map(domain::PersonId::get));
        push_text(&mut json, Some(lead.match_kind.as_str()));
        push_text(&mut json, Some(&lead.subject_key));
        push_text(&mut json, lead.id_number.as_deref());
        push_text(&mut json, lead.name.as_deref());
        push_text(&mut json, lead.phone.as_deref());
        push_text(&mut json, Some(&lead.address));
        push_int(&mut json, Some(due_at));
        json.pop();
        json.push(']');
    }
    json.push(']');
    json
}

/// Appends one COPY text field and its separator: `\N` for null, and backslash, tab, newline and
/// carriage return escaped (the only characters COPY's text format gives a meaning).
fn push_copy_field(out: &mut String, value: Option<&str>, last: bool) {
    match value {
        None => out.push_str("\\N"),
        Some(text) => {
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
    out.push(if last { '\n' } else { '\t' });
}

/// Leads as COPY text rows, the columns in the order of `LEAD_COPY_COLUMNS`.
fn leads_copy_text(leads: &[NewLead], list_id: i64, due_at: i64) -> String {
    let mut out = String::with_capacity(leads.len() * 160);
    let (list_id, due_at) = (list_id.to_string(), due_at.to_string());
    for lead in leads {
        let row_number = lead.row_number.to_string();
        let person_id = lead.person_id.map(|id| id.to_string());
        push_copy_field(&mut out, Some(&list_id), false);
        push_copy_field(&mut out, Some(&row_number), false);
        push_copy_field(&mut out, Some(&lead.area_code), false);
        push_copy_field(&mut out, person_id.as_deref(), false);
        push_copy_field(&mut out, Some(lead.match_kind.as_str()), false);
        push_copy_field(&mut out, Some(&lead.subject_key), false);
        push_copy_field(&mut out, lead.id_number.as_deref(), false);
        push_copy_field(&mut out, lead.name.as_deref(), false);
        push_copy_field(&mut out, lead.phone.as_deref(), false);
        push_copy_field(&mut out, Some(&lead.address), false);
        push_copy_field(&mut out, Some(&due_at), true);
    }
    out
}

const LEAD_COPY_COLUMNS: &str =
    "list_id, row_number, area_code, person_id, match_kind, subject_key, id_number, name, phone, address, due_at";

const LIST_COLUMNS: &str = "id, area_code, kind, name, file_name, file_sha256, row_count, duplicates, by_id_number, \
     by_phone, by_name_area, unmatched, already_key_persons, already_leads, leads, verified, due_at, \
     created_by_name, created_at";

const LEAD_COLUMNS: &str = "l.id, l.list_id, s.name AS list_name, l.row_number, l.area_code, l.person_id, \
     l.match_kind, l.id_number, l.name, l.phone, l.address, l.due_at, l.outcome, l.note, l.key_person_id, \
     l.verified_by_name, l.verified_at";

fn count(row: &impl RowReader, column: &str) -> Result<u64> {
    Ok(sql_count(row.int(column)?))
}

fn list_summary(row: &impl RowReader) -> Result<ListSummary> {
    let kind = row.text("kind")?;
    Ok(ListSummary {
        id: domain::ListId::new(row.int("id")?),
        area_code: row.text("area_code")?,
        kind: ListKind::parse(&kind).map_err(fail)?,
        name: row.text("name")?,
        file_name: row.text("file_name")?,
        sha256: row.text("file_sha256")?,
        counts: ListCounts {
            rows: count(row, "row_count")?,
            duplicates: count(row, "duplicates")?,
            by_id_number: count(row, "by_id_number")?,
            by_phone: count(row, "by_phone")?,
            by_name_area: count(row, "by_name_area")?,
            unmatched: count(row, "unmatched")?,
            already_key_persons: count(row, "already_key_persons")?,
            already_leads: count(row, "already_leads")?,
            leads: count(row, "leads")?,
        },
        verified: count(row, "verified")?,
        due_at: row.int("due_at")?,
        created_by_name: row.text("created_by_name")?,
        created_at: row.int("created_at")?,
    })
}

fn lead(row: &impl RowReader) -> Result<Lead> {
    let kind = row.text("match_kind")?;
    let verification = match (row.opt_text("outcome")?, row.opt_int("verified_at")?) {
        (Some(outcome), Some(at)) => Some(LeadVerification {
            outcome: LeadOutcome::parse(&outcome).map_err(fail)?,
            note: row.opt_text("note")?.unwrap_or_default(),
            key_person_id: (row.opt_int("key_person_id")?).map(domain::KeyPersonId::new),
            by_name: row.opt_text("verified_by_name")?.unwrap_or_default(),
            at,
        }),
        _ => None,
    };
    Ok(Lead {
        id: domain::LeadId::new(row.int("id")?),
        list_id: domain::ListId::new(row.int("list_id")?),
        list_name: row.text("list_name")?,
        row_number: row.int("row_number")?,
        area_code: row.text("area_code")?,
        person_id: (row.opt_int("person_id")?).map(domain::PersonId::new),
        match_kind: MatchKind::parse(&kind).map_err(fail)?,
        id_number: row.opt_text("id_number")?,
        name: row.opt_text("name")?,
        phone: row.opt_text("phone")?,
        address: row.text("address")?,
        due_at: row.int("due_at")?,
        verification,
    })
}

sql_impl! {
impl {
    /// A self-reported fever becomes a lead on the day's self-report list of the venue's county
    /// (made on first use), due within `SELF_REPORT_DUE_SECONDS`; one open lead per person and
    /// day. Runs inside the check-in batch's transaction.
    pub(crate) async fn raise_self_report(
        tx: &mut sqlx::Transaction<'_, D::Db>,
        report: &SelfReport<'_>,
        now: Instant,
    ) -> Result<()> {
        let day = store::codec::date_text(domain::shanghai_date(now));
        let county = report.venue_area.get(..6).unwrap_or(report.venue_area);
        let digest = format!("self-report:{day}");
        let due_at = now + domain::SELF_REPORT_DUE_SECONDS;
        sqlx::query(D::sql(
            "INSERT INTO lists (area_code, kind, name, file_name, file_sha256, row_count, duplicates, by_id_number, \
             by_phone, by_name_area, unmatched, already_key_persons, already_leads, leads, verified, due_at, \
             created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?, 0, ?, ?) \
             ON CONFLICT DO NOTHING",
        ))
        .bind(county)
        .bind(ListKind::SelfReport.as_str())
        .bind(format!("{day} 自报发热"))
        .bind("场所码")
        .bind(&digest)
        .bind(due_at)
        .bind("system")
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
        let list_id: i64 = sqlx::query_scalar(D::sql("SELECT id FROM lists WHERE area_code = ? AND file_sha256 = ?"))
            .bind(county)
            .bind(&digest)
            .fetch_one(&mut **tx)
            .await
            .map_err(fail)?;
        let open: Option<i64> = sqlx::query_scalar(D::sql(
            "SELECT id FROM leads WHERE list_id = ? AND person_id = ? AND verified_at IS NULL LIMIT 1",
        ))
        .bind(list_id)
        .bind(report.person_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(fail)?;
        if open.is_some() {
            return Ok(());
        }
        let request = report.request;
        sqlx::query(D::sql(
            "INSERT INTO leads (list_id, row_number, area_code, person_id, match_kind, subject_key, id_number, name, \
             phone, address, due_at) SELECT ?, coalesce(max(row_number), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? \
             FROM leads WHERE list_id = ?",
        ))
        .bind(list_id)
        .bind(report.venue_area)
        .bind(report.person_id)
        .bind(MatchKind::IdNumber.as_str())
        .bind(format!("d:{}", request.id_number.as_str()))
        .bind(request.id_number.as_str())
        .bind(request.name.as_str())
        .bind(request.phone.as_ref().map(domain::Phone::as_str))
        .bind(&report.what)
        .bind(due_at)
        .bind(list_id)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
        sqlx::query(D::sql(
            "UPDATE lists SET row_count = row_count + 1, by_id_number = by_id_number + 1, leads = leads + 1 WHERE id = ?",
        ))
        .bind(list_id)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
        Ok(())
    }
}
}

sql_impl! {
#[async_trait]
impl ListStore {
    async fn lead_subjects(&self, scope: &Scope) -> Result<Vec<String>> {
        let mut query = QueryBuilder::new("SELECT subject_key FROM leads WHERE 1 = 1");
        Self::push_scope(&mut query, "area_code", scope);
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter().map(|row| row.try_get(0).map_err(fail)).collect()
    }

    async fn list_by_file(&self, scope: &Scope, sha256: &str) -> Result<Option<ListSummary>> {
        let mut query = QueryBuilder::new(format!("SELECT {LIST_COLUMNS} FROM lists WHERE file_sha256 = "));
        query.push_bind(sha256.to_string());
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY id LIMIT 1");
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?;
        row.map(|row| list_summary(&Columns(&row))).transpose()
    }

    async fn insert_list(&self, list: &NewListRecord, leads: Vec<NewLead>) -> Result<ListId> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let c = &list.counts;
        let inserted = sqlx::query(D::sql(
            "INSERT INTO lists (area_code, kind, name, file_name, file_sha256, row_count, duplicates, by_id_number, \
             by_phone, by_name_area, unmatched, already_key_persons, already_leads, leads, verified, due_at, \
             created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) \
             RETURNING id",
        ))
        .bind(&list.area_code)
        .bind(list.kind.as_str())
        .bind(&list.name)
        .bind(&list.file_name)
        .bind(&list.sha256)
        .bind(sql_int(c.rows))
        .bind(sql_int(c.duplicates))
        .bind(sql_int(c.by_id_number))
        .bind(sql_int(c.by_phone))
        .bind(sql_int(c.by_name_area))
        .bind(sql_int(c.unmatched))
        .bind(sql_int(c.already_key_persons))
        .bind(sql_int(c.already_leads))
        .bind(sql_int(c.leads))
        .bind(list.due_at)
        .bind(list.created_by.get())
        .bind(&list.created_by_name)
        .bind(list.created_at)
        .fetch_one(&mut *tx)
        .await;
        let list_id: i64 = match inserted {
            Ok(row) => row.try_get(0).map_err(fail)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::conflict("file", "这个文件正在导入中", "this file is being imported already"));
            }
            Err(e) => return Err(fail(e)),
        };
        // The text of the next chunk is made on a thread of its own while the database writes
        // the current one (two cores instead of one), and the leads are freed there too.
        let (sender, mut chunks) = tokio::sync::mpsc::channel::<String>(2);
        let due_at = list.due_at;
        tokio::task::spawn_blocking(move || {
            for chunk in leads.chunks(LEAD_CHUNK) {
                let text = if D::COPY_IN { leads_copy_text(chunk, list_id, due_at) } else { leads_json(chunk, due_at) };
                // The writer stopped (an error): nothing more to make.
                if sender.blocking_send(text).is_err() {
                    return;
                }
            }
        });
        if D::COPY_IN {
            let statement = format!("COPY leads ({LEAD_COPY_COLUMNS}) FROM STDIN");
            D::copy_in(&mut tx, &statement, &mut chunks).await?;
            tx.commit().await.map_err(fail)?;
            return Ok(domain::ListId::new(list_id));
        }
        // Columns of each JSON element, in order, and whether each is an integer.
        const COLUMNS: [(&str, bool); 10] = [
            ("row_number", true),
            ("area_code", false),
            ("person_id", true),
            ("match_kind", false),
            ("subject_key", false),
            ("id_number", false),
            ("name", false),
            ("phone", false),
            ("address", false),
            ("due_at", true),
        ];
        let items: Vec<String> = COLUMNS.iter().enumerate().map(|(i, (_, int))| D::json_item(i, *int)).collect();
        let names: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
        let insert = format!(
            "INSERT INTO leads (list_id, {}) SELECT ?, {} FROM {}",
            names.join(", "),
            items.join(", "),
            D::JSON_ROWS
        );
        while let Some(json) = chunks.recv().await {
            sqlx::query(D::sql(&insert)).bind(list_id).bind(json).execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)?;
        Ok(domain::ListId::new(list_id))
    }

    async fn lists(&self, scope: &Scope, limit: u32) -> Result<Vec<ListSummary>> {
        let mut query = QueryBuilder::new(format!("SELECT {LIST_COLUMNS} FROM lists WHERE 1 = 1"));
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(limit));
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter().map(|row| list_summary(&Columns(row))).collect()
    }

    async fn list(&self, scope: &Scope, id: ListId) -> Result<ListSummary> {
        let mut query = QueryBuilder::new(format!("SELECT {LIST_COLUMNS} FROM lists WHERE id = "));
        query.push_bind(id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        list_summary(&Columns(&row))
    }

    async fn leads(&self, scope: &Scope, filter: LeadFilter, limit: u32) -> Result<Vec<Lead>> {
        let mut query = QueryBuilder::new(format!("SELECT {LEAD_COLUMNS} FROM leads l JOIN lists s ON s.id = l.list_id WHERE "));
        match filter {
            LeadFilter::Open => {
                query.push("l.verified_at IS NULL");
                Self::push_scope(&mut query, "l.area_code", scope);
                query.push(" ORDER BY l.due_at, l.id");
            }
            LeadFilter::Overdue { now } => {
                query.push("l.verified_at IS NULL AND l.due_at < ").push_bind(now);
                Self::push_scope(&mut query, "l.area_code", scope);
                query.push(" ORDER BY l.due_at, l.id");
            }
            LeadFilter::All => {
                query.push("1 = 1");
                Self::push_scope(&mut query, "l.area_code", scope);
                query.push(" ORDER BY l.id");
            }
            LeadFilter::OfList(list_id) => {
                query.push("l.list_id = ").push_bind(list_id.get());
                Self::push_scope(&mut query, "l.area_code", scope);
                // Leads are written by place, then row (see `Handle::import_list_with`).
                query.push(" ORDER BY l.id");
            }
        }
        query.push(" LIMIT ").push_bind(i64::from(limit));
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter().map(|row| lead(&Columns(row))).collect()
    }

    async fn lead(&self, scope: &Scope, id: LeadId) -> Result<Lead> {
        let mut query = QueryBuilder::new(format!("SELECT {LEAD_COLUMNS} FROM leads l JOIN lists s ON s.id = l.list_id WHERE l.id = "));
        query.push_bind(id.get());
        Self::push_scope(&mut query, "l.area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        lead(&Columns(&row))
    }

    async fn close_lead(&self, scope: &Scope, id: LeadId, closing: &LeadClosing, actor: &Actor, now: Instant) -> Result<()> {
        let LeadClosing { outcome, note, key_person_id } = closing;
        let id = id.get();
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let mut query = QueryBuilder::<D::Db>::new("UPDATE leads SET outcome = ");
        query.push_bind(outcome.as_str());
        query.push(", note = ").push_bind(note.to_string());
        query.push(", key_person_id = ").push_bind(key_person_id.map(KeyPersonId::get));
        query.push(", verified_by = ").push_bind(actor.user_id.get());
        query.push(", verified_by_name = ").push_bind(actor.username.clone());
        query.push(", verified_at = ").push_bind(now);
        query.push(" WHERE id = ").push_bind(id).push(" AND verified_at IS NULL");
        Self::push_scope(&mut query, "area_code", scope);
        let done = (&mut *tx).execute(query.build()).await.map_err(fail)?;
        if D::rows_affected(&done) == 0 {
            return Err(StoreError::conflict("outcome", "这条线索已经核查过了", "this lead has already been verified"));
        }
        sqlx::query(D::sql("UPDATE lists SET verified = verified + 1 WHERE id = (SELECT list_id FROM leads WHERE id = ?)"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }
}
}
