//! Big-data comparison (大数据比对, SPEC §4.8): upload a list file, check the guessed column
//! mapping, import it (all rows or none, with a per-row report), follow its progress, and verify
//! its leads (线索).

use domain::Label;
use domain::Message;
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{Capability, LeadOutcome, ListField, ListKind, Mapping};
use serde::{Deserialize, Serialize};
use store::{Lead, LeadFilter, ListSummary, NewList, Upload, VerifyLead};
use utoipa::{IntoParams, ToSchema};

use super::fields;
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::import::{self, ImportError, RowProblem};
use crate::json::JsonBody;
use crate::mask;
use crate::problem::{FieldError, Problem};
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload))
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::MAX_FILE_BYTES)),
        )
        .routes(routes!(import_upload))
        .routes(routes!(upload_report))
        .routes(routes!(list_lists))
        .routes(routes!(get_list))
        .routes(routes!(list_leads_of))
        .routes(routes!(list_leads))
        .routes(routes!(verify_lead))
        .routes(routes!(get_lead_settings, put_lead_settings))
}

/// How many row problems a 422 lists (the XLSX report has them all).
const PROBLEMS_SHOWN: usize = 200;

#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnBody {
    /// 0-based.
    pub index: usize,
    /// The spreadsheet letter: A, B, … AA.
    pub letter: String,
    pub header: String,
    /// The field this column is taken for: id_number, document_kind, name, phone, area, address.
    pub guessed: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleRow {
    pub row: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadBody {
    pub upload_id: i64,
    pub file_name: String,
    /// CSV UTF-8, CSV GBK/GB18030, CSV UTF-16, XLSX or XLS.
    pub format: String,
    pub sha256: String,
    /// The header's row number in the file (rows above it are titles).
    pub header_row: usize,
    pub columns: Vec<ColumnBody>,
    pub sample: Vec<SampleRow>,
    /// The guessed mapping, field → column index: send it back (corrected) to import.
    pub mapping: BTreeMap<String, usize>,
    /// The list this very file already became, if it was imported before.
    pub already_imported: Option<ListBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchCounts {
    pub id_number: u64,
    pub phone: u64,
    pub name_area: u64,
    pub unmatched: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListBody {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub file_name: String,
    pub area_code: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows repeating an earlier row of the list.
    pub duplicates: u64,
    pub matched: MatchCounts,
    /// Matched persons already under a key-person record: nothing to verify.
    pub already_key_persons: u64,
    /// Subjects with a lead from an earlier list: not raised twice.
    pub already_leads: u64,
    pub leads: u64,
    pub verified: u64,
    /// "3677 条，已核查 3677，全部核查完毕".
    pub progress: String,
    pub due_at: String,
    pub created_by: String,
    pub created_at: String,
    /// True when this file had been imported before: nothing new was written.
    pub already_imported: bool,
}

impl ListBody {
    pub fn of(list: &ListSummary, already_imported: bool) -> ListBody {
        let c = &list.counts;
        ListBody {
            id: list.id.get(),
            kind: list.kind.as_str().into(),
            kind_label: list.kind.label_zh().into(),
            name: list.name.clone(),
            file_name: list.file_name.clone(),
            area_code: list.area_code.clone(),
            rows: c.rows,
            duplicates: c.duplicates,
            matched: MatchCounts {
                id_number: c.by_id_number,
                phone: c.by_phone,
                name_area: c.by_name_area,
                unmatched: c.unmatched,
            },
            already_key_persons: c.already_key_persons,
            already_leads: c.already_leads,
            leads: c.leads,
            verified: list.verified,
            progress: domain::progress_zh(c.leads, list.verified),
            due_at: instant_text(list.due_at),
            created_by: list.created_by_name.clone(),
            created_at: instant_text(list.created_at),
            already_imported,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the user knows it (shown on the list).
    pub file_name: Option<String>,
}

/// Stage a list file (the request body is the file itself: CSV in UTF-8, UTF-16 or GBK, XLSX or
/// XLS) and see how it will be read: the header row found, each column's guessed field, the first
/// rows. Nothing is imported yet.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "lists", security(("bearer" = [])),
    params(UploadQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = UploadBody), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<UploadQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<UploadBody>), Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    let file_name = domain::text::display_file_name(query.file_name.as_deref().unwrap_or("upload"));
    if body.is_empty() {
        return Err(Problem::invalid(
            "file",
            Message::new("请求体就是文件：它是空的", "the request body is the file: it is empty"),
        ));
    }
    let _running = state.imports.enter().map_err(Problem::busy)?;
    let bytes = body.clone();
    let preview = tokio::task::spawn_blocking(move || import::preview(&bytes))
        .await
        .map_err(|_| Problem::internal())?
        .map_err(|e| file_problem(&e))?;
    let upload_id = caller.handle.stage_upload(&file_name, &preview.sha256, body.to_vec()).await?;
    let already = caller.handle.list_by_file(&preview.sha256).await?;
    Ok((StatusCode::CREATED, Json(upload_body(upload_id.get(), &file_name, &preview, already.as_ref()))))
}

pub(crate) fn upload_body(
    upload_id: i64,
    file_name: &str,
    preview: &import::Preview,
    already: Option<&ListSummary>,
) -> UploadBody {
    let mut mapping = BTreeMap::new();
    for (index, field) in preview.guessed.iter().enumerate() {
        if let Some(field) = field {
            mapping.entry(field.as_str().to_string()).or_insert(index);
        }
    }
    UploadBody {
        upload_id,
        file_name: file_name.to_string(),
        format: preview.format.into(),
        sha256: preview.sha256.clone(),
        header_row: preview.header_row,
        columns: preview
            .headers
            .iter()
            .enumerate()
            .map(|(index, header)| ColumnBody {
                index,
                letter: sheet::column_name(index),
                header: header.clone(),
                guessed: preview.guessed.get(index).copied().flatten().map(|f| f.as_str().to_string()),
            })
            .collect(),
        sample: preview.sample.iter().map(|(row, cells)| SampleRow { row: *row, cells: cells.clone() }).collect(),
        mapping,
        already_imported: already.map(|l| ListBody::of(l, true)),
    }
}

/// A file that cannot be read at all, as a 422 on `file`.
pub(crate) fn file_problem(err: &ImportError) -> Problem {
    match err {
        ImportError::Mapping(e) => Problem::because("mapping", e),
        other => Problem::because("file", other),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    /// telecom, ticketing, lodging, enrolment, provincial or other.
    #[schema(schema_with = super::schemas::list_kind)]
    pub kind: String,
    /// The list's name as the headquarters calls it ("3月15日通信大数据推送").
    #[schema(schema_with = super::schemas::line)]
    pub name: String,
    /// field → 0-based column; the guess when absent.
    pub mapping: Option<BTreeMap<String, usize>>,
}

pub(crate) fn mapping_of(pairs: &BTreeMap<String, usize>) -> Result<Mapping, Problem> {
    let mut fields = Vec::new();
    for (name, column) in pairs {
        let field = ListField::parse(name).map_err(|_| {
            Problem::invalid(
                "mapping",
                Message::new(
                    format!("无法识别的字段 {name:?}：应为 id_number、document_kind、name、phone、area 或 address"),
                    format!("unknown field {name:?}: use id_number, document_kind, name, phone, area or address"),
                ),
            )
        })?;
        fields.push((field, *column));
    }
    Mapping::new(fields).map_err(|e| Problem::because("mapping", &e))
}

/// The 422 for bad rows: every problem up to a limit, named row and column.
pub(crate) fn rows_problem(upload_id: i64, problems: &[RowProblem], bad_rows: usize, rows_read: usize) -> Problem {
    let mut problem = Problem::invalid(
        "rows",
        Message::new(
            format!(
                "{rows_read} 行中有 {bad_rows} 行有误，未导入任何数据。请修改后重新上传；完整报告：GET /api/v1/uploads/{upload_id}/report.xlsx"
            ),
            format!(
                "{bad_rows} of {rows_read} rows are not valid; nothing was imported. Fix them and upload again; the whole report: GET /api/v1/uploads/{upload_id}/report.xlsx"
            ),
        ),
    );
    problem.errors = problems
        .iter()
        .take(PROBLEMS_SHOWN)
        .map(|p| FieldError {
            field: format!("row {}, {}", p.row, p.column),
            message: Message::new(format!("{:?}：{}", p.value, p.reason.zh), format!("{:?}: {}", p.value, p.reason.en)),
        })
        .collect();
    problem
}

async fn staged(caller: &Caller, id: i64) -> Result<Upload, Problem> {
    Ok(caller.handle.upload(domain::UploadId::new(id)).await?)
}

/// Import a staged file as a list: every row is checked first; one bad row and nothing is
/// written (422 naming each bad row and column). The same file imported again returns the
/// earlier list (200, `already_imported`).
#[utoipa::path(post, path = "/api/v1/uploads/{id}/import", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ImportBody,
    responses((status = 201, body = ListBody), (status = 200, body = ListBody, description = "imported before"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn import_upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<ImportBody>,
) -> Result<(StatusCode, Json<ListBody>), Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    let input = body.value;
    let kind = fields::parse("kind", ListKind::parse_importable(input.kind.trim()))?;
    let mapping = input.mapping.as_ref().map(mapping_of).transpose()?;
    let upload = staged(&caller, id).await?;
    let (summary, again) =
        import_bytes(&state.imports, &caller, &upload, kind, &input.name, mapping).await.map_err(|failure| {
            match failure {
                ImportFailure::File(ImportError::Rows { problems, bad_rows, rows_read }) => {
                    rows_problem(upload.id.get(), &problems, bad_rows, rows_read)
                }
                ImportFailure::File(other) => file_problem(&other),
                ImportFailure::Store(problem) => problem,
            }
        })?;
    let status = if again { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(ListBody::of(&summary, again))))
}

/// Why a staged file was not imported: the file itself (every bad row, for the API's 422 and the
/// page's table), or the store.
pub(crate) enum ImportFailure {
    File(ImportError),
    Store(Problem),
}

/// Reads, checks and imports a staged file (shared with the page), reading the file once.
pub(crate) async fn import_bytes(
    gate: &import::Gate,
    caller: &Caller,
    upload: &Upload,
    kind: ListKind,
    name: &str,
    mapping: Option<Mapping>,
) -> Result<(ListSummary, bool), ImportFailure> {
    let _running = gate.enter().map_err(|busy| ImportFailure::Store(Problem::busy(busy)))?;
    let places = import::places_within(&caller.handle.actor().scope);
    let bytes = upload.bytes.clone();
    let parsed = tokio::task::spawn_blocking(move || import::parse_list(bytes, mapping, &places))
        .await
        .map_err(|_| ImportFailure::Store(Problem::internal()))?
        .map_err(ImportFailure::File)?;
    let list = NewList {
        kind,
        name: name.to_string(),
        file_name: upload.file_name.clone(),
        sha256: parsed.sha256,
        rows: parsed.rows,
    };
    caller.handle.import_list(list).await.map_err(|e| ImportFailure::Store(e.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub id_number: Option<usize>,
    pub document_kind: Option<usize>,
    pub name: Option<usize>,
    pub phone: Option<usize>,
    pub area: Option<usize>,
    pub address: Option<usize>,
}

impl ReportQuery {
    pub(crate) fn mapping(&self) -> Result<Option<Mapping>, Problem> {
        let pairs: BTreeMap<String, usize> = [
            ("id_number", self.id_number),
            ("document_kind", self.document_kind),
            ("name", self.name),
            ("phone", self.phone),
            ("area", self.area),
            ("address", self.address),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
        if pairs.is_empty() { Ok(None) } else { mapping_of(&pairs).map(Some) }
    }
}

/// The per-row error report of a staged file as an Excel workbook (row, column, value, reason),
/// under the mapping given as `field=column` parameters (the guess without them).
#[utoipa::path(get, path = "/api/v1/uploads/{id}/report.xlsx", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path), ReportQuery),
    responses((status = 200, description = "the report", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    let mapping = query.mapping()?;
    let upload = staged(&caller, id).await?;
    let xlsx = report_of(&state.imports, &caller, &upload, mapping).await?;
    let disposition = format!("attachment; filename=\"report-{id}.xlsx\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        xlsx,
    )
        .into_response())
}

pub(crate) async fn report_of(
    gate: &import::Gate,
    caller: &Caller,
    upload: &Upload,
    mapping: Option<Mapping>,
) -> Result<Vec<u8>, Problem> {
    let _running = gate.enter().map_err(Problem::busy)?;
    let places = import::places_within(&caller.handle.actor().scope);
    let bytes = upload.bytes.clone();
    let problems = tokio::task::spawn_blocking(move || match import::parse_list(bytes, mapping, &places) {
        Ok(_) => Ok(Vec::new()),
        Err(ImportError::Rows { problems, .. }) => Ok(problems),
        Err(other) => Err(other),
    })
    .await
    .map_err(|_| Problem::internal())?
    .map_err(|e| file_problem(&e))?;
    import::report_xlsx(&problems).map_err(|e| {
        tracing::error!(error = %e, "writing an import report");
        Problem::internal()
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lists {
    pub lists: Vec<ListBody>,
}

/// The lists imported in your jurisdiction, newest first, each with its progress.
#[utoipa::path(get, path = "/api/v1/lists", tag = "lists", security(("bearer" = [])),
    responses((status = 200, body = Lists), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_lists(caller: Caller) -> Result<Json<Lists>, Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    let found = caller.handle.lists().await?;
    Ok(Json(Lists { lists: found.iter().map(|l| ListBody::of(l, false)).collect() }))
}

/// One list and its progress.
#[utoipa::path(get, path = "/api/v1/lists/{id}", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ListBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_list(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<ListBody>, Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    Ok(Json(ListBody::of(&caller.handle.list(domain::ListId::new(id)).await?, false)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadBody {
    pub id: i64,
    pub list_id: i64,
    pub list_name: String,
    /// The row in the imported file.
    pub row_number: i64,
    pub area_code: String,
    pub person_id: Option<i64>,
    /// id_number, phone, name_area or unmatched.
    pub match_kind: String,
    pub match_label: String,
    /// Masked (4117**********123X): the full number is on the person's record.
    pub id_number: Option<String>,
    pub name: Option<String>,
    /// In full: the grid worker calls it.
    pub phone: Option<String>,
    pub address: String,
    pub due_at: String,
    pub overdue: bool,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub note: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    pub key_person_id: Option<i64>,
}

impl LeadBody {
    pub fn of(lead: &Lead, now: i64) -> LeadBody {
        let v = lead.verification.as_ref();
        LeadBody {
            id: lead.id.get(),
            list_id: lead.list_id.get(),
            list_name: lead.list_name.clone(),
            row_number: lead.row_number,
            area_code: lead.area_code.clone(),
            person_id: lead.person_id.map(domain::PersonId::get),
            match_kind: lead.match_kind.as_str().into(),
            match_label: lead.match_kind.label_zh().into(),
            id_number: lead.id_number.as_deref().map(mask::id_number),
            name: lead.name.clone(),
            phone: lead.phone.clone(),
            address: lead.address.clone(),
            due_at: instant_text(lead.due_at),
            overdue: v.is_none() && lead.due_at < now,
            outcome: v.map(|v| v.outcome.as_str().into()),
            outcome_label: v.map(|v| v.outcome.label_zh().into()),
            note: v.map(|v| v.note.clone()),
            verified_by: v.map(|v| v.by_name.clone()),
            verified_at: v.map(|v| instant_text(v.at)),
            key_person_id: (v.and_then(|v| v.key_person_id)).map(domain::KeyPersonId::get),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Leads {
    pub leads: Vec<LeadBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    /// open (default: not yet verified, soonest due first) or overdue (escalated).
    #[param(schema_with = super::schemas::lead_filter)]
    pub filter: Option<String>,
}

/// The leads of your jurisdiction (a grid worker's: those of the grid).
#[utoipa::path(get, path = "/api/v1/leads", tag = "lists", security(("bearer" = [])), params(LeadQuery),
    responses((status = 200, body = Leads), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_leads(caller: Caller, ApiQuery(query): ApiQuery<LeadQuery>) -> Result<Json<Leads>, Problem> {
    caller.handle.authorize(Capability::VerifyLeads)?;
    let now = caller.handle.now();
    let filter = match query.filter.as_deref().map(str::trim) {
        None | Some("open") => LeadFilter::Open,
        Some("overdue") => LeadFilter::Overdue { now },
        Some(other) => {
            return Err(Problem::invalid(
                "filter",
                Message::new(
                    format!("无法识别的筛选 {other:?}：应为 open 或 overdue"),
                    format!("unknown filter {other:?}: use open or overdue"),
                ),
            ));
        }
    };
    let found = caller.handle.leads(filter).await?;
    Ok(Json(Leads { leads: found.iter().map(|l| LeadBody::of(l, now)).collect() }))
}

/// Every lead of one list, by place and then by row (those in your jurisdiction).
#[utoipa::path(get, path = "/api/v1/lists/{id}/leads", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Leads), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_leads_of(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<Leads>, Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    caller.handle.list(domain::ListId::new(id)).await?;
    let now = caller.handle.now();
    let found = caller.handle.leads(LeadFilter::OfList(domain::ListId::new(id))).await?;
    Ok(Json(Leads { leads: found.iter().map(|l| LeadBody::of(l, now)).collect() }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadVerificationBody {
    /// registered, no_risk, not_in_area or unreachable.
    #[schema(schema_with = super::schemas::lead_outcome)]
    pub outcome: String,
    /// What was done (required unless the outcome is no_risk or registered).
    pub note: Option<String>,
    /// With registered: confirmed, suspected, close_contact, epidemic_area_arrival or fever.
    #[schema(schema_with = super::schemas::key_class_or_null)]
    pub class: Option<String>,
    /// With registered as epidemic_area_arrival: high (class 1) or medium (class 2), the risk of
    /// the area the person came from; high makes the code red.
    #[schema(schema_with = super::schemas::arrival_risk_or_null)]
    pub arrival_risk: Option<String>,
}

/// Verify a lead (核查): its outcome, a note; registered also makes the person a key person.
#[utoipa::path(post, path = "/api/v1/leads/{id}/verification", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = LeadVerificationBody,
    responses((status = 200, body = LeadBody), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn verify_lead(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<LeadVerificationBody>,
) -> Result<Json<LeadBody>, Problem> {
    caller.handle.authorize(Capability::VerifyLeads)?;
    let input = body.value;
    let outcome = fields::parse("outcome", LeadOutcome::parse(input.outcome.trim()))?;
    let class = match input.class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(class) => Some(fields::class(class)?),
        None => None,
    };
    // Whether the risk belongs to this outcome and class is the store's rule.
    let arrival_risk = fields::arrival_risk_value(input.arrival_risk.as_deref())?;
    let verify = VerifyLead { outcome, note: input.note.unwrap_or_default(), class, arrival_risk };
    let lead = caller.handle.verify_lead(domain::LeadId::new(id), verify).await?;
    Ok(Json(LeadBody::of(&lead, caller.handle.now())))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadSettings {
    /// Hours a grid has to verify a new lead (default 24).
    #[schema(minimum = 1, maximum = 336)]
    pub due_hours: u32,
}

/// How long a lead may wait for verification.
#[utoipa::path(get, path = "/api/v1/settings/leads", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = LeadSettings), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_lead_settings(caller: Caller) -> Result<Json<LeadSettings>, Problem> {
    caller.handle.authorize(Capability::ImportLists)?;
    Ok(Json(LeadSettings { due_hours: caller.handle.lead_due_hours() }))
}

/// Change how long a lead may wait (admins); lists imported later use it.
#[utoipa::path(put, path = "/api/v1/settings/leads", tag = "settings", security(("bearer" = [])),
    request_body = LeadSettings,
    responses((status = 200, body = LeadSettings), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_lead_settings(caller: Caller, body: JsonBody<LeadSettings>) -> Result<Json<LeadSettings>, Problem> {
    caller.handle.authorize(Capability::ManageSettings)?;
    caller.handle.set_lead_due_hours(body.value.due_hours).await?;
    Ok(Json(LeadSettings { due_hours: caller.handle.lead_due_hours() }))
}
