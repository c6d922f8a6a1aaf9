//! The key-person status machine (SPEC §4.1). The whole rule is `legal_targets`; every change is
//! checked against it, and the current state is a fold of the changes (`replay`).

use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    Screened,
    HomeObservation,
    CentralObservation,
    FeverObservation,
    Suspected,
    Excluded,
    Confirmed,
    Cured,
    PostDischargeIsolation,
    Released,
    Died,
}

impl Status {
    /// The record is closed: nothing follows.
    pub fn is_terminal(self) -> bool {
        legal_targets(self).is_empty()
    }
}

impl crate::Label for Status {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Status::Screened => ("已筛查", "Screened"),
            Status::HomeObservation => ("居家观察", "Home observation"),
            Status::CentralObservation => ("集中观察", "Central observation"),
            Status::FeverObservation => ("发热留观", "Fever observation"),
            Status::Suspected => ("疑似", "Suspected"),
            Status::Excluded => ("已排除", "Excluded"),
            Status::Confirmed => ("确诊", "Confirmed"),
            Status::Cured => ("治愈出院", "Cured"),
            Status::PostDischargeIsolation => ("出院后隔离", "Post-discharge isolation"),
            Status::Released => ("解除隔离", "Released"),
            Status::Died => ("死亡", "Died"),
        }
    }
}

/// How the key-person list is sorted: what changed last (the default: the day's news first),
/// whose measure ends soonest (the releases to prepare), or who came under management last.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum KeyPersonOrder {
    #[default]
    Updated,
    PlannedEnd,
    Opened,
}

impl crate::Label for KeyPersonOrder {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            KeyPersonOrder::Updated => ("最近变动在前", "Latest change first"),
            KeyPersonOrder::PlannedEnd => ("计划解除最早在前", "Soonest planned end first"),
            KeyPersonOrder::Opened => ("最近入管在前", "Newest record first"),
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Severity {
    Mild,
    Severe,
    Critical,
}

impl crate::Label for Severity {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Severity::Mild => ("轻症", "Mild"),
            Severity::Severe => ("重症", "Severe"),
            Severity::Critical => ("危重症", "Critical"),
        }
    }
}

/// A status with the severity a confirmed case carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct State {
    pub status: Status,
    pub severity: Option<Severity>,
}

impl State {
    /// "确诊病例（重症）".
    pub fn zh(&self) -> String {
        use crate::Label;
        match self.severity {
            Some(severity) => format!("{}（{}）", self.status.label_zh(), severity.label_zh()),
            None => self.status.label_zh().to_string(),
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Some(severity) => write!(f, "{} ({severity})", self.status),
            None => write!(f, "{}", self.status),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("illegal transition from {from} to {to}")]
    Illegal { from: State, to: State },
    #[error("a confirmed case needs a severity: mild, severe or critical")]
    SeverityRequired,
    #[error("status {status} takes no severity")]
    SeverityNotAllowed { status: Status },
    #[error("the case is already {severity}")]
    SameSeverity { severity: Severity },
}

impl crate::Explain for TransitionError {
    fn zh(&self) -> String {
        use crate::Label;
        match self {
            TransitionError::Illegal { from, to } => {
                format!("不能从「{}」变更为「{}」", from.zh(), to.zh())
            }
            TransitionError::SeverityRequired => "确诊病例需选择病情：轻症、重症或危重症".into(),
            TransitionError::SeverityNotAllowed { status } => format!("「{}」不填病情", status.label_zh()),
            TransitionError::SameSeverity { severity } => format!("病情已是「{}」", severity.label_zh()),
        }
    }
}

/// Where each status may go next. Screening leads to observation or straight to suspicion or
/// confirmation; observation ends in release unless fever or a test moves it on; a fever episode
/// ends excluded or suspected; suspicion resolves to confirmed or excluded; a confirmed case is
/// cured (then isolated 14 days after discharge) or dies; a re-positive after discharge is
/// confirmed again. Released and died close the record.
pub fn legal_targets(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        Screened => &[HomeObservation, CentralObservation, FeverObservation, Suspected, Confirmed],
        HomeObservation => &[CentralObservation, FeverObservation, Suspected, Confirmed, Released],
        CentralObservation => &[HomeObservation, FeverObservation, Suspected, Confirmed, Released],
        FeverObservation => &[Excluded, Suspected, Confirmed],
        Suspected => &[Confirmed, Excluded],
        Excluded => &[HomeObservation, CentralObservation, Released],
        Confirmed => &[Confirmed, Cured, Died],
        Cured => &[PostDischargeIsolation],
        PostDischargeIsolation => &[Released, Confirmed],
        Released | Died => &[],
    }
}

