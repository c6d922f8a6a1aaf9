//! Big-data comparison (SPEC §4.8) on the scoped handle: import a list (match every row against
//! the persons of the caller's jurisdiction and raise leads in one transaction), read lists and
//! leads, verify a lead.
//!
//! Matching follows DESIGN-NOTES "Big lists": persons are read once, in pages, into hash maps
//! keyed by ID number, by phone (only phones held by one person) and by name + county (only
//! names held by one person there); rows are looked up in memory, and the leads are written in
//! large batches in one transaction, so a failure leaves nothing behind.

// foldhash, not SipHash: the maps hold a million numbers each and are built and probed a million
// times per import; its seed is random per process.
use domain::{AuditAction, AuditSubject};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use domain::{Capability, Document, LeadOutcome, ListRow, MatchKind, ResidentId, Source};

use super::{Handle, scope_code};
use crate::error::{Result, StoreError};

use crate::*;
use domain::Code;

/// The most leads one page of a lead list shows.
pub const LEAD_LIMIT: u32 = 500;
/// Marks a key held by more than one person: such a key matches nobody.
const AMBIGUOUS: u32 = u32::MAX;

/// A 128-bit digest of a key: two SipHash passes under different fixed keys. At a million keys
/// the chance that two different keys share a digest is about 10⁻²⁶, so the digest stands for the
/// key and the index need not keep the text.
fn digest(parts: &[&str]) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut low = std::collections::hash_map::DefaultHasher::new();
    let mut high = std::collections::hash_map::DefaultHasher::new();
    0x5eed_u64.hash(&mut high);
    for part in parts {
        part.hash(&mut low);
        part.hash(&mut high);
    }
    (u128::from(high.finish()) << 64) | u128::from(low.finish())
}

/// The name-and-county key: None without a county.
fn name_county_key(name: &str, area_code: &str) -> Option<u128> {
    Some(digest(&[name, area_code.get(..6)?]))
}

/// The persons of a jurisdiction, indexed for the three lookups: a few dozen bytes a person
/// (numbers and digests, places interned), so a million persons fit in about 100 MB.
#[derive(Default)]
pub struct PersonIndex {
    ids: Vec<PersonId>,
    /// Each person's place, as an index into `places`.
    place_of: Vec<u32>,
    places: Vec<String>,
    place_index: HashMap<String, u32>,
    /// Each person's ID number as [`ResidentId::pack`], or `u64::MAX` for another document (then in
    /// `other_documents`).
    id_keys: Vec<u64>,
    other_documents: HashMap<u32, String>,
    by_resident_id: HashMap<u64, u32>,
    by_other_document: HashMap<String, u32>,
    by_phone: HashMap<u64, u32>,
    by_name_county: HashMap<u128, u32>,
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "u32 positions keep the index small; an import holds far fewer than 2^32 rows or places"
)]
impl PersonIndex {
    fn add(&mut self, person: PersonKey) {
        let index = self.ids.len() as u32;
        match ResidentId::pack(&person.id_number) {
            Some(key) => {
                self.by_resident_id.insert(key, index);
                self.id_keys.push(key);
            }
            None => {
                self.by_other_document.insert(person.id_number.clone(), index);
                self.other_documents.insert(index, person.id_number);
                self.id_keys.push(u64::MAX);
            }
        }
        if let Some(phone) = person.phone.as_deref().and_then(|p| p.parse::<u64>().ok()) {
            self.by_phone.entry(phone).and_modify(|i| *i = AMBIGUOUS).or_insert(index);
        }
        if let Some(key) = name_county_key(&person.name, &person.area_code) {
            self.by_name_county.entry(key).and_modify(|i| *i = AMBIGUOUS).or_insert(index);
        }
        let place = match self.place_index.get(&person.area_code) {
            Some(place) => *place,
            None => {
                let place = self.places.len() as u32;
                self.places.push(person.area_code.clone());
                self.place_index.insert(person.area_code, place);
                place
            }
        };
        self.ids.push(person.id);
        self.place_of.push(place);
    }

