-- The first schema: what happened (events) and every configuration version seen on a node (content-addressed).
-- ${id} is the dialect's auto-numbered primary key; times are milliseconds since the epoch, UTC.
CREATE TABLE events (
  id ${id},
  at BIGINT NOT NULL,
  node_at BIGINT,
  kind VARCHAR(24) NOT NULL,
  router VARCHAR(255),
  node VARCHAR(255),
  daemon VARCHAR(255),
  instance VARCHAR(255),
  from_state VARCHAR(24),
  to_state VARCHAR(24),
  operator VARCHAR(255),
  summary TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX events_at ON events (at, id);
CREATE INDEX events_router_at ON events (router, at, id) WHERE router IS NOT NULL;
CREATE INDEX events_node_at ON events (node, at, id) WHERE node IS NOT NULL;
CREATE INDEX events_instance_at ON events (node, daemon, instance, at, id) WHERE instance IS NOT NULL;
CREATE TABLE instances (
  node VARCHAR(255) NOT NULL,
  daemon VARCHAR(255) NOT NULL,
  instance VARCHAR(255) NOT NULL,
  router VARCHAR(255) NOT NULL,
  PRIMARY KEY (node, daemon, instance)
);
CREATE TABLE config_blobs (
  sha256 CHAR(64) PRIMARY KEY,
  size INTEGER NOT NULL,
  text TEXT NOT NULL
);
CREATE TABLE config_versions (
  id ${id},
  at BIGINT NOT NULL,
  node VARCHAR(255) NOT NULL,
  daemon VARCHAR(255) NOT NULL,
  path VARCHAR(1024) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  source VARCHAR(16) NOT NULL,
  operator VARCHAR(255)
);
CREATE INDEX config_versions_file ON config_versions (node, daemon, path, at, id);
CREATE INDEX config_versions_sha ON config_versions (sha256);
