-- A list's leads are written only inside the transaction that inserts the list itself
-- (`do_insert_list`), and lists are never deleted, so the foreign key from leads to lists can
-- never fail; it cost one trigger per written lead — 40 % of writing a million-row list.
-- (SQLite keeps it: there the check is an in-process B-tree probe, not a trigger.)
ALTER TABLE leads DROP CONSTRAINT IF EXISTS leads_list_id_fkey;
