-- The deployment's key: made by the first instance that starts on this database, shared by all
-- of them; it names the deployment's channels and keys in Redis, so that two deployments on one
-- Redis never hear each other (docs/scaling.md).
CREATE TABLE deployment (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    cluster_key  TEXT   NOT NULL
);
