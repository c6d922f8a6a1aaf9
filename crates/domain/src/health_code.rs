//! SPEC §4.5: the red/yellow/green health code, derived — never typed by hand — from what is
//! known of a person: the open key-person record (class, status, measure), arrival risk and
//! exposures at epidemic points not yet cleared. Each reason is shown to the citizen.

use crate::code::Code;

use jiff::civil::Date;

use crate::class::KeyClass;
use crate::measure::MeasureKind;
use crate::status::Status;
use crate::time::shanghai_day_start;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

impl Colour {
    /// One byte in a signed token.
    pub fn as_byte(self) -> u8 {
        match self {
            Colour::Green => 0,
            Colour::Yellow => 1,
            Colour::Red => 2,
        }
    }

    pub fn from_byte(b: u8) -> Option<Colour> {
        Colour::ALL.iter().copied().find(|c| c.as_byte() == b)
    }
}

impl crate::Label for Colour {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Colour::Green => ("绿码", "Green"),
            Colour::Yellow => ("黄码", "Yellow"),
            Colour::Red => ("红码", "Red"),
        }
    }
}

/// The risk class of the area an arrival came from, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum ArrivalRisk {
    /// Class 1 or high risk.
    High,
    /// Class 2 or medium risk, or not recorded.
    Medium,
}

impl crate::Label for ArrivalRisk {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            ArrivalRisk::High => ("一类/高风险地区", "Class 1 / high-risk area"),
            ArrivalRisk::Medium => ("二类/中风险地区", "Class 2 / medium-risk area"),
        }
    }
}

/// The person's open key-person record, as the code needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFacts {
    pub class: KeyClass,
    pub status: Status,
    pub measure: Option<MeasureKind>,
    /// Last day of the current measure, when it has one.
    pub measure_until: Option<Date>,
    pub arrival_risk: Option<ArrivalRisk>,
}

/// A stay at an epidemic point during a case's exposure window, not yet cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    pub venue_name: String,
    pub at: i64,
}

/// One reason for a colour. Reasons are facts; the colour follows from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeReason {
    Confirmed,
    Suspected,
    CentralIsolation { until: Option<Date> },
    HospitalTreatment,
    CloseContact { until: Option<Date> },
    HighRiskArrival { until: Option<Date> },
    FeverNotExcluded,
    HomeIsolation { until: Option<Date> },
    HealthMonitoring { until: Option<Date> },
    MediumRiskArrival { until: Option<Date> },
    EpidemicPointVisit { venue_name: String, at: i64 },
}

impl CodeReason {
    pub fn colour(&self) -> Colour {
        match self {
            CodeReason::Confirmed
            | CodeReason::Suspected
            | CodeReason::CentralIsolation { .. }
            | CodeReason::HospitalTreatment
            | CodeReason::CloseContact { .. }
            | CodeReason::HighRiskArrival { .. } => Colour::Red,
            CodeReason::FeverNotExcluded
            | CodeReason::HomeIsolation { .. }
            | CodeReason::HealthMonitoring { .. }
            | CodeReason::MediumRiskArrival { .. }
            | CodeReason::EpidemicPointVisit { .. } => Colour::Yellow,
        }
    }

