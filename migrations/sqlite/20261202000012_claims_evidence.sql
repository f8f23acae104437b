-- The claims filter's evidence log (docs/cross-border.md, "The claims filter"): one row per
-- term found in a text that reaches buyers, whether the write was refused (blocked) or taken
-- with a warning (warned). Timestamps are milliseconds since the Unix epoch (BIGINT).
CREATE TABLE claims_evidence (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              BIGINT NOT NULL,
    -- who wrote the text: the token's id, name and role at the time
    actor_token_id  BIGINT NOT NULL,
    actor_name      TEXT   NOT NULL,
    actor_role      TEXT   NOT NULL,
    -- what they did: product.create, product.update, translation.put, session.create,
    -- session.showcase, session.pin
    operation       TEXT   NOT NULL,
    -- what the text belongs to: product or session, and its id (NULL when a refused create
    -- made nothing)
    subject_kind    TEXT   NOT NULL CHECK (subject_kind IN ('product', 'session')),
    subject_id      BIGINT,
    -- where the term was: the field (title, description, attributes.material…) and the
    -- text's locale
    field           TEXT   NOT NULL,
    locale          TEXT   NOT NULL,
    -- the term as its list spells it, the list's language and the term's severity
    term            TEXT   NOT NULL,
    list            TEXT   NOT NULL,
    severity        TEXT   NOT NULL CHECK (severity IN ('block', 'warn')),
    -- what became of the write: blocked (nothing changed) or warned (taken)
    outcome         TEXT   NOT NULL CHECK (outcome IN ('blocked', 'warned')),
    -- the whole text of the field as it was sent
    text            TEXT   NOT NULL
);
CREATE INDEX claims_evidence_at ON claims_evidence (at);
CREATE INDEX claims_evidence_subject ON claims_evidence (subject_kind, subject_id);
CREATE INDEX claims_evidence_actor ON claims_evidence (actor_token_id);
