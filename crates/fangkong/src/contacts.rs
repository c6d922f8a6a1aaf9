//! `fangkong bench contacts`: close-contact detection for one case against a city's check-ins,
//! on SQLite and PostgreSQL through the real code path (`Handle::detect_contacts`), and the same
//! rule as one SQL query in DuckDB (PyPI `duckdb`) on the same rows, exported here to CSV and
//! Parquet. One JSON line per engine; DuckDB's answers are checked against ours.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use domain::{KeyClass, Role, Scope, Source, State, Status};
use serde_json::{Value, json};
use store::{Actor, Db, NewInvestigation, NewKeyPerson, TransitionRequest};

use crate::bench::percentile;

/// Timed runs per case after a warm-up run.
const RUNS: usize = 5;

/// A case under investigation and what detection found.
struct Case {
    person_id: i64,
    investigation_id: i64,
    window_from: i64,
    window_to: i64,
    points: usize,
    candidates: usize,
}

pub async fn run(
    checkins: usize,
    persons: usize,
    cases: usize,
    postgres: Option<String>,
    postgres_only: bool,
) -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        bail!("unset DATABASE_URL: bench contacts builds its own databases (use --postgres URL)");
    }
    let work = std::env::temp_dir().join(format!("fangkong-bench-contacts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    // One frozen "now" for both databases: the exposure windows start at Shanghai midnights, so
    // two runs a few minutes apart would cut the same rows differently.
    let frozen = jiff::Timestamp::now().as_second();
    let clock: store::Clock = Arc::new(move || frozen);
    // SQLite's answers are the reference; with --postgres-only the first PostgreSQL layout's are.
    let mut ours = Vec::new();
    if !postgres_only {
        let db = Db::open(crate::open_backend(&work).await?, clock.clone()).await?;
        let city = crate::demo::build_into(db, persons, 7).await?;
        crate::bench::fill(&city, checkins).await?;
        ours = measure(&city.db, &city.person_ids, cases, "sqlite").await?;
        let csv = work.join("checkins.csv");
        export_csv(&city.db, &csv).await?;
        duckdb(&work, &csv, &ours)?;
    }
    if let Some(server) = postgres {
        // Partitioned (what `serve` runs) and plain, on the same generated city.
        for (layout, name, database) in [
            (store_postgres::Layout::Partitioned, "postgres", "fk_bench_contacts"),
            (store_postgres::Layout::Plain, "postgres_plain", "fk_bench_contacts_plain"),
        ] {
            let url = crate::ingest::fresh_postgres(&server, database)?;
            let db = Db::open(Arc::new(store_postgres::connect_with(&url, layout).await?), clock.clone()).await?;
            let city = crate::demo::build_into(db, persons, 7).await?;
            crate::bench::fill(&city, checkins).await?;
            let pg = measure(&city.db, &city.person_ids, cases, name).await?;
            if ours.is_empty() {
                ours = pg;
                continue;
            }
            let same = pg.iter().zip(&ours).all(|(a, b)| (a.points, a.candidates) == (b.points, b.candidates));
            let reference = if postgres_only { "postgres" } else { "sqlite" };
            println!(
                "{}",
                json!({"bench": "close_contacts_agreement", "target": name, "same_as": reference, "same": same})
            );
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// Opens investigations for `cases` persons (confirmed today, isolated now) and times detection.
async fn measure(db: &Db, person_ids: &[store::PersonId], cases: usize, backend: &str) -> anyhow::Result<Vec<Case>> {
    let scope = Scope::of_code_str("411700").context("scope")?;
    let user_id = db
        .create_user(store::NewUser {
            username: "bench-investigator".into(),
            display_name: "bench".into(),
            password_hash: "not-a-hash".into(),
            role: Role::Admin,
            area_code: "411700".into(),
        })
        .await?;
    let handle = db.handle(Actor {
        user_id,
        username: "bench-investigator".into(),
        role: Role::Admin,
        scope,
        remote_addr: None,
    });
    let now = db.now();
    let today = domain::shanghai_date(now);
    let mut chosen = Vec::new();
    let step = (person_ids.len() / (cases * 3).max(1)).max(1);
    for person_id in person_ids.iter().step_by(step).copied() {
        if chosen.len() == cases {
            break;
        }
        let record = NewKeyPerson {
            arrival_risk: None,
            person_id: domain::PersonId::new(person_id.get()),
            class: KeyClass::Confirmed,
            source: Source::Report,
            cadre_name: None,
            cadre_phone: None,
            reason: "bench".into(),
        };
        // A person who already has an open record (the demo's key persons) is skipped.
        let Ok(record) = handle.create_key_person(record, None).await else { continue };
        for status in [Status::CentralObservation, Status::Suspected] {
            let step = TransitionRequest {
                to: State { status, severity: None },
                reason: "bench".into(),
                measure: None,
                site: None,
            };
            handle.transition_key_person(record.id, step, None).await?;
        }
        let opened = handle
            .open_investigation(NewInvestigation { key_person_id: record.id, onset: today, isolated_at: now })
            .await?;
        let window = db.tracing().exposure_window(today, now);
        chosen.push(Case {
            person_id: person_id.get(),
            investigation_id: opened.id.get(),
            window_from: window.from,
            window_to: window.to,
            points: 0,
            candidates: 0,
        });
    }
    let mut times: Vec<Duration> = Vec::new();
    for case in &mut chosen {
        let found = handle.detect_contacts(domain::InvestigationId::new(case.investigation_id)).await?;
        case.points = found.len();
        case.candidates = found.iter().map(|(_, o)| o.len()).sum();
        for _ in 0..RUNS {
            let started = Instant::now();
            handle.detect_contacts(domain::InvestigationId::new(case.investigation_id)).await?;
            times.push(started.elapsed());
        }
    }
    times.sort();
    let n = chosen.len().max(1) as f64;
    println!(
        "{}",
        json!({
            "bench": "close_contacts",
            "engine": backend,
            "checkins": db.checkins_footprint().await?.rows,
            "cases": chosen.len(),
            "runs": times.len(),
            "p50_ms": percentile(&times, 50.0),
            "p99_ms": percentile(&times, 99.0),
            "max_ms": percentile(&times, 100.0),
            "points_per_case": chosen.iter().map(|c| c.points).sum::<usize>() as f64 / n,
            "candidates_per_case": chosen.iter().map(|c| c.candidates).sum::<usize>() as f64 / n,
        })
    );
    Ok(chosen)
}

async fn export_csv(db: &Db, path: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "id,person_id,venue_id,t_in,t_out")?;
    let mut after = store::CheckinId::new(0);
    let mut rows = 0u64;
    loop {
        let page = db.checkins_after(after, 200_000).await?;
        let Some(last) = page.last() else { break };
        after = last.checkin_id;
        for v in &page {
            match v.t_out {
                Some(out_at) => writeln!(out, "{},{},{},{},{}", v.checkin_id, v.person_id, v.venue_id, v.t_in, out_at)?,
                None => writeln!(out, "{},{},{},{},", v.checkin_id, v.person_id, v.venue_id, v.t_in)?,
            }
        }
        rows += page.len() as u64;
    }
    out.flush()?;
    println!(
        "{}",
        json!({"bench": "checkins_export", "rows": rows, "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0})
    );
    Ok(())
}

/// The DuckDB side: the same rule as one query, over an in-memory table and over Parquet.
fn duckdb(work: &Path, csv: &Path, cases: &[Case]) -> anyhow::Result<()> {
    let rule = domain::TracingRule::default();
    let cases_json: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"person": c.person_id, "from": c.window_from, "to": c.window_to,
                   "points": c.points, "candidates": c.candidates})
        })
        .collect();
    let cases_file = work.join("cases.json");
    std::fs::write(
        &cases_file,
        json!({"cases": cases_json, "runs": RUNS, "max_stay": rule.max_stay_seconds, "overlap": rule.overlap_seconds,
               "min_stay": rule.min_stay_seconds, "longest": domain::LONGEST_STAY})
        .to_string(),
    )?;
    let parquet = work.join("checkins.parquet");
    crate::bench::run_python(work, "contacts_duckdb.py", DUCKDB_SCRIPT, &[csv, &parquet, &cases_file])
}

const DUCKDB_SCRIPT: &str = r#"
import json, sys, time
import duckdb

csv, parquet, cases_path = sys.argv[1], sys.argv[2], sys.argv[3]
spec = json.load(open(cases_path))
con = duckdb.connect()
started = time.time()
con.execute(f"""CREATE TABLE c AS SELECT * FROM read_csv('{csv}', header = true,
    columns = {{'id': 'BIGINT', 'person_id': 'BIGINT', 'venue_id': 'BIGINT', 't_in': 'BIGINT', 't_out': 'BIGINT'}})""")
load_s = time.time() - started
con.execute(f"COPY c TO '{parquet}' (FORMAT parquet)")

QUERY = """
WITH cv AS (
  SELECT id, venue_id, t_in, t_out FROM {src}
  WHERE person_id = $case AND t_in >= $from - $longest AND t_in < $to + $max),
cs AS (
  SELECT a.id, a.venue_id, a.t_in AS s_from,
    CASE WHEN a.t_out IS NOT NULL THEN (CASE WHEN a.t_out > a.t_in THEN LEAST(a.t_out, a.t_in + $longest) ELSE a.t_in END)
         ELSE LEAST(a.t_in + $max, COALESCE((SELECT MIN(b.t_in) FROM cv b WHERE b.t_in > a.t_in AND b.venue_id <> a.venue_id), a.t_in + $max))
    END AS s_to
  FROM cv a),
pts AS (
  SELECT id, venue_id, GREATEST(s_from, $from) AS p_from, LEAST(s_to, $to) AS p_to FROM cs
  WHERE LEAST(s_to, $to) - GREATEST(s_from, $from) > $min),
near AS (
  SELECT c.id, c.person_id, c.venue_id, c.t_in, c.t_out, p.id AS point, p.p_from, p.p_to
  FROM {src} c JOIN pts p ON c.venue_id = p.venue_id
  WHERE c.t_in > p.p_from - $overlap - $longest AND c.t_in < p.p_to + $overlap AND c.person_id <> $case),
their AS (
  SELECT c.person_id, c.venue_id, c.t_in FROM {src} c
  WHERE c.person_id IN (SELECT person_id FROM near)
    AND c.t_in > (SELECT MIN(p_from) FROM pts) - $overlap - $longest
    AND c.t_in < (SELECT MAX(p_to) FROM pts) + $overlap + $max),
stays AS (
  SELECT n.point, n.person_id, n.p_from, n.p_to, n.t_in AS s_from,
    CASE WHEN n.t_out IS NOT NULL THEN (CASE WHEN n.t_out > n.t_in THEN LEAST(n.t_out, n.t_in + $longest) ELSE n.t_in END)
         ELSE LEAST(n.t_in + $max, COALESCE((SELECT MIN(t.t_in) FROM their t
              WHERE t.person_id = n.person_id AND t.t_in > n.t_in AND t.venue_id <> n.venue_id), n.t_in + $max))
    END AS s_to
  FROM near n)
SELECT (SELECT count(*) FROM pts) AS points,
       (SELECT count(*) FROM stays WHERE GREATEST(s_from, p_from - $overlap) < LEAST(s_to, p_to + $overlap)) AS candidates
"""

for engine, src in (("duckdb_memory", "c"), ("duckdb_parquet", f"read_parquet('{parquet}')")):
    times, agree = [], 0
    for case in spec["cases"]:
        params = {"case": case["person"], "from": case["from"], "to": case["to"], "max": spec["max_stay"],
                  "overlap": spec["overlap"], "min": spec["min_stay"], "longest": spec["longest"]}
        q = QUERY.format(src=src)
        points, candidates = con.execute(q, params).fetchone()
        agree += int((points, candidates) == (case["points"], case["candidates"]))
        for _ in range(spec["runs"]):
            t = time.perf_counter()
            con.execute(q, params).fetchone()
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    pick = lambda p: times[min(len(times) - 1, max(0, -(-len(times) * p // 100) - 1))]
    print(json.dumps({"bench": "close_contacts", "engine": engine, "duckdb": duckdb.__version__,
                      "cases": len(spec["cases"]), "runs": len(times), "p50_ms": round(pick(50), 3),
                      "p99_ms": round(pick(99), 3), "max_ms": round(times[-1], 3),
                      "same_answer_as_fangkong": f"{agree}/{len(spec['cases'])}",
                      "csv_load_s": round(load_s, 1)}))
"#;