    /// A stable name for the API.
    pub fn code(&self) -> &'static str {
        match self {
            CodeReason::Confirmed => "confirmed",
            CodeReason::Suspected => "suspected",
            CodeReason::CentralIsolation { .. } => "central_isolation",
            CodeReason::HospitalTreatment => "hospital_treatment",
            CodeReason::CloseContact { .. } => "close_contact",
            CodeReason::HighRiskArrival { .. } => "high_risk_arrival",
            CodeReason::FeverNotExcluded => "fever_not_excluded",
            CodeReason::HomeIsolation { .. } => "home_isolation",
            CodeReason::HealthMonitoring { .. } => "health_monitoring",
            CodeReason::MediumRiskArrival { .. } => "medium_risk_arrival",
            CodeReason::EpidemicPointVisit { .. } => "epidemic_point_visit",
        }
    }

    /// The last day the reason holds, when it is known.
    pub fn until(&self) -> Option<Date> {
        match self {
            CodeReason::CentralIsolation { until }
            | CodeReason::CloseContact { until }
            | CodeReason::HighRiskArrival { until }
            | CodeReason::HomeIsolation { until }
            | CodeReason::HealthMonitoring { until }
            | CodeReason::MediumRiskArrival { until } => *until,
            _ => None,
        }
    }

    /// What the citizen reads, (中文, English): each reason's two texts in one arm.
    pub fn texts(&self) -> (String, String) {
        let with_end = |zh: &str, en: &str, end: &Option<Date>| match end {
            Some(d) => (format!("{zh}，至 {d}"), format!("{en} until {d}")),
            None => (zh.to_string(), en.to_string()),
        };
        match self {
            CodeReason::Confirmed => with_end("确诊病例", "Confirmed case", &None),
            CodeReason::Suspected => with_end("疑似病例", "Suspected case", &None),
            CodeReason::CentralIsolation { until } => with_end("集中隔离中", "In central isolation", until),
            CodeReason::HospitalTreatment => with_end("住院治疗中", "In hospital treatment", &None),
            CodeReason::CloseContact { until } => {
                with_end("密切接触者，隔离期内", "Close contact within the isolation period", until)
            }
            CodeReason::HighRiskArrival { until } => {
                with_end("来自高风险地区，观察期内", "Arrived from a high-risk area", until)
            }
            CodeReason::FeverNotExcluded => with_end("发热待排查", "Fever not yet excluded", &None),
            CodeReason::HomeIsolation { until } => with_end("居家隔离中", "In home isolation", until),
            CodeReason::HealthMonitoring { until } => with_end("健康监测中", "Under health monitoring", until),
            CodeReason::MediumRiskArrival { until } => {
                with_end("来自中风险地区，观察期内", "Arrived from a medium-risk area", until)
            }
            CodeReason::EpidemicPointVisit { venue_name, .. } => (
                format!("病例暴露时段到访疫点：{venue_name}，待排查"),
                format!("Visited an epidemic point during a case's exposure: {venue_name}; to be cleared"),
            ),
        }
    }

    pub fn text_zh(&self) -> String {
        self.texts().0
    }

    pub fn text_en(&self) -> String {
        self.texts().1
    }
}

/// A derived code: colour, its reasons (strongest first) and when it must be fetched again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCode {
    pub colour: Colour,
    pub reasons: Vec<CodeReason>,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// The reasons an open record gives. Released, excluded and died records are not open, and
/// give none — the caller passes `None` for them.
pub fn record_reasons(record: &RecordFacts) -> Vec<CodeReason> {
    let until = record.measure_until;
    let mut reasons = Vec::new();
    match record.status {
        Status::Confirmed => reasons.push(CodeReason::Confirmed),
        Status::Suspected => reasons.push(CodeReason::Suspected),
        Status::Released | Status::Excluded | Status::Died => return reasons,
        _ => {}
    }
    match record.class {
        KeyClass::CloseContact => reasons.push(CodeReason::CloseContact { until }),
        KeyClass::EpidemicAreaArrival => reasons.push(match record.arrival_risk {
            Some(ArrivalRisk::High) => CodeReason::HighRiskArrival { until },
            _ => CodeReason::MediumRiskArrival { until },
        }),
        KeyClass::Fever if !matches!(record.status, Status::Confirmed | Status::Suspected) => {
            reasons.push(CodeReason::FeverNotExcluded);
        }
        _ => {}
    }
    if record.status == Status::FeverObservation && !reasons.contains(&CodeReason::FeverNotExcluded) {
        reasons.push(CodeReason::FeverNotExcluded);
    }
    match record.measure {
        Some(MeasureKind::CentralIsolation) => reasons.push(CodeReason::CentralIsolation { until }),
        Some(MeasureKind::HospitalTreatment) => reasons.push(CodeReason::HospitalTreatment),
        Some(MeasureKind::HomeIsolation) => reasons.push(CodeReason::HomeIsolation { until }),
        Some(MeasureKind::HealthMonitoring) => reasons.push(CodeReason::HealthMonitoring { until }),
        None => {}
    }
    reasons
}

