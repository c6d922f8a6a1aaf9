-- The trail keeps the check-out too (check-outs come only with the check-in, from bulk loads), so
-- a trajectory is read from the trail alone: on PostgreSQL a join back to the check-ins planned
-- over every county's weeks (BENCHMARKS.md, "partitioned beside plain").
ALTER TABLE checkin_trail ADD COLUMN t_out INTEGER;
UPDATE checkin_trail SET t_out = (SELECT c.t_out FROM checkins c WHERE c.id = checkin_trail.id)
WHERE id IN (SELECT id FROM checkins WHERE t_out IS NOT NULL);
