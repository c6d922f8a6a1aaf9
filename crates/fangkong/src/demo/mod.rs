//! `fangkong demo`: a synthetic city on real division codes (驻马店市, 411700): four-level grids,
//! households, about N persons, and key persons in every status with histories that obey the
//! status rules (each is planned by the same code the server uses).

mod checkins;
mod checkpoints;
mod follow_ups;
mod investigations;
mod key_persons;
mod lists;
mod users;

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant as Clock;

use anyhow::{Context, bail};
use domain::{GridCode, PersonName, Phone, Role};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use store::{BulkPerson, Db, NewGrid, NewGridWorker, NewHousehold, Place};

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
    pub venues: Vec<(store::VenueId, String)>,
    /// The id of every person, in the order of `people`.
    pub person_ids: Vec<store::PersonId>,
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
            let Some(compound) = u32::try_from(c).ok().and_then(|c| village_grid.child(c)) else {
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
                let Some(unit) = u32::try_from(u).ok().and_then(|u| compound.child(u)) else {
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
        checkins::venues_and_checkins(&db, &villages, &people, &person_ids, &mut rng).await?;
    let venue_count = venue_tokens.len();
    let admin = users::add_users(&db, &villages).await?;
    let key_persons = key_persons::key_persons(&db, &people, &person_ids, admin.clone(), &mut rng)?;
    db.bulk_insert_key_persons(&key_persons).await?;
    let handle = admin_handle(&db, admin.0);
    let passage_count = checkpoints::add_checkpoints_and_passages(&handle, &counties, &people, &mut rng).await?;
    let grid_unit = villages.first().and_then(|v| v.units.first()).cloned();
    let taken: std::collections::HashSet<store::PersonId> = key_persons.iter().map(|k| k.person_id).collect();
    if let Some(unit) = &grid_unit {
        follow_ups::add_home_follow_ups(&handle, unit, &people, &person_ids, &taken, &mut rng).await?;
    }
    let outbreak = investigations::add_outbreak(&handle, &db, &venues, &people, &person_ids, &taken).await?;
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
    let list = lists::add_telecom_list(&district, grid_unit.as_ref(), &people, &person_ids, &taken, &mut rng).await?;
    lists::add_self_reported_fever(&db, &venue_tokens, &venues).await?;
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

fn admin_handle(db: &Db, admin_id: store::UserId) -> store::Handle {
    db.handle(store::Actor {
        user_id: admin_id,
        username: "admin".into(),
        role: Role::Admin,
        scope: domain::Scope::of_code_str(CITY).unwrap_or_else(domain::Scope::national),
        remote_addr: None,
    })
}
