-- Epidemiological investigations (流调), epidemic points (疫点) and close-contact candidates
-- (SPEC §4.4). An investigation is scoped by the case's area; a candidate by the area of the
-- person to be traced, so that the grid worker there sees it as a tracing task.

CREATE TABLE investigations (
    id INTEGER PRIMARY KEY,
    key_person_id INTEGER NOT NULL REFERENCES key_persons(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    area_code TEXT NOT NULL,
    onset_date TEXT NOT NULL,
    isolated_at INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    signed_by INTEGER,
    signed_by_name TEXT,
    signed_at INTEGER,
    signature TEXT
);
CREATE INDEX investigations_area ON investigations(area_code, id);
CREATE UNIQUE INDEX investigations_once ON investigations(key_person_id, onset_date);

-- Places the case reports that no check-in or passage shows (谁流调、谁签字、谁负责: the
-- investigator completes the trajectory by hand).
CREATE TABLE reported_places (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    area_code TEXT NOT NULL,
    place TEXT NOT NULL,
    venue_id INTEGER REFERENCES venues(id),
    t_from INTEGER NOT NULL,
    t_to INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX reported_places_investigation ON reported_places(investigation_id, t_from);

CREATE TABLE epidemic_points (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    venue_id INTEGER NOT NULL REFERENCES venues(id),
    area_code TEXT NOT NULL,
    case_checkin_id INTEGER NOT NULL,
    t_from INTEGER NOT NULL,
    t_to INTEGER NOT NULL,
    exposure_from INTEGER NOT NULL,
    exposure_to INTEGER NOT NULL,
    confirmed_by_name TEXT NOT NULL,
    confirmed_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX epidemic_points_once ON epidemic_points(investigation_id, case_checkin_id);
CREATE INDEX epidemic_points_area ON epidemic_points(area_code, id);

CREATE TABLE contact_candidates (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    point_id INTEGER NOT NULL REFERENCES epidemic_points(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    area_code TEXT NOT NULL,
    grid_code TEXT,
    checkin_id INTEGER NOT NULL,
    stay_from INTEGER NOT NULL,
    stay_to INTEGER NOT NULL,
    stay_estimated BOOLEAN NOT NULL,
    overlap_from INTEGER NOT NULL,
    overlap_to INTEGER NOT NULL,
    status TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by_name TEXT,
    note TEXT,
    key_person_id INTEGER REFERENCES key_persons(id)
);
CREATE UNIQUE INDEX contact_candidates_once ON contact_candidates(point_id, checkin_id);
CREATE INDEX contact_candidates_area ON contact_candidates(area_code, status, id);
CREATE INDEX contact_candidates_person ON contact_candidates(person_id, status);
CREATE INDEX contact_candidates_investigation ON contact_candidates(investigation_id, id);
