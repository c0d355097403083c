-- 009: a hold is its ledger row (docs/MONEY.md, "Holds").
--
-- The "hold:<job>" row (reserved +amount) carries the hold's expiry; the
-- hold is open while no "settle:<job>" row exists. The unique ref index
-- makes "settled at most once" a property of the ledger itself, so the
-- holds table of 004 (a second copy of the same facts, two more writes per
-- hold + settle) is gone.
--
-- Hold and settle are one CALL each: one round trip and, in their own
-- transaction, one commit, with the wallet row locked only for the few
-- microseconds between the conditional UPDATE and the COMMIT inside the
-- server (limits.md: the hot-row lock is the bottleneck of a busy wallet).
-- The procedures run with the caller's privileges (SQL SECURITY INVOKER):
-- the pools keep INSERT + SELECT on the ledger and UPDATE on wallets, and
-- nothing more. Parameters are ascii like the columns they are compared
-- with, so every lookup uses its index.

ALTER TABLE ledger
  ADD COLUMN expires_at DATETIME(6) NULL,
  ADD KEY ix_ledger_hold_expiry (expires_at);

UPDATE ledger l JOIN holds h ON l.ref = CONCAT('hold:', h.job_id)
  SET l.expires_at = h.expires_at;

DROP TABLE holds;

-- How far the hold reaper has looked: every hold that expired at or before
-- `upto` is settled (modules/wallet/wallet.c, wallet_reap_expired).
CREATE TABLE reaper_marks (
  name  VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  upto  DATETIME(6) NOT NULL
) ENGINE=InnoDB;
INSERT INTO reaper_marks (name, upto) VALUES ('holds', '1970-01-02 00:00:00');

-- Hold p_amount for p_job: the ledger row first (a replay fails on its
-- unique ref before the wallet row is locked), then the conditional
-- reserve that cannot overdraw. SIGNAL 45001 when available < amount.
-- p_own_tx = 1: its own transaction, committed here; 0: inside the
-- caller's. On any error the caller rolls back.
CREATE PROCEDURE mg_hold(
  IN p_ws     CHAR(36) CHARACTER SET ascii,
  IN p_job    VARCHAR(64) CHARACTER SET ascii,
  IN p_key    CHAR(36) CHARACTER SET ascii,
  IN p_amount BIGINT,
  IN p_ttl    INT,
  IN p_desc   VARCHAR(255) CHARACTER SET utf8mb4,
  IN p_own_tx TINYINT)
  MODIFIES SQL DATA SQL SECURITY INVOKER
BEGIN
  IF p_own_tx THEN START TRANSACTION; END IF;
  INSERT INTO ledger (workspace_id, kind, amount_micros, reserved_delta_micros,
                      ref, description, job_id, api_key_id, expires_at)
    VALUES (p_ws, 'hold', 0, p_amount, CONCAT('hold:', p_job), p_desc, p_job,
            p_key, NOW(6) + INTERVAL p_ttl SECOND);
  UPDATE wallets SET reserved_micros = reserved_micros + p_amount,
                     updated_at = NOW(6)
    WHERE workspace_id = p_ws AND balance_micros - reserved_micros >= p_amount;
  IF ROW_COUNT() <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 45001,
      MESSAGE_TEXT = 'insufficient funds';
  END IF;
  IF p_own_tx THEN COMMIT; END IF;
END;

-- Settle the hold of p_job: capture p_actual (0 ≤ actual ≤ hold, checked
-- by the caller) and release the rest, as one "settle:<job>" row (unique:
-- a second settle fails with 1062 before touching the wallet). The wallet
-- changes only if the hold row exists for this workspace with exactly
-- p_hold; SIGNAL 45002 otherwise. p_own_tx as for mg_hold.
CREATE PROCEDURE mg_settle(
  IN p_ws     CHAR(36) CHARACTER SET ascii,
  IN p_job    VARCHAR(64) CHARACTER SET ascii,
  IN p_key    CHAR(36) CHARACTER SET ascii,
  IN p_hold   BIGINT,
  IN p_actual BIGINT,
  IN p_desc   VARCHAR(255) CHARACTER SET utf8mb4,
  IN p_own_tx TINYINT)
  MODIFIES SQL DATA SQL SECURITY INVOKER
BEGIN
  IF p_own_tx THEN START TRANSACTION; END IF;
  INSERT INTO ledger (workspace_id, kind, amount_micros, reserved_delta_micros,
                      ref, description, job_id, api_key_id)
    VALUES (p_ws, IF(p_actual > 0, 'capture', 'release'), -p_actual, -p_hold,
            CONCAT('settle:', p_job), p_desc, p_job, p_key);
  UPDATE wallets SET balance_micros = balance_micros - p_actual,
                     reserved_micros = reserved_micros - p_hold,
                     updated_at = NOW(6)
    WHERE workspace_id = p_ws
      AND EXISTS (SELECT 1 FROM ledger h WHERE h.ref = CONCAT('hold:', p_job)
                  AND h.workspace_id = p_ws
                  AND h.reserved_delta_micros = p_hold);
  IF ROW_COUNT() <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 45002,
      MESSAGE_TEXT = 'no open hold of this job and amount';
  END IF;
  IF p_own_tx THEN COMMIT; END IF;
END;
