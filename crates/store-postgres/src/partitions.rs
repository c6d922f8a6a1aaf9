//! The partitioned layout of the large tables (issue 16). Each is split by county — a range of
//! `area_code` (collation "C"), so county 411702 holds ['411702', '411703') — the column a
//! distributed deployment shards on; check-ins are split again by week of `t_in`, so that
//! retention drops whole weeks instead of deleting rows. The trail, read by person, is split by
//! week only (`checkin_trail_w<start>`). A catch-all partition (`…_rest`)
//! at each level takes rows no partition was made for yet; preparing moves them out when it
//! makes their partition, so no row is ever refused.
//!
//! Names say what a partition holds: `checkins_c411702` is a county, `checkins_c411702_w<start>`
//! a week of it starting at `<start>` (Unix seconds, a multiple of `WEEK`).
//!
//! A county of check-ins may live on another server as a foreign table (postgres_fdw,
//! `shard.rs`). PostgreSQL allows no unique index and no foreign key over a foreign partition, so
//! the check-in tables keep their keys on each local leaf instead of on the parent, and check-ins
//! have no foreign keys (their venues and persons are never deleted).
//!
//! The layout is made here rather than in a migration because it depends on the data (which
//! counties) and on the clock (which weeks), and because the benchmarks build the plain layout
//! beside it from the same migrations.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use store::{Instant, Result};
use store_sql::fail;

/// The span of one check-in partition.
pub const WEEK: Instant = 7 * 86_400;
/// At most this many weeks are made in one go (a clock far from the data's would make years).
const MAX_WEEKS: usize = 60;
/// Partition changes wait this long for a lock, then give up until the next run rather than
/// stall the requests queued behind them (they queue behind a waiting lock, too).
const LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '1s'";
const ADVISORY_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('fangkong partitions'))";

/// How the large tables are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One table each, as the migrations make them (the benchmarks' baseline).
    Plain,
    /// By county, check-ins by week within it, the trail by week.
    Partitioned,
}

/// One partitioned table.
struct Spec {
    table: &'static str,
    /// Split by county (a range of `area_code`); such a table may have a foreign county.
    by_county: bool,
    /// Split by week of `t_in` (within each county where it is split by county too).
    weekly: bool,
    /// Its `id` comes from a sequence (identity columns are not allowed on a partitioned table
    /// before PostgreSQL 17).
    serial: bool,
    /// Unique keys of the parent, the primary key first; each holds the partition keys.
    parent_keys: &'static [&'static str],
    /// The primary key of each leaf, where the parent can have none (one with a foreign county).
    leaf_key: Option<&'static str>,
    /// Indexes the plain table had as its primary key and the partitioned one still needs.
    extra_indexes: &'static [&'static str],
}

const SPECS: &[Spec] = &[
    Spec {
        table: "checkins",
        by_county: true,
        weekly: true,
        serial: true,
        parent_keys: &[],
        leaf_key: None,
        // A receipt replayed by id, the trail's catch-up above the watermark, exports by id.
        extra_indexes: &["CREATE INDEX checkins_id ON checkins (id)"],
    },
    Spec {
        table: "checkin_trail",
        // By week only: the trail is read by person, and split by county each person's rows
        // would lie in every county's partitions (measured: 20 persons' trail over 34
        // partitions took 2 ms to plan and 1.8 ms to read; BENCHMARKS.md).
        by_county: false,
        weekly: true,
        serial: false,
        parent_keys: &["person_id, t_in, id"],
        leaf_key: None,
        extra_indexes: &[],
    },
    Spec {
        table: "passages",
        by_county: true,
        weekly: false,
        serial: true,
        parent_keys: &["id, area_code"],
        leaf_key: None,
        extra_indexes: &[],
    },
    Spec {
        table: "leads",
        by_county: true,
        weekly: false,
        serial: true,
        parent_keys: &["id, area_code"],
        leaf_key: None,
        extra_indexes: &[],
    },
    Spec {
        table: "audit",
        by_county: true,
        weekly: false,
        serial: true,
        parent_keys: &["id, area_code"],
        leaf_key: None,
        extra_indexes: &[],
    },
    Spec {
        table: "follow_ups",
        by_county: true,
        weekly: false,
        serial: true,
        // The visit's key with the area added: a repeated submission is still the same visit.
        parent_keys: &["id, area_code", "key_person_id, day, slot, area_code"],
        leaf_key: None,
        extra_indexes: &[],
    },
];

