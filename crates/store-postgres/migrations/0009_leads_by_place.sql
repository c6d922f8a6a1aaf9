-- A list's leads are written in place order (the order the headquarters hands them out), so the
-- open-leads index (area_code, due_at) grows in runs instead of at a million random places; a
-- list's own index then follows the leads' ids, and a list shows its leads by place, then row.
-- (Ordered by row number, the same import wrote both indexes at random: BENCHMARKS.md.)
DROP INDEX leads_list;
CREATE INDEX leads_list ON leads(list_id, id);
