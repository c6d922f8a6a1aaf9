//! `fangkong bench lists`: a big-data comparison list of `--rows` rows against a city of
//! `--persons` persons, from the file to the leads committed (read, normalise, check every row,
//! match ID > phone > name + county, write leads in one transaction), with the peak resident
//! memory of that import; beside it DuckDB (PyPI `duckdb`) does the same normalise and
//! three-step match on the same files, and the match counts are compared.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use store::{Db, PersonKey};

pub async fn run(rows: usize, persons: usize, postgres: Option<String>) -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        bail!("unset DATABASE_URL: bench lists builds its own databases (use --postgres URL)");
    }
    let work = std::env::temp_dir().join(format!("fangkong-bench-lists-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let db = Db::open(crate::open_backend(&work).await?, store::system_clock()).await?;
    let city = crate::demo::build_into(db, persons, 13).await?;
    let everyone = all_persons(&city.db).await?;
    let list = work.join("list.csv");
    let people = work.join("persons.csv");
    write_files(&everyone, rows, &list, &people)?;
    drop(city);
    // The city just built is hundreds of megabytes still being written back; the import is
    // timed on a settled disk, not behind that write-back.
    settle_disk();
    let ours = measure(&work, None, &list, "sqlite", everyone.len())?;
    duckdb(&work, &list, &people, &ours)?;
    if let Some(server) = postgres {
        let url = crate::ingest::fresh_postgres(&server, "fk_bench_lists")?;
        let db = Db::open(std::sync::Arc::new(store_postgres::connect(&url).await?), store::system_clock()).await?;
        drop(crate::demo::build_into(db, persons, 13).await?);
        settle_disk();
        measure(&work, Some(&url), &list, "postgres", everyone.len())?;
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// Flushes every dirty page to disk (`sync`), so that what comes next is not timed behind it.
fn settle_disk() {
    if let Err(err) = Command::new("sync").status() {
        tracing::warn!(%err, "sync failed; timing without it");
    }
}

async fn all_persons(db: &Db) -> anyhow::Result<Vec<PersonKey>> {
    let admin = crate::import::handle_of(db, "admin").await?;
    let mut everyone = Vec::new();
    let mut after = store::PersonId::new(0);
    loop {
        let page = admin.persons_after(after, 100_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        everyone.extend(page);
    }
    Ok(everyone)
}

fn full_width(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }).collect()
}

/// Writes the list as offices send it (a title row, the header, mixed spellings) and the persons
/// as DuckDB's side reads them. The list: 55 % found by ID (a third in full-width digits, some
/// as 15-digit first-generation numbers), 15 % by a phone one person holds (+86, dashes), 10 % by
/// name and county (the county named in the address), 15 % nobody, 5 % repeats of earlier rows.
fn write_files(everyone: &[PersonKey], rows: usize, list: &Path, people: &Path) -> anyhow::Result<()> {
    let county_name = |code: &str| divisions::get(&code[..6]).map(|d| d.name).unwrap_or("");
    let mut phone_count: HashMap<&str, u32> = HashMap::new();
    let mut name_count: HashMap<(&str, &str), u32> = HashMap::new();
    for p in everyone {
        if let Some(phone) = p.phone.as_deref() {
            *phone_count.entry(phone).or_default() += 1;
        }
        *name_count.entry((p.name.as_str(), &p.area_code[..6])).or_default() += 1;
    }
    let by_phone: Vec<&PersonKey> =
        everyone.iter().filter(|p| p.phone.as_deref().is_some_and(|ph| phone_count[ph] == 1)).collect();
    let by_name: Vec<&PersonKey> =
        everyone.iter().filter(|p| name_count[&(p.name.as_str(), &p.area_code[..6])] == 1).collect();
    if everyone.is_empty() || by_phone.is_empty() || by_name.is_empty() {
        bail!("the city is too small for a list");
    }
    let mut rng = StdRng::seed_from_u64(42);
    let mut out = std::io::BufWriter::new(std::fs::File::create(list)?);
    writeln!(out, "驻马店市大数据比对名单（基准测试）,,,,")?;
    writeln!(out, "序号,姓名,身份证号码,手机号码,现住址")?;
    let mut written: Vec<String> = Vec::with_capacity(rows);
    for n in 0..rows {
        let r: f64 = rng.random();
        let line = if r < 0.55 {
            let p = &everyone[rng.random_range(0..everyone.len())];
            let id = match rng.random_range(0..10) {
                0..=2 => full_width(&p.id_number),
                3 if &p.id_number[6..8] == "19" => format!("{}{}", &p.id_number[..6], &p.id_number[8..17]),
                _ => p.id_number.clone(),
            };
            format!("{},{},{id},,{}", n + 1, p.name, county_name(&p.area_code))
        } else if r < 0.70 {
            let p = by_phone[rng.random_range(0..by_phone.len())];
            let phone = p.phone.as_deref().unwrap_or_default();
            let phone = if rng.random_bool(0.5) {
                format!("+86 {}-{}-{}", &phone[..3], &phone[3..7], &phone[7..])
            } else {
                phone.to_string()
            };
            format!("{},{},,{phone},", n + 1, p.name)
        } else if r < 0.80 {
            let p = by_name[rng.random_range(0..by_name.len())];
            format!("{},{},,,河南省驻马店市{}某某路{}号", n + 1, p.name, county_name(&p.area_code), n % 200)
        } else if r < 0.95 || written.is_empty() {
            // Born 1901–1909: nobody in the demo city. Valid, so the row is read and stays
            // unmatched; 3 M distinct numbers, so repeats are only the planted ones.
            let (serial, day, month, year) =
                (n % 1000, (n / 1000) % 28 + 1, (n / 28_000) % 12 + 1, 1901 + (n / 336_000) % 9);
            let first = format!("411702{year}{month:02}{day:02}{serial:03}");
            let check = domain::check_digit(&first).unwrap_or('0');
            format!("{},外来人员,{first}{check},,河南省驻马店市驿城区", n + 1)
        } else {
            written[rng.random_range(0..written.len())].clone()
        };
        writeln!(out, "{line}")?;
        written.push(line);
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(people)?);
    writeln!(out, "id,id_number,name,phone,area_code")?;
    for p in everyone {
        writeln!(out, "{},{},{},{},{}", p.id, p.id_number, p.name, p.phone.as_deref().unwrap_or(""), p.area_code)?;
    }
    out.flush()?;
    Ok(())
}

/// Runs `fangkong import --kind list` on the file as its own process (what an operator runs),
/// timing it from start to exit and sampling its peak resident memory (VmHWM) until it ends.
fn measure(
    data_dir: &Path,
    database_url: Option<&str>,
    list: &Path,
    engine: &str,
    persons: usize,
) -> anyhow::Result<Value> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command
        .args(["import", "--kind", "list", "--as", "admin", "--list-kind", "other", "--name", "bench", "--data-dir"])
        .arg(data_dir)
        .arg(list)
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let started = Instant::now();
    let mut child = command.spawn().context("starting fangkong import")?;
    let pid = child.id();
    let mut peak: f64 = 0.0;
    let status = loop {
        peak = peak.max(crate::ingest::peak_rss_mib(pid));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let seconds = started.elapsed().as_secs_f64();
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !status.success() {
        bail!("fangkong import failed: {stderr}");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result: Value = serde_json::from_str(stdout.trim()).with_context(|| format!("import printed {stdout}"))?;
    let phases: Vec<String> = stderr
        .lines()
        .map(strip_ansi)
        .filter(|l| l.contains("seconds="))
        .map(|l| l.split_once(" INFO ").map(|(_, rest)| rest.trim().to_string()).unwrap_or(l))
        .collect();
    let rows = result["rows"].as_u64().unwrap_or(0);
    let line = json!({
        "bench": "list_comparison",
        "engine": engine,
        "rows": rows,
        "persons": persons,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "read_check_index_seconds": result["prepared_seconds"],
        "rows_per_s": (rows as f64 / seconds).round(),
        "peak_rss_mib": (peak * 10.0).round() / 10.0,
        "duplicates": result["duplicates"],
        "matches": result["matches"],
        "already_key_persons": result["already_key_persons"],
        "leads": result["leads"],
        "phases": phases,
    });
    println!("{line}");
    Ok(line)
}

/// A log line without its terminal colours.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn duckdb(work: &Path, list: &Path, people: &Path, ours: &Value) -> anyhow::Result<()> {
    let counties: Vec<Value> =
        divisions::counties_of("411700").iter().map(|d| json!({"name": d.name, "code": d.code})).collect();
    let spec = work.join("lists.json");
    std::fs::write(&spec, json!({"counties": counties, "ours": ours}).to_string())?;
    crate::bench::run_python(work, "lists_duckdb.py", DUCKDB_SCRIPT, &[list, people, &spec])
}

const DUCKDB_SCRIPT: &str = r#"
import json, sys, time
import duckdb

list_csv, persons_csv, spec_path = sys.argv[1], sys.argv[2], sys.argv[3]
spec = json.load(open(spec_path))
con = duckdb.connect()
started = time.time()
con.execute(f"CREATE TABLE p AS SELECT * FROM read_csv('{persons_csv}', header = true, all_varchar = true)")
con.execute(f"""CREATE TABLE l AS SELECT * FROM read_csv('{list_csv}', skip = 1, header = true, all_varchar = true,
    columns = {{'no': 'VARCHAR', 'name': 'VARCHAR', 'id': 'VARCHAR', 'phone': 'VARCHAR', 'address': 'VARCHAR'}})""")
load_s = time.time() - started
con.execute("CREATE TABLE counties (name VARCHAR, code VARCHAR)")
con.executemany("INSERT INTO counties VALUES (?, ?)", [(c["name"], c["code"]) for c in spec["counties"]])
alternation = "|".join(c["name"] for c in spec["counties"])
con.execute("""CREATE MACRO fold(s) AS upper(regexp_replace(translate(coalesce(s, ''), '０１２３４５６７８９Ｘｘ', '0123456789XX'), '\\s', '', 'g'))""")
con.execute("""CREATE MACRO id17(s) AS left(s, 6) || '19' || substr(s, 7)""")
con.execute("""CREATE MACRO id18(s) AS CASE WHEN length(s) = 15 THEN id17(s) || substr('10X98765432', 1 + (list_sum(list_transform(range(17),
    lambda i: (ascii(substr(id17(s), i + 1, 1)) - 48) * [7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2][i + 1])) % 11)::INTEGER, 1) ELSE s END""")
con.execute("""CREATE MACRO digits(s) AS regexp_replace(coalesce(s, ''), '[^0-9]', '', 'g')""")
con.execute("""CREATE MACRO mobile(s) AS CASE WHEN length(digits(s)) = 13 AND starts_with(digits(s), '86') THEN substr(digits(s), 3)
    ELSE nullif(digits(s), '') END""")
con.execute(f"""CREATE TABLE n AS SELECT row_number() OVER () AS row_no, nullif(id18(fold(l.id)), '') AS doc, mobile(l.phone) AS phone,
    nullif(trim(l.name), '') AS name, c.code AS county
    FROM l LEFT JOIN counties c ON c.name = nullif(regexp_extract(coalesce(l.address, ''), '({alternation})'), '')""")
con.execute("CREATE TABLE pid AS SELECT id_number AS doc, id FROM p")
con.execute("CREATE TABLE pph AS SELECT phone, min(id) AS id FROM p WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) = 1")
con.execute("CREATE TABLE pna AS SELECT name, left(area_code, 6) AS county, min(id) AS id FROM p GROUP BY 1, 2 HAVING count(*) = 1")
con.execute("""CREATE TABLE m AS SELECT n.*, coalesce(a.id, b.id, c.id) AS person,
    CASE WHEN a.id IS NOT NULL THEN 'id_number' WHEN b.id IS NOT NULL THEN 'phone' WHEN c.id IS NOT NULL THEN 'name_area' ELSE 'unmatched' END AS kind
    FROM n LEFT JOIN pid a ON a.doc = n.doc
    LEFT JOIN pph b ON a.id IS NULL AND b.phone = n.phone
    LEFT JOIN pna c ON a.id IS NULL AND b.id IS NULL AND c.name = n.name AND c.county = n.county""")
con.execute("""CREATE TABLE leads AS SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY CASE WHEN person IS NOT NULL THEN 'P' || person WHEN doc IS NOT NULL THEN 'd:' || doc
        WHEN phone IS NOT NULL THEN 'p:' || phone ELSE 'n:' || coalesce(name, '') || '|' || coalesce(county, '') END ORDER BY row_no) AS k
    FROM m) WHERE k = 1""")
seconds = time.time() - started
kinds = dict(con.execute("SELECT kind, count(*) FROM leads GROUP BY kind").fetchall())
rows = con.execute("SELECT count(*) FROM n").fetchone()[0]
distinct = con.execute("SELECT count(*) FROM leads").fetchone()[0]
matches = {k: kinds.get(k, 0) for k in ("id_number", "phone", "name_area", "unmatched")}
ours = spec["ours"]
print(json.dumps({"bench": "list_comparison", "engine": "duckdb_memory", "duckdb": duckdb.__version__, "rows": rows,
                  "seconds": round(seconds, 3), "load_seconds": round(load_s, 3), "duplicates": rows - distinct,
                  "matches": matches, "same_matches_as_fangkong": matches == ours["matches"] and rows - distinct == ours["duplicates"],
                  "note": "normalise + match + dedupe only: no per-row validation, nothing durable"}))
"#;
