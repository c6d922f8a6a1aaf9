-- Home follow-ups (一二三工作法): one row per key person, Shanghai day and visit (morning, noon,
-- evening); the unique key makes a repeated submission the same visit. area_code is the key
-- person's, so the sheet is scoped like the key persons themselves.

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    key_person_id INTEGER NOT NULL REFERENCES key_persons(id),
    area_code TEXT NOT NULL,
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    temperature INTEGER,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (key_person_id, day, slot)
);
CREATE INDEX follow_ups_area_day ON follow_ups(area_code, day);
