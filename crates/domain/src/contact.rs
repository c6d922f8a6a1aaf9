//! SPEC §4.4: stays, epidemic points (疫点) and close-contact candidates, as pure functions of
//! check-ins and the tracing settings. Instants are Unix seconds; days are Shanghai days.
//!
//! Intervals are half-open, `[from, to)`: a stay that ends at 10:00 and one that starts at 10:00
//! do not overlap, and a window that ends where a stay begins does not reach it.

use crate::ids::{CheckinId, PersonId, VenueId};
use jiff::civil::Date;

use crate::time::shanghai_day_start;

/// A check-out more than a day after its check-in is a forgotten one: the stay counts as a day.
pub const LONGEST_STAY: i64 = 86_400;

/// The tracing settings (all seconds, but `lookback_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracingRule {
    /// Days before onset from which the case's stays count (D−3).
    pub lookback_days: i64,
    /// A stay must be longer than this to make a venue an epidemic point (1 h: exactly 1 h is not).
    pub min_stay_seconds: i64,
    /// A stay without a check-out lasts until the next check-in elsewhere, at most this long.
    pub max_stay_seconds: i64,
    /// Another person's stay within this margin around the case's stay is an overlap (±1 h).
    pub overlap_seconds: i64,
}

impl Default for TracingRule {
    fn default() -> TracingRule {
        TracingRule { lookback_days: 3, min_stay_seconds: 3_600, max_stay_seconds: 7_200, overlap_seconds: 3_600 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TracingRuleError {
    #[error("lookback_days must be between 0 and 28")]
    LookbackDays,
    #[error("min_stay_seconds must be between 0 and max_stay_seconds")]
    MinStay,
    #[error("max_stay_seconds must be between 60 and 86400")]
    MaxStay,
    #[error("overlap_seconds must be between 0 and 86400")]
    Overlap,
}

impl crate::Explain for TracingRuleError {
    fn zh(&self) -> String {
        match self {
            TracingRuleError::LookbackDays => "追溯天数应在 0 到 28 之间".into(),
            TracingRuleError::MinStay => "最短停留应在 0 秒到最长停留之间".into(),
            TracingRuleError::MaxStay => "最长停留应在 60 到 86400 秒之间".into(),
            TracingRuleError::Overlap => "重叠时长应在 0 到 86400 秒之间".into(),
        }
    }
}

impl TracingRule {
    /// The rule, when every setting is in its range.
    pub fn parse(
        lookback_days: i64,
        min_stay_seconds: i64,
        max_stay_seconds: i64,
        overlap_seconds: i64,
    ) -> Result<TracingRule, TracingRuleError> {
        if !(0..=28).contains(&lookback_days) {
            return Err(TracingRuleError::LookbackDays);
        }
        if !(60..=86_400).contains(&max_stay_seconds) {
            return Err(TracingRuleError::MaxStay);
        }
        if !(0..=max_stay_seconds).contains(&min_stay_seconds) {
            return Err(TracingRuleError::MinStay);
        }
        if !(0..=86_400).contains(&overlap_seconds) {
            return Err(TracingRuleError::Overlap);
        }
        Ok(TracingRule { lookback_days, min_stay_seconds, max_stay_seconds, overlap_seconds })
    }

    /// The case's exposure window: from 00:00 (Shanghai) of onset − lookback to isolation.
    pub fn exposure_window(&self, onset: Date, isolated_at: i64) -> Window {
        let first_day = onset.checked_sub(jiff::Span::new().days(self.lookback_days)).unwrap_or(onset);
        Window { from: shanghai_day_start(first_day), to: isolated_at }
    }

    /// The earliest check-in time that can still overlap `stay`: a contact query scans
    /// `t_in > earliest_reaching` at the venue, which keeps the index range tight and misses
    /// nothing, since no stay is longer than `LONGEST_STAY`.
    pub fn earliest_reaching(&self, stay: &Stay) -> i64 {
        stay.from - self.overlap_seconds - LONGEST_STAY.max(self.max_stay_seconds)
    }
}

/// A span of time `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub to: i64,
}

impl Window {
    /// The part of both, if any.
    pub fn intersect(&self, other: &Window) -> Option<Window> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from < to).then_some(Window { from, to })
    }

    pub fn seconds(&self) -> i64 {
        self.to - self.from
    }
}

/// One check-in as tracing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub checkin_id: CheckinId,
    pub person_id: PersonId,
    pub venue_id: VenueId,
    pub t_in: i64,
    pub t_out: Option<i64>,
}

/// A person's presence at a venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    pub checkin_id: CheckinId,
    pub person_id: PersonId,
    pub venue_id: VenueId,
    pub from: i64,
    pub to: i64,
    /// Whether `to` was estimated (no check-out): the next check-in elsewhere, or the cap.
    pub estimated: bool,
}

