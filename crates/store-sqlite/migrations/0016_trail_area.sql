-- The trail carries the check-in's area code (the venue's), so that PostgreSQL can partition
-- and shard it by county like the check-ins themselves; here it is one more column.
ALTER TABLE checkin_trail ADD COLUMN area_code TEXT NOT NULL DEFAULT '';
UPDATE checkin_trail SET area_code = coalesce((SELECT c.area_code FROM checkins c WHERE c.id = checkin_trail.id), '');
