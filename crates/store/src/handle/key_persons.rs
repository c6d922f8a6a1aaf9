//! Key persons and their measures (SPEC §4.2) on the scoped handle.

use domain::{Capability, Scope};

use super::Handle;
use crate::error::{Result, StoreError};
use crate::transition::{TransitionPlanner, checked_reason};
use crate::*;

/// The narrower of two nested scopes, or `None` when they do not overlap.
fn narrowest(outer: &Scope, inner: &Scope) -> Option<Scope> {
    if outer.includes(inner) {
        Some(inner.clone())
    } else if inner.includes(outer) {
        Some(outer.clone())
    } else {
        None
    }
}

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
        self.backend.insert_key_person(self.scope(), &self.actor, record, idem, self.db.now()).await
    }

    pub async fn key_persons(&self, filter: &KeyPersonFilter, page: PageRequest) -> Result<Page<KeyPerson>> {
        self.require(Capability::ReadKeyPersons)?;
        let scope = match &filter.within {
            Some(within) => match narrowest(self.scope(), within) {
                Some(scope) => scope,
                None => {
                    return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
                }
            },
            None => self.scope().clone(),
        };
        let found = self.backend.key_persons(&scope, filter, page).await?;
        let detail = format!("page {} of a list, {} shown", page.page, found.items.len());
        self.audit("key_person.list", "key_person", None, scope.prefix(), detail).await?;
        Ok(found)
    }

    pub async fn key_person(&self, id: KeyPersonId) -> Result<KeyPersonDetail> {
        self.require(Capability::ReadKeyPersons)?;
        let detail = self.backend.key_person(self.scope(), id).await?;
        self.audit("key_person.read", "key_person", Some(id.get()), &detail.record.area_code, String::new()).await?;
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
        self.backend.transition_key_person(self.scope(), &self.actor, id, &planner, idem, now).await
    }
}
