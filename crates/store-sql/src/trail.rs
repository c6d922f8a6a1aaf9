//! The check-in trail: each person's check-ins in time order, copied from `checkins` behind the
//! writer in sorted chunks (migration 0006 says why). The check-ins the writer has committed but
//! not yet copied are held here in memory — exactly the rows above the watermark that this
//! process wrote — so the dedupe sees them; after a restart `settle` copies whatever the
//! watermark says is missing before the first check-in is taken.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Transaction, Type};
use store::*;

use crate::{Dialect, SqlBackend, fail};

/// One check-in as the trail keeps it.
#[derive(Clone)]
pub(crate) struct TrailRow {
    pub person_id: i64,
    pub t_in: Instant,
    pub id: i64,
    pub venue_id: i64,
    pub temperature: Option<i64>,
    /// The venue's, as on the check-in: the trail is partitioned and sharded like `checkins`.
    pub area_code: String,
}

/// Rows per copying transaction: small enough that a check-in batch queued behind it waits a few
/// milliseconds, large enough that each touches a narrow, contiguous range of the trail.
const CHUNK_ROWS: usize = 2_048;
/// Copying starts once this many check-ins wait, or once the oldest has waited `MAX_WAIT`.
/// The bigger the round, the more rows share each trail page it rewrites.
const ROUND_ROWS: usize = 32_768;
const MAX_WAIT: Duration = Duration::from_secs(2);

/// The latest check-in per (person, venue) among rows not yet in the trail: id, time, temperature.
pub(crate) type Latest = HashMap<(i64, i64), (i64, Instant, Option<i64>)>;

#[derive(Default)]
pub(crate) struct Backlog(Mutex<BacklogState>);

#[derive(Default)]
struct BacklogState {
    /// Committed since the current round was frozen, in id order.
    fresh: Vec<TrailRow>,
    fresh_since: Option<std::time::Instant>,
    /// The round being copied, sorted by (person, time, id); `copied` rows of it are done.
    round: Vec<TrailRow>,
    copied: usize,
    latest: Latest,
}

/// The next transaction of copying: rows, and the watermark to set when it is the round's last.
pub(crate) struct Chunk {
    rows: Vec<TrailRow>,
    watermark: Option<i64>,
}

impl Backlog {
    /// Check-ins a batch committed.
    pub(crate) fn record(&self, rows: impl IntoIterator<Item = TrailRow>) {
        let Ok(mut state) = self.0.lock() else { return };
        for row in rows {
            let entry =
                state.latest.entry((row.person_id, row.venue_id)).or_insert((row.id, row.t_in, row.temperature));
            if entry.1 <= row.t_in {
                *entry = (row.id, row.t_in, row.temperature);
            }
            state.fresh.push(row);
        }
        if state.fresh_since.is_none() && !state.fresh.is_empty() {
            state.fresh_since = Some(std::time::Instant::now());
        }
    }

    /// The not-yet-copied check-ins of these pairs at or after `since`.
    pub(crate) fn recent(&self, pairs: &std::collections::HashSet<(i64, i64)>, since: Instant) -> Latest {
        let Ok(state) = self.0.lock() else { return Latest::new() };
        pairs
            .iter()
            .filter_map(|pair| state.latest.get(pair).filter(|(_, at, _)| *at >= since).map(|found| (*pair, *found)))
            .collect()
    }

    /// The next chunk to copy; `all` starts a round whatever its size or age.
    fn next_chunk(&self, all: bool) -> Option<Chunk> {
        let Ok(mut state) = self.0.lock() else { return None };
        if state.copied == state.round.len() {
            let due = state.fresh.len() >= ROUND_ROWS || state.fresh_since.is_some_and(|t| t.elapsed() >= MAX_WAIT);
            if state.fresh.is_empty() || !(all || due) {
                return None;
            }
            let mut round = std::mem::take(&mut state.fresh);
            state.fresh_since = None;
            round.sort_unstable_by_key(|r| (r.person_id, r.t_in, r.id));
            state.round = round;
            state.copied = 0;
        }
        let start = state.copied;
        let end = (start + CHUNK_ROWS).min(state.round.len());
        let last = end == state.round.len();
        Some(Chunk {
            rows: state.round[start..end].to_vec(),
            watermark: last.then(|| state.round.iter().map(|r| r.id).max().unwrap_or(0)),
        })
    }

