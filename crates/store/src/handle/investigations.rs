//! Contact tracing through the handle (SPEC §4.4): the rules of `domain::contact` over the
//! check-ins, passages and reported places the backend reads. The investigation is scoped by the
//! case's area; a case's movements and contacts are read wherever they happened, since that is
//! the investigation's purpose, and reading them is audited. Deciding on a candidate writes a
//! record on that person, so it needs the person's area in the caller's jurisdiction.

use domain::{AuditAction, AuditSubject};
use std::collections::{BTreeMap, HashSet};

use domain::{Capability, MeasureKind, Stay, TracingRule, Window};

use super::Handle;
use crate::error::{Result, StoreError};
use domain::Code;

use crate::*;

/// A tracing task is due within a day of the point's confirmation.
const TRACING_DUE_SECONDS: i64 = 86_400;
/// At most this many candidates are listed at once.
const CANDIDATE_LIMIT: u32 = 5_000;

/// The case's stays in and around the exposure window, from its check-ins.
struct CaseStays {
    window: Window,
    stays: Vec<Stay>,
    visits: Vec<NamedVisit>,
}

impl Handle {
    /// Opens an investigation for a confirmed or suspected case (the same record and onset again
    /// return the first).
    pub async fn open_investigation(&self, new: NewInvestigation) -> Result<Created<InvestigationId>> {
        self.require(Capability::Investigate)?;
        let now = self.db.now();
        if new.isolated_at > now {
            return Err(StoreError::invalid(
                "isolated_at",
                "隔离时间不能晚于现在",
                "isolation cannot be in the future",
            ));
        }
        if new.onset > domain::shanghai_date(now) {
            return Err(StoreError::invalid("onset_date", "发病日期不能晚于今天", "onset cannot be after today"));
        }
        let window = self.db.tracing().exposure_window(new.onset, new.isolated_at);
        if window.to <= window.from {
            return Err(StoreError::invalid(
                "isolated_at",
                "隔离时间早于暴露期开始（发病日减追溯天数）",
                "isolation is before the exposure window opens (onset − lookback days)",
            ));
        }
        let created = self.backend.insert_investigation(self.scope(), &self.actor, new, 1, now).await?;
        let detail = String::from("1");
        self.audit(
            AuditAction::InvestigationOpen,
            AuditSubject::Investigation,
            Some(created.id.get()),
            self.scope().prefix(),
            detail,
        )
        .await?;
        Ok(created)
    }

    /// The newest investigations of the jurisdiction (case names: audited).
    pub async fn investigations(&self, limit: u32) -> Result<Vec<Investigation>> {
        self.require(Capability::Investigate)?;
        let found = self.backend.investigations(self.scope(), limit).await?;
        let detail = found.len().to_string();
        self.audit(AuditAction::InvestigationList, AuditSubject::Investigation, None, self.scope().prefix(), detail)
            .await?;
        Ok(found)
    }

    async fn case_stays(&self, investigation: &Investigation, rule: &TracingRule) -> Result<CaseStays> {
        let window = rule.exposure_window(investigation.onset, investigation.isolated_at);
        // A check-in up to a day before the window can reach into it; one after it can end a stay.
        let visits = self
            .backend
            .visits_of_person(
                investigation.person_id,
                window.from - domain::LONGEST_STAY,
                window.to + rule.max_stay_seconds,
            )
            .await?;
        let plain: Vec<domain::Visit> = visits.iter().map(|v| v.visit).collect();
        let stays = domain::stays_of(&plain, rule);
        Ok(CaseStays { window, stays, visits })
    }

    fn venue_of(case: &CaseStays, checkin_id: CheckinId) -> Option<&NamedVisit> {
        case.visits.iter().find(|v| v.visit.checkin_id == checkin_id)
    }

