//! `fangkong demo`: a synthetic city on real division codes (驻马店市, 411700): four-level grids,
//! households, about N persons, and key persons in every status with histories that obey the
//! status rules (each is planned by the same code the server uses).

use domain::Label;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant as Clock;

use anyhow::{Context, bail};
use domain::{GridCode, KeyClass, PersonName, Phone, Role, Severity, Source, State, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::transition::{CurrentRecord, TransitionPlanner};
use store::{
    BulkKeyPerson, BulkPerson, Db, Measure, NewGrid, NewGridWorker, NewHousehold, NewUser, Place, TransitionRequest,
};

pub const CITY: &str = "411700";
pub const DEMO_PASSWORD: &str = "fangkong-demo";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "红梅", "玉兰", "国庆", "春花", "德明", "文博", "子涵", "浩然",
    "雨轩", "梓萱", "一诺", "欣怡",
];
const COMPOUNDS: &[&str] =
    &["东庄", "西庄", "南街", "北街", "幸福小区", "和谐家园", "育才小区", "建业小区", "前营", "后营"];

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

fn name(rng: &mut StdRng) -> String {
    format!("{}{}", SURNAMES[rng.random_range(0..SURNAMES.len())], GIVEN[rng.random_range(0..GIVEN.len())])
}

fn phone(rng: &mut StdRng) -> String {
    format!("1{}{:09}", rng.random_range(3..=9), rng.random_range(0..1_000_000_000u64))
}

/// Unique IDs: one serial counter per (county, birth date).
struct IdMaker {
    serials: HashMap<(String, i64), u32>,
}

impl IdMaker {
    fn make(&mut self, county: &str, rng: &mut StdRng) -> Option<String> {
        for _ in 0..20 {
            let days = rng.random_range(0..(75 * 365));
            let birth = jiff::civil::date(1945, 1, 1).checked_add(jiff::Span::new().days(days)).ok()?;
            let serial = self.serials.entry((county.to_string(), days)).or_insert(0);
            if *serial >= 999 {
                continue;
            }
            *serial += 1;
            let first17 = format!("{county}{}{:03}", birth.strftime("%Y%m%d"), *serial);
            let check = domain::check_digit(&first17)?;
            return Some(format!("{first17}{check}"));
        }
        None
    }
}

struct Village {
    code: String,
    county: String,
    units: Vec<GridCode>,
}

/// Builds the demo city in `data_dir` (replacing an earlier demo there) and returns it opened.
/// A person as they identify themselves on the check-in page.
pub struct Resident {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
}

/// The built city and what a load generator needs to act like its people.
pub struct City {
    pub db: Db,
    pub venue_tokens: Vec<String>,
    /// (id, area code) of every venue, in the order of `venue_tokens`.
    pub venues: Vec<(store::Id, String)>,
    /// The id of every person, in the order of `people`.
    pub person_ids: Vec<store::Id>,
    /// What every person types at a venue's door.
    pub people: Vec<Resident>,
    /// One line of counts.
    pub summary: String,
    /// The grid of the demo's grid worker.
    pub grid_user: String,
}

pub async fn build(data_dir: &Path, persons: usize, seed: u64) -> anyhow::Result<City> {
    let started = Clock::now();
    if std::env::var("DATABASE_URL").map(|u| u.is_empty()).unwrap_or(true) {
        for suffix in ["", "-wal", "-shm"] {
            let file = data_dir.join(format!("fangkong.db{suffix}"));
            if file.exists() {
                std::fs::remove_file(&file).with_context(|| format!("removing the earlier demo {}", file.display()))?;
            }
        }
    }
    let db = crate::open_db(data_dir).await?;
    let city = build_into(db, persons, seed).await?;
    let size = std::fs::metadata(data_dir.join("fangkong.db")).map(|m| m.len()).unwrap_or(0);
    let on_disk = if size > 0 { format!(", {} MiB on disk", size / (1024 * 1024)) } else { String::new() };
    println!("{} (built in {:.1} s{on_disk})", city.summary, started.elapsed().as_secs_f64());
    println!("log in with password {DEMO_PASSWORD:?} as one of:");
    println!("  admin      指挥部管理员 (411700, the whole city)");
    println!("  officer    区域干部 of 驿城区 (411702)");
    println!("  xiping     区域干部 of 西平县 (411721)");
    println!("  medic      医疗人员 (411702)");
    println!("  inspector  督查组 (411700)");
    println!("  grid       网格员 of {}", city.grid_user);
    println!("  checkpoint 卡口值守 (411702's checkpoints)");
    Ok(city)
}

