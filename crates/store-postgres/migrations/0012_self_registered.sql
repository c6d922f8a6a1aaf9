-- A person the registry knows only from what was typed on the public check-in page (no staff,
-- import or checkpoint vouched for them). Their later check-ins must match what they typed, and
-- a fever they report becomes a lead to verify instead of a fever record (ARCHITECTURE.md,
-- "Public writes").
ALTER TABLE persons ADD COLUMN self_registered BOOLEAN NOT NULL DEFAULT FALSE;
-- A user's uploads by content: the same file uploaded again is the same upload.
CREATE INDEX uploads_by_digest ON uploads(user_id, sha256);
