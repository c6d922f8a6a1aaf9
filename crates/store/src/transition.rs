//! Turning a requested status change into the rows to write. Pure, so both backends run the same
//! rule inside their own transaction, against the state they just read.

use domain::{Durations, KeyClass, State, check_transition, default_measure};
use jiff::ToSpan;
use jiff::civil::Date;

use crate::error::{Result, StoreError};
use crate::*;
use domain::{Code, Label};

/// The parts of a key-person record that decide a transition.
#[derive(Debug, Clone)]
pub struct CurrentRecord {
    pub state: State,
    pub class: KeyClass,
    pub measure: Option<Measure>,
}

#[derive(Debug, Clone)]
pub struct TransitionPlanner {
    pub request: TransitionRequest,
    pub durations: Durations,
    /// The Asia/Shanghai date on which the change happens.
    pub today: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionPlan {
    pub from: State,
    pub to: State,
    pub reason: String,
    /// The current measure ends today.
    pub close_current: bool,
    /// A new measure starts today.
    pub open: Option<Measure>,
}

impl TransitionPlan {
    /// The measure in force after the change.
    pub fn resulting_measure(&self, current: Option<&Measure>) -> Option<Measure> {
        match (&self.open, self.close_current) {
            (Some(new), _) => Some(new.clone()),
            (None, true) => None,
            (None, false) => current.cloned(),
        }
    }
}

/// Reasons are mandatory: every change must say why (SPEC §4.1).
pub fn checked_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid("reason", "请填写原因", "a reason is required"));
    }
    if reason.chars().count() > 500 {
        return Err(StoreError::invalid("reason", "最多 500 个字", "at most 500 characters"));
    }
    Ok(reason.to_string())
}

