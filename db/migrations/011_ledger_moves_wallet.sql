-- 011: a wallet moves only through its ledger (docs/MONEY.md, "The trigger").
--
-- Money rule 2 by construction: an AFTER INSERT trigger on the ledger
-- applies every row's deltas to its wallet, in the same statement, so
-- the pools need INSERT on the ledger and nothing on the balances. A
-- balance change without its ledger row is no longer a bug to catch but
-- a privilege the pools do not have (see the REVOKE at the end and
-- db/grants.sql). The statement and its trigger are atomic: a refused
-- row (SIGNAL) leaves neither the row nor a wallet change behind.
--
-- Per kind:
--   hold     reserve +reserved_delta, only while available covers it (the
--            conditional update that cannot overdraw): else 45001.
--   capture, release
--            balance += amount (−actual), reserved += reserved_delta
--            (−hold), only if the row "hold:<job_id>" of this workspace
--            reserves exactly that hold, 0 ≤ actual ≤ hold, and the kind
--            says which (capture: actual > 0): else 45002.
--            Its unique "settle:<job>" ref makes it once per hold.
--   others   balance += amount, reserved untouched: else 45003 (no wallet,
--            a row that claims to move reserved, a zero amount, or a sign
--            that does not fit the kind: grant and topup credit, refund
--            and chargeback debit, an adjustment either way).
--
-- This replaces mg_hold / mg_settle of 009: a hold or settle is now one
-- INSERT, committed by autocommit (its own transaction) or inside the
-- caller's, without a procedure call, START TRANSACTION or COMMIT
-- statement around it (MariaDB CPU per reservation cycle: docs/MONEY.md).

DROP PROCEDURE IF EXISTS mg_hold;
DROP PROCEDURE IF EXISTS mg_settle;

CREATE TRIGGER ledger_moves_wallet AFTER INSERT ON ledger FOR EACH ROW
BEGIN
  IF NEW.kind = 'hold' THEN
    UPDATE wallets
       SET reserved_micros = reserved_micros + NEW.reserved_delta_micros,
           updated_at = NEW.created_at
     WHERE workspace_id = NEW.workspace_id
       AND NEW.amount_micros = 0 AND NEW.reserved_delta_micros > 0
       AND balance_micros - reserved_micros >= NEW.reserved_delta_micros;
    IF ROW_COUNT() <> 1 THEN
      SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 45001,
        MESSAGE_TEXT = 'insufficient funds';
    END IF;
  ELSEIF NEW.kind IN ('capture', 'release') THEN
    UPDATE wallets
       SET balance_micros = balance_micros + NEW.amount_micros,
           reserved_micros = reserved_micros + NEW.reserved_delta_micros,
           updated_at = NEW.created_at
     WHERE workspace_id = NEW.workspace_id
       AND NEW.amount_micros >= NEW.reserved_delta_micros
       AND (NEW.kind = 'capture') = (NEW.amount_micros < 0)
       AND EXISTS (SELECT 1 FROM ledger h
                    WHERE h.ref = CONCAT('hold:', NEW.job_id)
                      AND h.workspace_id = NEW.workspace_id
                      AND h.reserved_delta_micros = -NEW.reserved_delta_micros);
    IF ROW_COUNT() <> 1 THEN
      SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 45002,
        MESSAGE_TEXT = 'no open hold of this job and amount';
    END IF;
  ELSE
    UPDATE wallets
       SET balance_micros = balance_micros + NEW.amount_micros,
           updated_at = NEW.created_at
     WHERE workspace_id = NEW.workspace_id AND NEW.reserved_delta_micros = 0
       AND NEW.amount_micros <> 0
       AND (NEW.kind NOT IN ('grant', 'topup') OR NEW.amount_micros > 0)
       AND (NEW.kind NOT IN ('refund', 'chargeback') OR NEW.amount_micros < 0);
    IF ROW_COUNT() <> 1 THEN
      SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 45003,
        MESSAGE_TEXT = 'no wallet for this workspace, or a sign that does not fit the kind';
    END IF;
  END IF;
END;

-- The pools lose UPDATE on wallets (granted by grants.sql before 011).
-- GRANT first so the REVOKE is valid on a fresh database too, where
-- grants.sql has not run yet.
GRANT UPDATE ON wallets TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
REVOKE UPDATE ON wallets FROM mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
