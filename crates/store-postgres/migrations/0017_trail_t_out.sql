-- The trail keeps the check-out too (check-outs come only with the check-in, from bulk loads), so
-- a trajectory is read from the trail alone: a join back to the partitioned check-ins planned
-- over every county's weeks (BENCHMARKS.md, "partitioned beside plain").
ALTER TABLE checkin_trail ADD COLUMN t_out BIGINT;
UPDATE checkin_trail t SET t_out = c.t_out FROM checkins c WHERE c.id = t.id AND c.t_out IS NOT NULL;