impl Stay {
    pub fn window(&self) -> Window {
        Window { from: self.from, to: self.to }
    }
}

/// One person's stays from their check-ins (any order). With a check-out the stay ends there;
/// without one it ends at the person's next check-in at another venue, capped at
/// `max_stay_seconds`. A later check-in at the same venue does not end it.
pub fn stays_of(visits: &[Visit], rule: &TracingRule) -> Vec<Stay> {
    let mut sorted: Vec<Visit> = visits.to_vec();
    sorted.sort_by_key(|v| (v.t_in, v.checkin_id));
    sorted
        .iter()
        .enumerate()
        .map(|(i, visit)| {
            let capped = visit.t_in + rule.max_stay_seconds;
            let (to, estimated) = match visit.t_out {
                Some(out) if out > visit.t_in => (out.min(visit.t_in + LONGEST_STAY), false),
                Some(_) => (visit.t_in, false),
                None => {
                    let next_elsewhere =
                        sorted[i + 1..].iter().find(|later| later.venue_id != visit.venue_id).map(|later| later.t_in);
                    (next_elsewhere.map_or(capped, |next| next.min(capped)), true)
                }
            };
            Stay {
                checkin_id: visit.checkin_id,
                person_id: visit.person_id,
                venue_id: visit.venue_id,
                from: visit.t_in,
                to,
                estimated,
            }
        })
        .collect()
}

/// The case's stays that make epidemic points: inside the exposure window (the part inside it
/// counts) and longer than `min_stay_seconds`.
pub fn epidemic_points(case_stays: &[Stay], window: &Window, rule: &TracingRule) -> Vec<Stay> {
    case_stays
        .iter()
        .filter_map(|stay| {
            let inside = stay.window().intersect(window)?;
            (inside.seconds() > rule.min_stay_seconds).then_some(Stay { from: inside.from, to: inside.to, ..*stay })
        })
        .collect()
}

/// The margin around a case's stay within which another stay is an overlap.
pub fn exposure_of(point: &Stay, rule: &TracingRule) -> Window {
    Window { from: point.from - rule.overlap_seconds, to: point.to + rule.overlap_seconds }
}

/// A close-contact candidate: whose stay, at which point, and for how long it overlapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    pub stay: Stay,
    pub point_checkin_id: CheckinId,
    pub overlap: Window,
}

