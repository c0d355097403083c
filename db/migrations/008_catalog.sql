-- 008: catalog versions (mgctl catalog load), studio cards/nodes and
-- characters (module catalog).

-- Every catalog file ever loaded, verbatim. A version string names exactly
-- one body (sha256 checks it), and loading the same file again re-activates it.
CREATE TABLE catalog_versions (
  id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version    VARCHAR(120) CHARACTER SET ascii NOT NULL,
  sha256     CHAR(64) CHARACTER SET ascii NOT NULL,
  body       MEDIUMTEXT NOT NULL,
  source     VARCHAR(255) NOT NULL DEFAULT '',
  loaded_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_catalog_version (version)
) ENGINE=InnoDB;

-- The one active version: a single row (one = 1) switched in the same
-- transaction that inserts the version, so a load is atomic. Workers read
-- version_id (one tiny primary-key query) to notice a new load.
CREATE TABLE catalog_active (
  one          TINYINT NOT NULL PRIMARY KEY,
  version_id   BIGINT NOT NULL,
  activated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT ck_catalog_active_one CHECK (one = 1),
  CONSTRAINT fk_catalog_active_version FOREIGN KEY (version_id)
    REFERENCES catalog_versions (id)
) ENGINE=InnoDB;

-- Studio cards (legacy name: nodes). Workspace-scoped, soft-deleted.
-- payload holds the JSON members that are not columns (attributes,
-- visibility_scopes).
CREATE TABLE cards (
  seq          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id           CHAR(36) CHARACTER SET ascii NOT NULL,
  workspace_id CHAR(36) CHARACTER SET ascii NOT NULL,
  card_type    VARCHAR(32) CHARACTER SET ascii NOT NULL,
  name         VARCHAR(200) NOT NULL,
  description  TEXT NULL,
  preview_url  VARCHAR(2048) NULL,
  thumb_url    VARCHAR(2048) NULL,
  parent_id    CHAR(36) CHARACTER SET ascii NULL,
  payload      MEDIUMTEXT NOT NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  deleted_at   DATETIME(6) NULL,
  UNIQUE KEY uq_cards_id (id),
  KEY ix_cards_ws (workspace_id, deleted_at, seq),
  CONSTRAINT fk_cards_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;

-- Outgoing edges of a card (to another card of the same workspace).
CREATE TABLE card_edges (
  id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id CHAR(36) CHARACTER SET ascii NOT NULL,
  from_card_id CHAR(36) CHARACTER SET ascii NOT NULL,
  to_card_id   CHAR(36) CHARACTER SET ascii NOT NULL,
  edge_type    VARCHAR(64) NOT NULL,
  attributes   TEXT NOT NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_edges_from (from_card_id, id)
) ENGINE=InnoDB;

-- Characters (studio /v1/characters). seq orders the cursor pagination.
CREATE TABLE characters (
  seq          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id           CHAR(36) CHARACTER SET ascii NOT NULL,
  workspace_id CHAR(36) CHARACTER SET ascii NOT NULL,
  name         VARCHAR(200) NOT NULL,
  status       ENUM('training','ready','failed') NOT NULL DEFAULT 'training',
  image_urls   TEXT NOT NULL,
  attributes   TEXT NOT NULL,
  voice_id     VARCHAR(120) NULL,
  job_id       CHAR(36) CHARACTER SET ascii NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  deleted_at   DATETIME(6) NULL,
  UNIQUE KEY uq_characters_id (id),
  KEY ix_characters_ws (workspace_id, deleted_at, seq),
  CONSTRAINT fk_characters_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;
