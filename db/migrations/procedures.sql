-- Stored routines (applied by `mgctl migrate` on every run, after the
-- numbered migrations and before db/grants.sql; db/db_migrate.c).

-- One round trip per money statement group (limits.md: the hot-row lock is
-- held from the wallet UPDATE to COMMIT, so fewer round trips = more
-- throughput). Each procedure runs inside the caller's transaction when one
-- is open (@@in_transaction = 1: the caller commits or rolls back), else in
-- its own, committed before it returns. The ledger row comes first, so a
-- replayed ref fails with 1062 before the wallet row is locked. Business
-- refusals are SIGNALled with MYSQL_ERRNO 65001 (insufficient funds), 65002
-- (no open hold of that job and amount), 65003 (no wallet); every error
-- rolls back a transaction the procedure opened and is re-raised unchanged.
CREATE OR REPLACE PROCEDURE mg_wallet_hold(IN p_ws CHAR(36), IN p_job VARCHAR(64),
    IN p_key CHAR(36), IN p_amount BIGINT, IN p_ttl INT, IN p_desc VARCHAR(255))
MODIFIES SQL DATA
BEGIN
  DECLARE own INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own = 1 THEN ROLLBACK; END IF;
    RESIGNAL;
  END;
  IF @@in_transaction = 0 THEN
    SET own = 1;
    START TRANSACTION;
  END IF;
  INSERT INTO ledger (workspace_id, kind, amount_micros, reserved_delta_micros,
    ref, description, job_id, api_key_id)
    VALUES (p_ws, 'hold', 0, p_amount, CONCAT('hold:', p_job), p_desc, p_job, p_key);
  INSERT INTO holds (job_id, workspace_id, api_key_id, amount_micros, expires_at)
    VALUES (p_job, p_ws, p_key, p_amount, NOW(6) + INTERVAL p_ttl SECOND);
  UPDATE wallets SET reserved_micros = reserved_micros + p_amount, updated_at = NOW(6)
    WHERE workspace_id = p_ws AND balance_micros - reserved_micros >= p_amount;
  IF ROW_COUNT() <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 65001, MESSAGE_TEXT = 'insufficient funds';
  END IF;
  IF own = 1 THEN COMMIT; END IF;
END;

CREATE OR REPLACE PROCEDURE mg_wallet_settle(IN p_ws CHAR(36), IN p_job VARCHAR(64),
    IN p_key CHAR(36), IN p_hold BIGINT, IN p_actual BIGINT, IN p_desc VARCHAR(255))
MODIFIES SQL DATA
BEGIN
  DECLARE own INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own = 1 THEN ROLLBACK; END IF;
    RESIGNAL;
  END;
  IF @@in_transaction = 0 THEN
    SET own = 1;
    START TRANSACTION;
  END IF;
  INSERT INTO ledger (workspace_id, kind, amount_micros, reserved_delta_micros,
    ref, description, job_id, api_key_id)
    VALUES (p_ws, IF(p_actual > 0, 'capture', 'release'), -p_actual, -p_hold,
      CONCAT('settle:', p_job), p_desc, p_job, p_key);
  UPDATE holds SET state = IF(p_actual > 0, 'captured', 'released'),
    captured_micros = p_actual, settled_at = NOW(6)
    WHERE job_id = p_job AND workspace_id = p_ws AND amount_micros = p_hold
      AND state = 'open';
  IF ROW_COUNT() <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 65002, MESSAGE_TEXT = 'no open hold';
  END IF;
  UPDATE wallets SET balance_micros = balance_micros - p_actual,
    reserved_micros = reserved_micros - p_hold, updated_at = NOW(6)
    WHERE workspace_id = p_ws;
  IF ROW_COUNT() <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 65003, MESSAGE_TEXT = 'no wallet';
  END IF;
  IF own = 1 THEN COMMIT; END IF;
END;