    /// The investigation workspace: trajectory, proposed and confirmed points, candidates.
    pub async fn investigation(&self, id: InvestigationId) -> Result<InvestigationDetail> {
        self.require(Capability::Investigate)?;
        let investigation = self.backend.investigation(self.scope(), id).await?;
        let rule = self.db.tracing();
        let case = self.case_stays(&investigation, &rule).await?;
        let points = self.backend.points(id).await?;
        let confirmed: HashSet<CheckinId> = points.iter().map(|p| p.case_checkin_id).collect();
        let proposed = domain::epidemic_points(&case.stays, &case.window, &rule)
            .into_iter()
            .filter(|p| !confirmed.contains(&p.checkin_id))
            .filter_map(|p| {
                let named = Self::venue_of(&case, p.checkin_id)?;
                let exposure = domain::exposure_of(&p, &rule);
                Some(PointView {
                    id: None,
                    venue_id: p.venue_id,
                    venue_name: named.venue_name.clone(),
                    area_code: named.venue_area_code.clone(),
                    case_checkin_id: p.checkin_id,
                    from: p.from,
                    to: p.to,
                    exposure_from: exposure.from,
                    exposure_to: exposure.to,
                    confirmed_by: None,
                })
            })
            .collect();
        let mut trajectory: Vec<TrajectoryEntry> = case
            .stays
            .iter()
            .filter(|s| s.window().intersect(&case.window).is_some())
            .filter_map(|s| {
                let named = Self::venue_of(&case, s.checkin_id)?;
                Some(TrajectoryEntry::Stay {
                    checkin_id: s.checkin_id,
                    venue_id: s.venue_id,
                    venue_name: named.venue_name.clone(),
                    from: s.from,
                    to: s.to,
                    estimated: s.estimated,
                })
            })
            .collect();
        for passage in
            self.backend.passages_of_person(investigation.person_id, case.window.from, case.window.to).await?
        {
            trajectory.push(TrajectoryEntry::Passage {
                passage_id: passage.id,
                checkpoint_name: passage.checkpoint_name,
                at: passage.at,
                direction: passage.direction,
            });
        }
        for place in self.backend.reported_places(id).await? {
            trajectory.push(TrajectoryEntry::Reported {
                id: place.id,
                place: place.place,
                venue_id: place.venue_id,
                from: place.from,
                to: place.to,
                note: place.note,
            });
        }
        trajectory.sort_by_key(TrajectoryEntry::starts_at);
        let candidates =
            self.backend.candidates(self.scope(), CandidateFilter::Investigation(id), CANDIDATE_LIMIT).await?;
        let detail = format!("{}|{}", trajectory.len(), candidates.len());
        self.audit(
            AuditAction::InvestigationRead,
            AuditSubject::Investigation,
            Some(id.get()),
            &investigation.area_code,
            detail,
        )
        .await?;
        Ok(InvestigationDetail {
            investigation,
            window_from: case.window.from,
            window_to: case.window.to,
            trajectory,
            proposed,
            points,
            candidates,
        })
    }

    /// Adds a place the case reports to the trajectory.
    pub async fn add_reported_place(
        &self,
        id: InvestigationId,
        place: NewReportedPlace,
    ) -> Result<Created<ReportedPlaceId>> {
        self.require(Capability::Investigate)?;
        let investigation = self.backend.investigation(self.scope(), id).await?;
        Self::check_unsigned(&investigation)?;
        let length = place.place.trim().chars().count();
        if length == 0 || length > 100 {
            return Err(StoreError::invalid("place", "应为 1–100 个字", "1 to 100 characters"));
        }
        if place.note.chars().count() > 500 {
            return Err(StoreError::invalid("note", "最多 500 个字", "at most 500 characters"));
        }
        if place.to <= place.from {
            return Err(StoreError::invalid("to", "结束时间应晚于开始时间", "the end must be after the start"));
        }
        let created = self.backend.insert_reported_place(&investigation, &self.actor, place, self.db.now()).await?;
        self.audit(
            AuditAction::InvestigationPlace,
            AuditSubject::Investigation,
            Some(id.get()),
            &investigation.area_code,
            String::new(),
        )
        .await?;
        Ok(created)
    }

    fn check_unsigned(investigation: &Investigation) -> Result<()> {
        match &investigation.signature {
            Some(_) => Err(StoreError::conflict(
                "signature",
                "该流调已签字确认；如需修改请新建一份",
                "this investigation is signed; open a new one to change it",
            )),
            None => Ok(()),
        }
    }

