-- Big-data comparison (大数据比对, SPEC §4.8): imported lists, the leads (线索) they raise, and
-- files staged between upload and commit. A list belongs to the importer's jurisdiction; a lead to
-- the place where it is verified (the person's grid or division, else the row's, else the list's).

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    by_id_number INTEGER NOT NULL,
    by_phone INTEGER NOT NULL,
    by_name_area INTEGER NOT NULL,
    unmatched INTEGER NOT NULL,
    already_key_persons INTEGER NOT NULL,
    already_leads INTEGER NOT NULL,
    leads INTEGER NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- The same file imported twice in one jurisdiction is one list.
CREATE UNIQUE INDEX lists_file ON lists(area_code, file_sha256);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists(id),
    row_number INTEGER NOT NULL,
    area_code TEXT NOT NULL,
    person_id INTEGER,
    match_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    id_number TEXT,
    name TEXT,
    phone TEXT,
    address TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    outcome TEXT,
    note TEXT,
    key_person_id INTEGER,
    verified_by INTEGER,
    verified_by_name TEXT,
    verified_at INTEGER
);
CREATE INDEX leads_list ON leads(list_id, row_number);
-- Open leads by place and deadline: the grid worker's list and the officer's overdue list.
CREATE INDEX leads_open ON leads(area_code, due_at) WHERE verified_at IS NULL;

CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
