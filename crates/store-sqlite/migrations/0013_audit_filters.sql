-- The audit log is read by who acted, by action, by record and by time (issue 15). Each index's
-- insert point is the tail for its key (ids grow), except the record's, which is one leaf per
-- record read or written.
CREATE INDEX audit_user ON audit(username, id);
CREATE INDEX audit_action ON audit(action, id);
CREATE INDEX audit_subject ON audit(subject_kind, subject_id, id);
CREATE INDEX audit_at ON audit(at);
