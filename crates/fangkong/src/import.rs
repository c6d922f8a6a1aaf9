//! `fangkong import` and `fangkong export`: the same import path as the web page (every row
//! checked, then all written or nothing), acting as a named user so the jurisdiction and the
//! audit log are those of a person.

use domain::Label;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use domain::Code;
use domain::{ListKind, Mapping, Scope};
use serde_json::json;
use store::{Actor, Db, Handle, LeadFilter, NewList, PageRequest};
use web::import::{self, ImportError};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ImportKind {
    /// Residents (身份证号, 姓名, 手机号, 区划/网格): registered once each.
    Persons,
    /// A big-data comparison list: matched, leads raised to the grids.
    List,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ExportWhat {
    Persons,
    KeyPersons,
    Leads,
    /// De-identified counts per county, day, class and status of the last 14 days, small cells
    /// suppressed: fit to publish.
    Statistics,
}

/// The handle of an existing user: the CLI works in that user's jurisdiction and name.
pub async fn handle_of(db: &Db, username: &str) -> anyhow::Result<Handle> {
    let credentials = db
        .credentials(username)
        .await?
        .with_context(|| format!("--as: no user {username:?} (see `fangkong user add`)"))?;
    let user = credentials.user;
    let scope = Scope::of_code_str(&user.area_code).with_context(|| format!("user {username} has no valid area"))?;
    Ok(db.handle(Actor {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role,
        scope,
        remote_addr: Some("cli".into()),
    }))
}

/// `id_number=C,name=1`: fields to columns, by letter or 0-based index.
pub fn parse_mapping(text: &str) -> anyhow::Result<Mapping> {
    let mut pairs = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (field, column) =
            part.split_once('=').with_context(|| format!("--mapping: {part:?} is not field=column"))?;
        let column = column.trim();
        let index = match column.parse::<usize>() {
            Ok(index) => index,
            Err(_) => column_index(column).with_context(|| format!("--mapping: {column:?} is not a column"))?,
        };
        pairs.insert(field.trim().to_string(), index);
    }
    let mut fields = Vec::new();
    for (name, column) in pairs {
        let field = domain::ListField::parse(&name).with_context(|| {
            format!("--mapping: unknown field {name:?} (id_number, document_kind, name, phone, area, address)")
        })?;
        fields.push((field, column));
    }
    Mapping::new(fields).map_err(|e| anyhow::anyhow!("--mapping: {e}"))
}

/// "A" → 0, "AA" → 26.
fn column_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(letters.bytes().fold(0usize, |n, b| n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1) - 1)
}

pub struct ImportArgs {
    pub kind: ImportKind,
    pub file: PathBuf,
    pub username: String,
    pub list_kind: String,
    pub name: Option<String>,
    pub mapping: Option<String>,
    pub area: Option<String>,
    pub report: Option<PathBuf>,
}

fn print_problems(err: &ImportError, report: Option<&Path>) -> anyhow::Result<()> {
    if let ImportError::Rows { problems, .. } = err {
        for p in problems {
            println!("row {}\t{}\t{:?}\t{}", p.row, p.column, p.value, p.reason.zh);
        }
        if let Some(path) = report {
            write_private(path, &import::report_xlsx(problems)?)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("the report is in {}", path.display());
        }
    }
    Ok(())
}

pub async fn run(db: &Db, args: ImportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let handle = handle_of(db, &args.username).await?;
    let mapping = args.mapping.as_deref().map(parse_mapping).transpose()?;
    let places = import::places_within(&handle.actor().scope);
    let file_name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match args.kind {
        ImportKind::List => {
            let kind = ListKind::parse_importable(&args.list_kind).map_err(|e| anyhow::anyhow!("--list-kind: {e}"))?;
            // The file is read and checked on one core while the jurisdiction's persons are
            // indexed on the other.
            let reading = tokio::task::spawn_blocking(move || import::parse_list(bytes, mapping, &places));
            let (parsed, comparison) = tokio::join!(reading, handle.prepare_comparison());
            let parsed = match parsed? {
                Ok(parsed) => parsed,
                Err(err) => {
                    print_problems(&err, args.report.as_deref())?;
                    bail!("{err}");
                }
            };
            let comparison = comparison?;
            let read_seconds = started.elapsed().as_secs_f64(); // file checked and persons indexed
            let list = NewList {
                kind,
                name: args.name.unwrap_or_else(|| file_name.clone()),
                file_name,
                sha256: parsed.sha256,
                rows: parsed.rows,
            };
            let (summary, again) = handle.import_list_with(comparison, list).await?;
            let c = summary.counts;
            println!(
                "{}",
                json!({
                    "list_id": summary.id.get(),
                    "already_imported": again,
                    "rows": c.rows,
                    "duplicates": c.duplicates,
                    "matches": {"id_number": c.by_id_number, "phone": c.by_phone, "name_area": c.by_name_area, "unmatched": c.unmatched},
                    "already_key_persons": c.already_key_persons,
                    "already_leads": c.already_leads,
                    "leads": c.leads,
                    "progress": domain::progress_zh(c.leads, summary.verified),
                    "prepared_seconds": (read_seconds * 1000.0).round() / 1000.0,
                    "seconds": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
                })
            );
        }
        ImportKind::Persons => {
            let default_place = match args.area.as_deref() {
                Some(code) => {
                    Some(web::api::fields::place(code, None).map_err(|p| anyhow::anyhow!("--area: {}", p.detail.en))?)
                }
                None => None,
            };
            let persons = match import::parse_persons(&bytes, mapping, &places, default_place.as_ref()) {
                Ok(persons) => persons,
                Err(err) => {
                    print_problems(&err, args.report.as_deref())?;
                    bail!("{err}");
                }
            };
            let rows = persons.len();
            let (added, known) = handle.import_persons(persons).await?;
            println!(
                "{}",
                json!({"rows": rows, "added": added, "already_registered": known,
                       "seconds": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0})
            );
        }
    }
    Ok(())
}