/// Builds the city into an opened, empty database.
pub async fn build_into(db: Db, persons: usize, seed: u64) -> anyhow::Result<City> {
    if db.credentials("admin").await?.is_some() {
        bail!("the database already holds a city (user admin exists); point DATABASE_URL at an empty database");
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let counties = divisions::counties_of(CITY);
    if counties.is_empty() {
        bail!("no counties of {CITY} in the division table");
    }

    // Grids: township (1) and village (2) are the real divisions; compounds (3) and
    // multi-household units (4) are generated under each village.
    let mut grids = Vec::new();
    let mut villages = Vec::new();
    for county in &counties {
        for township in divisions::children(county.code) {
            let Ok(code) = GridCode::parse(township.code) else {
                continue;
            };
            grids.push(NewGrid { code: code.clone(), name: township.name.to_string() });
            for village in divisions::children(township.code) {
                let Ok(village_grid) = GridCode::parse(village.code) else {
                    continue;
                };
                grids.push(NewGrid { code: village_grid.clone(), name: village.name.to_string() });
                villages.push(Village {
                    code: village.code.to_string(),
                    county: county.code.to_string(),
                    units: Vec::new(),
                });
            }
        }
    }
    if villages.is_empty() {
        bail!("no villages of {CITY} in the division table");
    }
    // ≈ 3 persons a household, ≈ 10 households a unit, ≈ 4 units a compound.
    let households_wanted = persons.div_ceil(3).max(villages.len());
    let units_wanted = households_wanted.div_ceil(10);
    let units_per_village = units_wanted.div_ceil(villages.len()).max(1);
    let mut workers = Vec::new();
    for village in &mut villages {
        let Ok(village_grid) = GridCode::parse(&village.code) else {
            continue;
        };
        let compounds = units_per_village.div_ceil(4).clamp(1, 999);
        for c in 1..=compounds {
            let Some(compound) = village_grid.child(c as u32) else {
                continue;
            };
            grids.push(NewGrid { code: compound.clone(), name: format!("{}{}", COMPOUNDS[c % COMPOUNDS.len()], c) });
            workers.push(NewGridWorker {
                grid: compound.clone(),
                name: PersonName::parse(&name(&mut rng))?,
                phone: Phone::parse(&phone(&mut rng))?,
                user_id: None,
            });
            for u in 1..=4.min(units_per_village) {
                let Some(unit) = compound.child(u as u32) else {
                    continue;
                };
                grids.push(NewGrid { code: unit.clone(), name: format!("{u}号联防组") });
                village.units.push(unit);
            }
        }
    }
    db.insert_grids(&grids).await?;
    db.insert_grid_workers(&workers).await?;
    let units: Vec<(&Village, &GridCode)> = villages.iter().flat_map(|v| v.units.iter().map(move |u| (v, u))).collect();

    let households: Vec<NewHousehold> = (0..households_wanted)
        .map(|n| {
            let (_, unit) = units[n % units.len()];
            NewHousehold { grid: unit.clone(), address: format!("{}号", n / units.len() + 1) }
        })
        .collect();
    let household_ids = db.insert_households(&households).await?;

    let mut ids = IdMaker { serials: HashMap::new() };
    let mut people = Vec::with_capacity(persons);
    for n in 0..persons {
        let h = n % household_ids.len();
        let (village, unit) = units[h % units.len()];
        let Some(id_number) = ids.make(&village.county, &mut rng) else {
            continue;
        };
        people.push(BulkPerson {
            id_number,
            name: name(&mut rng),
            phone: rng.random_bool(0.9).then(|| phone(&mut rng)),
            place: Place { area: domain::AreaCode::parse(&village.code)?, grid: Some(unit.clone()) },
            household_id: Some(household_ids[h]),
        });
    }
    let person_ids = db.bulk_insert_persons(&people).await?;

    let (venue_tokens, venues, checkin_count) =
        venues_and_checkins(&db, &villages, &people, &person_ids, &mut rng).await?;
    let venue_count = venue_tokens.len();
    let admin = add_users(&db, &villages).await?;
    let key_persons = key_persons(&db, &people, &person_ids, admin.clone(), &mut rng)?;
    db.bulk_insert_key_persons(&key_persons).await?;
    let handle = admin_handle(&db, admin.0);
    let passage_count = add_checkpoints_and_passages(&handle, &counties, &people, &mut rng).await?;
    let grid_unit = villages.first().and_then(|v| v.units.first()).cloned();
    let taken: std::collections::HashSet<store::Id> = key_persons.iter().map(|k| k.person_id).collect();
    if let Some(unit) = &grid_unit {
        add_home_follow_ups(&handle, unit, &people, &person_ids, &taken, &mut rng).await?;
    }
    let outbreak = add_outbreak(&handle, &db, &venues, &people, &person_ids, &taken).await?;
    // 驿城区's officer imports it, so the list is the district's (the city's admin sees it too).
    // Persons already under a record are left out by the comparison itself.
    let district = match db.credentials("officer").await? {
        Some(officer) => db.handle(store::Actor {
            user_id: officer.user.id,
            username: officer.user.username.clone(),
            role: officer.user.role,
            scope: officer.user.scope(),
            remote_addr: None,
        }),
        None => bail!("the demo's officer was not created"),
    };
    let list = add_telecom_list(&district, grid_unit.as_ref(), &people, &person_ids, &taken, &mut rng).await?;
    add_self_reported_fever(&db, &venue_tokens, &venues).await?;
    db.open_release_tasks(domain::shanghai_date(db.now())).await?;
    db.optimize().await?;

    let summary = format!(
        "demo city {}: {} grids, {} households, {} persons, {} key persons, {} venues, {} check-ins, {} passages today{}",
        divisions::full_name(CITY).unwrap_or_default(),
        grids.len(),
        household_ids.len(),
        person_ids.len(),
        key_persons.len(),
        venue_count,
        checkin_count,
        passage_count,
        outbreak.map(|id| format!(", a confirmed case under investigation (/investigations/{id})")).unwrap_or_default(),
    ) + &list
        .map(|(id, leads)| format!(", a telecom list raising {leads} leads (/lists/{id})"))
        .unwrap_or_default();
    let grid_user = grid_unit.as_ref().map(|u| u.as_str().to_string()).unwrap_or_default();
    let people =
        people.into_iter().map(|p| Resident { id_number: p.id_number, name: p.name, phone: p.phone }).collect();
    Ok(City { db, venue_tokens, venues, person_ids, people, summary, grid_user })
}

async fn add_users(db: &Db, villages: &[Village]) -> anyhow::Result<(store::Id, String)> {
    let hash = web::auth::hash_password(DEMO_PASSWORD)?;
    let grid = villages
        .first()
        .and_then(|v| v.units.first())
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|| "411702".into());
    let users = [
        ("admin", "指挥部值班员", Role::Admin, CITY.to_string()),
        ("officer", "驿城区防控办", Role::AreaOfficer, "411702".to_string()),
        ("xiping", "西平县防控办", Role::AreaOfficer, "411721".to_string()),
        ("medic", "市中心医院", Role::MedicalStaff, "411702".to_string()),
        ("inspector", "市督查组", Role::Inspector, CITY.to_string()),
        ("grid", "人民街道中山街社区网格员", Role::GridWorker, grid),
        ("checkpoint", "驿城东卡口值守", Role::CheckpointStaff, "411702".to_string()),
    ];
    let mut admin = 0;
    for (username, display_name, role, area_code) in users {
        let id = db
            .create_user(NewUser {
                username: username.into(),
                display_name: display_name.into(),
                password_hash: hash.clone(),
                role,
                area_code,
            })
            .await?;
        if role == Role::Admin {
            admin = id;
        }
    }
    Ok((admin, "admin".into()))
}