impl TransitionPlanner {
    pub fn plan(&self, current: &CurrentRecord) -> Result<TransitionPlan> {
        let reason = checked_reason(&self.request.reason)?;
        let to = self.request.to;
        check_transition(current.state, to)?;
        let default_kind = default_measure(to.status);
        let kind = match (self.request.measure, default_kind) {
            (Some(_), None) => {
                return Err(StoreError::invalid(
                    "measure",
                    format!("「{}」会结束所有管控措施", to.status.label_zh()),
                    format!("status {} ends every measure", to.status.as_str()),
                ));
            }
            (Some(kind), Some(_)) => Some(kind),
            (None, default) => default,
        };
        let site = self.request.site.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let Some(kind) = kind else {
            return Ok(TransitionPlan {
                from: current.state,
                to,
                reason,
                close_current: current.measure.is_some(),
                open: None,
            });
        };
        let continues = current.measure.as_ref().is_some_and(|m| m.kind == kind && (site.is_none() || site == m.site));
        if continues {
            return Ok(TransitionPlan { from: current.state, to, reason, close_current: false, open: None });
        }
        let planned_end = self
            .durations
            .planned_days(kind, current.class, to.status)
            .and_then(|days| self.today.checked_add(i64::from(days).days()).ok());
        let open = Measure { kind, site, start: self.today, planned_end, actual_end: None };
        Ok(TransitionPlan {
            from: current.state,
            to,
            reason,
            close_current: current.measure.is_some(),
            open: Some(open),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{MeasureKind, Severity, Status};

    fn planner(to: State, measure: Option<MeasureKind>) -> TransitionPlanner {
        TransitionPlanner {
            request: TransitionRequest { to, reason: "核酸阳性".into(), measure, site: None },
            durations: Durations::default(),
            today: jiff::civil::date(2020, 2, 1),
        }
    }

    fn state(status: Status) -> State {
        State { status, severity: None }
    }

    #[test]
    fn central_observation_opens_a_fourteen_day_central_isolation() {
        let current = CurrentRecord { state: state(Status::Screened), class: KeyClass::CloseContact, measure: None };
        let plan = planner(state(Status::CentralObservation), None).plan(&current).unwrap();
        let open = plan.open.unwrap();
        assert_eq!(open.kind, MeasureKind::CentralIsolation);
        assert_eq!(open.planned_end, Some(jiff::civil::date(2020, 2, 15)));
        assert!(!plan.close_current);
    }

    #[test]
    fn arrivals_from_epidemic_areas_observe_twenty_four_days() {
        let current =
            CurrentRecord { state: state(Status::Screened), class: KeyClass::EpidemicAreaArrival, measure: None };
        let plan = planner(state(Status::HomeObservation), None).plan(&current).unwrap();
        assert_eq!(plan.open.unwrap().planned_end, Some(jiff::civil::date(2020, 2, 25)));
    }

    #[test]
    fn confirmation_replaces_isolation_with_treatment_without_planned_end() {
        let isolation = Measure {
            kind: MeasureKind::CentralIsolation,
            site: None,
            start: jiff::civil::date(2020, 1, 25),
            planned_end: Some(jiff::civil::date(2020, 2, 8)),
            actual_end: None,
        };
        let current =
            CurrentRecord { state: state(Status::Suspected), class: KeyClass::Suspected, measure: Some(isolation) };
        let to = State { status: Status::Confirmed, severity: Some(Severity::Mild) };
        let plan = planner(to, None).plan(&current).unwrap();
        assert!(plan.close_current);
        let open = plan.open.unwrap();
        assert_eq!(open.kind, MeasureKind::HospitalTreatment);
        assert_eq!(open.planned_end, None);
    }

    #[test]
    fn a_change_within_the_same_measure_keeps_it_running() {
        let isolation = Measure {
            kind: MeasureKind::CentralIsolation,
            site: Some("一号隔离点".into()),
            start: jiff::civil::date(2020, 1, 25),
            planned_end: Some(jiff::civil::date(2020, 2, 8)),
            actual_end: None,
        };
        let current = CurrentRecord {
            state: state(Status::CentralObservation),
            class: KeyClass::CloseContact,
            measure: Some(isolation.clone()),
        };
        let plan = planner(state(Status::Suspected), None).plan(&current).unwrap();
        assert_eq!((plan.close_current, plan.open.clone()), (false, None));
        assert_eq!(plan.resulting_measure(Some(&isolation)), Some(isolation));
    }

    #[test]
    fn release_ends_the_measure() {
        let isolation = Measure {
            kind: MeasureKind::HomeIsolation,
            site: None,
            start: jiff::civil::date(2020, 1, 18),
            planned_end: Some(jiff::civil::date(2020, 2, 1)),
            actual_end: None,
        };
        let current = CurrentRecord {
            state: state(Status::HomeObservation),
            class: KeyClass::CloseContact,
            measure: Some(isolation.clone()),
        };
        let plan = planner(state(Status::Released), None).plan(&current).unwrap();
        assert!(plan.close_current);
        assert_eq!(plan.resulting_measure(Some(&isolation)), None);
    }

    #[test]
    fn illegal_transitions_and_blank_reasons_are_refused() {
        let current = CurrentRecord { state: state(Status::Screened), class: KeyClass::Fever, measure: None };
        let err = planner(state(Status::Cured), None).plan(&current).unwrap_err();
        assert!(err.to_string().contains("screened") && err.to_string().contains("cured"), "{err}");
        let mut blank = planner(state(Status::HomeObservation), None);
        blank.request.reason = "  ".into();
        assert!(matches!(blank.plan(&current), Err(StoreError::Invalid { field: "reason", .. })));
    }

    #[test]
    fn a_measure_cannot_be_forced_onto_a_release() {
        let current =
            CurrentRecord { state: state(Status::HomeObservation), class: KeyClass::CloseContact, measure: None };
        let err = planner(state(Status::Released), Some(MeasureKind::HomeIsolation)).plan(&current).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { field: "measure", .. }));
    }
}
