//! The menu: one table of (path, text, capabilities), in the order it is shown. A capability's
//! pages add their line here; a role sees a line when it has any of its capabilities.

use domain::{Capability, Role};

use super::i18n::Lang;

pub struct MenuItem {
    pub path: &'static str,
    /// (中文, English).
    pub text: (&'static str, &'static str),
    pub any_of: &'static [Capability],
    /// The count of what waits beside it (`/menu-counts`), when it has one.
    pub count: Option<&'static str>,
}

pub const MENU: &[MenuItem] = &[
    MenuItem {
        path: "/key-persons",
        text: ("重点人员", "Key persons"),
        any_of: &[Capability::ReadKeyPersons],
        count: None,
    },
    MenuItem {
        path: "/tasks",
        text: ("今日到期", "Due today"),
        any_of: &[Capability::ReadTasks],
        count: Some("tasks"),
    },
    MenuItem {
        path: "/follow-ups",
        text: ("居家随访", "Home follow-ups"),
        any_of: &[Capability::ReadKeyPersons],
        count: Some("visits"),
    },
    MenuItem { path: "/venues", text: ("场所码", "Venue codes"), any_of: &[Capability::ManageVenues], count: None },
    MenuItem {
        path: "/checkpoints",
        text: ("卡口", "Checkpoints"),
        any_of: &[Capability::ReadPassages, Capability::RecordPassages],
        count: None,
    },
    MenuItem {
        path: "/verify",
        text: ("验码", "Verify codes"),
        any_of: &[Capability::ReadPassages, Capability::RecordPassages],
        count: None,
    },
    MenuItem {
        path: "/investigations",
        text: ("流调", "Investigations"),
        any_of: &[Capability::Investigate],
        count: None,
    },
    MenuItem {
        path: "/tracing",
        text: ("密接核查", "Contact tracing"),
        any_of: &[Capability::TraceContacts],
        count: Some("tracing"),
    },
    MenuItem {
        path: "/lists",
        text: ("大数据比对", "Comparison lists"),
        any_of: &[Capability::ImportLists],
        count: None,
    },
    MenuItem {
        path: "/leads", text: ("线索核查", "Leads"), any_of: &[Capability::VerifyLeads], count: Some("leads")
    },
    MenuItem { path: "/audit", text: ("审计日志", "Audit log"), any_of: &[Capability::ReadAudit], count: None },
];

/// One link of a visitor's menu.
pub struct MenuLink {
    pub href: &'static str,
    pub text: &'static str,
    /// The key of its count in `/menu-counts`, or "".
    pub count: &'static str,
}

/// The lines of the menu `role` may open, in `lang`.
pub fn menu_for(role: Role, lang: Lang) -> Vec<MenuLink> {
    MENU.iter()
        .filter(|item| item.any_of.iter().any(|&capability| role.may(capability)))
        .map(|item| MenuLink { href: item.path, text: lang.pick(item.text), count: item.count.unwrap_or("") })
        .collect()
}
