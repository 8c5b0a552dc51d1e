-- Team review: review requests, comment threads pinned to elements, decisions bound to a
-- version's content hash, and the team's deploy rule. The deploy gate reads these at apply.

ALTER TABLE teams ADD COLUMN approvals_required integer NOT NULL DEFAULT 1
    CHECK (approvals_required BETWEEN 0 AND 10);

-- One row per reviewer asked, so each reviewer's inbox is one indexed lookup.
CREATE TABLE review_requests (
    id           uuid        PRIMARY KEY,
    team_id      uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    draft_id     uuid        NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version_id   uuid        NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    requested_by uuid        NOT NULL REFERENCES users (id),
    reviewer_id  uuid        NOT NULL REFERENCES users (id),
    note         text        CHECK (char_length(note) <= 2000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (version_id, reviewer_id)
);
CREATE INDEX review_requests_reviewer_idx ON review_requests (team_id, reviewer_id, created_at DESC);
CREATE INDEX review_requests_draft_idx ON review_requests (draft_id, created_at);

CREATE TYPE review_decision AS ENUM ('approve', 'request_changes');

-- Immutable: a reviewer who changes their mind adds a new decision; the latest counts.
CREATE TABLE review_decisions (
    id           uuid            PRIMARY KEY,
    team_id      uuid            NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    draft_id     uuid            NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version_id   uuid            NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    -- The content the reviewer saw. The gate counts a decision only while it matches the
    -- version being deployed and that version is still the draft's latest.
    content_hash text            NOT NULL,
    reviewer_id  uuid            NOT NULL REFERENCES users (id),
    decision     review_decision NOT NULL,
    comment      text            CHECK (char_length(comment) <= 4000),
    created_at   timestamptz     NOT NULL DEFAULT now()
);
CREATE INDEX review_decisions_draft_idx ON review_decisions (draft_id, created_at);
CREATE INDEX review_decisions_version_idx ON review_decisions (version_id, reviewer_id, created_at DESC);

-- A thread is pinned to an element id, not a position: it follows the element as it moves,
-- and stays readable on the version it was made on after the element is deleted.
CREATE TABLE comment_threads (
    id            uuid        PRIMARY KEY,
    team_id       uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    draft_id      uuid        NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version_id    uuid        NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    element_type  text        NOT NULL CHECK (element_type IN ('graph', 'node', 'edge')),
    element_id    text        CHECK ((element_type = 'graph') = (element_id IS NULL)),
    -- What the element was called when the thread began, for when it is gone.
    element_label text        NOT NULL,
    created_by    uuid        NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    resolved_by   uuid        REFERENCES users (id)
);
CREATE INDEX comment_threads_draft_idx ON comment_threads (team_id, draft_id, created_at);

CREATE TABLE comments (
    id          uuid        PRIMARY KEY,
    thread_id   uuid        NOT NULL REFERENCES comment_threads (id) ON DELETE CASCADE,
    author_id   uuid        NOT NULL REFERENCES users (id),
    body        text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_thread_idx ON comments (thread_id, created_at);

-- An admin's override of the gate, kept with the job it let through (and in the audit log).
ALTER TABLE apply_jobs ADD COLUMN override_reason text CHECK (char_length(override_reason) <= 2000);