    /// Confirms a proposed point and raises its close-contact candidates as tracing tasks.
    /// Returns the point and how many candidates it has.
    pub async fn confirm_point(
        &self,
        id: InvestigationId,
        case_checkin_id: CheckinId,
    ) -> Result<(Created<PointId>, usize)> {
        self.require(Capability::Investigate)?;
        let investigation = self.backend.investigation(self.scope(), id).await?;
        Self::check_unsigned(&investigation)?;
        let rule = self.db.tracing();
        let case = self.case_stays(&investigation, &rule).await?;
        let point = domain::epidemic_points(&case.stays, &case.window, &rule)
            .into_iter()
            .find(|p| p.checkin_id == case_checkin_id)
            .ok_or_else(|| {
                StoreError::invalid(
                    "case_checkin_id",
                    "不是暴露期内在同一场所超过最短时长的停留",
                    "not a stay of more than the minimum at one venue within the exposure window",
                )
            })?;
        let area_code = Self::venue_of(&case, point.checkin_id).map(|v| v.venue_area_code.clone()).unwrap_or_default();
        let overlaps = self.contacts_of(&point, &rule).await?;
        let now = self.db.now();
        let exposure = domain::exposure_of(&point, &rule);
        let candidates: Vec<NewCandidate> = overlaps
            .iter()
            .map(|o| NewCandidate {
                person_id: o.stay.person_id,
                checkin_id: o.stay.checkin_id,
                stay_from: o.stay.from,
                stay_to: o.stay.to,
                stay_estimated: o.stay.estimated,
                overlap_from: o.overlap.from,
                overlap_to: o.overlap.to,
                due_at: now + TRACING_DUE_SECONDS,
            })
            .collect();
        let count = candidates.len();
        let new = NewPoint {
            investigation_id: id,
            venue_id: point.venue_id,
            area_code,
            case_checkin_id,
            from: point.from,
            to: point.to,
            exposure_from: exposure.from,
            exposure_to: exposure.to,
            candidates,
        };
        let created = self.backend.insert_point(&self.actor, new, now).await?;
        let detail = format!("{}|{count}", point.venue_id);
        self.audit(
            AuditAction::InvestigationPoint,
            AuditSubject::Investigation,
            Some(id.get()),
            &investigation.area_code,
            detail,
        )
        .await?;
        Ok((created, count))
    }

