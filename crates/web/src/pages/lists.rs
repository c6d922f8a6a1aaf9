//! Big-data comparison pages: upload a list, check and correct the column mapping, import (or
//! see every bad row), follow a list's progress; the grid worker's lead list with verification.

use super::form::StaffForm;
use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Capability, KeyClass, LeadOutcome, ListField, ListKind, MatchKind};
use serde::Deserialize;
use store::{Lead, LeadFilter, ListSummary, VerifyLead};

use super::i18n::{Lang, Texts, texts};
use super::views::{OptionView, UserView};
use super::{Visitor, forbidden, render};
use crate::api::lists::{ImportFailure, ListBody, import_bytes, mapping_of, upload_body};
use crate::import::{self, ImportError};
use crate::mask;
use crate::problem::Problem;
use crate::time::shanghai_text;
use domain::Code;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/lists", get(lists_page))
        .route(
            "/lists/upload",
            post(upload_submit).layer(axum::extract::DefaultBodyLimit::max(crate::import::MAX_FILE_BYTES)),
        )
        .route("/lists/{id}", get(list_page))
        .route("/uploads/{id}", get(upload_page))
        .route("/uploads/{id}/import", post(import_submit))
        .route("/leads", get(leads_page))
        .route("/leads/{id}/verification", post(verify_submit))
}

texts! {
    pub struct Words {
        title: ("大数据比对", "Big-data comparison"),
        upload: ("导入名单", "Import a list"),
        file: ("名单文件（CSV / XLSX / XLS，GBK 或 UTF-8）", "List file (CSV / XLSX / XLS, GBK or UTF-8)"),
        file_hint: ("标题行、合并单元格、全角数字、15 位身份证号都可以直接导入；导入前会先检查每一行。", "Title rows, merged cells, full-width digits and 15-digit IDs are fine; every row is checked before anything is imported."),
        send: ("上传并预览", "Upload and preview"),
        lists: ("已导入名单", "Imported lists"),
        name: ("名单名称", "List name"),
        kind: ("名单来源", "Source"),
        rows: ("行数", "Rows"),
        leads: ("线索", "Leads"),
        progress: ("核查进度", "Progress"),
        imported_at: ("导入时间", "Imported"),
        mapping: ("核对列对应", "Check the columns"),
        mapping_hint: ("系统已按表头猜测每一列的含义，请核对，有误的在下拉框里改正后再导入。", "Each column's meaning was guessed from its header; correct any that are wrong, then import."),
        column: ("列", "Column"),
        header: ("表头", "Header"),
        field: ("含义", "Meaning"),
        ignore: ("（不导入）", "(not imported)"),
        sample: ("前几行", "First rows"),
        import: ("导入", "Import"),
        already: ("这个文件已经导入过，重复导入不会产生新线索：", "This very file was imported before; importing it again raises nothing new:"),
        bad_rows: ("以下各行有错误，没有导入任何数据。请在原文件中改正后重新上传。", "These rows have errors; nothing was imported. Fix them in the file and upload it again."),
        row: ("行号", "Row"),
        value: ("内容", "Value"),
        reason: ("原因", "Reason"),
        download_report: ("下载错误报告（Excel）", "Download the error report (Excel)"),
        duplicates: ("名单内重复", "Repeated in the list"),
        already_key_persons: ("已是重点人员", "Already key persons"),
        already_leads: ("此前已下发", "Raised before"),
        my_leads: ("待核查线索", "Leads to verify"),
        waiting_total: ("待核查", "To verify"),
        overdue_total: ("已逾期", "overdue"),
        all_lists: ("全部名单", "All lists"),
        leads_unit: ("条", "leads"),
        overdue: ("已逾期", "Overdue"),
        due: ("核查期限", "Due"),
        outcome: ("核查结果", "Outcome"),
        class: ("登记类别", "Register as"),
        arrival_risk: ("来自地区风险（登记为疫区来驻人员时）", "Risk of the area arrived from (when registered as an arrival)"),
        note: ("核查情况", "What was done"),
        verify: ("提交核查结果", "Submit"),
        verified: ("已核查", "Verified"),
        none: ("暂无", "None"),
        escalated: ("逾期未核查（已上报区域干部）", "Overdue (escalated to the area officer)"),
        header_row: ("表头在第", "Header on row"),
        format: ("格式", "Format"),
        unmatched_hint: ("未比中本地人员：找到后先在“重点人员”中登记人员，或选择其他核查结果。", "Matched nobody registered here: once found, register the person first, or choose another outcome."),
        person: ("姓名", "Name"),
        matched: ("比对结果", "Match"),
        area: ("核查地区", "Verified in"),
    }
}

