-- 003: browser sessions of people, and the OAuth 2.0 authorization server
-- (clients, codes, grants, refresh and access tokens). Every secret is
-- stored only as its SHA-256 (BINARY(32)) and looked up by it; redirect URIs
-- are matched by the SHA-256 of their exact bytes (RFC 9700 §4.1.3), never
-- through a case- or pad-insensitive collation.

-- Browser sessions (cookie mg_session): idle expiry through last_seen_at,
-- absolute expiry through expires_at, revocable.
CREATE TABLE user_sessions (
  id_hash       BINARY(32) NOT NULL PRIMARY KEY,
  user_id       CHAR(36) CHARACTER SET ascii NOT NULL,
  workspace_id  CHAR(36) CHARACTER SET ascii NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_seen_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at    DATETIME(6) NOT NULL,
  revoked_at    DATETIME(6) NULL,
  KEY (user_id),
  CONSTRAINT fk_sess_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;

-- OAuth clients. Public clients (secret_hash NULL) must use PKCE; so must
-- confidential ones. scopes: bit set as api_keys.scopes.
CREATE TABLE oauth_clients (
  id           VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  name         VARCHAR(200) NOT NULL,
  secret_hash  BINARY(32) NULL,
  scopes       TINYINT UNSIGNED NOT NULL DEFAULT 3,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  disabled_at  DATETIME(6) NULL
) ENGINE=InnoDB;

CREATE TABLE oauth_client_redirects (
  client_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  uri_hash     BINARY(32) NOT NULL,
  redirect_uri VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (client_id, uri_hash),
  CONSTRAINT fk_redir_client FOREIGN KEY (client_id) REFERENCES oauth_clients (id)
) ENGINE=InnoDB;

-- A grant: what one code exchange produced (the refresh-token family and
-- every access token of it). Revoking it kills all of them.
CREATE TABLE oauth_grants (
  id            CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  client_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id       CHAR(36) CHARACTER SET ascii NOT NULL,
  workspace_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  scopes        TINYINT UNSIGNED NOT NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at    DATETIME(6) NULL,
  KEY (user_id),
  CONSTRAINT fk_grant_client FOREIGN KEY (client_id) REFERENCES oauth_clients (id),
  CONSTRAINT fk_grant_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;

-- Authorization codes: single use, short-lived; grant_id is set by the
-- exchange so a replay can revoke everything issued from the code.
CREATE TABLE oauth_codes (
  code_hash      BINARY(32) NOT NULL PRIMARY KEY,
  client_id      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id        CHAR(36) CHARACTER SET ascii NOT NULL,
  workspace_id   CHAR(36) CHARACTER SET ascii NOT NULL,
  redirect_hash  BINARY(32) NOT NULL,
  scopes         TINYINT UNSIGNED NOT NULL,
  challenge      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at     DATETIME(6) NOT NULL,
  used_at        DATETIME(6) NULL,
  grant_id       CHAR(36) CHARACTER SET ascii NULL,
  KEY (expires_at)
) ENGINE=InnoDB;

-- Refresh tokens (opaque): rotated on every use (used_at set); presenting
-- a used one revokes its grant (the family).
CREATE TABLE oauth_refresh_tokens (
  token_hash   BINARY(32) NOT NULL PRIMARY KEY,
  grant_id     CHAR(36) CHARACTER SET ascii NOT NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at   DATETIME(6) NOT NULL,
  used_at      DATETIME(6) NULL,
  revoked_at   DATETIME(6) NULL,
  KEY (grant_id),
  CONSTRAINT fk_rt_grant FOREIGN KEY (grant_id) REFERENCES oauth_grants (id)
) ENGINE=InnoDB;

-- Access tokens issued (JWT jti → grant), checked on every use so RFC 7009
-- revocation of an access token, or of its grant, takes effect at once.
CREATE TABLE oauth_access_tokens (
  jti          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  grant_id     CHAR(36) CHARACTER SET ascii NOT NULL,
  expires_at   DATETIME(6) NOT NULL,
  revoked_at   DATETIME(6) NULL,
  KEY (grant_id),
  CONSTRAINT fk_at_grant FOREIGN KEY (grant_id) REFERENCES oauth_grants (id)
) ENGINE=InnoDB;
