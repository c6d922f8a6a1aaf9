//! The population register: persons and how they are searched and matched.

use async_trait::async_trait;
use domain::{PersonName, Phone, ResidentId, Scope};

use crate::error::Result;
use crate::*;

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id_number: ResidentId,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub created_at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonQuery {
    IdNumber(String),
    Phone(String),
    Name(String),
}

impl PersonQuery {
    /// What a search box's text asks for: an ID number, else a mobile number, else the beginning
    /// of a name. `None` for blank text.
    pub fn of(text: &str) -> Option<PersonQuery> {
        let text = text.trim();
        if text.is_empty() {
            None
        } else if let Ok(id) = domain::ResidentId::parse(text) {
            Some(PersonQuery::IdNumber(id.as_str().to_string()))
        } else if let Ok(phone) = domain::Phone::parse(text) {
            Some(PersonQuery::Phone(phone.as_str().to_string()))
        } else {
            Some(PersonQuery::Name(text.to_string()))
        }
    }

    /// "id_number", "phone" or "name": how the search was made, for the audit log.
    pub fn kind(&self) -> &'static str {
        match self {
            PersonQuery::IdNumber(_) => "id_number",
            PersonQuery::Phone(_) => "phone",
            PersonQuery::Name(_) => "name",
        }
    }
}

/// What comparison needs of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKey {
    pub id: PersonId,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub area_code: String,
}

/// The population register (人口库): one row per ID number.
#[async_trait]
pub trait PersonStore: Send + Sync {
    async fn insert_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        person: NewPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created<PersonId>>;

    async fn person(&self, scope: &Scope, id: PersonId) -> Result<Person>;

    async fn search_persons(&self, scope: &Scope, query: &PersonQuery, limit: u32) -> Result<Vec<Person>>;

    /// The person with this ID number, name and phone, if all three match one person.
    async fn person_by_identity(&self, id_number: &str, name: &str, phone: &str) -> Result<Option<PersonId>>;

    /// Persons in `scope` with id > `after_id`, by id, at most `limit`: what matching needs.
    async fn person_keys(&self, scope: &Scope, after_id: PersonId, limit: u32) -> Result<Vec<PersonKey>>;
}
