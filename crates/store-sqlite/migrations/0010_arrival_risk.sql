-- An arrival from an epidemic area (疫区来驻人员) carries the risk of the area it came from:
-- class 1 / high risk makes the health code red, class 2 / medium risk (or unrecorded) yellow
-- (SPEC §4.5). Only arrivals have one.
ALTER TABLE key_persons ADD COLUMN arrival_risk TEXT CHECK (arrival_risk IN ('high', 'medium'));
