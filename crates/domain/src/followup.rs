//! 一二三工作法 (SPEC glossary): for everyone under home isolation or health monitoring, one
//! follow-up ledger, two temperature checks a day and three visits a day (morning, noon, evening).
//! What is missing at a given time of day is a pure function of what was recorded.

use crate::code::Code;

use crate::measure::MeasureKind;

/// The three visits of a day, in Asia/Shanghai time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum VisitSlot {
    Morning,
    Noon,
    Evening,
}

impl VisitSlot {
    /// Minute of the day (Shanghai) at which this visit is overdue: 11:00, 15:00, 21:00.
    pub fn ends_at_minute(self) -> u16 {
        match self {
            VisitSlot::Morning => 11 * 60,
            VisitSlot::Noon => 15 * 60,
            VisitSlot::Evening => 21 * 60,
        }
    }

    /// The visit a worker is most likely recording at `minute` of the day: the first whose window
    /// has not ended, the evening one after 21:00.
    pub fn at_minute(minute: u16) -> VisitSlot {
        VisitSlot::ALL.iter().copied().find(|slot| minute < slot.ends_at_minute()).unwrap_or(VisitSlot::Evening)
    }
}

impl crate::Label for VisitSlot {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            VisitSlot::Morning => ("早", "Morning"),
            VisitSlot::Noon => ("中", "Noon"),
            VisitSlot::Evening => ("晚", "Evening"),
        }
    }
}

/// How far the Shanghai `day` has run at `now` (Unix seconds), in minutes: 0 before it starts,
/// 24 × 60 once it is over.
pub fn minutes_into(day: jiff::civil::Date, now: i64) -> u16 {
    let start = crate::time::shanghai_day_start(day);
    u16::try_from((now - start).clamp(0, 86_400) / 60).unwrap_or(24 * 60)
}

/// Whether a measure puts a person on the grid worker's follow-up list.
pub fn needs_follow_up(measure: Option<MeasureKind>) -> bool {
    matches!(measure, Some(MeasureKind::HomeIsolation | MeasureKind::HealthMonitoring))
}

/// What one person's ledger holds for one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowUpDay {
    visited: [bool; 3],
    temperatures: u8,
}

/// Something the day still lacks although its time has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpGap {
    Visit(VisitSlot),
    /// Fewer temperature checks than due by now: `have` of `due`.
    Temperatures {
        have: u8,
        due: u8,
    },
}

/// Temperature checks due by the end of the morning visit, and by the end of the evening visit.
const TEMPERATURES_DUE: [(VisitSlot, u8); 2] = [(VisitSlot::Morning, 1), (VisitSlot::Evening, 2)];

impl FollowUpDay {
    pub fn record(&mut self, slot: VisitSlot, with_temperature: bool) {
        self.visited[slot as usize] = true;
        if with_temperature {
            self.temperatures = self.temperatures.saturating_add(1);
        }
    }

    pub fn visited(&self, slot: VisitSlot) -> bool {
        self.visited[slot as usize]
    }

    pub fn temperatures(&self) -> u8 {
        self.temperatures
    }

    /// The gaps at `minute` of the day (24 × 60 for a day that is over).
    pub fn gaps(&self, minute: u16) -> Vec<FollowUpGap> {
        let mut gaps: Vec<FollowUpGap> = VisitSlot::ALL
            .iter()
            .copied()
            .filter(|slot| minute >= slot.ends_at_minute() && !self.visited(*slot))
            .map(FollowUpGap::Visit)
            .collect();
        let due = TEMPERATURES_DUE
            .into_iter()
            .filter(|(slot, _)| minute >= slot.ends_at_minute())
            .map(|(_, count)| count)
            .max()
            .unwrap_or(0);
        if self.temperatures < due {
            gaps.push(FollowUpGap::Temperatures { have: self.temperatures, due });
        }
        gaps
    }

    /// The visit to record next at `minute`: the first not yet made whose window is still open,
    /// else the latest one missed; none when all three are made.
    pub fn next_slot(&self, minute: u16) -> Option<VisitSlot> {
        let open = VisitSlot::ALL.iter().copied().find(|slot| minute < slot.ends_at_minute() && !self.visited(*slot));
        open.or_else(|| VisitSlot::ALL.iter().rev().copied().find(|slot| !self.visited(*slot)))
    }