fn field_label(field: ListField, lang: Lang) -> &'static str {
    lang.label(field)
}

fn kind_options(selected: ListKind, lang: Lang) -> Vec<OptionView> {
    super::options(&ListKind::IMPORTABLE, Some(selected), lang)
}

pub struct ListRowView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub rows: u64,
    pub leads: u64,
    pub progress: String,
    pub done: bool,
    pub at: String,
}

impl ListRowView {
    fn of(list: &ListSummary, lang: Lang) -> ListRowView {
        ListRowView {
            id: list.id.get(),
            name: list.name.clone(),
            kind: lang.label(list.kind).into(),
            rows: list.counts.rows,
            leads: list.counts.leads,
            progress: lang.progress(list.counts.leads, list.verified),
            done: list.verified >= list.counts.leads,
            at: shanghai_text(list.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
pub struct ListsPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub token: String,
    pub lists: Vec<ListRowView>,
    pub error: Option<String>,
}

pub(super) async fn lists_page(visitor: Visitor) -> Response {
    lists_with(&visitor, None).await
}

async fn lists_with(visitor: &Visitor, error: Option<String>) -> Response {
    if !visitor.may(Capability::ImportLists) {
        return forbidden(visitor, Capability::ImportLists);
    }
    let lists = match visitor.caller.handle.lists().await {
        Ok(lists) => lists,
        Err(err) => return visitor.problem(err.into()),
    };
    render(&ListsPage {
        lang: visitor.lang,
        t: visitor.t(),
        w: Words::of(visitor.lang),
        user: visitor.user_view(),
        token: visitor.form_token.clone(),
        lists: lists.iter().map(|l| ListRowView::of(l, visitor.lang)).collect(),
        error,
    })
}

/// The upload form posts the file as multipart; it is staged and previewed.
pub(super) async fn upload_submit(visitor: Visitor, mut multipart: Multipart) -> Response {
    if !visitor.may(Capability::ImportLists) {
        return forbidden(&visitor, Capability::ImportLists);
    }
    let mut token = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(bytes) if name == "token" => token = String::from_utf8_lossy(&bytes).into_owned(),
                    Ok(bytes) if name == "file" => {
                        file = Some((file_name.unwrap_or_else(|| "upload".into()), bytes.to_vec()));
                    }
                    Ok(_) => {}
                    Err(err) => return lists_with(&visitor, Some(format!("上传中断 (upload failed): {err}"))).await,
                }
            }
            Ok(None) => break,
            Err(err) => return lists_with(&visitor, Some(format!("上传中断 (upload failed): {err}"))).await,
        }
    }
    if !visitor.form_is_genuine(&token) {
        return visitor.stale_form();
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return lists_with(&visitor, Some("请选择一个文件 (choose a file)".into())).await;
    };
    let _running = match visitor.imports.enter() {
        Ok(permit) => permit,
        Err(busy) => return lists_with(&visitor, Some(Problem::busy(busy).detail_in(visitor.lang).to_string())).await,
    };
    let probe = bytes.clone();
    let preview = match tokio::task::spawn_blocking(move || import::preview(&probe)).await {
        Ok(Ok(preview)) => preview,
        Ok(Err(err)) => return lists_with(&visitor, Some(err.to_string())).await,
        Err(_) => return visitor.problem(Problem::internal()),
    };
    match visitor.caller.handle.stage_upload(&file_name, &preview.sha256, bytes).await {
        Ok(id) => Redirect::to(&format!("/uploads/{id}")).into_response(),
        Err(err) => visitor.problem(err.into()),
    }
}

pub struct ColumnChoice {
    pub index: usize,
    pub letter: String,
    pub header: String,
    pub options: Vec<OptionView>,
}

pub struct ProblemView {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "upload.html")]
pub struct UploadPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub token: String,
    pub id: i64,
    pub file_name: String,
    pub format: String,
    pub header_row: usize,
    pub columns: Vec<ColumnChoice>,
    pub sample: Vec<(usize, Vec<String>)>,
    pub kinds: Vec<OptionView>,
    pub name: String,
    pub already: Option<ListBody>,
    pub problems: Vec<ProblemView>,
    pub bad_rows: usize,
    pub report_url: String,
    pub error: Option<String>,
}

