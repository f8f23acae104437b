-- A session's stream (docs/streams.md): what the buyer page plays (`hls`, a playlist from one of
-- the deployment's media origins) or links (`link`, the platform the show streams on). Both
-- columns are set together or cleared together (`PUT` / `DELETE /api/v1/sessions/{id}/stream`,
-- and the session's end), under the session's lock.
ALTER TABLE sessions ADD COLUMN stream_kind TEXT CHECK (stream_kind IN ('hls', 'link'));
ALTER TABLE sessions ADD COLUMN stream_url TEXT;
