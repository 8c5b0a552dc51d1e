-- Draft contents are 1–100 KB of JSON, written on every save and read on every open.
-- Postgres compresses such values with pglz by default, which showed as the largest single
-- cost in Postgres under the save benchmark; lz4 compresses about as well at a fraction of
-- the CPU. Servers built without lz4 keep pglz (the statement fails there and is skipped).
DO $$
BEGIN
    ALTER TABLE draft_versions ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available in this Postgres; draft contents stay pglz-compressed';
END
$$;
