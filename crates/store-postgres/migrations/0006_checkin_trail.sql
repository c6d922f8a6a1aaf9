-- Each person's check-ins in time order (dedupe, trajectory, contact tracing), kept apart from
-- the check-in table and filled behind the writer in sorted batches (see the SQLite migration of
-- the same name for the measurement). Every check-in with id <= watermark is in the trail.

CREATE TABLE checkin_trail (
    person_id BIGINT NOT NULL,
    t_in BIGINT NOT NULL,
    id BIGINT NOT NULL,
    venue_id BIGINT NOT NULL,
    temperature BIGINT,
    PRIMARY KEY (person_id, t_in, id)
);

CREATE TABLE checkin_trail_mark (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    watermark BIGINT NOT NULL
);

INSERT INTO checkin_trail (person_id, t_in, id, venue_id, temperature)
SELECT person_id, t_in, id, venue_id, temperature FROM checkins ORDER BY person_id, t_in, id;
INSERT INTO checkin_trail_mark (one, watermark) SELECT 1, coalesce(max(id), 0) FROM checkins;
DROP INDEX checkins_person_time;
