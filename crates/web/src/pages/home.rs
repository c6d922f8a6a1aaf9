//! Each role's landing page (工作台): the day's work, counted, with the next action one tap away.
//! A grid worker sees the visits due now, the leads and tracing tasks waiting; an officer the
//! overdue items by kind; a medic the fever transfers and the people to visit; checkpoint staff
//! go straight to their own station; an admin sees the overview until the dashboard arrives.
//! Each section is read through the scoped handle, so every count is the caller's jurisdiction.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Capability, Status};
use store::{KeyPersonFilter, LeadFilter, PageRequest, TaskKind};

use super::i18n::{Lang, Texts, texts};
use super::views::*;
use super::{Visitor, render};
use crate::places::PlaceView;

texts! {
    pub struct HomeTexts {
        title: ("我的工作台", "My work"),
        visits_now: ("现在要随访", "Visits due now"),
        visits_missed: ("今天漏访", "Visits missed today"),
        leads_open: ("待核查线索", "Leads to verify"),
        leads_overdue: ("逾期未核查线索", "Overdue leads"),
        tracing_open: ("待核查密接", "Contacts to trace"),
        tracing_overdue: ("逾期未核查密接", "Overdue tracing tasks"),
        releases_due: ("到期待解除", "Releases due"),
        breaches: ("违规外出", "Left isolation"),
        breaches_here: ("辖区内违规外出", "Left isolation, seen here"),
        bring_back_action: ("去劝返", "Bring back"),
        call_cadre_action: ("联系责任人", "Call the cadre"),
        fever_transfers: ("发热待转运", "Fever transfers"),
        nothing_waits: ("暂无待办，做得好。", "Nothing is waiting. Well done."),
        all_clear: ("无", "none"),
        open_all: ("全部", "All"),
        visit_slot: ("本次随访", "This visit"),
        due_by: ("截止", "due"),
        record_action: ("去随访", "Visit"),
        verify_action: ("去核查", "Verify"),
        decide_action: ("去处理", "Decide"),
        transfer_action: ("去转运", "Transfer"),
        release_action: ("去解除", "Release"),
    }
}

/// One kind of waiting work: how many, where they all are, and the first few.
pub struct Section {
    pub title: &'static str,
    pub count: usize,
    /// Drawn in red: past due.
    pub urgent: bool,
    pub link: String,
    pub items: Vec<Item>,
}

/// One thing to do, with its action.
pub struct Item {
    pub name: String,
    pub place: PlaceView,
    pub note: String,
    pub action: &'static str,
    pub link: String,
}

/// The first entries shown under each section.
const SHOWN: usize = 5;

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub h: &'static HomeTexts,
    pub user: Option<UserView>,
    pub place: String,
    pub sections: Vec<Section>,
    pub nothing_waits: bool,
    /// (label, count) of the overview: key persons by status.
    pub overview: Vec<(&'static str, u64)>,
}

pub(super) async fn home(visitor: Visitor) -> Response {
    // Checkpoint staff work at one station: that is their landing page.
    if !visitor.may(Capability::ReadKeyPersons) && visitor.may(Capability::RecordPassages) {
        return match visitor.caller.handle.checkpoints().await {
            Ok(stations) if stations.len() == 1 => {
                Redirect::to(&format!("/checkpoints/{}", stations[0].id)).into_response()
            }
            Ok(_) => Redirect::to("/checkpoints").into_response(),
            Err(err) => visitor.problem(err.into()),
        };
    }
    match sections(&visitor).await {
        Ok((sections, overview)) => render(&HomePage {
            nothing_waits: sections.iter().all(|s| s.count == 0),
            lang: visitor.lang,
            t: visitor.t(),
            h: HomeTexts::of(visitor.lang),
            user: visitor.user_view(),
            place: crate::places::full_name(&visitor.caller.user.area_code, visitor.lang),
            sections,
            overview,
        }),
        Err(problem) => visitor.problem(problem),
    }
}

