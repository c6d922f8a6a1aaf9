//! De-identified statistics: counts per county, day, class and status, published as PIPL expects
//! of figures released beyond the people who may read the records — no identifying values, and
//! no count so small that it points at someone.

use crate::{KeyClass, Status};

/// Counts under this are suppressed unless a setting says otherwise.
pub const DEFAULT_SUPPRESS_BELOW: u32 = 5;

/// What a count is of.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum CountOf {
    /// Records that entered the status on the day (新增).
    Entered,
    /// Open records in the status at the time of the export (现有).
    Current,
}

impl crate::Label for CountOf {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            CountOf::Entered => ("新增", "Entered"),
            CountOf::Current => ("现有", "Current"),
        }
    }
}

/// One cell as counted: a county (six digits), a day (for `Current`, the export's day), a class,
/// a status and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub county: String,
    pub day: jiff::civil::Date,
    pub of: CountOf,
    pub class: KeyClass,
    pub status: Status,
    pub count: u64,
}

/// A cell as published: the count, or suppressed (1 to `threshold` − 1; zero cells are simply
/// absent, which says nothing about anyone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Count(u64),
    Suppressed,
}

pub fn publish(count: u64, threshold: u32) -> Cell {
    if count < u64::from(threshold) { Cell::Suppressed } else { Cell::Count(count) }
}

/// The county of an area or grid code: its first six digits, the future distribution column.
pub fn county_of(code: &str) -> &str {
    code.get(..6).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_and_the_threshold_is_not() {
        assert_eq!(publish(1, 5), Cell::Suppressed);
        assert_eq!(publish(4, 5), Cell::Suppressed);
        assert_eq!(publish(5, 5), Cell::Count(5));
        assert_eq!(publish(3, 1), Cell::Count(3), "a threshold of 1 suppresses nothing");
        assert_eq!(county_of("41170200100100101"), "411702");
    }
}
