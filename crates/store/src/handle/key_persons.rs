//! Key persons and their measures (SPEC §4.2) on the scoped handle.

use domain::Capability;
use domain::{AuditAction, AuditSubject};

use super::Handle;
use crate::error::{Result, StoreError};
use crate::transition::{TransitionPlanner, checked_reason};
use crate::*;
use domain::Code;

impl Handle {
    pub async fn create_key_person(
        &self,
        mut record: NewKeyPerson,
        idem: Option<IdempotencyKey>,
    ) -> Result<Created<KeyPersonId>> {
        self.require(Capability::CreateKeyPersons)?;
        record.reason = checked_reason(&record.reason)?;
        if record.arrival_risk.is_some() && record.class != domain::KeyClass::EpidemicAreaArrival {
            return Err(StoreError::invalid(
                "arrival_risk",
                "只有疫区来驻人员才填来自地区风险",
                "only an arrival from an epidemic area has the risk of the area it came from",
            ));
        }
        let class = record.class;
        let created = self.backend.insert_key_person(self.scope(), &self.actor, record, idem, self.db.now()).await?;
        if created.created {
            self.audit_key_person(AuditAction::KeyPersonCreate, created.id, class.as_str().to_string()).await?;
        }
        Ok(created)
    }

    /// A write on a key-person record, kept at the record's area.
    async fn audit_key_person(&self, action: AuditAction, id: KeyPersonId, detail: String) -> Result<()> {
        let area_code = self.backend.key_person(self.scope(), id).await.map(|d| d.record.area_code)?;
        self.audit(action, AuditSubject::KeyPerson, Some(id.get()), &area_code, detail).await
    }

    pub async fn key_persons(&self, filter: &KeyPersonFilter, page: PageRequest) -> Result<Page<KeyPerson>> {
        self.require(Capability::ReadKeyPersons)?;
        let Some(scope) = self.narrowed(filter.within.as_ref()) else { return Ok(Page::empty(page)) };
        let found = self.backend.key_persons(&scope, filter, page).await?;
        let searched = filter.person.as_ref().map_or("", PersonQuery::kind);
        let detail = format!("{}|{}|{searched}", page.page, found.items.len());
        self.audit(AuditAction::KeyPersonList, AuditSubject::KeyPerson, None, scope.prefix(), detail).await?;
        Ok(found)
    }

    pub async fn key_person(&self, id: KeyPersonId) -> Result<KeyPersonDetail> {
        self.require(Capability::ReadKeyPersons)?;
        let detail = self.backend.key_person(self.scope(), id).await?;
        self.audit(
            AuditAction::KeyPersonRead,
            AuditSubject::KeyPerson,
            Some(id.get()),
            &detail.record.area_code,
            String::new(),
        )
        .await?;
        Ok(detail)
    }

    pub async fn transition_key_person(
        &self,
        id: KeyPersonId,
        request: TransitionRequest,
        idem: Option<IdempotencyKey>,
    ) -> Result<Created<StatusEventId>> {
        self.require(Capability::TransitionKeyPersons)?;
        let now = self.db.now();
        let planner = TransitionPlanner { request, durations: self.db.durations(), today: domain::shanghai_date(now) };
        let created = self.backend.transition_key_person(self.scope(), &self.actor, id, &planner, idem, now).await?;
        if created.created {
            let detail = self.backend.key_person(self.scope(), id).await?;
            let event = detail.history.iter().find(|e| e.id == created.id);
            let from = event.and_then(|e| e.from).map(|s| s.status.as_str()).unwrap_or("");
            let to = event.map(|e| e.to.status.as_str()).unwrap_or("");
            let area = detail.record.area_code.clone();
            self.audit(
                AuditAction::KeyPersonTransition,
                AuditSubject::KeyPerson,
                Some(id.get()),
                &area,
                format!("{from}|{to}"),
            )
            .await?;
        }
        Ok(created)
    }

    /// Where the person of `record` (as `key_person` read it, within the caller's scope) has been
    /// lately: their check-ins and checkpoint passages of the last `days` days, newest first (a
    /// person kept in should have none). Audited as a read.
    pub async fn key_person_movements(&self, record: &KeyPerson, days: i64) -> Result<Movements> {
        self.require(Capability::ReadKeyPersons)?;
        if !self.scope().contains(&record.area_code) {
            return Err(StoreError::NotFound);
        }
        let now = self.db.now();
        let from = now - days * 86_400;
        let mut checkins = self.backend.visits_of_person(record.person_id, from, now + 1).await?;
        checkins.reverse();
        let mut passages = self.backend.passages_of_person(record.person_id, from, now + 1).await?;
        passages.reverse();
        let count = format!("movements|{}|{}", checkins.len(), passages.len());
        let id = Some(record.id.get());
        self.audit(AuditAction::KeyPersonRead, AuditSubject::KeyPerson, id, &record.area_code, count).await?;
        Ok(Movements { checkins, passages })
    }
}

/// A person's recent check-ins and passages (`Handle::key_person_movements`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movements {
    pub checkins: Vec<NamedVisit>,
    pub passages: Vec<PassageOfPerson>,
}
