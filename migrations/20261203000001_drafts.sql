-- Drafts: a named wiring graph, stored as the versioned JSON the `wiring` crate reads.
CREATE TABLE drafts (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    content     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX drafts_created_at_idx ON drafts (created_at DESC);