/// The code at `now`. It expires after `validity_seconds`, or sooner at the end of the first
/// day on which a reason ends, so that a released person turns green without waiting.
/// Whether a record keeps its person in (isolation or observation): a check-in or a passage by
/// them is a breach (违规外出). Health monitoring and a medium-risk arrival do not confine.
pub fn confines(status: Status, measure: Option<MeasureKind>) -> bool {
    matches!(
        status,
        Status::Confirmed
            | Status::Suspected
            | Status::FeverObservation
            | Status::CentralObservation
            | Status::HomeObservation
            | Status::PostDischargeIsolation
    ) || matches!(
        measure,
        Some(MeasureKind::CentralIsolation | MeasureKind::HomeIsolation | MeasureKind::HospitalTreatment)
    )
}

pub fn health_code(
    record: Option<&RecordFacts>,
    exposures: &[Exposure],
    now: i64,
    validity_seconds: i64,
) -> HealthCode {
    let mut reasons = record.map(record_reasons).unwrap_or_default();
    reasons.extend(
        exposures.iter().map(|e| CodeReason::EpidemicPointVisit { venue_name: e.venue_name.clone(), at: e.at }),
    );
    // Strongest first; the order among equals is the order above.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.colour()));
    let colour = reasons.iter().map(CodeReason::colour).max().unwrap_or(Colour::Green);
    let reason_ends = reasons
        .iter()
        .filter_map(CodeReason::until)
        .filter_map(|day| day.tomorrow().ok())
        .map(shanghai_day_start)
        .filter(|end| *end > now);
    let expires_at = reason_ends.chain(std::iter::once(now + validity_seconds)).min().unwrap_or(now + validity_seconds);
    HealthCode { colour, reasons, issued_at: now, expires_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_646_900_000; // 2022-03-10 16:13 Shanghai
    const HOUR: i64 = 3_600;

    fn record(class: KeyClass, status: Status, measure: Option<MeasureKind>) -> RecordFacts {
        RecordFacts { class, status, measure, measure_until: None, arrival_risk: None }
    }

    fn code(record: Option<&RecordFacts>, exposures: &[Exposure]) -> HealthCode {
        health_code(record, exposures, NOW, HOUR)
    }

    fn reasons(code: &HealthCode) -> Vec<&'static str> {
        code.reasons.iter().map(CodeReason::code).collect()
    }

    #[test]
    fn arrival_risks_read_back_and_nothing_else_parses() {
        for risk in ArrivalRisk::ALL.iter().copied() {
            assert_eq!(ArrivalRisk::parse(risk.as_str()), Ok(risk));
        }
        assert_eq!(ArrivalRisk::parse("High").ok(), None);
        assert_eq!(ArrivalRisk::parse("").ok(), None);
    }

    #[test]
    fn nobody_known_is_green() {
        let c = code(None, &[]);
        assert_eq!((c.colour, c.reasons.len(), c.expires_at), (Colour::Green, 0, NOW + HOUR));
    }

    #[test]
    fn each_red_reason_is_red() {
        let cases = [
            (record(KeyClass::Confirmed, Status::Confirmed, Some(MeasureKind::HospitalTreatment)), "confirmed"),
            (record(KeyClass::Suspected, Status::Suspected, Some(MeasureKind::CentralIsolation)), "suspected"),
            (
                record(KeyClass::Fever, Status::CentralObservation, Some(MeasureKind::CentralIsolation)),
                "central_isolation",
            ),
            (
                record(KeyClass::Confirmed, Status::PostDischargeIsolation, Some(MeasureKind::CentralIsolation)),
                "central_isolation",
            ),
            (
                record(KeyClass::CloseContact, Status::HomeObservation, Some(MeasureKind::HomeIsolation)),
                "close_contact",
            ),
            (
                RecordFacts {
                    arrival_risk: Some(ArrivalRisk::High),
                    ..record(KeyClass::EpidemicAreaArrival, Status::Screened, None)
                },
                "high_risk_arrival",
            ),
        ];
        for (facts, reason) in cases {
            let c = code(Some(&facts), &[]);
            assert_eq!(c.colour, Colour::Red, "{facts:?}");
            assert!(reasons(&c).contains(&reason), "{facts:?}: {:?}", reasons(&c));
            assert_eq!(c.reasons[0].colour(), Colour::Red);
        }
    }

    #[test]
    fn each_yellow_reason_is_yellow() {
        let visit = [Exposure { venue_name: "人民路农贸市场".into(), at: NOW - HOUR }];
        let cases = [
            (Some(record(KeyClass::Fever, Status::Screened, None)), &[][..], "fever_not_excluded"),
            (Some(record(KeyClass::Fever, Status::FeverObservation, None)), &[][..], "fever_not_excluded"),
            (
                Some(record(KeyClass::EpidemicAreaArrival, Status::HomeObservation, Some(MeasureKind::HomeIsolation))),
                &[][..],
                "home_isolation",
            ),
            (
                Some(record(KeyClass::EpidemicAreaArrival, Status::Screened, Some(MeasureKind::HealthMonitoring))),
                &[][..],
                "health_monitoring",
            ),
            (
                Some(RecordFacts {
                    arrival_risk: Some(ArrivalRisk::Medium),
                    ..record(KeyClass::EpidemicAreaArrival, Status::Screened, None)
                }),
                &[][..],
                "medium_risk_arrival",
            ),
            (None, &visit[..], "epidemic_point_visit"),
        ];
        for (facts, exposures, reason) in cases {
            let c = code(facts.as_ref(), exposures);
            assert_eq!(c.colour, Colour::Yellow, "{facts:?}");
            assert!(reasons(&c).contains(&reason), "{facts:?}: {:?}", reasons(&c));
        }
    }

    #[test]
    fn closed_records_give_no_reason() {
        for status in [Status::Released, Status::Excluded, Status::Died] {
            let c = code(Some(&record(KeyClass::CloseContact, status, None)), &[]);
            assert_eq!(c.colour, Colour::Green, "{status:?}");
        }
    }

    #[test]
    fn the_strongest_reason_decides_and_comes_first() {
        let visit = [Exposure { venue_name: "超市".into(), at: NOW }];
        let c = code(
            Some(&record(KeyClass::CloseContact, Status::CentralObservation, Some(MeasureKind::CentralIsolation))),
            &visit,
        );
        assert_eq!(c.colour, Colour::Red);
        assert_eq!(reasons(&c), vec!["close_contact", "central_isolation", "epidemic_point_visit"]);
    }

    #[test]
    fn a_code_expires_when_its_measure_ends() {
        let until = jiff::civil::date(2022, 3, 10);
        let facts = RecordFacts {
            measure_until: Some(until),
            ..record(KeyClass::EpidemicAreaArrival, Status::HomeObservation, Some(MeasureKind::HomeIsolation))
        };
        // The measure's last day ends at midnight, 7 h 47 min from now: sooner than a day.
        let c = health_code(Some(&facts), &[], NOW, 86_400);
        assert_eq!(c.expires_at, shanghai_day_start(jiff::civil::date(2022, 3, 11)));
        // With a shorter validity the validity wins.
        assert_eq!(health_code(Some(&facts), &[], NOW, HOUR).expires_at, NOW + HOUR);
        assert!(c.reasons[0].text_zh().contains("2022-03-10"));
    }

    #[test]
    fn colours_round_trip() {
        for colour in Colour::ALL.iter().copied() {
            assert_eq!(Colour::parse(colour.as_str()), Ok(colour));
            assert_eq!(Colour::from_byte(colour.as_byte()), Some(colour));
        }
        assert_eq!(Colour::from_byte(9), None);
        assert!(Colour::Red > Colour::Yellow && Colour::Yellow > Colour::Green);
    }
}
