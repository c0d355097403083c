-- 001: tenancy, identity and the append-only USD-micros ledger.
-- All money columns are BIGINT micros (1 USD = 1,000,000). Ids are UUID text.

CREATE TABLE tenants (
  id          CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  name        VARCHAR(200) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

CREATE TABLE workspaces (
  id                 CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  tenant_id          CHAR(36) CHARACTER SET ascii NOT NULL,
  name               VARCHAR(200) NOT NULL,
  plan               VARCHAR(32) NOT NULL DEFAULT 'payg',
  stripe_customer_id VARCHAR(255) NULL,
  created_at         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY (tenant_id),
  CONSTRAINT fk_ws_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB;

CREATE TABLE users (
  id            CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  email         VARCHAR(254) NOT NULL,
  password_hash VARCHAR(255) NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  disabled_at   DATETIME(6) NULL,
  UNIQUE KEY uq_users_email (email)
) ENGINE=InnoDB;

CREATE TABLE workspace_members (
  workspace_id CHAR(36) CHARACTER SET ascii NOT NULL,
  user_id      CHAR(36) CHARACTER SET ascii NOT NULL,
  role         ENUM('owner','member') NOT NULL DEFAULT 'member',
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (workspace_id, user_id),
  KEY (user_id),
  CONSTRAINT fk_wm_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id),
  CONSTRAINT fk_wm_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;

-- API keys: only the SHA-256 of the plaintext is stored; looked up by it,
-- so it is the clustered primary key (one index dive per authentication).
-- scopes is a bit set: 1 generate, 2 read, 4 admin.
CREATE TABLE api_keys (
  id                     CHAR(36) CHARACTER SET ascii NOT NULL,
  workspace_id           CHAR(36) CHARACTER SET ascii NOT NULL,
  key_hash               BINARY(32) NOT NULL,
  prefix                 VARCHAR(16) CHARACTER SET ascii NOT NULL,
  last4                  CHAR(4) CHARACTER SET ascii NOT NULL,
  label                  VARCHAR(200) NOT NULL DEFAULT '',
  dialect                ENUM('studio','prepaid','credits','tenant') NOT NULL DEFAULT 'studio',
  scopes                 TINYINT UNSIGNED NOT NULL DEFAULT 3,
  daily_spend_cap_micros BIGINT NULL,
  daily_request_quota    INT NULL,
  created_by_user        CHAR(36) CHARACTER SET ascii NULL,
  created_at             DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at             DATETIME(6) NULL,
  revoked_at             DATETIME(6) NULL,
  rotated_to             CHAR(36) CHARACTER SET ascii NULL,
  PRIMARY KEY (key_hash),
  UNIQUE KEY uq_api_keys_id (id),
  KEY (workspace_id, created_at),
  CONSTRAINT fk_key_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;

-- One wallet per workspace. balance = Σ ledger.amount_micros and
-- reserved = Σ ledger.reserved_delta_micros, always (mgctl ledger verify).
CREATE TABLE wallets (
  workspace_id    CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  balance_micros  BIGINT NOT NULL DEFAULT 0,
  reserved_micros BIGINT NOT NULL DEFAULT 0,
  updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_wallet_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id),
  CONSTRAINT ck_wallet_reserved CHECK (reserved_micros >= 0)
) ENGINE=InnoDB;

-- The append-only ledger: one row per balance change, INSERT/SELECT only
-- for every pool (db/grants.sql). ref is unique and derived from the cause
-- (e.g. "hold:<job>", "capture:<job>", "stripe:pi_…"), so a retried COMMIT
-- whose answer was lost hits the index instead of paying twice.
CREATE TABLE ledger (
  id                    BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id          CHAR(36) CHARACTER SET ascii NOT NULL,
  kind                  ENUM('grant','topup','hold','capture','release','refund',
                             'chargeback','adjustment') NOT NULL,
  amount_micros         BIGINT NOT NULL,
  reserved_delta_micros BIGINT NOT NULL DEFAULT 0,
  ref                   VARCHAR(191) CHARACTER SET ascii NOT NULL,
  description           VARCHAR(255) NOT NULL DEFAULT '',
  job_id                CHAR(36) CHARACTER SET ascii NULL,
  api_key_id            CHAR(36) CHARACTER SET ascii NULL,
  created_at            DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_ledger_ref (ref),
  KEY ix_ledger_ws (workspace_id, id),
  KEY ix_ledger_key_day (api_key_id, created_at)
) ENGINE=InnoDB;
