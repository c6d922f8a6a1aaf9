//! De-identified statistics within the caller's jurisdiction, thinned before they leave.

use domain::Capability;
use domain::statistics::{Cell, Count, publish};

use super::Handle;
use crate::error::Result;
use crate::*;

/// The longest period one request counts.
const MAX_DAYS: i64 = 366;

impl Handle {
    /// The counts of `from` ..= `to` (Beijing days) and the open records now, each cell under the
    /// threshold in force suppressed, with that threshold (read once, so that the cells and what
    /// is said of them agree). Counts only: not audited, like the menu's numbers.
    pub async fn statistics(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<(u32, Vec<(Count, Cell)>)> {
        self.require(Capability::ReadKeyPersons)?;
        let days = (to - from).get_days();
        if to < from || i64::from(days) >= MAX_DAYS {
            return Err(StoreError::invalid(
                "to",
                "应在起始日期之后，最多一年",
                "on or after from, at most a year later",
            ));
        }
        let threshold = self.db.statistics_suppress_below();
        let counts = self.backend.key_person_counts(self.scope(), from, to, self.today()).await?;
        let cells = counts
            .into_iter()
            .map(|count| {
                let cell = publish(count.count, threshold);
                (count, cell)
            })
            .collect();
        Ok((threshold, cells))
    }

    /// Counts under this are suppressed.
    pub fn statistics_suppress_below(&self) -> Result<u32> {
        self.require(Capability::ReadKeyPersons)?;
        Ok(self.db.statistics_suppress_below())
    }

    pub async fn set_statistics_suppress_below(&self, threshold: u32) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_statistics_suppress_below(threshold).await?;
        self.audit_setting("statistics", threshold.to_string()).await
    }
}