/// The tables a county shard holds (`shard.rs`); the trail, split by week only, stays here.
pub(crate) const SHARDED: &[&str] = &["checkins"];

pub(crate) async fn run(conn: &mut PgConnection, sql: String) -> Result<u64> {
    let done = sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await.map_err(fail)?;
    Ok(done.rows_affected())
}

/// Whether `table` is already partitioned.
async fn is_partitioned(conn: &mut PgConnection, table: &str) -> Result<bool> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT c.relkind::text FROM pg_class c WHERE c.oid = to_regclass($1)")
            .bind(table)
            .fetch_optional(&mut *conn)
            .await
            .map_err(fail)?;
    Ok(kind.as_deref() == Some("p"))
}

/// A county code's partition bounds: [county, county + 1) as text.
pub(crate) fn county_bounds(county: &str) -> Option<(String, String)> {
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = county.parse().ok()?;
    (n < 999_999).then(|| (county.to_string(), format!("{:06}", n + 1)))
}

/// The week starts covering [from, to], the latest `MAX_WEEKS` of them.
fn weeks(from: Instant, to: Instant) -> Vec<Instant> {
    let first = from.div_euclid(WEEK) * WEEK;
    let last = to.max(from).div_euclid(WEEK) * WEEK;
    let all: Vec<Instant> = (0..).map(|n| first + n * WEEK).take_while(|w| *w <= last).collect();
    all[all.len().saturating_sub(MAX_WEEKS)..].to_vec()
}

/// A county partition as it stands.
#[derive(Default)]
struct County {
    foreign: bool,
    weeks: BTreeSet<Instant>,
}

/// The county partitions of `table` and their weeks.
async fn counties_of(conn: &mut PgConnection, table: &str) -> Result<BTreeMap<String, County>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.relid::regclass::text, coalesce(t.parentrelid::regclass::text, ''), c.relkind::text \
         FROM pg_partition_tree(to_regclass($1)) t JOIN pg_class c ON c.oid = t.relid WHERE t.level > 0",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(fail)?;
    let mut counties: BTreeMap<String, County> = BTreeMap::new();
    let county_prefix = format!("{table}_c");
    for (name, parent, kind) in rows {
        let Some(rest) = name.strip_prefix(&county_prefix) else { continue };
        match rest.split_once("_w") {
            None if parent == table && county_bounds(rest).is_some() => {
                counties.entry(rest.to_string()).or_default().foreign = kind == "f";
            }
            Some((county, week)) => {
                if let Ok(week) = week.parse::<Instant>() {
                    counties.entry(county.to_string()).or_default().weeks.insert(week);
                }
            }
            None => {}
        }
    }
    Ok(counties)
}

/// The weeks directly under `parent` (a table split by week only, or a county partition).
async fn weeks_of(conn: &mut PgConnection, parent: &str) -> Result<BTreeSet<Instant>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass($1)",
    )
    .bind(parent)
    .fetch_all(&mut *conn)
    .await
    .map_err(fail)?;
    let prefix = format!("{parent}_w");
    Ok(names.iter().filter_map(|n| n.strip_prefix(&prefix)?.parse().ok()).collect())
}

