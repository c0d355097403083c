-- Per-pool privileges, applied by `mgctl migrate` after the migrations
-- (idempotent). One MariaDB account per pool (users created by
-- tools/stack.sh); each may touch only the tables its statements need
-- (db/sql/*.def). The ledger is INSERT + SELECT only for everyone: it is
-- append-only by privilege, not by convention. Only mg_admin (migrations,
-- mgctl) holds DDL.

-- Every HTTP pool authenticates callers and reads balances.
GRANT SELECT ON mediagate.api_keys TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT ON mediagate.workspaces TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.wallets TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.schema_migrations TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';

-- The ledger: append and read, never UPDATE or DELETE.
GRANT SELECT, INSERT ON mediagate.ledger TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';

-- Pools that move money create wallet rows; they cannot UPDATE one: a
-- wallet moves only when its ledger row is inserted (the trigger of
-- migration 011, which runs with its definer's rights, mg_admin's).
GRANT INSERT ON mediagate.wallets TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';

-- auth: keys, people, memberships.
GRANT INSERT, UPDATE ON mediagate.api_keys TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.users TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.workspace_members TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, UPDATE ON mediagate.workspaces TO mg_wallet@localhost, mg_wallet@'127.0.0.1';

-- 003 (oauth): browser sessions and the OAuth authorization server live in
-- the auth pool; every HTTP pool checks an access token's jti and grant.
GRANT SELECT, INSERT, UPDATE ON mediagate.user_sessions TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_clients TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_client_redirects TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_codes TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_grants TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_refresh_tokens TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_access_tokens TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_access_tokens TO mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_grants TO mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
-- payments (005, modules/wallet/payments.c): the wallet pool records and
-- settles external payments; mgctl (admin) reads them for ledger verify.
GRANT SELECT, INSERT, UPDATE ON mediagate.payments TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.payment_checkouts TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
GRANT SELECT, INSERT ON mediagate.payment_events TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
-- generation (006): jobs are inserted with their hold and read/canceled by
-- the HTTP pool; the dispatcher claims, leases and finishes them and
-- maintains the per-provider circuit breaker the HTTP pools read (007).
GRANT SELECT, INSERT, UPDATE ON mediagate.jobs TO mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.job_outputs TO mg_generation@localhost, mg_generation@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE, DELETE ON mediagate.job_outputs TO mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.api_keys TO mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
-- dispatch (mediagate-dispatch): its own tables (007_dispatch.sql); the
-- submit routes read the circuit breaker.
GRANT SELECT, INSERT, UPDATE ON mediagate.provider_health TO mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.callback_deliveries TO mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.provider_health TO mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';

-- catalog: every pool reads the active catalog version (mgctl, as mg_admin,
-- loads it); the catalog pool owns cards and characters and reads the
-- ledger for the per-key spend in /v1/estimate (SELECT on ledger above).
GRANT SELECT ON mediagate.catalog_versions TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.catalog_active TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.cards TO mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT, INSERT ON mediagate.card_edges TO mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.characters TO mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1';
-- /v1/estimate reads the workspace's active job count (concurrency cap).
GRANT SELECT ON mediagate.jobs TO mg_catalog@localhost, mg_catalog@'127.0.0.1';
-- 004 ledger core: idempotency keys for every HTTP pool, auto-recharge and
-- billing for the wallet pool. 009: holds are ledger rows; the hold reaper
-- (dispatcher, wallet pool, mgctl) keeps its mark in reaper_marks.
GRANT SELECT, UPDATE ON mediagate.reaper_marks TO mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE, DELETE ON mediagate.idempotency_keys TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT, DELETE ON mediagate.idempotency_keys TO mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.autorecharge TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE, DELETE ON mediagate.autorecharge TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.autorecharge_attempts TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.billing_settings TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
GRANT SELECT ON mediagate.billing_settings TO mg_generation@localhost, mg_generation@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';

-- payments (005, modules/wallet/payments.c): the wallet pool records and
-- settles external payments; mgctl (admin) reads them for ledger verify.
GRANT SELECT, INSERT, UPDATE ON mediagate.payments TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.payment_checkouts TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
GRANT SELECT, INSERT ON mediagate.payment_events TO mg_wallet@localhost, mg_wallet@'127.0.0.1';
-- 003 (oauth): browser sessions and the OAuth authorization server live in
-- the auth pool; every HTTP pool checks an access token's jti and grant.
GRANT SELECT, INSERT, UPDATE ON mediagate.user_sessions TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_clients TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_client_redirects TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_codes TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_grants TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_refresh_tokens TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.oauth_access_tokens TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_access_tokens TO mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT ON mediagate.oauth_grants TO mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
-- keys (002): the per-key daily quota is counted by every HTTP pool.
GRANT SELECT, INSERT, UPDATE ON mediagate.key_usage TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1';
-- keys (002): sign-in codes, device links, and a tenant + workspace for a new person.
GRANT SELECT, INSERT, UPDATE ON mediagate.email_otps TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.device_links TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT INSERT ON mediagate.tenants TO mg_auth@localhost, mg_auth@'127.0.0.1';
GRANT INSERT ON mediagate.workspaces TO mg_auth@localhost, mg_auth@'127.0.0.1';

-- catalog: every pool reads the active catalog version (mgctl, as mg_admin,
-- loads it); the catalog pool owns cards and characters and reads the
-- ledger for the per-key spend in /v1/estimate (SELECT on ledger above).
GRANT SELECT ON mediagate.catalog_versions TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT ON mediagate.catalog_active TO mg_auth@localhost, mg_auth@'127.0.0.1', mg_wallet@localhost, mg_wallet@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1', mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.cards TO mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT, INSERT ON mediagate.card_edges TO mg_catalog@localhost, mg_catalog@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON mediagate.characters TO mg_catalog@localhost, mg_catalog@'127.0.0.1', mg_generation@localhost, mg_generation@'127.0.0.1';
-- /v1/estimate reads the workspace's active job count (concurrency cap).
GRANT SELECT ON mediagate.jobs TO mg_catalog@localhost, mg_catalog@'127.0.0.1';

-- The dispatcher's timer purges request counts of past days (key_usage).
GRANT SELECT, DELETE ON mediagate.key_usage TO mg_dispatch@localhost, mg_dispatch@'127.0.0.1';