/// Other persons' stays at the point's venue that overlap its exposure margin. `others` are the
/// stays of the people who checked in there (their estimated ends computed over their own
/// check-ins); the case's own stays are skipped.
pub fn overlaps(point: &Stay, others: &[Stay], rule: &TracingRule) -> Vec<Overlap> {
    let exposure = exposure_of(point, rule);
    others
        .iter()
        .filter(|other| other.venue_id == point.venue_id && other.person_id != point.person_id)
        .filter_map(|other| {
            let overlap = other.window().intersect(&exposure)?;
            Some(Overlap { stay: *other, point_checkin_id: point.checkin_id, overlap })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2022-03-10 00:00 Asia/Shanghai.
    const DAY0: i64 = 1_646_841_600;
    const H: i64 = 3_600;

    fn visit(id: i64, person: i64, venue: i64, t_in: i64, t_out: Option<i64>) -> Visit {
        Visit {
            checkin_id: CheckinId::new(id),
            person_id: PersonId::new(person),
            venue_id: VenueId::new(venue),
            t_in,
            t_out,
        }
    }

    fn rule() -> TracingRule {
        TracingRule::default()
    }

    #[test]
    fn a_check_out_ends_the_stay() {
        let stays = stays_of(&[visit(1, 1, 10, DAY0 + 9 * H, Some(DAY0 + 12 * H))], &rule());
        assert_eq!((stays[0].from, stays[0].to, stays[0].estimated), (DAY0 + 9 * H, DAY0 + 12 * H, false));
    }

    #[test]
    fn without_check_out_the_next_check_in_elsewhere_ends_the_stay() {
        let visits = [visit(1, 1, 10, DAY0 + 9 * H, None), visit(2, 1, 11, DAY0 + 9 * H + 1_800, None)];
        let stays = stays_of(&visits, &rule());
        assert_eq!(stays[0].to, DAY0 + 9 * H + 1_800);
        assert!(stays[0].estimated);
        // The last one has no next check-in: the cap.
        assert_eq!(stays[1].to, DAY0 + 9 * H + 1_800 + 2 * H);
    }

    #[test]
    fn a_next_check_in_after_the_cap_does_not_stretch_the_stay() {
        let visits = [visit(1, 1, 10, DAY0, None), visit(2, 1, 11, DAY0 + 5 * H, None)];
        assert_eq!(stays_of(&visits, &rule())[0].to, DAY0 + 2 * H);
    }

    #[test]
    fn a_later_check_in_at_the_same_venue_does_not_end_the_stay() {
        let visits =
            [visit(1, 1, 10, DAY0, None), visit(2, 1, 10, DAY0 + 1_800, None), visit(3, 1, 12, DAY0 + H, None)];
        let stays = stays_of(&visits, &rule());
        assert_eq!(stays[0].to, DAY0 + H);
        assert_eq!(stays[1].to, DAY0 + H);
    }

    #[test]
    fn visits_in_any_order_give_the_same_stays() {
        let visits = [visit(2, 1, 11, DAY0 + H, None), visit(1, 1, 10, DAY0, None)];
        let stays = stays_of(&visits, &rule());
        assert_eq!((stays[0].checkin_id, stays[0].to), (CheckinId::new(1), DAY0 + H));
    }

    #[test]
    fn a_check_out_before_check_in_is_an_empty_stay() {
        let stays = stays_of(&[visit(1, 1, 10, DAY0 + H, Some(DAY0))], &rule());
        assert_eq!(stays[0].window().seconds(), 0);
        assert!(epidemic_points(&stays, &Window { from: 0, to: i64::MAX }, &rule()).is_empty());
    }

    #[test]
    fn exactly_one_hour_is_not_an_epidemic_point_and_one_second_more_is() {
        let window = Window { from: DAY0 - 10 * H, to: DAY0 + 10 * H };
        let hour = stays_of(&[visit(1, 1, 10, DAY0, Some(DAY0 + H))], &rule());
        assert!(epidemic_points(&hour, &window, &rule()).is_empty());
        let longer = stays_of(&[visit(1, 1, 10, DAY0, Some(DAY0 + H + 1))], &rule());
        assert_eq!(epidemic_points(&longer, &window, &rule()).len(), 1);
    }

    #[test]
    fn the_cap_alone_makes_a_point_when_nothing_follows() {
        let stays = stays_of(&[visit(1, 1, 10, DAY0, None)], &rule());
        let points = epidemic_points(&stays, &Window { from: DAY0 - H, to: DAY0 + 10 * H }, &rule());
        assert_eq!((points[0].from, points[0].to), (DAY0, DAY0 + 2 * H));
    }

    #[test]
    fn the_window_runs_from_midnight_three_days_before_onset_to_isolation() {
        let onset = jiff::civil::date(2022, 3, 13);
        let window = rule().exposure_window(onset, DAY0 + 3 * 86_400 + 15 * H);
        assert_eq!(window.from, DAY0);
        assert_eq!(window.to, DAY0 + 3 * 86_400 + 15 * H);
        // Onset on the first of a month crosses into the month before.
        let window = rule().exposure_window(jiff::civil::date(2022, 3, 1), DAY0);
        assert_eq!(window.from, shanghai_day_start(jiff::civil::date(2022, 2, 26)));
    }

    #[test]
    fn only_the_part_inside_the_window_counts() {
        let window = rule().exposure_window(jiff::civil::date(2022, 3, 13), DAY0 + 4 * 86_400);
        // 22:30 on the 9th to 01:00 on the 10th: 1 h inside — not a point.
        let across = stays_of(&[visit(1, 1, 10, DAY0 - 5_400, Some(DAY0 + H))], &rule());
        assert!(epidemic_points(&across, &window, &rule()).is_empty());
        // 22:30 to 01:30: 1.5 h inside — a point, clipped to midnight.
        let across = stays_of(&[visit(1, 1, 10, DAY0 - 5_400, Some(DAY0 + 5_400))], &rule());
        let points = epidemic_points(&across, &window, &rule());
        assert_eq!((points[0].from, points[0].to), (DAY0, DAY0 + 5_400));
        // After isolation nothing counts.
        let after = stays_of(&[visit(1, 1, 10, DAY0 + 4 * 86_400, Some(DAY0 + 4 * 86_400 + 3 * H))], &rule());
        assert!(epidemic_points(&after, &window, &rule()).is_empty());
    }

    #[test]
    fn midnight_shanghai_is_not_midnight_utc() {
        // Onset 2022-03-13; the window opens 2022-03-10 00:00 +08:00 = 2022-03-09 16:00 UTC.
        let window = rule().exposure_window(jiff::civil::date(2022, 3, 13), DAY0 + 4 * 86_400);
        assert_eq!(window.from, 1_646_841_600);
        let before = stays_of(&[visit(1, 1, 10, window.from - 3 * H, Some(window.from - 1))], &rule());
        assert!(epidemic_points(&before, &window, &rule()).is_empty());
    }

    #[test]
    fn overlaps_within_the_margin_count_and_touching_its_edge_does_not() {
        let point = stays_of(&[visit(1, 1, 10, DAY0 + 10 * H, Some(DAY0 + 12 * H))], &rule())[0];
        let others = [
            // Inside the stay.
            visit(2, 2, 10, DAY0 + 11 * H, Some(DAY0 + 11 * H + 600)),
            // Left 9:00–9:30, within an hour before the case came.
            visit(3, 3, 10, DAY0 + 9 * H, Some(DAY0 + 9 * H + 1_800)),
            // Left at exactly 9:00, the margin's edge: no overlap.
            visit(4, 4, 10, DAY0 + 8 * H, Some(DAY0 + 9 * H)),
            // Came at exactly 13:00, the margin's other edge: no overlap.
            visit(5, 5, 10, DAY0 + 13 * H, Some(DAY0 + 14 * H)),
            // Came at 12:59: one minute of overlap.
            visit(6, 6, 10, DAY0 + 13 * H - 60, Some(DAY0 + 14 * H)),
            // Another venue.
            visit(7, 7, 11, DAY0 + 11 * H, Some(DAY0 + 12 * H)),
            // The case's own other check-in.
            visit(8, 1, 10, DAY0 + 11 * H, Some(DAY0 + 12 * H)),
        ];
        let stays: Vec<Stay> = others.iter().flat_map(|v| stays_of(&[*v], &rule())).collect();
        let found = overlaps(&point, &stays, &rule());
        let persons: Vec<i64> = found.iter().map(|o| o.stay.person_id.get()).collect();
        assert_eq!(persons, vec![2, 3, 6]);
        assert_eq!(found[2].overlap.seconds(), 60);
        assert_eq!(found[1].overlap, Window { from: DAY0 + 9 * H, to: DAY0 + 9 * H + 1_800 });
    }

    #[test]
    fn an_estimated_end_decides_an_overlap() {
        let point = stays_of(&[visit(1, 1, 10, DAY0 + 10 * H, Some(DAY0 + 12 * H))], &rule())[0];
        // Checked in 6:00 without check-out and nowhere else: capped at 8:00 — before 9:00.
        let capped = stays_of(&[visit(2, 2, 10, DAY0 + 6 * H, None)], &rule());
        assert!(overlaps(&point, &capped, &rule()).is_empty());
        // Checked in 7:30, capped at 9:30: half an hour of overlap.
        let reaching = stays_of(&[visit(3, 3, 10, DAY0 + 7 * H + 1_800, None)], &rule());
        assert_eq!(overlaps(&point, &reaching, &rule())[0].overlap.seconds(), 1_800);
        // Checked in 7:30 but at another venue at 8:00: gone before the margin.
        let moved =
            stays_of(&[visit(4, 4, 10, DAY0 + 7 * H + 1_800, None), visit(5, 4, 11, DAY0 + 8 * H, None)], &rule());
        assert!(overlaps(&point, &moved, &rule()).is_empty());
    }

    #[test]
    fn the_scan_bound_reaches_every_stay_that_can_overlap() {
        let point = Stay {
            checkin_id: CheckinId::new(1),
            person_id: PersonId::new(1),
            venue_id: VenueId::new(10),
            from: DAY0 + 10 * H,
            to: DAY0 + 12 * H,
            estimated: false,
        };
        // The earliest check-in that can overlap is the longest stay, ending just inside the margin.
        let earliest = rule().earliest_reaching(&point);
        let reaching = stays_of(&[visit(2, 2, 10, earliest + 1, Some(point.from))], &rule());
        assert_eq!(overlaps(&point, &reaching, &rule()).len(), 1);
        let not = stays_of(&[visit(3, 3, 10, earliest, Some(point.from))], &rule());
        assert!(overlaps(&point, &not, &rule()).is_empty());
        // A forgotten check-out counts as a day.
        let forgotten = stays_of(&[visit(4, 4, 10, DAY0, Some(DAY0 + 5 * 86_400))], &rule());
        assert_eq!(forgotten[0].to, DAY0 + LONGEST_STAY);
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(TracingRule::parse(3, 3_600, 7_200, 3_600), Ok(TracingRule::default()));
        assert_eq!(TracingRule::parse(-1, 3_600, 7_200, 3_600), Err(TracingRuleError::LookbackDays));
        assert_eq!(TracingRule::parse(3, 9_000, 7_200, 3_600), Err(TracingRuleError::MinStay));
        assert_eq!(TracingRule::parse(3, 0, 30, 3_600), Err(TracingRuleError::MaxStay));
        assert_eq!(TracingRule::parse(3, 3_600, 7_200, -5), Err(TracingRuleError::Overlap));
    }
}
