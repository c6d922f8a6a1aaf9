//! Due tasks (release, fever transfer) on the scoped handle.

use domain::Capability;
use jiff::civil::Date;

use super::Handle;
use crate::error::Result;
use crate::*;

impl Handle {
    pub async fn tasks(
        &self,
        due_on_or_before: Option<Date>,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<Task>> {
        self.require(Capability::ReadTasks)?;
        self.backend.tasks(self.scope(), due_on_or_before, open_only, page).await
    }
}