    /// Three visits and two temperatures: nothing more is asked of this day.
    pub fn complete(&self) -> bool {
        self.visited.iter().all(|v| *v) && self.temperatures >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_visit_is_the_first_open_one_not_made() {
        let mut day = FollowUpDay::default();
        assert_eq!(day.next_slot(9 * 60), Some(VisitSlot::Morning));
        day.record(VisitSlot::Morning, true);
        assert_eq!(day.next_slot(9 * 60), Some(VisitSlot::Noon), "morning is done: noon, not morning again");
        assert_eq!(day.next_slot(16 * 60), Some(VisitSlot::Evening));
        assert_eq!(day.next_slot(22 * 60), Some(VisitSlot::Evening), "the evening visit, late");
        day.record(VisitSlot::Evening, false);
        assert_eq!(day.next_slot(22 * 60), Some(VisitSlot::Noon), "then the one missed");
        day.record(VisitSlot::Noon, false);
        assert_eq!(day.next_slot(22 * 60), None);
    }

    const END_OF_DAY: u16 = 24 * 60;

    #[test]
    fn slots_round_trip_and_unknown_ones_are_refused() {
        for slot in VisitSlot::ALL.iter().copied() {
            assert_eq!(VisitSlot::parse(slot.as_str()), Ok(slot));
        }
        assert!(VisitSlot::parse("night").is_err());
    }

    #[test]
    fn the_slot_follows_the_clock() {
        assert_eq!(VisitSlot::at_minute(0), VisitSlot::Morning);
        assert_eq!(VisitSlot::at_minute(10 * 60 + 59), VisitSlot::Morning);
        assert_eq!(VisitSlot::at_minute(11 * 60), VisitSlot::Noon);
        assert_eq!(VisitSlot::at_minute(15 * 60), VisitSlot::Evening);
        assert_eq!(VisitSlot::at_minute(23 * 60), VisitSlot::Evening);
    }

    #[test]
    fn minutes_into_a_shanghai_day() {
        let day = jiff::civil::date(2020, 2, 1);
        let start = crate::time::shanghai_day_start(day);
        assert_eq!(start, 1_580_486_400, "2020-02-01 00:00 +08:00");
        assert_eq!(minutes_into(day, start - 1), 0);
        assert_eq!(minutes_into(day, start + 8 * 3600 + 59), 480);
        assert_eq!(minutes_into(day, start + 86_399), 1439);
        assert_eq!(minutes_into(day, start + 86_400 * 3), 1440);
    }

    #[test]
    fn only_home_isolation_and_monitoring_are_followed_up() {
        assert!(needs_follow_up(Some(MeasureKind::HomeIsolation)));
        assert!(needs_follow_up(Some(MeasureKind::HealthMonitoring)));
        assert!(!needs_follow_up(Some(MeasureKind::CentralIsolation)));
        assert!(!needs_follow_up(Some(MeasureKind::HospitalTreatment)));
        assert!(!needs_follow_up(None));
    }

    #[test]
    fn nothing_is_missing_before_the_first_window_ends() {
        assert_eq!(FollowUpDay::default().gaps(10 * 60 + 59), vec![]);
    }

    #[test]
    fn a_missed_morning_shows_the_visit_and_the_temperature() {
        assert_eq!(
            FollowUpDay::default().gaps(11 * 60),
            vec![FollowUpGap::Visit(VisitSlot::Morning), FollowUpGap::Temperatures { have: 0, due: 1 }]
        );
    }

    #[test]
    fn a_morning_visit_with_a_temperature_covers_the_morning() {
        let mut day = FollowUpDay::default();
        day.record(VisitSlot::Morning, true);
        assert_eq!(day.gaps(14 * 60), vec![]);
        assert_eq!(day.gaps(15 * 60), vec![FollowUpGap::Visit(VisitSlot::Noon)]);
    }

    #[test]
    fn a_visit_without_a_temperature_still_lacks_the_temperature() {
        let mut day = FollowUpDay::default();
        day.record(VisitSlot::Morning, false);
        assert_eq!(day.gaps(12 * 60), vec![FollowUpGap::Temperatures { have: 0, due: 1 }]);
    }

    #[test]
    fn a_full_day_is_complete_and_has_no_gaps() {
        let mut day = FollowUpDay::default();
        day.record(VisitSlot::Morning, true);
        day.record(VisitSlot::Noon, false);
        day.record(VisitSlot::Evening, true);
        assert!(day.complete());
        assert_eq!(day.gaps(END_OF_DAY), vec![]);
    }

    #[test]
    fn the_second_temperature_may_be_taken_at_noon() {
        let mut day = FollowUpDay::default();
        day.record(VisitSlot::Morning, true);
        day.record(VisitSlot::Noon, true);
        day.record(VisitSlot::Evening, false);
        assert_eq!(day.gaps(END_OF_DAY), vec![]);
    }

    #[test]
    fn an_empty_day_that_is_over_lacks_everything() {
        assert_eq!(
            FollowUpDay::default().gaps(END_OF_DAY),
            vec![
                FollowUpGap::Visit(VisitSlot::Morning),
                FollowUpGap::Visit(VisitSlot::Noon),
                FollowUpGap::Visit(VisitSlot::Evening),
                FollowUpGap::Temperatures { have: 0, due: 2 },
            ]
        );
        assert!(!FollowUpDay::default().complete());
    }

    #[test]
    fn one_temperature_by_evening_is_one_short() {
        let mut day = FollowUpDay::default();
        day.record(VisitSlot::Morning, true);
        day.record(VisitSlot::Noon, false);
        day.record(VisitSlot::Evening, false);
        assert_eq!(day.gaps(21 * 60), vec![FollowUpGap::Temperatures { have: 1, due: 2 }]);
        assert!(!day.complete());
    }
}
