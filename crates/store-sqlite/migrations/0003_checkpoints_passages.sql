-- Checkpoints (检测服务站/卡口) and the passages registered there: persons or vehicles, with
-- direction, origin, destination and temperature. Passages carry the checkpoint's area_code.

CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    area_code TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX checkpoints_area ON checkpoints(area_code);

CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
    area_code TEXT NOT NULL,
    at INTEGER NOT NULL,
    direction TEXT NOT NULL,
    person_id INTEGER REFERENCES persons(id),
    name TEXT,
    phone TEXT,
    plate TEXT,
    occupants INTEGER,
    cargo TEXT,
    pass_checked INTEGER NOT NULL,
    origin TEXT,
    destination TEXT,
    temperature INTEGER,
    actor_id INTEGER NOT NULL
);
CREATE INDEX passages_checkpoint_time ON passages(checkpoint_id, at);
CREATE INDEX passages_person_time ON passages(person_id, at);