pub fn check_transition(from: State, to: State) -> Result<(), TransitionError> {
    if !legal_targets(from.status).contains(&to.status) {
        return Err(TransitionError::Illegal { from, to });
    }
    match (to.status, to.severity) {
        (Status::Confirmed, None) => Err(TransitionError::SeverityRequired),
        (Status::Confirmed, Some(severity)) if from.status == Status::Confirmed && from.severity == Some(severity) => {
            Err(TransitionError::SameSeverity { severity })
        }
        (Status::Confirmed, Some(_)) => Ok(()),
        (status, Some(_)) => Err(TransitionError::SeverityNotAllowed { status }),
        (_, None) => Ok(()),
    }
}

/// Folds a sequence of changes from `initial`, checking each: the current state derived from the
/// event log.
pub fn replay(initial: State, steps: &[State]) -> Result<State, TransitionError> {
    steps.iter().try_fold(initial, |from, &to| check_transition(from, to).map(|()| to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::Label;
    use Status::*;

    fn plain(status: Status) -> State {
        State { status, severity: None }
    }

    fn state(status: Status) -> State {
        let severity = (status == Confirmed).then_some(Severity::Mild);
        State { status, severity }
    }

    /// The full table, written out independently of `legal_targets`: row = from, column = to, in
    /// the order of `Status::ALL`. 1 = legal.
    const TABLE: [[u8; 11]; 11] = [
        //        scr hom cen fev sus exc con cur pdi rel die
        /* scr */
        [0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0],
        /* hom */ [0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0],
        /* cen */ [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0],
        /* fev */ [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0],
        /* sus */ [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
        /* exc */ [0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0],
        /* con */ [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1],
        /* cur */ [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
        /* pdi */ [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0],
        /* rel */ [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        /* die */ [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ];

    #[test]
    fn every_pair_is_legal_or_illegal_as_the_table_says() {
        for (i, &from) in Status::ALL.iter().enumerate() {
            for (j, &to) in Status::ALL.iter().enumerate() {
                let from_state = state(from);
                let to_state = if from == Confirmed && to == Confirmed {
                    State { status: Confirmed, severity: Some(Severity::Severe) }
                } else {
                    state(to)
                };
                let result = check_transition(from_state, to_state);
                assert_eq!(result.is_ok(), TABLE[i][j] == 1, "{from} → {to}: {result:?}");
                if TABLE[i][j] == 0 {
                    let message = result.unwrap_err().to_string();
                    assert!(message.contains(from.as_str()) && message.contains(to.as_str()), "{message}");
                }
            }
        }
    }

    #[test]
    fn the_spec_path_is_legal() {
        let path = [
            plain(CentralObservation),
            plain(Suspected),
            State { status: Confirmed, severity: Some(Severity::Mild) },
            plain(Cured),
            plain(PostDischargeIsolation),
            plain(Released),
        ];
        assert_eq!(replay(plain(Screened), &path), Ok(plain(Released)));
    }

    #[test]
    fn named_illegal_moves() {
        let err = check_transition(plain(Died), plain(Screened)).unwrap_err();
        assert_eq!(err.to_string(), "illegal transition from died to screened");
        assert!(check_transition(plain(Screened), plain(Cured)).is_err());
        for to in Status::ALL.iter().copied() {
            assert!(check_transition(plain(Died), state(to)).is_err());
            assert!(check_transition(plain(Released), state(to)).is_err());
        }
        assert!(Died.is_terminal() && Released.is_terminal() && !Excluded.is_terminal());
    }

    #[test]
    fn severity_rules() {
        assert_eq!(check_transition(plain(Suspected), plain(Confirmed)), Err(TransitionError::SeverityRequired));
        let mild = State { status: Confirmed, severity: Some(Severity::Mild) };
        let severe = State { status: Confirmed, severity: Some(Severity::Severe) };
        assert_eq!(check_transition(mild, mild), Err(TransitionError::SameSeverity { severity: Severity::Mild }));
        assert_eq!(check_transition(mild, severe), Ok(()));
        assert_eq!(
            check_transition(severe, State { status: Cured, severity: Some(Severity::Mild) }),
            Err(TransitionError::SeverityNotAllowed { status: Cured })
        );
        assert_eq!(severe.to_string(), "confirmed (severe)");
    }

    #[test]
    fn replay_stops_at_the_first_illegal_step() {
        let steps = [plain(HomeObservation), plain(Cured), plain(Released)];
        assert!(matches!(replay(plain(Screened), &steps), Err(TransitionError::Illegal { .. })));
        assert_eq!(replay(plain(Screened), &[]), Ok(plain(Screened)));
    }

    #[test]
    fn names_round_trip() {
        for status in Status::ALL.iter().copied() {
            assert_eq!(Status::parse(status.as_str()), Ok(status));
            assert!(!status.label_zh().is_empty() && !status.label_en().is_empty());
        }
        for severity in Severity::ALL.iter().copied() {
            assert_eq!(Severity::parse(severity.as_str()), Ok(severity));
        }
        assert!(Status::parse("cured ").is_err());
        assert!(Severity::parse("grave").is_err());
    }
}
