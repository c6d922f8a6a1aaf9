-- The trail carries the check-in's area code (the venue's): the trail is partitioned by county
-- and then by week like the check-ins (partitions.rs), and a county's trail can live on its shard.
ALTER TABLE checkin_trail ADD COLUMN area_code TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE checkin_trail t SET area_code = c.area_code FROM checkins c WHERE c.id = t.id;
ALTER TABLE checkin_trail ALTER COLUMN area_code DROP DEFAULT;
