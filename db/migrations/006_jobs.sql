-- 006: generation jobs and their outputs. (The per-provider circuit
-- breaker, provider_health, and callback_deliveries are 007_dispatch.sql.)
--
-- A job row is created by the HTTP pool (mg_generation) in the SAME
-- transaction as its wallet hold (ledger ref "hold:<job id>"), so a job
-- exists iff its hold does (money rule 3). The dispatcher (mg_dispatch)
-- claims queued rows with SELECT … FOR UPDATE SKIP LOCKED, takes a lease,
-- runs the provider, writes job_outputs and settles the hold exactly once
-- ("settle:<job id>") in the transaction that moves the job to a terminal
-- state. See modules/generation/gen_job.h and docs/GENERATION.md.
--
-- States: queued → running → succeeded | failed | canceled
--         queued → canceled (DELETE /v1/jobs/{id}: hold released with it)
--         running + cancel_requested=1 → the dispatcher cancels upstream
--         and finishes the job as canceled (hold released).
-- A moderation block is state 'failed' with error_code 'nsfw_blocked'.

CREATE TABLE jobs (
  id                  CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  workspace_id        CHAR(36) CHARACTER SET ascii NOT NULL,
  api_key_id          CHAR(36) CHARACTER SET ascii NULL,
  -- Who submitted it and through which route shape.
  dialect             ENUM('studio','prepaid','credits','tenant') NOT NULL,
  -- studio Job.type word / prepaid task: 'image', 'video', 'audio',
  -- 'compose', 'image.generate', 'video.combine', ...
  job_type            VARCHAR(48) CHARACTER SET ascii NOT NULL,
  -- Media kind of the model (catalog kind name: image|video|audio|3d|training|compose).
  kind                VARCHAR(16) CHARACTER SET ascii NOT NULL,
  state               ENUM('queued','running','succeeded','failed','canceled')
                      NOT NULL DEFAULT 'queued',
  cancel_requested    TINYINT NOT NULL DEFAULT 0,
  progress_pct        TINYINT UNSIGNED NULL,

  -- What runs: catalog model, provider (catalog provider id), upstream model.
  model               VARCHAR(120) CHARACTER SET ascii NOT NULL,
  provider            VARCHAR(64) CHARACTER SET ascii NOT NULL,
  provider_model      VARCHAR(191) NOT NULL DEFAULT '',
  provider_request_id VARCHAR(128) NULL,
  -- The provider work as JSON (struct prov_job fields, see gen_job.h):
  -- {"kind","compose","prompt","width","height","duration_s","count",
  --  "voice","format","seed","inputs":[paths relative to outputs_dir],
  --  "extra":{...}}.
  params              MEDIUMTEXT NOT NULL,

  -- Money. price_req is catalog_price_req_to_json() of the priced request;
  -- re-pricing it against catalog_version gives hold_micros back.
  catalog_version     VARCHAR(64) NOT NULL,
  price_req           TEXT NOT NULL,
  hold_micros         BIGINT NOT NULL,
  actual_micros       BIGINT NULL,
  -- The quote shown to the caller (pricingMeta / breakdown), JSON.
  pricing_meta        TEXT NULL,
  -- prepaid effectiveInput (JSON object) and inputAdjustments (JSON array).
  effective_input     MEDIUMTEXT NULL,
  input_adjustments   TEXT NULL,
  estimated_seconds   INT NOT NULL DEFAULT 0,

  -- Dispatcher lease and retries.
  lease_owner         VARCHAR(128) NULL,
  lease_until         DATETIME(6) NULL,
  attempts            INT NOT NULL DEFAULT 0,
  next_attempt_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),

  -- Terminal error (snake_case code, human message; never a secret).
  error_code          VARCHAR(64) NULL,
  error_message       VARCHAR(512) NULL,

  -- Completion callback (prepaid completionCallbackUrl): one POST per
  -- terminal state (a callback_deliveries row written with the terminal
  -- transition, 007), signed with callback_secret (HMAC-SHA256).
  callback_url        VARCHAR(2048) NULL,
  callback_secret     VARCHAR(128) CHARACTER SET ascii NULL,

  -- Idempotency: one job per (workspace, key); request_hash is the SHA-256
  -- of the canonical request so a replay with a different body is refused.
  idempotency_key     VARCHAR(191) NULL,
  request_hash        BINARY(32) NULL,

  created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  started_at          DATETIME(6) NULL,
  finished_at         DATETIME(6) NULL,
  -- Outputs are deleted by the dispatcher's timer after this.
  outputs_expire_at   DATETIME(6) NULL,
  outputs_deleted_at  DATETIME(6) NULL,

  UNIQUE KEY uq_jobs_idem (workspace_id, idempotency_key),
  KEY ix_jobs_ws_state (workspace_id, state),
  KEY ix_jobs_ws_created (workspace_id, created_at),
  KEY ix_jobs_claim (state, next_attempt_at),
  KEY ix_jobs_lease (state, lease_until),
  KEY ix_jobs_expire (outputs_expire_at),
  CONSTRAINT fk_jobs_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB;

-- Files a job produced, paths relative to outputs_dir (served by nginx at
-- /files/<path> through signed links, gen_link.c).
CREATE TABLE job_outputs (
  job_id       CHAR(36) CHARACTER SET ascii NOT NULL,
  idx          INT NOT NULL,
  path         VARCHAR(512) NOT NULL,
  mime         VARCHAR(64) CHARACTER SET ascii NOT NULL,
  size_bytes   BIGINT NOT NULL DEFAULT 0,
  width        INT NULL,
  height       INT NULL,
  duration_ms  BIGINT NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (job_id, idx),
  CONSTRAINT fk_jo_job FOREIGN KEY (job_id) REFERENCES jobs (id)
) ENGINE=InnoDB;