async fn sections(visitor: &Visitor) -> Result<(Vec<Section>, Vec<(&'static str, u64)>), crate::problem::Problem> {
    let lang = visitor.lang;
    let h = HomeTexts::of(lang);
    let handle = &visitor.caller.handle;
    let now = handle.now();
    let mut sections = Vec::new();
    // Officers and admins see what is late first; workers what is due now.
    let oversees = visitor.may(Capability::ImportLists);
    if visitor.may(Capability::RecordFollowUps) && visitor.may(Capability::ReadKeyPersons) {
        let today = handle.today();
        let minute = domain::minutes_into(today, now);
        let lines = handle.follow_up_sheet(today).await?;
        let mut due_now = Vec::new();
        let mut missed = Vec::new();
        // Due now: the visit of the slot under way, not yet made (what the menu counts). Missed:
        // an earlier visit of the day not made. A person whose current visit is made waits for
        // the next slot and is not listed.
        let current = domain::VisitSlot::at_minute(minute);
        for line in &lines {
            let day = line.day();
            let slot = if !day.visited(current) && minute < current.ends_at_minute() {
                current
            } else {
                match day.next_slot(minute) {
                    Some(slot) if minute >= slot.ends_at_minute() => slot,
                    _ => continue,
                }
            };
            let item = Item {
                name: line.name.clone(),
                place: crate::places::view(line.grid_code.as_deref().unwrap_or(&line.area_code), lang),
                note: format!("{}：{}", h.visit_slot, lang.label(slot)),
                action: h.record_action,
                link: format!("/follow-ups#kp-{}", line.key_person_id),
            };
            if minute >= slot.ends_at_minute() { missed.push(item) } else { due_now.push(item) }
        }
        sections.push(section(h.visits_now, due_now, false, "/follow-ups"));
        if !missed.is_empty() {
            sections.push(section(h.visits_missed, missed, true, "/follow-ups"));
        }
    }
    if visitor.may(Capability::VerifyLeads) {
        let filter = if oversees { LeadFilter::Overdue { now } } else { LeadFilter::Open };
        let leads = handle.leads(filter).await?;
        let items = leads
            .iter()
            .take(SHOWN)
            .map(|lead| Item {
                name: lead.name.clone().unwrap_or_else(|| lead.list_name.clone()),
                place: crate::places::view(&lead.area_code, lang),
                note: format!("{} {}", h.due_by, crate::time::shanghai_text(lead.due_at)),
                action: h.verify_action,
                link: format!("/leads#lead-{}", lead.id),
            })
            .collect();
        let title = if oversees { h.leads_overdue } else { h.leads_open };
        let link = "/leads";
        sections.push(Section {
            title,
            count: leads.len(),
            urgent: oversees && !leads.is_empty(),
            link: link.into(),
            items,
        });
    }
    if visitor.may(Capability::TraceContacts) {
        let candidates = handle.tracing_tasks().await?;
        let late: Vec<_> = candidates.iter().filter(|c| !oversees || c.due_at < now).collect();
        let items = late
            .iter()
            .take(SHOWN)
            .map(|c| Item {
                name: c.name.clone(),
                place: crate::places::view(c.grid_code.as_deref().unwrap_or(&c.area_code), lang),
                note: format!("{} · {} {}", c.venue_name, h.due_by, crate::time::shanghai_text(c.due_at)),
                action: h.decide_action,
                link: "/tracing".into(),
            })
            .collect();
        let title = if oversees { h.tracing_overdue } else { h.tracing_open };
        sections.push(Section {
            title,
            count: late.len(),
            urgent: oversees && !late.is_empty(),
            link: "/tracing".into(),
            items,
        });
    }
    if visitor.may(Capability::ReadTasks) {
        let today = handle.today();
        let tasks = handle.tasks(Some(today), true, PageRequest::new(1, 200)).await?;
        for (kind, title, action) in [
            (TaskKind::FeverTransfer, h.fever_transfers, h.transfer_action),
            (TaskKind::ReleaseDue, h.releases_due, h.release_action),
            (TaskKind::Breach, h.breaches, h.bring_back_action),
            (TaskKind::BreachAtVenue, h.breaches_here, h.call_cadre_action),
        ] {
            let of_kind: Vec<_> = tasks.items.iter().filter(|task| task.kind == kind).collect();
            let items = of_kind
                .iter()
                .take(SHOWN)
                .map(|task| Item {
                    name: task.person_name.clone(),
                    place: crate::places::view(&task.area_code, lang),
                    note: format!("{} · {} {}", lang.label(task.status), h.due_by, task.due_date),
                    action,
                    link: super::tasks::action_link(task).unwrap_or_else(|| "/tasks".into()),
                })
                .collect();
            if of_kind.is_empty() && matches!(kind, TaskKind::Breach | TaskKind::BreachAtVenue) {
                continue;
            }
            let urgent = matches!(kind, TaskKind::FeverTransfer | TaskKind::Breach | TaskKind::BreachAtVenue)
                || of_kind.iter().any(|task| task.due_date < today);
            sections.push(Section {
                title,
                count: of_kind.len(),
                urgent: urgent && !of_kind.is_empty(),
                link: "/tasks".into(),
                items,
            });
        }
    }
    let mut overview = Vec::new();
    if oversees && visitor.may(Capability::ReadKeyPersons) {
        for status in [
            Status::Confirmed,
            Status::Suspected,
            Status::FeverObservation,
            Status::CentralObservation,
            Status::HomeObservation,
        ] {
            let filter = KeyPersonFilter { status: Some(status), ..KeyPersonFilter::default() };
            let found = handle.key_persons(&filter, PageRequest::new(1, 1)).await?;
            overview.push((lang.label(status), found.total));
        }
    }
    // What waits comes first.
    sections.sort_by_key(|s| (s.count == 0, !s.urgent));
    Ok((sections, overview))
}

fn section(title: &'static str, items: Vec<Item>, urgent: bool, link: &str) -> Section {
    let count = items.len();
    Section {
        title,
        count,
        urgent: urgent && count > 0,
        link: link.into(),
        items: items.into_iter().take(SHOWN).collect(),
    }
}

/// `GET /menu-counts`: what waits for the visitor, by the menu's count keys; counts only.
pub(super) async fn menu_counts(visitor: Visitor) -> Response {
    match visitor.caller.handle.waiting().await {
        Ok(waiting) => {
            let mut urgent = Vec::new();
            if waiting.leads_overdue > 0 {
                urgent.push("leads");
            }
            axum::Json(serde_json::json!({
                "tasks": waiting.tasks,
                "visits": waiting.visits,
                "leads": waiting.leads,
                "tracing": waiting.tracing,
                "urgent": urgent,
            }))
            .into_response()
        }
        Err(err) => visitor.problem(err.into()),
    }
}
