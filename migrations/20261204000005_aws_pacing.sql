-- The next free slot for an AWS call per account:region. Lambda's control-plane quota is
-- per account and region, shared by every caller; each call reserves its slot here, so
-- plans, applies, workers and replicas together stay under the configured rate.
CREATE TABLE aws_pacing (
    key     text        PRIMARY KEY,
    next_at timestamptz NOT NULL
);
