-- 002: API key lifecycle, per-key daily request quota, e-mailed one-time
-- sign-in codes and RFC 8628 device links (docs/IDENTITY.md).

-- Requests per API key per UTC day, split in shards (the worker's pid mod 8)
-- so concurrent requests of one key do not queue on one row lock and their
-- commits can share a log flush. The key lookup reads SUM(count) of today;
-- each request then adds one to its shard (DB_AUTH_QUOTA_COUNT). Old days
-- can be deleted at will.
CREATE TABLE key_usage (
  key_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  day     DATE NOT NULL,
  shard   TINYINT UNSIGNED NOT NULL,
  count   INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (key_id, day, shard)
) ENGINE=InnoDB;

-- E-mailed six-digit codes: only HMAC-SHA256(otp_secret, id || 0 || code)
-- is stored (auth_otp.h). The newest row of an address is the live one.
CREATE TABLE email_otps (
  id          CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  email       VARCHAR(254) NOT NULL,
  code_hash   BINARY(32) NOT NULL,
  attempts    INT NOT NULL DEFAULT 0,
  expires_at  DATETIME(6) NOT NULL,
  consumed_at DATETIME(6) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_otp_email (email, created_at)
) ENGINE=InnoDB;

-- Device links (RFC 8628 semantics): the device code is stored as its
-- SHA-256; the key is minted only when the approved link is polled, so no
-- plaintext key is ever stored.
CREATE TABLE device_links (
  id               CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  device_hash      BINARY(32) NOT NULL,
  user_code        CHAR(8) CHARACTER SET ascii NOT NULL,
  key_label        VARCHAR(200) NOT NULL DEFAULT '',
  status           ENUM('pending','approved','denied','consumed') NOT NULL DEFAULT 'pending',
  poll_interval    INT NOT NULL DEFAULT 5,
  last_poll_at     DATETIME(6) NULL,
  workspace_id     CHAR(36) CHARACTER SET ascii NULL,
  approved_by_key  CHAR(36) CHARACTER SET ascii NULL,
  scopes           TINYINT UNSIGNED NOT NULL DEFAULT 0,
  key_id           CHAR(36) CHARACTER SET ascii NULL,
  expires_at       DATETIME(6) NOT NULL,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_device_hash (device_hash),
  UNIQUE KEY uq_device_user_code (user_code)
) ENGINE=InnoDB;
