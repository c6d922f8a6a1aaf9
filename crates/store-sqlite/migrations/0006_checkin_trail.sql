-- Each person's check-ins in time order (dedupe, trajectory, contact tracing), kept apart from
-- the check-in table and filled behind the writer in sorted batches. An index on
-- checkins(person_id, …) took one random page write per check-in in every commit, and its cost
-- grew with the table (ingest fell from 21k/s to 12k/s within a minute); the check-in table keeps
-- only indexes whose insert points are few (rowid, venue). Rows not yet copied have ids above
-- the watermark: every check-in with id <= watermark is in the trail.

CREATE TABLE checkin_trail (
    person_id INTEGER NOT NULL,
    t_in INTEGER NOT NULL,
    id INTEGER NOT NULL,
    venue_id INTEGER NOT NULL,
    temperature INTEGER,
    PRIMARY KEY (person_id, t_in, id)
) WITHOUT ROWID;

CREATE TABLE checkin_trail_mark (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    watermark INTEGER NOT NULL
);

INSERT INTO checkin_trail (person_id, t_in, id, venue_id, temperature)
SELECT person_id, t_in, id, venue_id, temperature FROM checkins ORDER BY person_id, t_in, id;
INSERT INTO checkin_trail_mark (one, watermark) SELECT 1, coalesce(max(id), 0) FROM checkins;
DROP INDEX checkins_person_time;
