use crate::AppState;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Message;
use domain::{Capability, Direction, PlateNumber, Temperature};
use serde::{Deserialize, Serialize};
use store::{Checkpoint, NewCheckpoint, NewPassage, Passage, PassageSubject};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_checkpoint, list_checkpoints)).routes(routes!(create_passage, ledger))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheckpointBody {
    #[schema(schema_with = super::schemas::line)]
    pub name: String,
    #[schema(schema_with = super::schemas::area_code)]
    pub area_code: String,
    #[schema(schema_with = super::schemas::grid_code_or_null)]
    pub grid_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointBody {
    pub id: i64,
    pub name: String,
    pub area_code: String,
    pub created_at: String,
}

impl From<Checkpoint> for CheckpointBody {
    fn from(c: Checkpoint) -> CheckpointBody {
        CheckpointBody { id: c.id.get(), name: c.name, area_code: c.area_code, created_at: instant_text(c.created_at) }
    }
}

/// Register a checkpoint (检测服务站/卡口).
#[utoipa::path(post, path = "/api/v1/checkpoints", tag = "checkpoints", security(("bearer" = [])), request_body = NewCheckpointBody,
    responses((status = 201, body = CheckpointBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_checkpoint(
    caller: Caller,
    body: JsonBody<NewCheckpointBody>,
) -> Result<(StatusCode, Json<CheckpointBody>), Problem> {
    caller.handle.authorize(Capability::ManageVenues)?;
    let input = body.value;
    let place = fields::place(&input.area_code, input.grid_code.as_deref())?;
    let created = caller.handle.create_checkpoint(NewCheckpoint { name: input.name, place }).await?;
    let checkpoint =
        caller.handle.checkpoints().await?.into_iter().find(|c| c.id == created.id).ok_or_else(Problem::not_found)?;
    Ok((StatusCode::CREATED, Json(checkpoint.into())))
}

/// Checkpoints in your jurisdiction.
#[utoipa::path(get, path = "/api/v1/checkpoints", tag = "checkpoints", security(("bearer" = [])),
    responses((status = 200, body = Vec<CheckpointBody>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_checkpoints(caller: Caller) -> Result<Json<Vec<CheckpointBody>>, Problem> {
    Ok(Json(caller.handle.checkpoints().await?.into_iter().map(CheckpointBody::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassageBody {
    /// in or out.
    #[schema(schema_with = super::schemas::direction)]
    pub direction: String,
    /// A person: the ID number (read from a code or typed once), or at least a name and phone.
    #[schema(schema_with = super::schemas::resident_id_or_null)]
    pub id_number: Option<String>,
    #[schema(schema_with = super::schemas::person_name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = super::schemas::phone_or_null)]
    pub phone: Option<String>,
    /// A vehicle: its plate (then the person fields describe the driver, if given).
    pub plate: Option<String>,
    pub occupants: Option<u16>,
    pub cargo: Option<String>,
    pub origin: Option<String>,
    pub destination: Option<String>,
    /// °C, 34.0–43.0.
    #[schema(minimum = 34.0, maximum = 43.0)]
    pub temperature: Option<f64>,
    /// A vehicle pass (A/B/C 证) was checked.
    pub pass_checked: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageDone {
    pub id: i64,
    pub person_id: Option<i64>,
    /// At or above the fever threshold: with an ID number a fever record and a transfer task
    /// were opened; without one, take the person's ID.
    pub fever: bool,
    /// The person is under isolation or observation: stop them. Their cadre and this
    /// checkpoint's area have a breach task.
    pub breach: bool,
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

pub fn passage_request(checkpoint_id: i64, input: PassageBody) -> Result<NewPassage, Problem> {
    let direction = fields::parse("direction", Direction::parse(input.direction.trim()))?;
    let temperature =
        input.temperature.map(|t| fields::parse("temperature", Temperature::from_celsius(t))).transpose()?;
    let subject = match text(input.plate) {
        Some(plate) => PassageSubject::Vehicle {
            plate: fields::parse("plate", PlateNumber::parse(&plate))?,
            occupants: input.occupants.unwrap_or(1),
            cargo: text(input.cargo),
        },
        None => {
            // A person's passage has nowhere to keep these: refused rather than dropped.
            if text(input.cargo).is_some() {
                return Err(Problem::invalid(
                    "cargo",
                    Message::new("只有车辆才有货物：请填写车牌", "only a vehicle carries cargo: give its plate"),
                ));
            }
            if input.occupants.is_some() {
                return Err(Problem::invalid(
                    "occupants",
                    Message::new("只有车辆才有乘员：请填写车牌", "only a vehicle has occupants: give its plate"),
                ));
            }
            if input.pass_checked == Some(true) {
                return Err(Problem::invalid(
                    "pass_checked",
                    Message::new("只有车辆才有通行证：请填写车牌", "only a vehicle has a pass: give its plate"),
                ));
            }
            let id_number = text(input.id_number).map(|id| fields::id_number(&id)).transpose()?;
            let phone = fields::optional_phone("phone", input.phone.as_deref())?;
            let name = match text(input.name) {
                Some(name) => fields::name("name", &name)?,
                None => {
                    return Err(Problem::invalid(
                        "name",
                        Message::new(
                            "请填写姓名（车辆请填写车牌）",
                            "a person's name is required (or a plate for a vehicle)",
                        ),
                    ));
                }
            };
            if id_number.is_none() && phone.is_none() {
                return Err(Problem::invalid(
                    "id_number",
                    Message::new("请填写身份证号，或至少填写手机号", "give the ID number, or at least a mobile number"),
                ));
            }
            PassageSubject::Person { id_number, name, phone }
        }
    };
    Ok(NewPassage {
        checkpoint_id: domain::CheckpointId::new(checkpoint_id),
        direction,
        subject,
        origin: text(input.origin),
        destination: text(input.destination),
        temperature,
        pass_checked: input.pass_checked.unwrap_or(false),
    })
}

/// Register a person or vehicle passing the checkpoint, with temperature (SPEC §4.3).
#[utoipa::path(post, path = "/api/v1/checkpoints/{id}/passages", tag = "checkpoints", security(("bearer" = [])),
    request_body = PassageBody, params(("id" = i64, Path)),
    responses((status = 201, body = PassageDone), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_passage(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<PassageBody>,
) -> Result<(StatusCode, Json<PassageDone>), Problem> {
    caller.handle.authorize(Capability::RecordPassages)?;
    let receipt = caller.handle.record_passage(passage_request(id, body.value)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(PassageDone {
            id: receipt.id.get(),
            person_id: receipt.person_id.map(domain::PersonId::get),
            fever: receipt.fever,
            breach: receipt.breach,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerParams {
    /// The Shanghai day, YYYY-MM-DD; today by default.
    #[param(schema_with = super::schemas::day)]
    pub date: Option<String>,
    /// json (default), csv (UTF-8 with BOM, opens in Excel) or xlsx.
    #[param(schema_with = super::schemas::export_format)]
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageLine {
    pub id: i64,
    pub at: String,
    pub direction: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub plate: Option<String>,
    pub occupants: Option<i64>,
    pub cargo: Option<String>,
    pub pass_checked: bool,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub temperature: Option<String>,
}

impl From<Passage> for PassageLine {
    fn from(p: Passage) -> PassageLine {
        PassageLine {
            id: p.id.get(),
            at: instant_text(p.at),
            direction: p.direction,
            name: p.name,
            phone: p.phone,
            id_number: p.id_number,
            plate: p.plate,
            occupants: p.occupants,
            cargo: p.cargo,
            pass_checked: p.pass_checked,
            origin: p.origin,
            destination: p.destination,
            temperature: store::codec::temperature(p.temperature).map(|t| t.to_string()),
        }
    }
}

const LEDGER_HEADER: [&str; 12] =
    ["时间", "方向", "姓名", "手机号", "身份证号", "车牌", "乘员", "货物", "查验通行证", "来自", "前往", "体温"];

/// The ledger's lines as the cells of a spreadsheet row, in `LEDGER_HEADER` order.
fn ledger_cells(l: &PassageLine) -> [String; 12] {
    let at = l.at.replace('T', " ").chars().take(19).collect::<String>();
    let direction = if l.direction == "in" { "进" } else { "出" };
    [
        at,
        direction.to_string(),
        l.name.clone().unwrap_or_default(),
        l.phone.clone().unwrap_or_default(),
        l.id_number.clone().unwrap_or_default(),
        l.plate.clone().unwrap_or_default(),
        l.occupants.map(|o| o.to_string()).unwrap_or_default(),
        l.cargo.clone().unwrap_or_default(),
        if l.pass_checked { "是".into() } else { String::new() },
        l.origin.clone().unwrap_or_default(),
        l.destination.clone().unwrap_or_default(),
        l.temperature.clone().unwrap_or_default(),
    ]
}

fn export_failed(e: impl std::fmt::Display) -> Problem {
    tracing::error!(%e, "ledger export failed");
    Problem::internal()
}

fn ledger_csv(lines: &[PassageLine]) -> Result<Vec<u8>, Problem> {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    writer.write_record(LEDGER_HEADER).map_err(export_failed)?;
    for l in lines {
        let cells = ledger_cells(l);
        writer.write_record(crate::cells::safe_record(cells.iter().map(String::as_str))).map_err(export_failed)?;
    }
    writer.into_inner().map_err(export_failed)
}

/// The ledger as an Excel workbook: a title row, a frozen header, ID numbers and phones as text
/// (never as numbers that lose digits), temperatures as numbers with fevers in red.
fn ledger_xlsx(title: &str, lines: &[PassageLine], threshold: domain::Temperature) -> Result<Vec<u8>, Problem> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("台账").map_err(export_failed)?;
    let bold = Format::new().set_bold();
    let fever = Format::new().set_font_color(Color::Red).set_bold().set_num_format("0.0");
    let reading = Format::new().set_num_format("0.0");
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14)).map_err(export_failed)?;
    for (col, name) in (0u16..).zip(LEDGER_HEADER.iter()) {
        sheet.write_string_with_format(1, col, *name, &bold).map_err(export_failed)?;
    }
    sheet.set_freeze_panes(2, 0).map_err(export_failed)?;
    for (col, width) in (0u16..).zip([20, 6, 10, 14, 21, 11, 6, 10, 10, 12, 12, 7]) {
        sheet.set_column_width(col, width).map_err(export_failed)?;
    }
    for (row, line) in (2u32..).zip(lines) {
        for (col, cell) in (0u16..).zip(ledger_cells(line).iter()) {
            let temperature = (col == 11).then(|| domain::Temperature::parse(cell).ok()).flatten();
            match temperature {
                Some(t) => {
                    let format = if t.is_fever(threshold) { &fever } else { &reading };
                    sheet.write_number_with_format(row, col, t.celsius(), format).map_err(export_failed)?;
                }
                None if cell.is_empty() => {}
                None => {
                    sheet.write_string(row, col, crate::cells::safe(cell)).map_err(export_failed)?;
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(export_failed)
}

/// A checkpoint's daily ledger (台账), as JSON, CSV or XLSX; the read is audited.
#[utoipa::path(get, path = "/api/v1/checkpoints/{id}/passages", tag = "checkpoints", security(("bearer" = [])),
    params(("id" = i64, Path), LedgerParams),
    responses((status = 200, description = "the ledger", content((Vec<PassageLine> = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn ledger(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<LedgerParams>,
) -> Result<Response, Problem> {
    let day = fields::day_or("date", params.date.as_deref(), caller.handle.today())?;
    let lines: Vec<PassageLine> =
        caller.handle.passages(domain::CheckpointId::new(id), day).await?.into_iter().map(PassageLine::from).collect();
    match params.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(lines).into_response()),
        "csv" => {
            let filename = format!("attachment; filename=\"ledger-{id}-{day}.csv\"");
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, filename),
                ],
                ledger_csv(&lines)?,
            )
                .into_response())
        }
        "xlsx" => {
            let checkpoint =
                caller.handle.checkpoints().await?.into_iter().find(|c| c.id == domain::CheckpointId::new(id));
            let name = checkpoint.map(|c| c.name).unwrap_or_else(|| format!("卡口 {id}"));
            let title = format!("{name} 通行登记台账 {day}");
            let body = ledger_xlsx(&title, &lines, caller.handle.frontline_threshold())?;
            let filename = format!("attachment; filename=\"ledger-{id}-{day}.xlsx\"");
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, filename),
                ],
                body,
            )
                .into_response())
        }
        _ => Err(Problem::invalid("format", Message::new("应为 json、csv 或 xlsx", "use json, csv or xlsx"))),
    }
}
