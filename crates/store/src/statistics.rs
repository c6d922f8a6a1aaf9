//! De-identified statistics (SPEC §6, PIPL): counts per county, day, class and status. Counts
//! only — no names, ID numbers, phones or addresses — so reading them is not a read of personal
//! data; what is published is still thinned by `domain::statistics::publish`.

use async_trait::async_trait;
use domain::Scope;
use domain::statistics::Count;
use jiff::civil::Date;

use crate::error::Result;

#[async_trait]
pub trait StatisticsStore: Send + Sync {
    /// Status changes into each status per county, Beijing day (`from` ..= `to`), class and
    /// status (a severity change within a status is not a new entry), and the open records by
    /// county, class and status now, dated `today`.
    async fn key_person_counts(&self, scope: &Scope, from: Date, to: Date, today: Date) -> Result<Vec<Count>>;
}
