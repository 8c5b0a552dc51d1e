-- Deploy targets, plans bound to a version and a live snapshot, and the apply job queue with
-- per-step history. Workers on any replica share these tables; nothing lives in memory.

-- Shown to the team's admin for the trust policy of roles Eventloom assumes. An external
-- id is not a secret; it stops one team from pointing Eventloom at another team's role.
ALTER TABLE teams ADD COLUMN external_id text NOT NULL
    DEFAULT ('eventloom-' || replace(gen_random_uuid()::text, '-', ''));

CREATE TYPE credentials_mode AS ENUM ('sandbox', 'default_chain', 'profile', 'assume_role', 'endpoint');

-- Never credentials: a mode and the non-secret coordinates it needs.
CREATE TABLE deploy_targets (
    id          uuid             PRIMARY KEY,
    team_id     uuid             NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name        text             NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    account_id  text             NOT NULL CHECK (account_id ~ '^[0-9]{12}$'),
    region      text             NOT NULL CHECK (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]+$'),
    mode        credentials_mode NOT NULL,
    profile     text,
    role_arn    text,
    endpoint    text,
    read_only   boolean          NOT NULL DEFAULT false,
    created_at  timestamptz      NOT NULL DEFAULT now(),
    archived_at timestamptz,
    UNIQUE (team_id, name)
);

CREATE TABLE deploy_plans (
    id             uuid        PRIMARY KEY,
    team_id        uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    draft_id       uuid        NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version_id     uuid        NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    -- The version's content hash when planned; apply checks it still matches.
    content_hash   text        NOT NULL,
    target_id      uuid        NOT NULL REFERENCES deploy_targets (id) ON DELETE CASCADE,
    observed       jsonb       NOT NULL,
    -- SHA-256 of the observed snapshot's canonical JSON; apply re-reads and compares.
    observed_hash  text        NOT NULL,
    plan           jsonb       NOT NULL,
    -- Findings of the read (missing resources), in words.
    read_notes     jsonb       NOT NULL DEFAULT '[]',
    created_by     uuid        REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deploy_plans_draft_idx ON deploy_plans (team_id, draft_id, created_at DESC);

CREATE TYPE job_status AS ENUM ('queued', 'running', 'succeeded', 'failed');

CREATE TABLE apply_jobs (
    id               uuid        PRIMARY KEY,
    -- Queue order; created_at can tie.
    seq              bigserial   NOT NULL UNIQUE,
    team_id          uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    plan_id          uuid        NOT NULL REFERENCES deploy_plans (id) ON DELETE CASCADE,
    target_id        uuid        NOT NULL REFERENCES deploy_targets (id) ON DELETE CASCADE,
    -- account:region. At most one running job per key (the partial unique index below).
    lock_key         text        NOT NULL,
    status           job_status  NOT NULL DEFAULT 'queued',
    attempts         integer     NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    requested_by     uuid        REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    total_steps      integer     NOT NULL DEFAULT 0,
    calls            integer     NOT NULL DEFAULT 0,
    summary          text,
    error_code       text,
    error            text
);
CREATE UNIQUE INDEX apply_jobs_one_running_per_account_region ON apply_jobs (lock_key) WHERE status = 'running';
CREATE INDEX apply_jobs_queue_idx ON apply_jobs (status, seq);
CREATE INDEX apply_jobs_plan_idx ON apply_jobs (plan_id);

CREATE TYPE step_status AS ENUM ('pending', 'running', 'done', 'failed', 'interrupted');

-- One row per step per attempt, so a resumed job shows both attempts.
CREATE TABLE apply_steps (
    job_id      uuid        NOT NULL REFERENCES apply_jobs (id) ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    idx         integer     NOT NULL,
    call        text        NOT NULL,
    effect      text        NOT NULL,
    summary     text        NOT NULL,
    reason      text        NOT NULL,
    status      step_status NOT NULL DEFAULT 'pending',
    response    text,
    error_code  text,
    error       text,
    started_at  timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (job_id, attempt, idx)
);