    fn one(found: Option<&u32>) -> Option<u32> {
        found.copied().filter(|i| *i != AMBIGUOUS)
    }

    fn id_number(&self, index: u32) -> String {
        match self.id_keys[index as usize] {
            u64::MAX => self.other_documents.get(&index).cloned().unwrap_or_default(),
            key => ResidentId::unpack(key),
        }
    }

    fn place(&self, index: u32) -> &str {
        &self.places[self.place_of[index as usize] as usize]
    }

    /// The person a row names, by the precedence of SPEC §4.8.
    fn find(&self, row: &ListRow) -> (MatchKind, Option<u32>) {
        let by_document = row.document.as_ref().and_then(|d| match d {
            Document::Resident(id) => Self::one(self.by_resident_id.get(&id.packed())),
            Document::Other(doc) => Self::one(self.by_other_document.get(doc.as_str())),
        });
        let by_phone = || {
            row.phone
                .as_ref()
                .and_then(|p| p.as_str().parse::<u64>().ok())
                .and_then(|k| Self::one(self.by_phone.get(&k)))
        };
        let by_name = || {
            let (name, area) = (row.name.as_ref()?, row.area_code.as_deref()?);
            Self::one(self.by_name_county.get(&name_county_key(name.as_str(), area)?))
        };
        // Lookups run lazily: a row found by document never looks at its phone.
        match by_document {
            Some(found) => domain::match_person(Some(found), None, None),
            None => match by_phone() {
                Some(found) => domain::match_person(None, Some(found), None),
                None => domain::match_person(None, None, by_name()),
            },
        }
    }
}

/// Leads as they are raised, in row order, with each one's place as a number, to be written by
/// place, then row: the open-leads index, keyed by place, then grows in runs instead of at random
/// (1 M leads: ~1 s less), and a list reads back grouped the way its leads are handed out.
/// Places are numbered as the person index numbers them (a matched person's place costs no
/// lookup) and the leads are ordered by those numbers, not by comparing the strings each lead
/// points to (that sort took 0.2–0.3 s at 1 M; gathering into a vector per place, 0.3 s).
struct LeadsByPlace {
    leads: Vec<NewLead>,
    /// (place number, position in `leads`).
    keys: Vec<(u32, u32)>,
    /// Places the person index does not hold, numbered after its own.
    other_places: HashMap<String, u32>,
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "u32 positions keep the index small; an import holds far fewer than 2^32 rows or places"
)]
impl LeadsByPlace {
    fn new(capacity: usize) -> LeadsByPlace {
        LeadsByPlace {
            leads: Vec::with_capacity(capacity),
            keys: Vec::with_capacity(capacity),
            other_places: HashMap::new(),
        }
    }

    fn len(&self) -> usize {
        self.leads.len()
    }

    /// `place` is the person index's number for the lead's place when the lead names a person.
    fn push(&mut self, lead: NewLead, place: Option<u32>, index: &PersonIndex) {
        let number = match place {
            Some(place) => place,
            None => {
                let next = (index.places.len() + self.other_places.len()) as u32;
                match index.place_index.get(&lead.area_code) {
                    Some(place) => *place,
                    None => *self.other_places.entry(lead.area_code.clone()).or_insert(next),
                }
            }
        };
        self.keys.push((number, self.leads.len() as u32));
        self.leads.push(lead);
    }

    /// Every lead, by place, then row.
    fn into_ordered(self, index: &PersonIndex) -> Vec<NewLead> {
        let LeadsByPlace { mut leads, mut keys, other_places } = self;
        let mut names: Vec<&str> = index.places.iter().map(String::as_str).collect();
        names.resize(names.len() + other_places.len(), "");
        for (name, number) in &other_places {
            names[*number as usize] = name;
        }
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_unstable_by_key(|n| names[*n as usize]);
        let mut rank = vec![0u32; names.len()];
        for (r, n) in by_name.iter().enumerate() {
            rank[*n as usize] = r as u32;
        }
        // Positions were pushed in row order, so (rank, position) orders rows within a place.
        keys.sort_unstable_by_key(|(place, position)| (rank[*place as usize], *position));
        // Move the leads into that order in place, one cycle of the permutation at a time.
        let mut done = vec![false; leads.len()];
        for start in 0..leads.len() {
            let mut current = start;
            while !done[current] {
                done[current] = true;
                let next = keys[current].1 as usize;
                if next == start {
                    break;
                }
                leads.swap(current, next);
                current = next;
            }
        }
        leads
    }
}