    fn chunk_copied(&self, chunk: &Chunk) {
        let Ok(mut state) = self.0.lock() else { return };
        state.copied += chunk.rows.len();
        if let Some(watermark) = chunk.watermark {
            state.round.clear();
            state.copied = 0;
            state.latest.retain(|_, (id, _, _)| *id > watermark);
        }
    }

    /// Whether rows wait to be copied.
    fn pending(&self) -> bool {
        self.0.lock().map(|s| !s.fresh.is_empty() || s.copied < s.round.len()).unwrap_or(false)
    }

    /// Forgets rows the retention purge deleted.
    pub(crate) fn purge(&self, before: Instant) {
        let Ok(mut state) = self.0.lock() else { return };
        state.fresh.retain(|r| r.t_in >= before);
        state.latest.retain(|_, (_, at, _)| *at >= before);
        // Rows of the round already copied are deleted from the trail by the purge itself; the
        // rest must not be copied after it, or the trail would name check-ins that are gone.
        let copied = state.copied;
        let rest: Vec<TrailRow> = state.round.split_off(copied).into_iter().filter(|r| r.t_in >= before).collect();
        state.round.extend(rest);
    }
}

sql_impl! {
impl {
    /// Copies one chunk of the backlog into the trail; true when more is waiting.
    pub(crate) async fn copy_to_trail(&self, all: bool) -> Result<bool> {
        let Some(chunk) = self.backlog.next_chunk(all) else {
            return Ok(false);
        };
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let mut query = QueryBuilder::<D::Db>::new(
            "INSERT INTO checkin_trail (person_id, t_in, id, venue_id, temperature, area_code) ",
        );
        query.push_values(&chunk.rows, |mut row, r| {
            row.push_bind(r.person_id)
                .push_bind(r.t_in)
                .push_bind(r.id)
                .push_bind(r.venue_id)
                .push_bind(r.temperature)
                .push_bind(r.area_code.clone());
        });
        // A row can be there already: copied by `settle` after a restart, or by a bulk load.
        query.push(" ON CONFLICT DO NOTHING");
        query.build().execute(&mut *tx).await.map_err(fail)?;
        if let Some(watermark) = chunk.watermark {
            Self::raise_watermark(&mut tx, watermark).await?;
        }
        tx.commit().await.map_err(fail)?;
        self.backlog.chunk_copied(&chunk);
        Ok(self.backlog.pending())
    }

    /// Copies check-ins above the watermark into the trail and raises it, inside `tx`.
    pub(crate) async fn catch_up_trail(tx: &mut Transaction<'_, D::Db>) -> Result<()> {
        let watermark: i64 = sqlx::query_scalar(D::sql("SELECT watermark FROM checkin_trail_mark WHERE one = 1"))
            .fetch_one(&mut **tx)
            .await
            .map_err(fail)?;
        let newest: Option<i64> = sqlx::query_scalar(D::sql("SELECT max(id) FROM checkins"))
            .fetch_one(&mut **tx)
            .await
            .map_err(fail)?;
        let Some(newest) = newest.filter(|n| *n > watermark) else {
            return Ok(());
        };
        sqlx::query(D::sql(
            "INSERT INTO checkin_trail (person_id, t_in, id, venue_id, temperature, area_code, t_out) \
             SELECT person_id, t_in, id, venue_id, temperature, area_code, t_out FROM checkins WHERE id > ? AND id <= ? \
             ORDER BY person_id, t_in, id ON CONFLICT DO NOTHING",
        ))
        .bind(watermark)
        .bind(newest)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
        Self::raise_watermark(tx, newest).await
    }

    async fn raise_watermark(tx: &mut Transaction<'_, D::Db>, watermark: i64) -> Result<()> {
        sqlx::query(D::sql("UPDATE checkin_trail_mark SET watermark = ? WHERE one = 1 AND watermark < ?"))
            .bind(watermark)
            .bind(watermark)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        Ok(())
    }
}
}