/// Writes a file of personal data readable by its owner only (0600), replacing one there.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    // An existing file keeps its mode on open: tighten it too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

pub async fn export(db: &Db, what: ExportWhat, out: &Path, username: &str) -> anyhow::Result<()> {
    let handle = handle_of(db, username).await?;
    let (headers, rows): (Vec<&str>, Vec<Vec<String>>) = match what {
        ExportWhat::Persons => {
            let mut rows = Vec::new();
            let mut after = store::PersonId::new(0);
            loop {
                let page = handle.persons_after(after, 100_000).await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                rows.extend(page.into_iter().map(|p| {
                    vec![p.id_number, p.name, p.phone.unwrap_or_default(), p.area_code.clone(), area_name(&p.area_code)]
                }));
            }
            (vec!["身份证号", "姓名", "手机号", "区划/网格代码", "所属地区"], rows)
        }
        ExportWhat::KeyPersons => {
            let mut rows = Vec::new();
            let mut page = 1;
            loop {
                let found = handle.key_persons(&Default::default(), PageRequest { page, per_page: 500 }).await?;
                let last = found.items.len() < 500;
                rows.extend(found.items.into_iter().map(|k| {
                    vec![
                        k.id.to_string(),
                        k.id_number,
                        k.name,
                        k.phone.unwrap_or_default(),
                        k.class.label_zh().to_string(),
                        k.state.status.label_zh().to_string(),
                        k.measure.as_ref().map(|m| m.kind.label_zh().to_string()).unwrap_or_default(),
                        k.area_code.clone(),
                        area_name(&k.area_code),
                    ]
                }));
                if last {
                    break;
                }
                page += 1;
            }
            (vec!["编号", "身份证号", "姓名", "手机号", "类别", "状态", "措施", "区划/网格代码", "所属地区"], rows)
        }
        ExportWhat::Statistics => {
            let to = handle.today();
            let from = to.checked_sub(jiff::Span::new().days(13)).unwrap_or(to);
            let (threshold, counts) = handle.statistics(from, to).await?;
            web::api::statistics::table(&counts, threshold, web::pages::Lang::Zh)
        }
        ExportWhat::Leads => {
            let leads = handle.leads(LeadFilter::All).await?;
            let rows = leads
                .into_iter()
                .map(|l| {
                    let v = l.verification.as_ref();
                    vec![
                        l.id.to_string(),
                        l.list_name.clone(),
                        l.row_number.to_string(),
                        l.name.clone().unwrap_or_default(),
                        l.id_number.clone().unwrap_or_default(),
                        l.phone.clone().unwrap_or_default(),
                        l.match_kind.label_zh().to_string(),
                        l.area_code.clone(),
                        area_name(&l.area_code),
                        v.map(|v| v.outcome.label_zh().to_string()).unwrap_or_else(|| "待核查".into()),
                        v.map(|v| v.note.clone()).unwrap_or_default(),
                    ]
                })
                .collect();
            (
                vec![
                    "编号",
                    "名单",
                    "行号",
                    "姓名",
                    "证件号码",
                    "手机号",
                    "比对结果",
                    "区划/网格代码",
                    "所属地区",
                    "核查结果",
                    "核查情况",
                ],
                rows,
            )
        }
    };
    let xlsx = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if xlsx { import::table_xlsx("导出", &headers, &rows)? } else { import::table_csv(&headers, &rows)? };
    write_private(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("{}", json!({"rows": rows.len(), "file": out.display().to_string()}));
    Ok(())
}

/// "驿城区" for 411702…, the division's full name for a code or the code's village for a grid.
fn area_name(code: &str) -> String {
    let division = if code.len() > 12 { &code[..12] } else { code };
    divisions::full_name(division)
        .or_else(|| divisions::full_name(&division[..division.len().min(9)]))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn mappings_take_letters_or_indexes() {
        let mapping = parse_mapping("id_number=C, name=1,phone=AA").unwrap();
        assert_eq!(mapping.column(domain::ListField::IdNumber), Some(2));
        assert_eq!(mapping.column(domain::ListField::Name), Some(1));
        assert_eq!(mapping.column(domain::ListField::Phone), Some(26));
        assert!(parse_mapping("idnumber=1").is_err());
        assert!(parse_mapping("name=1,phone=1").is_err());
        assert!(parse_mapping("name").is_err());
    }
}