fn choices(headers: &[String], chosen: &BTreeMap<usize, ListField>, lang: Lang) -> Vec<ColumnChoice> {
    headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let mut options = vec![OptionView {
                value: String::new(),
                label: Words::of(lang).ignore.into(),
                selected: !chosen.contains_key(&index),
            }];
            options.extend(ListField::ALL.iter().copied().map(|f| OptionView {
                value: f.as_str().into(),
                label: field_label(f, lang).into(),
                selected: chosen.get(&index) == Some(&f),
            }));
            ColumnChoice { index, letter: sheet::column_name(index), header: header.clone(), options }
        })
        .collect()
}

struct UploadState {
    kind: ListKind,
    name: String,
    chosen: BTreeMap<usize, ListField>,
    problems: Vec<ProblemView>,
    bad_rows: usize,
    error: Option<String>,
}

async fn upload_with(visitor: &Visitor, id: i64, state: Option<UploadState>) -> Response {
    if !visitor.may(Capability::ImportLists) {
        return forbidden(visitor, Capability::ImportLists);
    }
    let upload = match visitor.caller.handle.upload(domain::UploadId::new(id)).await {
        Ok(upload) => upload,
        Err(err) => return visitor.problem(err.into()),
    };
    let _running = match visitor.imports.enter() {
        Ok(permit) => permit,
        Err(busy) => return lists_with(visitor, Some(Problem::busy(busy).detail_in(visitor.lang).to_string())).await,
    };
    let bytes = upload.bytes.clone();
    let preview = match tokio::task::spawn_blocking(move || import::preview(&bytes)).await {
        Ok(Ok(preview)) => preview,
        Ok(Err(err)) => return lists_with(visitor, Some(err.to_string())).await,
        Err(_) => return visitor.problem(Problem::internal()),
    };
    let already = visitor.caller.handle.list_by_file(&preview.sha256).await.ok().flatten();
    let body = upload_body(id, &upload.file_name, &preview, already.as_ref());
    let state = state.unwrap_or_else(|| UploadState {
        kind: ListKind::Other,
        name: upload.file_name.rsplit_once('.').map(|(stem, _)| stem.to_string()).unwrap_or(upload.file_name.clone()),
        chosen: preview.guessed.iter().enumerate().filter_map(|(i, f)| f.map(|f| (i, f))).collect(),
        problems: Vec::new(),
        bad_rows: 0,
        error: None,
    });
    let query: Vec<String> = state.chosen.iter().map(|(c, f)| format!("{}={c}", f.as_str())).collect();
    render(&UploadPage {
        lang: visitor.lang,
        t: visitor.t(),
        w: Words::of(visitor.lang),
        user: visitor.user_view(),
        token: visitor.form_token.clone(),
        id,
        file_name: body.file_name,
        format: body.format,
        header_row: body.header_row,
        columns: choices(&preview.headers, &state.chosen, visitor.lang),
        sample: preview.sample,
        kinds: kind_options(state.kind, visitor.lang),
        name: state.name,
        already: body.already_imported,
        problems: state.problems,
        bad_rows: state.bad_rows,
        report_url: format!("/api/v1/uploads/{id}/report.xlsx?{}", query.join("&")),
        error: state.error,
    })
}

pub(super) async fn upload_page(visitor: Visitor, Path(id): Path<i64>) -> Response {
    upload_with(&visitor, id, None).await
}