    /// Everyone else whose stay at the point's venue overlaps the point's exposure margin.
    pub(crate) async fn contacts_of(&self, point: &Stay, rule: &TracingRule) -> Result<Vec<domain::Overlap>> {
        let exposure = domain::exposure_of(point, rule);
        let earliest = rule.earliest_reaching(point);
        let at_venue: Vec<domain::Visit> = self
            .backend
            .visits_at_venue(point.venue_id, earliest, exposure.to)
            .await?
            .into_iter()
            .filter(|v| v.person_id != point.person_id)
            // Without a check-out a stay lasts at most `max_stay`: one that cannot reach the
            // margin needs no further look.
            .filter(|v| v.t_out.is_some() || v.t_in + rule.max_stay_seconds > exposure.from)
            .collect();
        // Only a stay without a check-out depends on where the person went next.
        let open: Vec<&domain::Visit> = at_venue.iter().filter(|v| v.t_out.is_none()).collect();
        let persons: Vec<PersonId> =
            open.iter().map(|v| v.person_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let from = open.iter().map(|v| v.t_in).min().unwrap_or(exposure.from);
        let later = self.backend.visits_of_persons(&persons, from, exposure.to + rule.max_stay_seconds).await?;
        let at_venue_ids: HashSet<CheckinId> = at_venue.iter().map(|v| v.checkin_id).collect();
        let mut by_person: BTreeMap<PersonId, Vec<domain::Visit>> = BTreeMap::new();
        for visit in at_venue.iter().copied().chain(later.into_iter().filter(|v| !at_venue_ids.contains(&v.checkin_id)))
        {
            by_person.entry(visit.person_id).or_default().push(visit);
        }
        let stays: Vec<Stay> = by_person
            .values()
            .flat_map(|visits| domain::stays_of(visits, rule))
            .filter(|s| at_venue_ids.contains(&s.checkin_id))
            .collect();
        Ok(domain::overlaps(point, &stays, rule))
    }

    /// Detection without writing anything: each epidemic point the rule finds in the case's
    /// window, with its close-contact candidates (a preview, and the benchmark's unit of work).
    pub async fn detect_contacts(&self, id: InvestigationId) -> Result<Vec<(Stay, Vec<domain::Overlap>)>> {
        self.require(Capability::Investigate)?;
        let investigation = self.backend.investigation(self.scope(), id).await?;
        let rule = self.db.tracing();
        let case = self.case_stays(&investigation, &rule).await?;
        let mut found = Vec::new();
        for point in domain::epidemic_points(&case.stays, &case.window, &rule) {
            let overlaps = self.contacts_of(&point, &rule).await?;
            found.push((point, overlaps));
        }
        let candidates: usize = found.iter().map(|(_, o)| o.len()).sum();
        let detail = format!("{}|{candidates}", found.len());
        self.audit(
            AuditAction::InvestigationDetect,
            AuditSubject::Investigation,
            Some(id.get()),
            &investigation.area_code,
            detail,
        )
        .await?;
        Ok(found)
    }

    /// The pending tracing tasks of the caller's jurisdiction, soonest due first.
    pub async fn tracing_tasks(&self) -> Result<Vec<Candidate>> {
        self.require(Capability::TraceContacts)?;
        let found = self.backend.candidates(self.scope(), CandidateFilter::PendingInScope, CANDIDATE_LIMIT).await?;
        let detail = found.len().to_string();
        self.audit(AuditAction::CandidateList, AuditSubject::Candidate, None, self.scope().prefix(), detail).await?;
        Ok(found)
    }

    /// The investigator's decision on a candidate. Confirming makes the person a close-contact
    /// key person under `measure` (the durations setting gives the release date); a person who
    /// already has an open record keeps it, linked to the candidate. Safe to repeat after a
    /// failure: each step is idempotent.
    pub async fn decide_candidate(&self, id: CandidateId, decision: CandidateDecision) -> Result<Option<KeyPersonId>> {
        self.require(Capability::Investigate)?;
        let candidate = self.backend.candidate(self.scope(), id).await?;
        // The candidate was found in scope (where they live, or the case's investigation); the
        // investigation, perhaps another area's, only names the case on the new record.
        let investigation = self.backend.investigation(&domain::Scope::national(), candidate.investigation_id).await?;
        if candidate.status != CandidateStatus::Pending {
            return Err(StoreError::conflict(
                "status",
                "该密接候选人已经处理过了",
                "this candidate has already been decided",
            ));
        }
        // The decision puts a record and a measure on the person: that is for whoever governs
        // where they live (the tracing task is already on that jurisdiction's list).
        if !self.scope().contains(&candidate.area_code) {
            return Err(StoreError::invalid(
                "candidate_id",
                "该人员不住在您的管辖范围内，由其居住地的流调人员处理",
                "the person lives outside your jurisdiction: an investigator where they live decides",
            ));
        }
        let now = self.db.now();
        let key_person = match &decision {
            CandidateDecision::Clear { note } => {
                if note.trim().is_empty() || note.chars().count() > 500 {
                    return Err(StoreError::invalid(
                        "note",
                        "请说明原因，最多 500 个字",
                        "say why, in at most 500 characters",
                    ));
                }
                self.backend
                    .decide_candidate(
                        id,
                        &CandidateOutcome {
                            status: CandidateStatus::Cleared,
                            key_person_id: None,
                            note: Some(note.trim().to_string()),
                        },
                        &self.actor,
                        now,
                    )
                    .await?;
                None
            }
            CandidateDecision::Confirm { measure } => {
                let status = match measure {
                    MeasureKind::CentralIsolation => domain::Status::CentralObservation,
                    MeasureKind::HomeIsolation => domain::Status::HomeObservation,
                    _ => {
                        return Err(StoreError::invalid(
                            "measure",
                            "密切接触者应集中隔离或居家隔离",
                            "a close contact goes into central_isolation or home_isolation",
                        ));
                    }
                };
                let record = self.close_contact_record(&candidate, &investigation, status).await?;
                self.backend
                    .decide_candidate(
                        id,
                        &CandidateOutcome {
                            status: CandidateStatus::Confirmed,
                            key_person_id: Some(record),
                            note: None,
                        },
                        &self.actor,
                        now,
                    )
                    .await?;
                Some(record)
            }
        };
        let detail = match &decision {
            CandidateDecision::Clear { .. } => "clear".to_string(),
            CandidateDecision::Confirm { measure } => (*measure).as_str().to_string(),
        };
        self.audit(AuditAction::CandidateDecide, AuditSubject::Candidate, Some(id.get()), &candidate.area_code, detail)
            .await?;
        Ok(key_person)
    }

    /// The open record of the candidate's person: a new close-contact record under `status`, or
    /// the one they already have.
    async fn close_contact_record(
        &self,
        candidate: &Candidate,
        investigation: &Investigation,
        status: domain::Status,
    ) -> Result<KeyPersonId> {
        let now = self.db.now();
        // Keys derived from the candidate make a repeat after a failure replay each step.
        let idem = |step: &str| {
            Some(IdempotencyKey {
                key: format!("candidate-{}-{step}", candidate.id),
                request_digest: "decision".into(),
            })
        };
        let record = NewKeyPerson {
            arrival_risk: None,
            person_id: candidate.person_id,
            class: domain::KeyClass::CloseContact,
            source: domain::Source::Tracing,
            cadre_name: None,
            cadre_phone: None,
            reason: format!(
                "流调 #{}：{} 与病例 {} 时空交集",
                investigation.id, candidate.venue_name, investigation.person_name
            ),
        };
        let created = match self.backend.insert_key_person(self.scope(), &self.actor, record, idem("record"), now).await
        {
            Ok(created) => created,
            // Someone with an open record (a fever, an arrival) keeps it; the candidate links to it.
            Err(StoreError::Conflict { field: "person_id", .. }) => {
                return self.backend.open_record_id(candidate.person_id).await?.ok_or(StoreError::conflict(
                    "person_id",
                    "该人员的在管记录刚刚已结案，请重试",
                    "the person's open record closed meanwhile; try again",
                ));
            }
            Err(err) => return Err(err),
        };
        let planner = crate::transition::TransitionPlanner {
            request: TransitionRequest {
                to: domain::State { status, severity: None },
                reason: "密切接触者，按规定隔离".into(),
                measure: None,
                site: None,
            },
            durations: self.db.durations(),
            today: domain::shanghai_date(now),
        };
        self.backend
            .transition_key_person(self.scope(), &self.actor, created.id, &planner, idem("measure"), now)
            .await?;
        Ok(created.id)
    }

    /// Signs the investigation (谁流调、谁签字、谁负责): the statement and the signer are recorded.
    pub async fn sign_investigation(&self, id: InvestigationId, statement: &str) -> Result<()> {
        self.require(Capability::Investigate)?;
        let statement = statement.trim();
        if statement.chars().count() < 2 || statement.chars().count() > 500 {
            return Err(StoreError::invalid("statement", "应为 2–500 个字", "2 to 500 characters"));
        }
        let investigation = self.backend.investigation(self.scope(), id).await?;
        self.backend.sign_investigation(self.scope(), id, &self.actor, statement, self.db.now()).await?;
        let area = &investigation.area_code;
        self.audit(AuditAction::InvestigationSign, AuditSubject::Investigation, Some(id.get()), area, String::new())
            .await
    }

    /// Second generation: opens an investigation of a confirmed close contact, from the day of
    /// the exposure to now, to find the contacts of that contact.
    pub async fn trace_on(&self, candidate_id: CandidateId) -> Result<Created<InvestigationId>> {
        self.require(Capability::Investigate)?;
        let candidate = self.backend.candidate(self.scope(), candidate_id).await?;
        let (CandidateStatus::Confirmed, Some(record)) = (candidate.status, candidate.key_person_id) else {
            return Err(StoreError::invalid("candidate_id", "请先确认该密接候选人", "confirm the candidate first"));
        };
        let now = self.db.now();
        let new = NewInvestigation {
            key_person_id: record,
            onset: domain::shanghai_date(candidate.stay_from),
            isolated_at: now,
        };
        let created = self.backend.insert_investigation(self.scope(), &self.actor, new, 2, now).await?;
        self.audit(
            AuditAction::InvestigationOpen,
            AuditSubject::Investigation,
            Some(created.id.get()),
            &candidate.area_code,
            "2".into(),
        )
        .await?;
        Ok(created)
    }
}
