-- Venues with their 场所码 token, and citizens' check-ins (SPEC §3, §4.3). Check-ins carry the
-- venue's area_code (the distribution column) and are purged after the retention period.

CREATE TABLE venues (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    area_code TEXT NOT NULL,
    grid_code TEXT,
    owner_name TEXT,
    owner_phone TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX venues_area ON venues(area_code);

CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    venue_id INTEGER NOT NULL REFERENCES venues(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    area_code TEXT NOT NULL,
    t_in INTEGER NOT NULL,
    t_out INTEGER,
    temperature INTEGER
);
-- Who was at a venue when (contact tracing), and where a person went (trajectory, dedupe).
CREATE INDEX checkins_venue_time ON checkins(venue_id, t_in);
CREATE INDEX checkins_person_time ON checkins(person_id, t_in);