/// The mapping form: `token`, `kind`, `name` and one `col_<n>` per column (a field or empty).
pub(super) async fn import_submit(
    Path(id): Path<i64>,
    StaffForm(visitor, form): StaffForm<BTreeMap<String, String>>,
) -> Response {
    if !visitor.may(Capability::ImportLists) {
        return forbidden(&visitor, Capability::ImportLists);
    }
    let kind =
        ListKind::parse_importable(form.get("kind").map(String::as_str).unwrap_or("other")).unwrap_or(ListKind::Other);
    let name = form.get("name").cloned().unwrap_or_default();
    let mut chosen = BTreeMap::new();
    let mut pairs = BTreeMap::new();
    for (key, value) in &form {
        if let (Some(column), Some(field)) =
            (key.strip_prefix("col_").and_then(|c| c.parse::<usize>().ok()), ListField::parse(value).ok())
        {
            chosen.insert(column, field);
            pairs.insert(value.clone(), column);
        }
    }
    let mut state = UploadState { kind, name: name.clone(), chosen, problems: Vec::new(), bad_rows: 0, error: None };
    let mapping = match mapping_of(&pairs) {
        Ok(mapping) => mapping,
        Err(problem) => {
            state.error = Some(problem.field_message(visitor.lang).1);
            return upload_with(&visitor, id, Some(state)).await;
        }
    };
    let upload = match visitor.caller.handle.upload(domain::UploadId::new(id)).await {
        Ok(upload) => upload,
        Err(err) => return visitor.problem(err.into()),
    };
    // The rows' problems are shown on the page itself, not as a problem document.
    match import_bytes(&visitor.imports, &visitor.caller, &upload, kind, &name, Some(mapping)).await {
        Ok((list, _)) => Redirect::to(&format!("/lists/{}", list.id)).into_response(),
        Err(ImportFailure::File(ImportError::Rows { problems, bad_rows, .. })) => {
            state.problems = problems
                .into_iter()
                .take(1_000)
                .map(|p| ProblemView {
                    row: p.row,
                    column: p.column,
                    value: p.value,
                    reason: visitor.lang.pick((p.reason.zh, p.reason.en)),
                })
                .collect();
            state.bad_rows = bad_rows;
            upload_with(&visitor, id, Some(state)).await
        }
        Err(ImportFailure::File(other)) => {
            state.error = Some(other.to_string());
            upload_with(&visitor, id, Some(state)).await
        }
        Err(ImportFailure::Store(problem)) => {
            state.error = Some(problem.field_message(visitor.lang).1);
            upload_with(&visitor, id, Some(state)).await
        }
    }
}

pub struct LeadView {
    pub id: i64,
    pub row: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub area: String,
    pub matched: String,
    pub unmatched: bool,
    pub list: String,
    pub due: String,
    pub overdue: bool,
    pub outcome: Option<String>,
    pub note: String,
}

