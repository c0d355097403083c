-- 007: dispatcher state (mediagate-dispatch, DB role dispatch).
--
-- provider_health: the circuit breaker per provider (catalog provider id:
-- local, fal, replicate, elevenlabs). Written only by the dispatcher; read
-- by the submit routes (mg_generation) and estimates:
--   SELECT 1 FROM provider_health WHERE provider = ? AND open_until > NOW(6)
-- → answer 503 circuit_open. No row, or open_until in the past = closed
-- (after the cool-down the next job is the half-open probe: a success
-- closes the circuit, a failure opens it again).
CREATE TABLE provider_health (
  provider             VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  consecutive_failures INT NOT NULL DEFAULT 0,
  open_until           DATETIME(6) NULL,
  opened_count         INT NOT NULL DEFAULT 0,
  last_error           VARCHAR(255) NOT NULL DEFAULT '',
  last_success_at      DATETIME(6) NULL,
  last_failure_at      DATETIME(6) NULL,
  updated_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- Completion callbacks: one row per job (a job has one terminal state),
-- written in the transaction that settles the job, so a terminal job with a
-- completionCallbackUrl always has exactly one delivery. body is the exact
-- JSON POSTed on every attempt (signed anew with a fresh timestamp).
-- state: pending (next attempt at next_at), delivered (2xx), failed
-- (attempts exhausted), refused (SSRF guard or bad URL: never sent).
CREATE TABLE callback_deliveries (
  job_id        CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  workspace_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  url           VARCHAR(2048) NOT NULL,
  body          MEDIUMTEXT NOT NULL,
  state         ENUM('pending','delivered','failed','refused') NOT NULL DEFAULT 'pending',
  attempts      INT NOT NULL DEFAULT 0,
  next_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_status   INT NULL,
  last_error    VARCHAR(255) NOT NULL DEFAULT '',
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  delivered_at  DATETIME(6) NULL,
  KEY ix_cb_due (state, next_at),
  KEY ix_cb_ws (workspace_id, created_at)
) ENGINE=InnoDB;
