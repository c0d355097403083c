-- 005: external payments (Stripe, Coinbase Commerce, x402), exactly once.
-- The exactly-once guarantee is the ledger's unique ref "<provider>:<key>"
-- written in the same transaction as the payment row (modules/wallet/
-- payments.c, docs/PAYMENTS.md). These tables are the bookkeeping around it.

-- One row per external payment: a Stripe PaymentIntent (pi_…, or the
-- session id cs_… when a session has none), a Coinbase charge code, an x402
-- settlement transaction. amount = what the payer paid, credit = what the
-- wallet got (a package may carry a bonus). amount_refunded is Stripe's
-- cumulative charge.amount_refunded, in micros, as last applied.
CREATE TABLE payments (
  id                     BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  provider               ENUM('stripe','coinbase','x402') NOT NULL,
  payment_key            VARCHAR(191) CHARACTER SET ascii NOT NULL,
  workspace_id           CHAR(36) CHARACTER SET ascii NOT NULL,
  package_code           VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  checkout_id            VARCHAR(191) CHARACTER SET ascii NULL,
  amount_micros          BIGINT NOT NULL DEFAULT 0,
  credit_micros          BIGINT NOT NULL DEFAULT 0,
  status                 ENUM('pending','paid','failed','expired','refunded',
                              'partially_refunded') NOT NULL DEFAULT 'pending',
  amount_refunded_micros BIGINT NOT NULL DEFAULT 0,
  disputed               TINYINT NOT NULL DEFAULT 0,
  ledger_ref             VARCHAR(191) CHARACTER SET ascii NULL,
  created_at             DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at             DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_payments_key (provider, payment_key),
  KEY ix_payments_ws (workspace_id, id),
  KEY ix_payments_checkout (provider, checkout_id)
) ENGINE=InnoDB;

-- One row per checkout we created (a Stripe Checkout Session, a Coinbase
-- charge): who bought what, for claims and for the webhook's credit amount.
-- checkout_id: cs_… or the charge code; alt_id: the charge uuid.
CREATE TABLE payment_checkouts (
  provider      ENUM('stripe','coinbase') NOT NULL,
  checkout_id   VARCHAR(191) CHARACTER SET ascii NOT NULL,
  alt_id        VARCHAR(191) CHARACTER SET ascii NULL,
  workspace_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  package_code  VARCHAR(64) CHARACTER SET ascii NOT NULL,
  amount_micros BIGINT NOT NULL,
  credit_micros BIGINT NOT NULL,
  status        ENUM('open','complete','failed','expired') NOT NULL DEFAULT 'open',
  payment_key   VARCHAR(191) CHARACTER SET ascii NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (provider, checkout_id),
  KEY ix_checkouts_alt (provider, alt_id),
  KEY ix_checkouts_ws (workspace_id)
) ENGINE=InnoDB;

-- Webhook events already processed (at-least-once delivery, payments.md §1,
-- §4): inserted in the transaction that applies the event, so a duplicate
-- hits the primary key and changes nothing.
CREATE TABLE payment_events (
  provider     ENUM('stripe','coinbase') NOT NULL,
  event_id     VARCHAR(191) CHARACTER SET ascii NOT NULL,
  type         VARCHAR(64) CHARACTER SET ascii NOT NULL,
  payment_key  VARCHAR(191) CHARACTER SET ascii NOT NULL DEFAULT '',
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (provider, event_id)
) ENGINE=InnoDB;
