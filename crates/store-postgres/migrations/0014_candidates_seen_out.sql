-- Where a pending tracing candidate was last seen out (a check-in or a passage while their code
-- is yellow): whoever calls them sees it first.
ALTER TABLE contact_candidates ADD COLUMN seen_out_at BIGINT;
ALTER TABLE contact_candidates ADD COLUMN seen_out_place TEXT;
