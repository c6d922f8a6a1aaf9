//! Control measures and how long they last (SPEC §4.2). Durations are settings.

use crate::class::KeyClass;
use crate::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum MeasureKind {
    CentralIsolation,
    HomeIsolation,
    HealthMonitoring,
    HospitalTreatment,
}

impl crate::Label for MeasureKind {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            MeasureKind::CentralIsolation => ("集中隔离", "Central isolation"),
            MeasureKind::HomeIsolation => ("居家隔离", "Home isolation"),
            MeasureKind::HealthMonitoring => ("健康监测", "Health monitoring"),
            MeasureKind::HospitalTreatment => ("住院治疗", "Hospital treatment"),
        }
    }
}

/// The measure a status brings (四类人员分类集中管理: suspected, fever and post-discharge cases are
/// managed centrally, confirmed cases treated in hospital); `None` ends the current measure.
pub fn default_measure(status: Status) -> Option<MeasureKind> {
    match status {
        Status::HomeObservation => Some(MeasureKind::HomeIsolation),
        Status::CentralObservation | Status::FeverObservation | Status::Suspected | Status::PostDischargeIsolation => {
            Some(MeasureKind::CentralIsolation)
        }
        Status::Confirmed => Some(MeasureKind::HospitalTreatment),
        Status::Screened | Status::Excluded | Status::Cured | Status::Released | Status::Died => None,
    }
}

/// Statuses that end by release when their measure's planned end arrives.
pub fn falls_due_for_release(status: Status) -> bool {
    matches!(status, Status::HomeObservation | Status::CentralObservation | Status::PostDischargeIsolation)
}

/// Days each measure lasts. Defaults: isolation 14 days, arrivals from key epidemic areas 24 days
/// of observation (003), post-discharge isolation 14 days (000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durations {
    pub home_isolation_days: u16,
    pub central_isolation_days: u16,
    pub epidemic_area_observation_days: u16,
    pub post_discharge_days: u16,
    pub health_monitoring_days: u16,
}

impl Default for Durations {
    fn default() -> Self {
        Durations {
            home_isolation_days: 14,
            central_isolation_days: 14,
            epidemic_area_observation_days: 24,
            post_discharge_days: 14,
            health_monitoring_days: 14,
        }
    }
}

impl Durations {
    /// How long `kind` lasts for a record of `class` entering `status`; hospital treatment has
    /// no planned end (discharge is a medical decision).
    pub fn planned_days(&self, kind: MeasureKind, class: KeyClass, status: Status) -> Option<u16> {
        if kind == MeasureKind::HospitalTreatment {
            return None;
        }
        if status == Status::PostDischargeIsolation {
            return Some(self.post_discharge_days);
        }
        if class == KeyClass::EpidemicAreaArrival {
            return Some(self.epidemic_area_observation_days);
        }
        Some(match kind {
            MeasureKind::HomeIsolation => self.home_isolation_days,
            MeasureKind::CentralIsolation => self.central_isolation_days,
            MeasureKind::HealthMonitoring => self.health_monitoring_days,
            MeasureKind::HospitalTreatment => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[test]
    fn each_status_brings_its_measure() {
        let expected = [
            (Status::Screened, None),
            (Status::HomeObservation, Some(MeasureKind::HomeIsolation)),
            (Status::CentralObservation, Some(MeasureKind::CentralIsolation)),
            (Status::FeverObservation, Some(MeasureKind::CentralIsolation)),
            (Status::Suspected, Some(MeasureKind::CentralIsolation)),
            (Status::Excluded, None),
            (Status::Confirmed, Some(MeasureKind::HospitalTreatment)),
            (Status::Cured, None),
            (Status::PostDischargeIsolation, Some(MeasureKind::CentralIsolation)),
            (Status::Released, None),
            (Status::Died, None),
        ];
        for (status, measure) in expected {
            assert_eq!(default_measure(status), measure, "{status}");
        }
        let due: Vec<_> = Status::ALL.iter().copied().filter(|s| falls_due_for_release(*s)).collect();
        assert_eq!(due, [Status::HomeObservation, Status::CentralObservation, Status::PostDischargeIsolation]);
    }

    #[test]
    fn durations_follow_the_seeds() {
        let d = Durations::default();
        assert_eq!(
            d.planned_days(MeasureKind::HomeIsolation, KeyClass::CloseContact, Status::HomeObservation),
            Some(14)
        );
        assert_eq!(
            d.planned_days(MeasureKind::CentralIsolation, KeyClass::CloseContact, Status::CentralObservation),
            Some(14)
        );
        assert_eq!(
            d.planned_days(MeasureKind::HomeIsolation, KeyClass::EpidemicAreaArrival, Status::HomeObservation),
            Some(24)
        );
        assert_eq!(
            d.planned_days(MeasureKind::CentralIsolation, KeyClass::Confirmed, Status::PostDischargeIsolation),
            Some(14)
        );
        assert_eq!(d.planned_days(MeasureKind::HealthMonitoring, KeyClass::Fever, Status::HomeObservation), Some(14));
        assert_eq!(d.planned_days(MeasureKind::HospitalTreatment, KeyClass::Confirmed, Status::Confirmed), None);
        let custom = Durations { home_isolation_days: 7, ..Durations::default() };
        assert_eq!(
            custom.planned_days(MeasureKind::HomeIsolation, KeyClass::CloseContact, Status::HomeObservation),
            Some(7)
        );
    }

    #[test]
    fn names_round_trip() {
        for kind in MeasureKind::ALL.iter().copied() {
            assert_eq!(MeasureKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(MeasureKind::parse("quarantine").is_err());
    }
}