/// Counties the deployment has places in: grids, venues, checkpoints.
async fn place_counties(conn: &mut PgConnection) -> Result<BTreeSet<String>> {
    let found: Vec<String> = sqlx::query_scalar(
        "SELECT substr(code, 1, 6) FROM grids UNION SELECT substr(area_code, 1, 6) FROM venues \
         UNION SELECT substr(area_code, 1, 6) FROM checkpoints",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(fail)?;
    Ok(found.into_iter().filter(|c| county_bounds(c).is_some()).collect())
}

/// Counties of the rows in `source` (a catch-all partition, or a plain table being converted).
async fn row_counties(conn: &mut PgConnection, source: &str) -> Result<BTreeSet<String>> {
    let found: Vec<String> =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT DISTINCT substr(area_code, 1, 6) FROM {source}")))
            .fetch_all(&mut *conn)
            .await
            .map_err(fail)?;
    Ok(found.into_iter().filter(|c| county_bounds(c).is_some()).collect())
}

async fn add_leaf_key(conn: &mut PgConnection, spec: &Spec, leaf: &str) -> Result<()> {
    if let Some(key) = spec.leaf_key {
        run(conn, format!("ALTER TABLE {leaf} ADD PRIMARY KEY ({key})")).await?;
    }
    Ok(())
}

/// Makes `county`'s partition of `spec`'s table (with `weeks` in it for a weekly table), moves
/// its rows out of the catch-all and attaches it. Attaching, unlike creating a partition in
/// place, leaves the parent open to reads and writes of other partitions meanwhile.
async fn create_county(conn: &mut PgConnection, spec: &Spec, county: &str, weeks: &[Instant]) -> Result<u64> {
    let Some((low, high)) = county_bounds(county) else { return Ok(0) };
    let table = spec.table;
    let name = format!("{table}_c{county}");
    let mut created = 1;
    if spec.weekly {
        run(conn, format!("CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS) PARTITION BY RANGE (t_in)")).await?;
        run(conn, format!("CREATE TABLE {name}_rest PARTITION OF {name} DEFAULT")).await?;
        add_leaf_key(conn, spec, &format!("{name}_rest")).await?;
        for week in weeks {
            let leaf = format!("{name}_w{week}");
            let end = week + WEEK;
            run(conn, format!("CREATE TABLE {leaf} PARTITION OF {name} FOR VALUES FROM ({week}) TO ({end})")).await?;
            add_leaf_key(conn, spec, &leaf).await?;
            created += 1;
        }
    } else {
        run(conn, format!("CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)")).await?;
    }
    move_rows(conn, &format!("{table}_rest"), &name, &format!("area_code >= '{low}' AND area_code < '{high}'")).await?;
    run(conn, format!("ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')")).await?;
    Ok(created)
}

/// Makes the week starting at `week` under `parent`: a table split by week only, or a county
/// partition of one split by county and week.
async fn create_week(conn: &mut PgConnection, spec: &Spec, parent: &str, week: Instant) -> Result<()> {
    let leaf = format!("{parent}_w{week}");
    let end = week + WEEK;
    run(conn, format!("CREATE TABLE {leaf} (LIKE {parent} INCLUDING DEFAULTS)")).await?;
    add_leaf_key(conn, spec, &leaf).await?;
    move_rows(conn, &format!("{parent}_rest"), &leaf, &format!("t_in >= {week} AND t_in < {end}")).await?;
    run(conn, format!("ALTER TABLE {parent} ATTACH PARTITION {leaf} FOR VALUES FROM ({week}) TO ({end})")).await?;
    Ok(())
}

/// Moves the rows of the catch-all `rest` that match `filter` into `into`, holding the catch-all
/// against writers until the transaction ends (else a row written meanwhile would fail the attach).
async fn move_rows(conn: &mut PgConnection, rest: &str, into: &str, filter: &str) -> Result<u64> {
    run(conn, format!("LOCK TABLE {rest} IN ACCESS EXCLUSIVE MODE")).await?;
    run(
        conn,
        format!("WITH moved AS (DELETE FROM {rest} WHERE {filter} RETURNING *) INSERT INTO {into} SELECT * FROM moved"),
    )
    .await
}

/// Turns the plain `spec.table` into the partitioned one, rows, indexes and keys included.
async fn convert(conn: &mut PgConnection, spec: &Spec, weeks: &[Instant]) -> Result<()> {
    let table = spec.table;
    let plain = format!("{table}_plain");
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 \
         AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(fail)?;
    let foreign_keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'f'",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(fail)?;
    let mut counties = place_counties(conn).await?;
    counties.extend(row_counties(conn, table).await?);
    if !spec.by_county {
        counties.clear();
    }
    let key = if spec.by_county { "area_code" } else { "t_in" };

    run(conn, format!("ALTER TABLE {table} RENAME TO {plain}")).await?;
    run(conn, format!("CREATE TABLE {table} (LIKE {plain} INCLUDING DEFAULTS) PARTITION BY RANGE ({key})")).await?;
    if spec.serial {
        run(conn, format!("CREATE SEQUENCE {table}_id_serial OWNED BY {table}.id")).await?;
        run(conn, format!("ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_serial')")).await?;
    }
    run(conn, format!("CREATE TABLE {table}_rest PARTITION OF {table} DEFAULT")).await?;
    add_leaf_key(conn, spec, &format!("{table}_rest")).await?;
    for county in &counties {
        create_county(conn, spec, county, if spec.weekly { weeks } else { &[] }).await?;
    }
    if !spec.by_county {
        for week in weeks {
            create_week(conn, spec, table, *week).await?;
        }
    }
    run(conn, format!("INSERT INTO {table} SELECT * FROM {plain}")).await?;
    if spec.serial {
        run(conn, format!("SELECT setval('{table}_id_serial', coalesce(max(id), 0) + 1, false) FROM {plain}")).await?;
    }
    run(conn, format!("DROP TABLE {plain}")).await?;
    // The plain table's index names are free again; on the parent each index spans the local
    // partitions (a foreign one keeps its own on its server).
    for index in indexes.iter().map(String::as_str).chain(spec.extra_indexes.iter().copied()) {
        run(conn, index.to_string()).await?;
    }
    for (n, key) in spec.parent_keys.iter().enumerate() {
        let kind = if n == 0 { "PRIMARY KEY" } else { "UNIQUE" };
        run(conn, format!("ALTER TABLE {table} ADD {kind} ({key})")).await?;
    }
    if !SHARDED.contains(&table) {
        for (name, definition) in foreign_keys {
            run(conn, format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")).await?;
        }
    }
    run(conn, format!("ANALYZE {table}")).await?;
    Ok(())
}

/// Brings the database at `conn` to `layout`: a plain table is converted once (in one
/// transaction, so a crash leaves it plain), then the partitions for [from, to] are prepared.
pub async fn apply(conn: &mut PgConnection, layout: Layout, from: Instant, to: Instant) -> Result<()> {
    if layout == Layout::Plain {
        return Ok(());
    }
    let mut tx = conn.begin().await.map_err(fail)?;
    run(&mut tx, ADVISORY_LOCK.into()).await?;
    let weeks = weeks(from, to);
    for spec in SPECS {
        if !is_partitioned(&mut tx, spec.table).await? {
            convert(&mut tx, spec, &weeks).await?;
        }
    }
    tx.commit().await.map_err(fail)?;
    prepare(conn, from, to).await.map(|_| ())
}

/// Makes the partitions rows between `from` and `to` belong in, for every county with places or
/// rows; returns how many it made. Nothing on a plain layout.
///
/// Each table is changed in a transaction of its own that first takes the table in SHARE ROW
/// EXCLUSIVE mode: writers of that table wait the few milliseconds it takes (an insert routed by
/// the partitions it saw before would otherwise land in the catch-all and fail its constraint),
/// readers do not, and no other table is held meanwhile, so no request holding one table and
/// wanting another can deadlock with it. A table with nothing to make is not locked at all.
pub async fn prepare(conn: &mut PgConnection, from: Instant, to: Instant) -> Result<u64> {
    if !is_partitioned(conn, "checkins").await? {
        return Ok(0);
    }
    let weeks = weeks(from, to);
    let places = place_counties(conn).await?;
    let mut created = 0;
    for spec in SPECS {
        let mut tx = conn.begin().await.map_err(fail)?;
        run(&mut tx, ADVISORY_LOCK.into()).await?;
        let mut missing_counties = Vec::new();
        // (parent, week start)
        let mut missing_weeks: Vec<(String, Instant)> = Vec::new();
        if spec.by_county {
            let existing = counties_of(&mut tx, spec.table).await?;
            let mut counties = places.clone();
            counties.extend(row_counties(&mut tx, &format!("{}_rest", spec.table)).await?);
            for county in counties {
                match existing.get(&county) {
                    None => missing_counties.push(county),
                    Some(found) if spec.weekly && !found.foreign => {
                        let parent = format!("{}_c{county}", spec.table);
                        let absent = weeks.iter().filter(|w| !found.weeks.contains(w));
                        missing_weeks.extend(absent.map(|w| (parent.clone(), *w)));
                    }
                    Some(_) => {}
                }
            }
        } else if spec.weekly {
            let existing = weeks_of(&mut tx, spec.table).await?;
            let absent = weeks.iter().filter(|w| !existing.contains(w));
            missing_weeks.extend(absent.map(|w| (spec.table.to_string(), *w)));
        }
        if missing_counties.is_empty() && missing_weeks.is_empty() {
            tx.commit().await.map_err(fail)?;
            continue;
        }
        run(&mut tx, LOCK_TIMEOUT.into()).await?;
        run(&mut tx, format!("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", spec.table)).await?;
        for county in &missing_counties {
            created += create_county(&mut tx, spec, county, if spec.weekly { &weeks } else { &[] }).await?;
        }
        for (parent, week) in &missing_weeks {
            create_week(&mut tx, spec, parent, *week).await?;
            created += 1;
        }
        tx.commit().await.map_err(fail)?;
    }
    Ok(created)
}

/// Makes `county`'s partition of every partitioned table where it has none yet (with only its
/// catch-all: the weeks come with the next `prepare`); returns how many it made.
pub async fn ensure_county(conn: &mut PgConnection, county: &str) -> Result<u64> {
    let mut created = 0;
    for spec in SPECS.iter().filter(|s| s.by_county) {
        let mut tx = conn.begin().await.map_err(fail)?;
        run(&mut tx, ADVISORY_LOCK.into()).await?;
        if !counties_of(&mut tx, spec.table).await?.contains_key(county) {
            run(&mut tx, LOCK_TIMEOUT.into()).await?;
            run(&mut tx, format!("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", spec.table)).await?;
            created += create_county(&mut tx, spec, county, &[]).await?;
        }
        tx.commit().await.map_err(fail)?;
    }
    Ok(created)
}

/// Drops the weeks of the check-in tables that end at or before `before` and returns the
/// check-ins they held, one table per transaction (dropping takes the table whole for a moment;
/// holding two at once could deadlock with a request that reads one and writes the other). The
/// trail goes first, so it never names a check-in that is gone. Foreign counties keep theirs:
/// their rows are deleted through the server like those of a week straddling `before`.
pub async fn drop_expired(conn: &mut PgConnection, before: Instant) -> Result<u64> {
    if !is_partitioned(conn, "checkins").await? {
        return Ok(0);
    }
    let mut dropped_checkins = 0;
    for table in ["checkin_trail", "checkins"] {
        let mut tx = conn.begin().await.map_err(fail)?;
        run(&mut tx, ADVISORY_LOCK.into()).await?;
        run(&mut tx, LOCK_TIMEOUT.into()).await?;
        let mut parents: Vec<(String, BTreeSet<Instant>)> = Vec::new();
        if table == "checkins" {
            for (county, found) in counties_of(&mut tx, table).await? {
                parents.push((format!("{table}_c{county}"), found.weeks));
            }
        } else {
            parents.push((table.to_string(), weeks_of(&mut tx, table).await?));
        }
        for (parent, weeks) in parents {
            for week in weeks.iter().filter(|w| **w + WEEK <= before) {
                let leaf = format!("{parent}_w{week}");
                if table == "checkins" {
                    let rows: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {leaf}")))
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(fail)?;
                    dropped_checkins += u64::try_from(rows).unwrap_or(0);
                }
                run(&mut tx, format!("DROP TABLE {leaf}")).await?;
            }
        }
        tx.commit().await.map_err(fail)?;
    }
    Ok(dropped_checkins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_county_holds_every_code_under_it() {
        assert_eq!(county_bounds("411702"), Some(("411702".into(), "411703".into())));
        assert_eq!(county_bounds("410999"), Some(("410999".into(), "411000".into())));
        assert_eq!(county_bounds("41170"), None);
        assert_eq!(county_bounds("41170x"), None);
        // Collation "C" orders by bytes: every longer code of the county sorts inside.
        let (low, high) = county_bounds("411702").unwrap_or_default();
        assert!("411702001001".as_bytes() >= low.as_bytes() && "411702999999".as_bytes() < high.as_bytes());
    }

    #[test]
    fn weeks_cover_the_span_and_stay_bounded() {
        assert_eq!(weeks(WEEK + 5, 3 * WEEK), vec![WEEK, 2 * WEEK, 3 * WEEK]);
        assert_eq!(weeks(-1, 0), vec![-WEEK, 0]);
        assert_eq!(weeks(0, 1_000 * WEEK).len(), MAX_WEEKS);
        assert_eq!(weeks(0, 1_000 * WEEK).last(), Some(&(1_000 * WEEK)));
    }
}