impl LeadView {
    fn of(lead: &Lead, now: i64, lang: Lang) -> LeadView {
        LeadView {
            id: lead.id.get(),
            row: lead.row_number,
            name: lead.name.clone().unwrap_or_else(|| "—".into()),
            id_number: lead.id_number.as_deref().map(mask::id_number).unwrap_or_default(),
            phone: lead.phone.clone().unwrap_or_default(),
            address: lead.address.clone(),
            area: crate::places::short_name(&lead.area_code, lang),
            matched: lang.label(lead.match_kind).into(),
            unmatched: lead.match_kind == MatchKind::Unmatched,
            list: lead.list_name.clone(),
            due: shanghai_text(lead.due_at),
            overdue: lead.verification.is_none() && lead.due_at < now,
            outcome: lead.verification.as_ref().map(|v| lang.label(v.outcome).to_string()),
            note: lead.verification.as_ref().map(|v| v.note.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub list: ListBody,
    /// The list's kind and progress line in the page's language.
    pub kind: &'static str,
    pub progress: String,
    /// Counts by match kind, each with its label: ID, phone, name + area, none.
    pub matches: Vec<(&'static str, u64)>,
    /// Beijing time, as people read it.
    pub created_at: String,
    /// Who imported it, by name and role.
    pub created_by: String,
    pub leads: Vec<LeadView>,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    format: Option<Format>,
}

pub(super) async fn list_page(visitor: Visitor, Path(id): Path<i64>, Query(query): Query<ListQuery>) -> Response {
    if !visitor.may(Capability::ImportLists) {
        return forbidden(&visitor, Capability::ImportLists);
    }
    let list = match visitor.caller.handle.list(domain::ListId::new(id)).await {
        Ok(list) => list,
        Err(err) => return visitor.problem(err.into()),
    };
    let leads = match visitor.caller.handle.leads(LeadFilter::OfList(domain::ListId::new(id))).await {
        Ok(leads) => leads,
        Err(err) => return visitor.problem(err.into()),
    };
    let now = visitor.caller.handle.now();
    if query.format == Some(Format::Xlsx) {
        let all: Vec<&Lead> = leads.iter().collect();
        return match leads_workbook(&all, now, visitor.lang) {
            Ok(body) => crate::export::download(&format!("list-{id}-leads.xlsx"), body),
            Err(problem) => visitor.problem(problem),
        };
    }
    let people = visitor.people([list.created_by_name.as_str()]).await;
    render(&ListPage {
        created_by: people.name(&list.created_by_name),
        lang: visitor.lang,
        t: visitor.t(),
        w: Words::of(visitor.lang),
        user: visitor.user_view(),
        kind: visitor.lang.label(list.kind),
        progress: visitor.lang.progress(list.counts.leads, list.verified),
        matches: vec![
            (visitor.lang.label(MatchKind::IdNumber), list.counts.by_id_number),
            (visitor.lang.label(MatchKind::Phone), list.counts.by_phone),
            (visitor.lang.label(MatchKind::NameArea), list.counts.by_name_area),
            (visitor.lang.label(MatchKind::Unmatched), list.counts.unmatched),
        ],
        list: ListBody::of(&list, false),
        created_at: shanghai_text(list.created_at),
        leads: leads.iter().map(|l| LeadView::of(l, now, visitor.lang)).collect(),
    })
}

#[derive(Template)]
#[template(path = "leads.html")]
pub struct LeadsPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub token: String,
    /// Open leads in the jurisdiction, and how many are past due.
    pub total: usize,
    pub overdue_count: usize,
    pub groups: Vec<LeadGroup>,
    pub filtered: bool,
    pub export_link: String,
    pub page: usize,
    pub pages: usize,
    pub prev_link: Option<String>,
    pub next_link: Option<String>,
    pub leads: Vec<LeadView>,
    pub overdue: Vec<LeadView>,
    pub show_overdue: bool,
    pub outcomes: Vec<OptionView>,
    pub classes: Vec<OptionView>,
    pub risks: Vec<OptionView>,
    pub error: Option<(i64, String)>,
    pub done: Option<i64>,
}

#[derive(Deserialize, Default, Clone, Copy)]
pub(super) struct LeadsQuery {
    done: Option<i64>,
    /// Only the leads of this list.
    list: Option<i64>,
    page: Option<u32>,
    /// `xlsx`: the open leads the filter shows, as a workbook.
    format: Option<Format>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum Format {
    Xlsx,
}

/// Lead cards per page: each holds a form, so a page stays short on a phone.
const LEADS_PER_PAGE: usize = 20;

pub(super) async fn leads_page(visitor: Visitor, Query(query): Query<LeadsQuery>) -> Response {
    leads_with(&visitor, None, query).await
}

/// One list's open leads, for the grouping line.
pub struct LeadGroup {
    pub list_id: i64,
    pub name: String,
    pub count: usize,
    pub selected: bool,
}

async fn leads_with(visitor: &Visitor, error: Option<(i64, String)>, query: LeadsQuery) -> Response {
    let done = query.done;
    if !visitor.may(Capability::VerifyLeads) {
        return forbidden(visitor, Capability::VerifyLeads);
    }
    let now = visitor.caller.handle.now();
    let open = match visitor.caller.handle.leads(LeadFilter::Open).await {
        Ok(open) => open,
        Err(err) => return visitor.problem(err.into()),
    };
    // Officers see what the grids let slip: overdue leads are escalated to them.
    let show_overdue = visitor.may(Capability::ImportLists);
    let overdue = if show_overdue {
        match visitor.caller.handle.leads(LeadFilter::Overdue { now }).await {
            Ok(found) => found,
            Err(err) => return visitor.problem(err.into()),
        }
    } else {
        Vec::new()
    };
    // Grouped by list (biggest first), filtered by one, and paged.
    let mut groups: Vec<LeadGroup> = Vec::new();
    for lead in &open {
        match groups.iter_mut().find(|g| g.list_id == lead.list_id.get()) {
            Some(group) => group.count += 1,
            None => groups.push(LeadGroup {
                list_id: lead.list_id.get(),
                name: lead.list_name.clone(),
                count: 1,
                selected: query.list == Some(lead.list_id.get()),
            }),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    let total = open.len();
    let overdue_count = open.iter().filter(|l| l.due_at < now).count();
    let shown: Vec<&Lead> = open.iter().filter(|l| query.list.is_none_or(|id| l.list_id.get() == id)).collect();
    if query.format == Some(Format::Xlsx) {
        return match leads_workbook(&shown, now, visitor.lang) {
            Ok(body) => crate::export::download("leads.xlsx", body),
            Err(problem) => visitor.problem(problem),
        };
    }
    let pages = shown.len().div_ceil(LEADS_PER_PAGE).max(1);
    let page = (query.page.unwrap_or(1).max(1) as usize).min(pages);
    let link = |page: usize| match query.list {
        Some(list) => format!("/leads?list={list}&page={page}"),
        None => format!("/leads?page={page}"),
    };
    let page_leads = shown.iter().skip((page - 1) * LEADS_PER_PAGE).take(LEADS_PER_PAGE);
    render(&LeadsPage {
        lang: visitor.lang,
        t: visitor.t(),
        w: Words::of(visitor.lang),
        user: visitor.user_view(),
        token: visitor.form_token.clone(),
        total,
        overdue_count,
        groups,
        filtered: query.list.is_some(),
        export_link: match query.list {
            Some(list) => format!("/leads?list={list}&format=xlsx"),
            None => "/leads?format=xlsx".into(),
        },
        page,
        pages,
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
        leads: page_leads.map(|l| LeadView::of(l, now, visitor.lang)).collect(),
        overdue: overdue.iter().map(|l| LeadView::of(l, now, visitor.lang)).collect(),
        show_overdue,
        outcomes: super::options(LeadOutcome::ALL, None, visitor.lang),
        classes: super::options(KeyClass::ALL, Some(KeyClass::EpidemicAreaArrival), visitor.lang),
        risks: super::options(domain::ArrivalRisk::ALL, None, visitor.lang),
        error,
        done,
    })
}

/// Leads as a working list (open ones, or a whole list's with their outcomes): identity in full for the workers who verify them (the read that
/// found them is audited).
fn leads_workbook(leads: &[&Lead], now: i64, lang: Lang) -> Result<Vec<u8>, Problem> {
    let rows: Vec<Vec<String>> = leads
        .iter()
        .take(crate::export::MAX_ROWS)
        .map(|l| {
            vec![
                l.list_name.clone(),
                l.row_number.to_string(),
                l.name.clone().unwrap_or_default(),
                l.id_number.clone().unwrap_or_default(),
                l.phone.clone().unwrap_or_default(),
                l.address.clone(),
                crate::places::short_name(&l.area_code, lang),
                l.area_code.clone(),
                lang.label(l.match_kind).to_string(),
                shanghai_text(l.due_at),
                if l.verification.is_none() && l.due_at < now {
                    lang.pick(("逾期", "overdue")).to_string()
                } else {
                    String::new()
                },
                l.verification.as_ref().map(|v| lang.label(v.outcome).to_string()).unwrap_or_default(),
                l.verification.as_ref().map(|v| v.note.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    let header = lang.pick((
        [
            "名单",
            "行号",
            "姓名",
            "身份证号",
            "手机号",
            "地址",
            "地区",
            "区划代码",
            "匹配方式",
            "核查期限",
            "逾期",
            "核查结果",
            "说明",
        ],
        [
            "List",
            "Row",
            "Name",
            "ID number",
            "Mobile",
            "Address",
            "Area",
            "Area code",
            "Matched by",
            "Due",
            "Overdue",
            "Outcome",
            "Note",
        ],
    ));
    let total = leads.len();
    let title = lang.pick((format!("线索（共 {total} 条）"), format!("Leads ({total})")));
    crate::export::xlsx(lang.pick(("线索", "Leads")), &title, &header, &rows)
}

#[derive(Deserialize, Default)]
pub(super) struct VerifyForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    arrival_risk: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn verify_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<VerifyForm>) -> Response {
    let Ok(outcome) = LeadOutcome::parse(&form.outcome) else {
        let message = visitor.lang.pick(("请选择核查结果", "Choose the outcome")).to_string();
        return leads_with(&visitor, Some((id, message)), LeadsQuery::default()).await;
    };
    // The class and the risk belong to a registration; the form sends them with every outcome.
    let registering = outcome == LeadOutcome::Registered;
    let class = registering.then(|| KeyClass::parse(&form.class).ok()).flatten();
    let arrival_risk = registering.then(|| domain::ArrivalRisk::parse(form.arrival_risk.trim()).ok()).flatten();
    let verify = VerifyLead { outcome, note: form.note.clone(), class, arrival_risk };
    match visitor.caller.handle.verify_lead(domain::LeadId::new(id), verify).await {
        Ok(_) => Redirect::to(&format!("/leads?done={id}")).into_response(),
        // Another county's lead, or none: not found, as everywhere else.
        Err(store::StoreError::NotFound) => visitor.problem(Problem::not_found()),
        Err(err) => {
            let message = Problem::from(err).field_message(visitor.lang).1;
            leads_with(&visitor, Some((id, message)), LeadsQuery::default()).await
        }
    }
}