/// Rows looked up per chunk while the previous chunk's leads are raised.
const MATCH_CHUNK: usize = 50_000;

/// What looking a row up found: the person (by the precedence of SPEC §4.8) and the subject the
/// row stands for, with its digest for the duplicate test.
struct LookedUp {
    kind: MatchKind,
    found: Option<u32>,
    subject: String,
    digest: u128,
}

fn look_up(index: &PersonIndex, rows: &[(usize, ListRow)]) -> Vec<LookedUp> {
    rows.iter()
        .map(|(_, row)| {
            let (kind, found) = index.find(row);
            // A matched person is one subject however the row found them.
            let subject = match found {
                Some(i) => format!("d:{}", index.id_number(i)),
                None => row.subject_key(),
            };
            let digest = digest(&[&subject]);
            LookedUp { kind, found, subject, digest }
        })
        .collect()
}

/// A jurisdiction ready to compare a list against (see [`Handle::prepare_comparison`]).
pub struct Comparison {
    index: PersonIndex,
    open_records: HashSet<PersonId>,
    known: HashSet<String>,
}

impl Handle {
    /// Imports a list: all or nothing. The same file imported again in the same jurisdiction is
    /// not compared twice: the earlier list is returned with `already_imported`.
    pub async fn import_list(&self, list: NewList) -> Result<(ListSummary, bool)> {
        self.require(Capability::ImportLists)?;
        if let Some(existing) = self.backend.list_by_file(self.scope(), &list.sha256).await? {
            return Ok((existing, true));
        }
        let comparison = self.prepare_comparison().await?;
        self.import_list_with(comparison, list).await
    }

    /// What comparing a list needs of the jurisdiction: its persons indexed, who has an open
    /// record, which subjects have leads. Reading it does not depend on the list, so a caller
    /// may read it while the file is still being read (`fangkong import` does).
    pub async fn prepare_comparison(&self) -> Result<Comparison> {
        self.require(Capability::ImportLists)?;
        let loading = std::time::Instant::now();
        let mut index = PersonIndex::default();
        self.each_person_page(|page| page.into_iter().for_each(|person| index.add(person))).await?;
        tracing::info!(
            persons = index.ids.len(),
            seconds = loading.elapsed().as_secs_f64(),
            "persons indexed for matching"
        );
        let open_records: HashSet<PersonId> =
            self.backend.active_key_person_ids(self.scope()).await?.into_iter().collect();
        let known: HashSet<String> = self.backend.lead_subjects(self.scope()).await?.into_iter().collect();
        Ok(Comparison { index, open_records, known })
    }

