-- Foundation schema. Instants are unix seconds (UTC); dates are ISO 'YYYY-MM-DD' Shanghai dates.
-- `area_code` on every table is the record's most specific place (a division code, or a grid code
-- that extends one): jurisdiction is a range over it, and its first six digits are the county.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    area_code TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE grids (
    code TEXT PRIMARY KEY,
    parent_code TEXT NOT NULL,
    level INTEGER NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX grids_parent ON grids(parent_code);

CREATE TABLE grid_workers (
    id INTEGER PRIMARY KEY,
    grid_code TEXT NOT NULL REFERENCES grids(code),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id)
);
CREATE INDEX grid_workers_grid ON grid_workers(grid_code);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX households_area ON households(area_code);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT,
    area_code TEXT NOT NULL,
    grid_code TEXT,
    household_id INTEGER REFERENCES households(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX persons_area ON persons(area_code);
CREATE INDEX persons_phone ON persons(phone);
CREATE INDEX persons_name ON persons(name);

CREATE TABLE key_persons (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    area_code TEXT NOT NULL,
    grid_code TEXT,
    class TEXT NOT NULL,
    source TEXT NOT NULL,
    cadre_name TEXT,
    cadre_phone TEXT,
    status TEXT NOT NULL,
    severity TEXT,
    active INTEGER NOT NULL,
    measure_kind TEXT,
    measure_site TEXT,
    measure_start TEXT,
    measure_planned_end TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX key_persons_area_updated ON key_persons(area_code, updated_at);
CREATE INDEX key_persons_status_area ON key_persons(status, area_code);
CREATE INDEX key_persons_person ON key_persons(person_id);
CREATE INDEX key_persons_planned_end ON key_persons(measure_planned_end) WHERE measure_planned_end IS NOT NULL;
-- One card per person: at most one open record (一人一卡).
CREATE UNIQUE INDEX key_persons_one_active ON key_persons(person_id) WHERE active = 1;

CREATE TABLE key_person_events (
    id INTEGER PRIMARY KEY,
    key_person_id INTEGER NOT NULL REFERENCES key_persons(id),
    area_code TEXT NOT NULL,
    from_status TEXT,
    from_severity TEXT,
    to_status TEXT NOT NULL,
    to_severity TEXT,
    actor_id INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX key_person_events_record ON key_person_events(key_person_id, id);

CREATE TABLE measures (
    id INTEGER PRIMARY KEY,
    key_person_id INTEGER NOT NULL REFERENCES key_persons(id),
    area_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    site TEXT,
    start_date TEXT NOT NULL,
    planned_end TEXT,
    actual_end TEXT
);
CREATE INDEX measures_record ON measures(key_person_id, id);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key_person_id INTEGER NOT NULL REFERENCES key_persons(id),
    area_code TEXT NOT NULL,
    due_date TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);
CREATE UNIQUE INDEX tasks_once ON tasks(kind, key_person_id, due_date);
CREATE INDEX tasks_area_due ON tasks(area_code, due_date);

CREATE TABLE idempotency (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id INTEGER,
    area_code TEXT NOT NULL,
    remote_addr TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_area ON audit(area_code, id);
