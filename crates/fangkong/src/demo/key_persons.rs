//! Key persons in every status, each walking a legal path planned by the server's own code.

use domain::Label;

use domain::{KeyClass, Severity, Source, State, Status};
use rand::Rng;
use rand::rngs::StdRng;
use store::transition::{CurrentRecord, TransitionPlanner};
use store::{BulkKeyPerson, BulkPerson, Db, Measure, TransitionRequest};

use super::*;

/// The paths a key person's record takes, each a legal walk from `screened`.
fn paths() -> Vec<Vec<State>> {
    let s = |status| State { status, severity: None };
    let c = |severity| State { status: Status::Confirmed, severity: Some(severity) };
    use Status::*;
    vec![
        vec![],
        vec![s(HomeObservation)],
        vec![s(CentralObservation)],
        vec![s(FeverObservation)],
        vec![s(CentralObservation), s(Suspected)],
        vec![s(FeverObservation), s(Excluded)],
        vec![s(CentralObservation), s(Suspected), c(Severity::Mild)],
        vec![s(CentralObservation), s(Suspected), c(Severity::Mild), c(Severity::Severe)],
        vec![s(CentralObservation), s(Suspected), c(Severity::Mild), s(Cured)],
        vec![s(CentralObservation), s(Suspected), c(Severity::Mild), s(Cured), s(PostDischargeIsolation)],
        vec![s(CentralObservation), s(Suspected), c(Severity::Mild), s(Cured), s(PostDischargeIsolation), s(Released)],
        vec![s(HomeObservation), s(Released)],
        vec![s(CentralObservation), s(Released)],
        vec![s(Suspected), c(Severity::Critical), s(Died)],
    ]
}

fn class_for(path: &[State], rng: &mut StdRng) -> KeyClass {
    let touches = |status| path.iter().any(|s| s.status == status);
    if touches(Status::Confirmed) {
        KeyClass::Confirmed
    } else if touches(Status::Suspected) {
        KeyClass::Suspected
    } else if touches(Status::FeverObservation) {
        KeyClass::Fever
    } else if rng.random_bool(0.3) {
        KeyClass::EpidemicAreaArrival
    } else {
        KeyClass::CloseContact
    }
}

/// About 2% of persons (at least one per path) become key persons, each walking a legal path.
pub(super) fn key_persons(
    db: &Db,
    people: &[BulkPerson],
    person_ids: &[store::PersonId],
    (actor_id, actor_name): (store::UserId, String),
    rng: &mut StdRng,
) -> anyhow::Result<Vec<BulkKeyPerson>> {
    let paths = paths();
    let count = (people.len() / 50).max(paths.len() * 3).min(people.len());
    let now = db.now();
    let durations = db.durations();
    let mut records = Vec::with_capacity(count);
    let step = people.len() / count.max(1);
    for k in 0..count {
        let index = k * step.max(1);
        let (Some(person), Some(&person_id)) = (people.get(index), person_ids.get(index)) else {
            break;
        };
        let path = &paths[k % paths.len()];
        let class = class_for(path, rng);
        // Opened 1–27 days ago; each later step a day or two after the one before.
        let mut at = now - rng.random_range(1..28) * 86_400 - rng.random_range(0..86_400);
        let mut state = State { status: Status::Screened, severity: None };
        let mut history = vec![(None, state, at, Source::GridScreening.label_zh().to_string())];
        let mut measures: Vec<Measure> = Vec::new();
        for &to in path {
            at = (at + rng.random_range(3600..2 * 86_400)).min(now);
            let current =
                CurrentRecord { state, class, measure: measures.last().filter(|m| m.actual_end.is_none()).cloned() };
            let planner = TransitionPlanner {
                request: TransitionRequest {
                    to,
                    reason: demo_reason(to.status).into(),
                    measure: None,
                    site: site_for(to.status),
                },
                durations: durations.clone(),
                today: domain::shanghai_date(at),
            };
            let plan = planner.plan(&current)?;
            if plan.close_current
                && let Some(open) = measures.last_mut().filter(|m| m.actual_end.is_none())
            {
                open.actual_end = Some(planner.today);
            }
            if let Some(open) = plan.open {
                measures.push(open);
            }
            history.push((Some(state), to, at, plan.reason));
            state = to;
        }
        records.push(BulkKeyPerson {
            person_id,
            place: person.place.clone(),
            class,
            source: [
                Source::Checkpoint,
                Source::BigData,
                Source::GridScreening,
                Source::Report,
                Source::Tracing,
                Source::Hospital,
            ][k % 6],
            cadre_name: Some(name(rng)),
            cadre_phone: Some(phone(rng)),
            history,
            measures,
            actor_id,
            actor_name: actor_name.clone(),
        });
    }
    Ok(records)
}

fn site_for(status: Status) -> Option<String> {
    match status {
        Status::CentralObservation | Status::Suspected | Status::PostDischargeIsolation | Status::FeverObservation => {
            Some("市集中隔离点一号楼".into())
        }
        Status::Confirmed => Some("驻马店市中心医院".into()),
        _ => None,
    }
}

fn demo_reason(status: Status) -> &'static str {
    match status {
        Status::HomeObservation => "密接判定，居家隔离观察",
        Status::CentralObservation => "转运至集中隔离点",
        Status::FeverObservation => "体温37.8℃，送发热门诊留观",
        Status::Suspected => "核酸初筛可疑",
        Status::Excluded => "两次核酸阴性，排除",
        Status::Confirmed => "核酸复核阳性，确诊",
        Status::Cured => "连续两次阴性，治愈出院",
        Status::PostDischargeIsolation => "出院后集中隔离14天",
        Status::Released => "期满解除隔离",
        Status::Died => "经抢救无效死亡",
        Status::Screened => "网格排查",
    }
}
