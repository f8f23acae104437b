-- The live room's chat (docs/live-room.md). A message is stored whatever becomes of it: shown
-- (its `chat_message` event's seq in `seq`), held back for a moderator (`held_reason`, no seq
-- until released), or deleted (the text kept here as evidence; the logged event is rewritten
-- to a tombstone). One message per (session, writer, client_message_id): a resend answers with
-- the message already posted. Written only under the session's lock (the feed's write path).
CREATE TABLE chat_messages (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id         BIGINT NOT NULL REFERENCES sessions (id),
    sender_token_id    BIGINT NOT NULL REFERENCES tokens (id),
    sender_role        TEXT   NOT NULL CHECK (sender_role IN ('buyer', 'host', 'operator')),
    sender_name        TEXT   NOT NULL,
    sender_city        TEXT   NOT NULL,
    sender_country     TEXT   NOT NULL,
    locale             TEXT   NOT NULL,
    client_message_id  TEXT   NOT NULL,
    body               TEXT   NOT NULL,
    state              TEXT   NOT NULL CHECK (state IN ('shown', 'held', 'deleted')),
    held_reason        TEXT   CHECK (held_reason IN ('link', 'phone', 'payment', 'contact')),
    seq                BIGINT,
    created_at         BIGINT NOT NULL,
    moderated_at       BIGINT,
    moderated_by       BIGINT REFERENCES tokens (id),
    UNIQUE (session_id, sender_token_id, client_message_id)
);
-- A writer's recent messages (slow mode, the per-minute limit) and a session's pages.
CREATE INDEX chat_messages_sender ON chat_messages (session_id, sender_token_id, created_at);
CREATE INDEX chat_messages_session ON chat_messages (session_id, id);
-- The messages waiting for a moderator, across rooms.
CREATE INDEX chat_messages_held ON chat_messages (id) WHERE state = 'held';

-- Buyers who may not write in a session: until `until_ms`, or for the rest of it (null).
CREATE TABLE chat_mutes (
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    token_id    BIGINT NOT NULL REFERENCES tokens (id),
    until_ms    BIGINT,
    muted_by    BIGINT NOT NULL REFERENCES tokens (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, token_id)
);

-- Slow mode: each buyer may write one message per this many seconds (0: off).
ALTER TABLE sessions ADD COLUMN chat_slow_mode_s BIGINT NOT NULL DEFAULT 0;
