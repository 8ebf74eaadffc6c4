-- expect-not: domain-constraint-scan
CREATE DOMAIN phone AS text CHECK (VALUE ~ '^[0-9+]+$');
ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%') NOT VALID;
