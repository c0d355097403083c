-- 004: ledger core — holds with expiry, idempotency keys, auto-recharge,
-- billing settings (module wallet; see docs/MONEY.md).

-- One row per reservation, written in the same transaction as its ledger
-- row "hold:<job>" and settled in the same transaction as "settle:<job>".
-- Invariant (mgctl ledger verify): wallets.reserved_micros = Σ amount of
-- the open holds of the workspace.
CREATE TABLE holds (
  job_id          VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  workspace_id    CHAR(36) CHARACTER SET ascii NOT NULL,
  api_key_id      CHAR(36) CHARACTER SET ascii NULL,
  amount_micros   BIGINT NOT NULL,
  captured_micros BIGINT NULL,
  state           ENUM('open','captured','released') NOT NULL DEFAULT 'open',
  expires_at      DATETIME(6) NOT NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  settled_at      DATETIME(6) NULL,
  KEY ix_holds_expiry (state, expires_at),
  KEY ix_holds_ws (workspace_id, state),
  CONSTRAINT ck_holds_amount CHECK (amount_micros > 0)
) ENGINE=InnoDB;

-- Idempotency-Key records (modules/core/mg_idem.c): one per (workspace,
-- key); request_hash = SHA-256(method "\n" path "\n" body), hex.
CREATE TABLE idempotency_keys (
  workspace_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  idem_key      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  route         VARCHAR(128) CHARACTER SET ascii NOT NULL,
  request_hash  CHAR(64) CHARACTER SET ascii NOT NULL,
  state         ENUM('in_flight','done') NOT NULL DEFAULT 'in_flight',
  status        SMALLINT NULL,
  content_type  VARCHAR(100) CHARACTER SET ascii NULL,
  response_body MEDIUMBLOB NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at    DATETIME(6) NOT NULL,
  PRIMARY KEY (workspace_id, idem_key),
  KEY ix_idem_expiry (expires_at)
) ENGINE=InnoDB;

-- Auto-recharge settings (POST /v1/wallet/auto-recharge). No row: disabled.
CREATE TABLE autorecharge (
  workspace_id      CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  threshold_micros  BIGINT NOT NULL,
  amount_micros     BIGINT NOT NULL,
  payment_method_id VARCHAR(120) CHARACTER SET ascii NOT NULL,
  updated_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_ar_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;

-- One row per crossing below the threshold: the unique crossing key makes
-- concurrent captures fire at most one off-session PaymentIntent.
CREATE TABLE autorecharge_attempts (
  id                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id      CHAR(36) CHARACTER SET ascii NOT NULL,
  crossing_key      VARCHAR(191) CHARACTER SET ascii NOT NULL,
  amount_micros     BIGINT NOT NULL,
  payment_intent_id VARCHAR(255) CHARACTER SET ascii NULL,
  status            VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT 'creating',
  error             VARCHAR(255) NOT NULL DEFAULT '',
  created_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_ar_crossing (crossing_key),
  KEY ix_ar_ws (workspace_id, id)
) ENGINE=InnoDB;

-- Billing mode of the credits dialect (GET|PUT /api/billing). A BYO key is
-- stored only as a libsodium secretbox (key: config billing_key_secret).
CREATE TABLE billing_settings (
  workspace_id  CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  mode          ENUM('CREDITS','BYO','MANAGED') NOT NULL DEFAULT 'CREDITS',
  provider      VARCHAR(64) CHARACTER SET ascii NULL,
  key_box       VARBINARY(1024) NULL,
  active_for    VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_bs_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;

