-- Accounts, teams and roles; drafts scoped to a team with immutable versions; the audit log;
-- sign-in attempts for rate limiting; the session store. Everything a replica needs lives here.

CREATE TABLE teams (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    -- Stored lower-cased, so uniqueness ignores case.
    email          text        NOT NULL UNIQUE CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    display_name   text        NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
    -- Argon2id PHC string; never the password.
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE team_role AS ENUM ('viewer', 'editor', 'approver', 'admin');

-- One team per user for now; the key allows more later.
CREATE TABLE memberships (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id     uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role        team_role   NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, team_id)
);
CREATE UNIQUE INDEX memberships_one_team_per_user ON memberships (user_id);
CREATE INDEX memberships_team_idx ON memberships (team_id);

-- Invitations carry only the SHA-256 of their one-time token.
CREATE TABLE invitations (
    id           uuid        PRIMARY KEY,
    team_id      uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    token_sha256 bytea       NOT NULL UNIQUE,
    role         team_role   NOT NULL,
    created_by   uuid        NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    used_by      uuid        REFERENCES users (id)
);
CREATE INDEX invitations_team_idx ON invitations (team_id, created_at DESC);

-- Drafts from before accounts existed keep their content as version 1 and no team; the
-- first team created claims them (see store::teams::create_with_admin).
ALTER TABLE drafts
    ADD COLUMN team_id        uuid REFERENCES teams (id) ON DELETE CASCADE,
    ADD COLUMN created_by     uuid REFERENCES users (id),
    ADD COLUMN archived_at    timestamptz,
    ADD COLUMN head_version   uuid,
    ADD COLUMN head_number    integer NOT NULL DEFAULT 0;

CREATE TABLE draft_versions (
    id            uuid        PRIMARY KEY,
    draft_id      uuid        NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    number        integer     NOT NULL CHECK (number >= 1),
    parent_id     uuid        REFERENCES draft_versions (id),
    content       jsonb       NOT NULL,
    -- SHA-256 (hex) of the graph's canonical JSON.
    content_hash  text        NOT NULL,
    author_id     uuid        REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    node_count    integer     NOT NULL,
    errors        integer     NOT NULL,
    warnings      integer     NOT NULL,
    infos         integer     NOT NULL,
    -- The findings' codes and elements, for listings and review.
    findings      jsonb       NOT NULL,
    UNIQUE (draft_id, number)
);

-- Versions are immutable: refuse updates outright.
CREATE FUNCTION draft_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'draft versions are immutable';
END $$;
CREATE TRIGGER draft_versions_no_update BEFORE UPDATE ON draft_versions
    FOR EACH ROW EXECUTE FUNCTION draft_versions_immutable();

INSERT INTO draft_versions (id, draft_id, number, content, content_hash, created_at, node_count, errors, warnings, infos, findings)
SELECT gen_random_uuid(), d.id, 1, d.content, encode(sha256(convert_to(d.content::text, 'UTF8')), 'hex'), d.created_at,
       (SELECT count(*) FROM jsonb_object_keys(COALESCE(d.content->'nodes', '{}'::jsonb))), 0, 0, 0, '[]'::jsonb
FROM drafts d;
UPDATE drafts d SET head_version = v.id, head_number = 1 FROM draft_versions v WHERE v.draft_id = d.id;
ALTER TABLE drafts DROP COLUMN content;
ALTER TABLE drafts ADD CONSTRAINT drafts_head_fk FOREIGN KEY (head_version) REFERENCES draft_versions (id) DEFERRABLE INITIALLY DEFERRED;

DROP INDEX drafts_created_at_idx;
CREATE INDEX drafts_team_idx ON drafts (team_id, archived_at, created_at DESC);

CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    team_id     uuid        REFERENCES teams (id) ON DELETE CASCADE,
    actor_id    uuid        REFERENCES users (id) ON DELETE SET NULL,
    action      text        NOT NULL,
    target      text,
    -- Never a password or token.
    detail      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ip          text
);
CREATE INDEX audit_log_team_idx ON audit_log (team_id, at DESC);

-- Failed sign-ins, counted per account and per IP over a sliding window. In Postgres, so
-- every replica sees the same counts.
CREATE TABLE signin_failures (
    id      bigserial   PRIMARY KEY,
    key     text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_failures_key_idx ON signin_failures (key, at DESC);

-- tower-sessions-sqlx-store's table, created here so replicas never race to create it.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id           text        PRIMARY KEY NOT NULL,
    data         bytea       NOT NULL,
    expiry_date  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expiry_idx ON tower_sessions.session (expiry_date);
