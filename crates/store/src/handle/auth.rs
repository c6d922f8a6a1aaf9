//! People by name: who did what, shown as their name and role instead of a username.

use std::collections::HashMap;

use domain::Role;

use super::Handle;
use crate::error::Result;

impl Handle {
    /// The display name and role of each known username among `usernames`. Staff names are
    /// shown to staff beside what they did; no personal data of the public is read here.
    pub async fn staff_names(&self, usernames: &[String]) -> Result<HashMap<String, (String, Role)>> {
        let mut wanted: Vec<String> = usernames.to_vec();
        wanted.sort();
        wanted.dedup();
        let users = self.backend.users_named(&wanted).await?;
        Ok(users.into_iter().map(|u| (u.username, (u.display_name, u.role))).collect())
    }
}
