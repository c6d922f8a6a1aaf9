//! Page templates and the plain strings they show; all formatting happens here, not in HTML.

use askama::Template;

use super::i18n::{Lang, Texts};
use super::menu::MenuLink;

pub struct UserView {
    pub name: String,
    pub role: String,
    /// The jurisdiction's name; its code in `area_code`, for a hover.
    pub area: String,
    pub area_code: String,
    /// The menu lines this user's role may open.
    pub menu: Vec<MenuLink>,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub message: String,
}