/// About 2% of persons (at least one per path) become key persons, each walking a legal path.
fn key_persons(
    db: &Db,
    people: &[BulkPerson],
    person_ids: &[store::Id],
    (actor_id, actor_name): (store::Id, String),
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

const VENUE_NAMES: &[(&str, domain::VenueKind)] = &[
    ("便民超市", domain::VenueKind::Supermarket),
    ("农贸市场", domain::VenueKind::Market),
    ("卫生室", domain::VenueKind::Hospital),
    ("大药房", domain::VenueKind::Pharmacy),
    ("小学", domain::VenueKind::School),
    ("饭店", domain::VenueKind::Restaurant),
];

/// A venue in every village and three weeks of check-ins (one per person on average; four in five
/// in the person's own village). Trajectories are purged after the retention period, so the
/// history stays inside it.
async fn venues_and_checkins(
    db: &Db,
    villages: &[Village],
    people: &[BulkPerson],
    person_ids: &[store::Id],
    rng: &mut StdRng,
) -> anyhow::Result<(Vec<String>, Vec<(store::Id, String)>, usize)> {
    let mut venues = Vec::with_capacity(villages.len());
    for (n, village) in villages.iter().enumerate() {
        let (suffix, kind) = VENUE_NAMES[n % VENUE_NAMES.len()];
        let village_name = divisions::get(&village.code).map(|d| d.name).unwrap_or("");
        let short =
            village_name.trim_end_matches("居民委员会").trim_end_matches("村民委员会").trim_end_matches("委员会");
        venues.push(store::NewVenue {
            token: web::api::venues::new_venue_token(),
            name: format!("{short}{suffix}"),
            kind,
            address: format!("{short}主街{}号", n % 50 + 1),
            place: Place { area: domain::AreaCode::parse(&village.code)?, grid: None },
            owner_name: None,
            owner_phone: None,
        });
    }
    let venue_ids = db.bulk_insert_venues(&venues).await?;
    let by_village: HashMap<&str, usize> = villages.iter().enumerate().map(|(i, v)| (v.code.as_str(), i)).collect();
    let now = db.now();
    let mut checkins = Vec::with_capacity(people.len());
    for _ in 0..people.len() {
        let p = rng.random_range(0..people.len());
        let home = by_village.get(people[p].place.area.as_str()).copied();
        let v = match home {
            Some(v) if rng.random_bool(0.8) => v,
            _ => rng.random_range(0..venue_ids.len()),
        };
        let t_in = now - rng.random_range(600..21 * 86_400);
        let temperature =
            rng.random_bool(0.5).then(|| domain::Temperature::from_tenths(rng.random_range(358..=372)).ok()).flatten();
        checkins.push(store::BulkCheckin {
            venue_id: venue_ids[v],
            person_id: person_ids[p],
            area_code: villages[v].code.clone(),
            t_in,
            t_out: rng.random_bool(0.7).then(|| t_in + rng.random_range(600..7200)),
            temperature,
        });
    }
    checkins.sort_by_key(|c| c.t_in);
    db.bulk_insert_checkins(&checkins).await?;
    let placed = venue_ids.iter().zip(villages).map(|(id, village)| (*id, village.code.clone())).collect();
    Ok((venues.into_iter().map(|v| v.token).collect(), placed, checkins.len()))
}

fn admin_handle(db: &Db, admin_id: store::Id) -> store::Handle {
    db.handle(store::Actor {
        user_id: admin_id,
        username: "admin".into(),
        role: Role::Admin,
        scope: domain::Scope::of_code_str(CITY).unwrap_or_else(domain::Scope::national),
        remote_addr: None,
    })
}

/// A checkpoint at the highway exit of every county (检测服务站), and this morning's passages
/// there: mostly persons with their ID, every fifth a vehicle, one fever at the first checkpoint.
async fn add_checkpoints_and_passages(
    handle: &store::Handle,
    counties: &[divisions::Division],
    people: &[BulkPerson],
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    const PLACES: &[&str] = &["郑州市", "信阳市", "漯河市", "周口市", "南阳市", "武汉市", "驻马店市区"];
    let mut count = 0;
    for (c, county) in counties.iter().enumerate() {
        let place = Place { area: domain::AreaCode::parse(county.code)?, grid: None };
        let name = format!("{}高速出口检测服务站", county.name);
        let checkpoint = handle.create_checkpoint(store::NewCheckpoint { name, place }).await?;
        for n in 0..20 {
            let subject = if n % 5 == 4 {
                let plate = format!("豫Q{:05}", rng.random_range(0..100_000));
                store::PassageSubject::Vehicle {
                    plate: domain::PlateNumber::parse(&plate)?,
                    occupants: rng.random_range(1..5),
                    cargo: rng.random_bool(0.3).then(|| "蔬菜".to_string()),
                }
            } else {
                let person = &people[rng.random_range(0..people.len())];
                store::PassageSubject::Person {
                    id_number: Some(domain::ResidentId::parse(&person.id_number)?),
                    name: PersonName::parse(&person.name)?,
                    phone: person.phone.as_deref().map(Phone::parse).transpose()?,
                }
            };
            let fever = c == 0 && n == 7;
            let tenths = if fever { 381 } else { rng.random_range(360..372) };
            handle
                .record_passage(store::NewPassage {
                    checkpoint_id: checkpoint.id,
                    direction: if n % 3 == 0 { domain::Direction::Out } else { domain::Direction::In },
                    subject,
                    origin: Some(PLACES[rng.random_range(0..PLACES.len())].to_string()),
                    destination: Some(county.name.to_string()),
                    temperature: Some(domain::Temperature::from_tenths(tenths)?),
                    pass_checked: n % 5 == 4,
                })
                .await?;
            count += 1;
        }
    }
    Ok(count)
}

/// A few residents of the grid worker's own unit under home isolation, some already visited
/// this morning, so the follow-up sheet (一二三工作法) has work on it.
async fn add_home_follow_ups(
    handle: &store::Handle,
    unit: &GridCode,
    people: &[BulkPerson],
    person_ids: &[store::Id],
    taken: &std::collections::HashSet<store::Id>,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let residents = people
        .iter()
        .zip(person_ids)
        .filter(|(p, id)| p.place.grid.as_ref() == Some(unit) && !taken.contains(id))
        .take(4);
    for (n, (_, &person_id)) in residents.enumerate() {
        let record = handle
            .create_key_person(
                store::NewKeyPerson {
                    arrival_risk: None,
                    person_id,
                    class: KeyClass::CloseContact,
                    source: Source::Tracing,
                    cadre_name: Some(PersonName::parse(&name(rng))?),
                    cadre_phone: Some(Phone::parse(&phone(rng))?),
                    reason: "流调判定密切接触者".into(),
                },
                None,
            )
            .await?;
        let home = TransitionRequest {
            to: State { status: Status::HomeObservation, severity: None },
            reason: "密接判定，居家隔离观察".into(),
            measure: None,
            site: None,
        };
        handle.transition_key_person(record.id, home, None).await?;
        if n < 2 {
            handle
                .record_follow_up(store::NewFollowUp {
                    key_person_id: record.id,
                    day: handle.today(),
                    slot: domain::VisitSlot::Morning,
                    temperature: Some(domain::Temperature::from_tenths(rng.random_range(362..370))?),
                    note: "在家，无不适".into(),
                })
                .await?;
        }
    }
    Ok(())
}

/// A telecom push list (通信大数据) as the province sends it: residents of the grid worker's unit
/// and of 驿城区 by ID or by phone, people from elsewhere that nobody here knows, a few repeats.
/// Some leads are verified already, so the list shows its progress and the grid worker has leads
/// left to verify (SPEC §4.8). Returns the list's id and how many leads it raised.
/// Somebody the registry does not know typed a fever at a 驿城区 venue's door: not a fever
/// record (nobody vouched for that identity) but a lead on the district's self-report list.
async fn add_self_reported_fever(db: &Db, tokens: &[String], venues: &[(store::Id, String)]) -> anyhow::Result<()> {
    let Some(token) = venues.iter().zip(tokens).find(|((_, area), _)| area.starts_with("411702")).map(|(_, t)| t)
    else {
        return Ok(());
    };
    let first17 = "42010619920815123";
    let id_number = format!("{first17}{}", domain::check_digit(first17).unwrap_or('0'));
    db.check_in(store::CheckinRequest {
        venue_token: token.clone(),
        id_number: domain::ResidentId::parse(&id_number)?,
        name: domain::PersonName::parse("刘洋")?,
        phone: Some(domain::Phone::parse("13912345678")?),
        temperature: Some(domain::Temperature::parse("38.6")?),
        idempotency: None,
    })
    .await?;
    Ok(())
}

async fn add_telecom_list(
    handle: &store::Handle,
    grid_unit: Option<&GridCode>,
    people: &[BulkPerson],
    person_ids: &[store::Id],
    taken: &std::collections::HashSet<store::Id>,
    rng: &mut StdRng,
) -> anyhow::Result<Option<(store::Id, u64)>> {
    use domain::{Document, ListRow, ResidentId};
    let free = |p: &&(&BulkPerson, &store::Id)| !taken.contains(p.1);
    let all: Vec<(&BulkPerson, &store::Id)> = people.iter().zip(person_ids).collect();
    let in_unit: Vec<&BulkPerson> = match grid_unit {
        Some(unit) => {
            all.iter().filter(free).filter(|p| p.0.place.grid.as_ref() == Some(unit)).map(|p| p.0).take(8).collect()
        }
        None => Vec::new(),
    };
    let in_county: Vec<&BulkPerson> = all
        .iter()
        .filter(free)
        .filter(|p| p.0.place.area.as_str().starts_with("411702") && p.0.phone.is_some())
        .skip(100) // past the outbreak's people
        .take(40)
        .map(|p| p.0)
        .collect();
    if in_county.len() < 10 {
        return Ok(None);
    }
    let row = |id: Option<&str>, name: &str, phone: Option<&str>, address: &str| -> anyhow::Result<ListRow> {
        Ok(ListRow {
            document: id.map(ResidentId::parse).transpose()?.map(Document::Resident),
            name: Some(PersonName::parse(name)?),
            phone: phone.map(Phone::parse).transpose()?,
            area_code: None,
            address: address.to_string(),
        })
    };
    let mut rows = Vec::new();
    for p in &in_unit {
        rows.push(row(Some(&p.id_number), &p.name, p.phone.as_deref(), "驿城区")?);
    }
    for (n, p) in in_county.iter().enumerate() {
        // Half of the county's rows carry only a phone, as telecom lists often do.
        let id = (n % 2 == 0).then_some(p.id_number.as_str());
        rows.push(row(id, &p.name, p.phone.as_deref(), "驿城区")?);
    }
    // Arrivals from 武汉市武昌区 whom nobody here has registered: leads for the district.
    for serial in 0..12u32 {
        let first17 = format!(
            "420106{}{:02}{:02}{:03}",
            rng.random_range(1960..2004),
            rng.random_range(1..13),
            rng.random_range(1..29),
            100 + serial
        );
        let Some(check) = domain::check_digit(&first17) else { continue };
        let mut unknown = row(Some(&format!("{first17}{check}")), &name(rng), Some(&phone(rng)), "驻马店市驿城区")?;
        unknown.area_code = Some("411702".into());
        rows.push(unknown);
    }
    // The same person pushed twice, as lists are.
    let repeats: Vec<ListRow> = rows.iter().take(3).cloned().collect();
    rows.extend(repeats);
    let list = store::NewList {
        kind: domain::ListKind::Telecom,
        name: "3月15日通信大数据推送（武汉来驻返驻）".into(),
        file_name: "3月15日通信大数据推送.xlsx".into(),
        sha256: "d3m0".repeat(16),
        rows: rows.into_iter().enumerate().map(|(i, r)| (i + 3, r)).collect(),
    };
    let (summary, _) = handle.import_list(list).await?;
    // The county's officer has gone through part of it; the grid's own leads are left open.
    let open = handle.leads(store::LeadFilter::OfList(summary.id)).await?;
    let outside_unit = open.iter().filter(|l| grid_unit.is_none_or(|u| !l.area_code.starts_with(u.as_str())));
    for (n, lead) in outside_unit.take(20).enumerate() {
        let (outcome, note) = match n % 4 {
            0 | 1 => (domain::LeadOutcome::NoRisk, "电话核实，近期未离驻"),
            2 => (domain::LeadOutcome::NotInArea, "人在外地，已推送所在地"),
            _ => (domain::LeadOutcome::Unreachable, "电话关机，明日上门"),
        };
        let verify = store::VerifyLead { outcome, note: note.into(), class: None, arrival_risk: None };
        handle.verify_lead(lead.id, verify).await?;
    }
    Ok(Some((summary.id, summary.counts.leads)))
}

/// A confirmed case of 驿城区 with two days of check-ins and people who were there with them,
/// and its investigation opened: the officer finds epidemic points to confirm and contacts to
/// decide (SPEC §4.4). Returns the investigation's id.
async fn add_outbreak(
    handle: &store::Handle,
    db: &Db,
    venues: &[(store::Id, String)],
    people: &[BulkPerson],
    person_ids: &[store::Id],
    taken: &std::collections::HashSet<store::Id>,
) -> anyhow::Result<Option<store::Id>> {
    let local: Vec<store::Id> = people
        .iter()
        .zip(person_ids)
        .filter(|(p, id)| p.place.area.as_str().starts_with("411702") && !taken.contains(id))
        .map(|(_, id)| *id)
        .skip(50)
        .take(20)
        .collect();
    let places: Vec<&(store::Id, String)> =
        venues.iter().filter(|(_, code)| code.starts_with("411702")).take(3).collect();
    let ([case, contacts @ ..], [a, b, c]) = (local.as_slice(), places.as_slice()) else {
        return Ok(None);
    };
    let today = domain::shanghai_date(db.now());
    let day = |back: i64| -> anyhow::Result<i64> {
        Ok(domain::shanghai_day_start(today.checked_sub(jiff::Span::new().days(back))?))
    };
    const H: i64 = 3_600;
    let at = |venue: &(store::Id, String), person: store::Id, t_in: i64, t_out: Option<i64>| store::BulkCheckin {
        venue_id: venue.0,
        person_id: person,
        area_code: venue.1.clone(),
        t_in,
        t_out,
        temperature: None,
    };
    let (d2, d1) = (day(2)?, day(1)?);
    let mut rows = vec![
        // Two hours at the market (a point), from 14:00 at the second place without a check-out
        // and nowhere else that day (capped: a point), forty minutes at the third (not a point).
        at(a, *case, d2 + 10 * H, Some(d2 + 12 * H)),
        at(b, *case, d2 + 14 * H, None),
        at(c, *case, d1 + 9 * H, Some(d1 + 9 * H + 2_400)),
    ];
    for (n, person) in contacts.iter().enumerate() {
        let offset = (n as i64 % 6) * 900;
        rows.push(match n % 3 {
            0 => at(a, *person, d2 + 9 * H + offset, Some(d2 + 10 * H + offset)),
            1 => at(b, *person, d2 + 13 * H + offset, None),
            _ => at(c, *person, d1 + 9 * H + offset, Some(d1 + 10 * H)),
        });
    }
    rows.sort_by_key(|r| r.t_in);
    db.bulk_insert_checkins(&rows).await?;
    let record = handle
        .create_key_person(
            store::NewKeyPerson {
                arrival_risk: None,
                person_id: *case,
                class: KeyClass::Confirmed,
                source: Source::Hospital,
                cadre_name: None,
                cadre_phone: None,
                reason: "发热门诊就诊，核酸检测阳性".into(),
            },
            None,
        )
        .await?;
    let steps = [
        (Status::CentralObservation, None, "发热，集中隔离观察"),
        (Status::Suspected, None, "核酸初筛阳性"),
        (Status::Confirmed, Some(Severity::Mild), "复核阳性，确诊"),
    ];
    for (status, severity, reason) in steps {
        let request =
            TransitionRequest { to: State { status, severity }, reason: reason.into(), measure: None, site: None };
        handle.transition_key_person(record.id, request, None).await?;
    }
    let opened = handle
        .open_investigation(store::NewInvestigation {
            key_person_id: record.id,
            onset: today.yesterday()?,
            isolated_at: d1 + 20 * H,
        })
        .await?;
    Ok(Some(opened.id))
}
