//! Persons (SPEC §3 Person) on the scoped handle: register, read, search, import, export.

use domain::{AuditAction, AuditSubject};
use std::collections::HashSet;

use domain::Capability;

use super::{Handle, scope_code};
use crate::error::{Result, StoreError};
use crate::*;

/// Persons read per page when every person of a jurisdiction is read.
const PERSON_PAGE: u32 = 100_000;

impl Handle {
    pub async fn create_person(&self, person: NewPerson, idem: Option<IdempotencyKey>) -> Result<Created<PersonId>> {
        self.require(Capability::WritePersons)?;
        self.check_place(&person.place)?;
        let area_code = person.place.location_code().to_string();
        let created = self.backend.insert_person(self.scope(), &self.actor, person, idem, self.db.now()).await?;
        if created.created {
            self.audit(
                AuditAction::PersonCreate,
                AuditSubject::Person,
                Some(created.id.get()),
                &area_code,
                String::new(),
            )
            .await?;
        }
        Ok(created)
    }

    pub async fn person(&self, id: PersonId) -> Result<Person> {
        self.require(Capability::ReadPersons)?;
        let person = self.backend.person(self.scope(), id).await?;
        self.audit(AuditAction::PersonRead, AuditSubject::Person, Some(id.get()), &person.area_code, String::new())
            .await?;
        Ok(person)
    }

    /// Searches by ID number, then phone, else name, whichever the text parses as.
    pub async fn search_persons(&self, text: &str, limit: u32) -> Result<Vec<Person>> {
        self.require(Capability::ReadPersons)?;
        let Some(query) = PersonQuery::of(text) else {
            return Err(StoreError::invalid(
                "q",
                "请输入身份证号、手机号或姓名",
                "enter an ID number, a phone number or a name",
            ));
        };
        let kind = query.kind();
        let found = self.backend.search_persons(self.scope(), &query, limit.clamp(1, 100)).await?;
        let detail = format!("{kind}|{}", found.len());
        self.audit(AuditAction::PersonSearch, AuditSubject::Person, None, self.scope().prefix(), detail).await?;
        Ok(found)
    }

    /// Registers residents from a file: persons already registered (same ID number) are left as
    /// they are, the others are written in one transaction. Every place must lie in the caller's
    /// jurisdiction. Returns (added, already registered).
    pub async fn import_persons(&self, persons: Vec<(usize, NewPerson)>) -> Result<(u64, u64)> {
        self.require(Capability::WritePersons)?;
        for (row, person) in &persons {
            if !self.scope().contains(person.place.location_code()) {
                return Err(StoreError::invalid(
                    "area",
                    format!("第 {row} 行：{} 不在您的管辖范围内", person.place.location_code()),
                    format!("row {row}: {} is outside your jurisdiction", person.place.location_code()),
                ));
            }
        }
        let mut known: HashSet<String> = HashSet::new();
        self.each_person_page(|page| known.extend(page.into_iter().map(|p| p.id_number))).await?;
        let total = persons.len() as u64;
        let fresh: Vec<BulkPerson> = persons
            .into_iter()
            .filter(|(_, p)| known.insert(p.id_number.as_str().to_string()))
            .map(|(_, p)| BulkPerson {
                id_number: p.id_number.as_str().to_string(),
                name: p.name.as_str().to_string(),
                phone: p.phone.map(|ph| ph.as_str().to_string()),
                place: p.place,
                household_id: None,
            })
            .collect();
        let added = fresh.len() as u64;
        if added > 0 {
            self.backend.bulk_insert_persons(&fresh, self.db.now()).await.map_err(|e| match e {
                StoreError::Backend(message) if message.contains("UNIQUE") || message.contains("unique") => {
                    StoreError::conflict(
                        "id_number",
                        "其中有身份证号登记在您的管辖范围之外",
                        "some of these ID numbers are registered outside your jurisdiction",
                    )
                }
                other => other,
            })?;
        }
        let scope_code = scope_code(self.scope());
        self.audit(
            AuditAction::PersonImport,
            AuditSubject::Person,
            None,
            &scope_code,
            format!("{added}|{}", total - added),
        )
        .await?;
        Ok((added, total - added))
    }

    /// A page of the persons of the caller's jurisdiction by id (exports), audited.
    pub async fn persons_after(&self, after_id: PersonId, limit: u32) -> Result<Vec<PersonKey>> {
        self.require(Capability::ReadPersons)?;
        let found = self.backend.person_keys(self.scope(), after_id, limit).await?;
        let detail = found.len().to_string();
        self.audit(AuditAction::PersonExport, AuditSubject::Person, None, self.scope().prefix(), detail).await?;
        Ok(found)
    }

    /// Every person of the caller's jurisdiction, a page at a time in id order, to `each`.
    pub(super) async fn each_person_page(&self, mut each: impl FnMut(Vec<PersonKey>)) -> Result<()> {
        let mut after = PersonId::new(0);
        loop {
            let page = self.backend.person_keys(self.scope(), after, PERSON_PAGE).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = last.id;
            let full = u32::try_from(page.len()).is_ok_and(|n| n == PERSON_PAGE);
            each(page);
            if !full {
                return Ok(());
            }
        }
    }
}