    /// Imports a list against a prepared comparison: all or nothing.
    pub async fn import_list_with(&self, comparison: Comparison, list: NewList) -> Result<(ListSummary, bool)> {
        self.require(Capability::ImportLists)?;
        let name = list.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid("name", "名单名称应为 1–100 个字", "name the list in 1–100 characters"));
        }
        if let Some(existing) = self.backend.list_by_file(self.scope(), &list.sha256).await? {
            return Ok((existing, true));
        }
        let now = self.db.now();
        let Comparison { index, open_records, known } = comparison;
        let fallback_area = scope_code(self.scope());
        let mut counts = ListCounts { rows: list.rows.len() as u64, ..ListCounts::default() };
        let mut seen: HashSet<u128> = HashSet::with_capacity(list.rows.len());
        let mut leads = LeadsByPlace::new(list.rows.len() / 2);
        let matched = std::time::Instant::now();
        let mut rows = list.rows;
        // Looking rows up is read-only and runs a chunk ahead on a thread of its own; raising
        // leads (first occurrence wins, so in row order) runs here: two cores instead of one.
        let mut raise = |row: &mut ListRow, row_number: usize, looked_up: LookedUp| {
            let LookedUp { kind, found, subject, digest } = looked_up;
            if !seen.insert(digest) {
                counts.duplicates += 1;
                return;
            }
            match kind {
                MatchKind::IdNumber => counts.by_id_number += 1,
                MatchKind::Phone => counts.by_phone += 1,
                MatchKind::NameArea => counts.by_name_area += 1,
                MatchKind::Unmatched => counts.unmatched += 1,
            }
            let person_id = found.map(|i| index.ids[i as usize]);
            if person_id.is_some_and(|id| open_records.contains(&id)) {
                counts.already_key_persons += 1;
                return;
            }
            if known.contains(&subject) {
                counts.already_leads += 1;
                return;
            }
            let area_code = match found {
                Some(i) => index.place(i).to_string(),
                None => row
                    .area_code
                    .take()
                    .filter(|code| self.scope().contains(code))
                    .unwrap_or_else(|| fallback_area.clone()),
            };
            // The row's strings move into the lead instead of being copied.
            let lead = NewLead {
                row_number: i64::try_from(row_number).unwrap_or(i64::MAX),
                area_code,
                person_id,
                match_kind: kind,
                subject_key: subject,
                id_number: row.document.take().map(|d| match d {
                    Document::Resident(id) => id.as_str().to_string(),
                    Document::Other(doc) => doc.as_str().to_string(),
                }),
                name: row.name.take().map(|n| n.as_str().to_string()),
                phone: row.phone.take().map(|p| p.as_str().to_string()),
                address: std::mem::take(&mut row.address),
            };
            leads.push(lead, found.map(|i| index.place_of[i as usize]), &index);
        };
        std::thread::scope(|threads| -> Result<()> {
            let index = &index;
            let mut chunks = rows.chunks_mut(MATCH_CHUNK);
            let mut current = chunks.next().map(|chunk| {
                let looked_up = look_up(index, chunk);
                (chunk, looked_up)
            });
            while let Some((chunk, looked_up)) = current.take() {
                let ahead = chunks.next().map(|next| {
                    threads.spawn(move || {
                        let looked_up = look_up(index, next);
                        (next, looked_up)
                    })
                });
                for ((row_number, row), found) in chunk.iter_mut().zip(looked_up) {
                    raise(row, *row_number, found);
                }
                current = match ahead {
                    Some(thread) => {
                        Some(thread.join().map_err(|_| StoreError::Backend("the list matching thread failed".into()))?)
                    }
                    None => None,
                };
            }
            Ok(())
        })?;
        drop(rows);
        tracing::info!(
            rows = counts.rows,
            leads = leads.len(),
            seconds = matched.elapsed().as_secs_f64(),
            "list rows matched"
        );
        let leads = leads.into_ordered(&index);
        drop(index);
        counts.leads = leads.len() as u64;
        let record = NewListRecord {
            area_code: fallback_area,
            kind: list.kind,
            name,
            file_name: list.file_name.chars().take(200).collect(),
            sha256: list.sha256,
            counts,
            due_at: now + i64::from(self.db.lead_due_hours()) * 3600,
            created_by: self.actor.user_id,
            created_by_name: self.actor.username.clone(),
            created_at: now,
        };
        let writing = std::time::Instant::now();
        let id = self.backend.insert_list(&record, leads).await?;
        tracing::info!(leads = counts.leads, seconds = writing.elapsed().as_secs_f64(), "leads written");
        let detail = format!("{}|{}", counts.rows, counts.leads);
        self.audit(AuditAction::ListImport, AuditSubject::List, Some(id.get()), &record.area_code, detail).await?;
        Ok((self.backend.list(self.scope(), id).await?, false))
    }

    /// The list this very file (its SHA-256) already became in the caller's jurisdiction.
    pub async fn list_by_file(&self, sha256: &str) -> Result<Option<ListSummary>> {
        self.require(Capability::ImportLists)?;
        self.backend.list_by_file(self.scope(), sha256).await
    }

    pub async fn lists(&self) -> Result<Vec<ListSummary>> {
        self.require(Capability::ImportLists)?;
        self.backend.lists(self.scope(), 200).await
    }

    pub async fn list(&self, id: ListId) -> Result<ListSummary> {
        self.require(Capability::ImportLists)?;
        self.backend.list(self.scope(), id).await
    }

    /// Leads of the caller's jurisdiction (a grid worker's are those of their grids); `All` is
    /// every one of them, for an export.
    pub async fn leads(&self, filter: LeadFilter) -> Result<Vec<Lead>> {
        self.require(Capability::VerifyLeads)?;
        let limit = if filter == LeadFilter::All { u32::MAX } else { LEAD_LIMIT };
        let found = self.backend.leads(self.scope(), filter, limit).await?;
        let detail = found.len().to_string();
        self.audit(AuditAction::LeadList, AuditSubject::Lead, None, self.scope().prefix(), detail).await?;
        Ok(found)
    }

    pub async fn lead(&self, id: LeadId) -> Result<Lead> {
        self.require(Capability::VerifyLeads)?;
        let lead = self.backend.lead(self.scope(), id).await?;
        self.audit(AuditAction::LeadRead, AuditSubject::Lead, Some(id.get()), &lead.area_code, String::new()).await?;
        Ok(lead)
    }

    /// Closes a lead with its outcome. `Registered` registers the person as a key person of
    /// `class` (source big data); a lead whose row matched nobody must carry a valid resident ID
    /// to be registered (the grid worker adds the person first otherwise).
    pub async fn verify_lead(&self, id: LeadId, verify: VerifyLead) -> Result<Lead> {
        self.require(Capability::VerifyLeads)?;
        let note = verify.note.trim().to_string();
        if note.chars().count() > 500 {
            return Err(StoreError::invalid("note", "最多 500 个字", "at most 500 characters"));
        }
        let lead = self.backend.lead(self.scope(), id).await?;
        if lead.verification.is_some() {
            return Err(StoreError::conflict("outcome", "这条线索已经核查过了", "this lead has already been verified"));
        }
        if verify.arrival_risk.is_some() && verify.outcome != LeadOutcome::Registered {
            return Err(StoreError::invalid(
                "arrival_risk",
                "只有登记为重点人员的才填来自地区风险",
                "only a person registered as a key person has the risk of the area they came from",
            ));
        }
        let key_person_id = match verify.outcome {
            LeadOutcome::Registered => {
                let class = verify.class.ok_or(StoreError::invalid(
                    "class",
                    "请选择登记的重点人员类别",
                    "choose the key-person class the person is registered in",
                ))?;
                let person_id = lead.person_id.ok_or(StoreError::invalid(
                    "outcome",
                    "这一行没有匹配到已登记的人员：请先登记人员，再核查",
                    "this row matched no registered person: add the person first (人员登记), then verify",
                ))?;
                let record = NewKeyPerson {
                    arrival_risk: verify.arrival_risk,
                    person_id,
                    class,
                    source: Source::BigData,
                    cadre_name: None,
                    cadre_phone: None,
                    reason: format!("大数据比对线索核查：{}", lead.list_name),
                };
                let created = self.create_key_person(record, None).await?;
                Some(created.id)
            }
            LeadOutcome::NoRisk | LeadOutcome::NotInArea | LeadOutcome::Unreachable => {
                if note.is_empty() && verify.outcome != LeadOutcome::NoRisk {
                    return Err(StoreError::invalid("note", "请填写核查情况", "say what was done (核查情况)"));
                }
                None
            }
        };
        let now = self.db.now();
        let closing = LeadClosing { outcome: verify.outcome, note, key_person_id };
        self.backend.close_lead(self.scope(), id, &closing, &self.actor, now).await?;
        self.audit(
            AuditAction::LeadVerify,
            AuditSubject::Lead,
            Some(id.get()),
            &lead.area_code,
            verify.outcome.as_str().to_string(),
        )
        .await?;
        self.backend.lead(self.scope(), id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_keep_parts_apart() {
        assert_ne!(digest(&["张三", "411702"]), digest(&["张三4", "11702"]));
    }
}
