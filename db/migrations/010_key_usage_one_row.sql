-- 010: one key_usage row per (key, UTC day), shard 0.
--
-- 002 split each key's daily count over 8 shards (the worker's pid mod 8)
-- so per-request upserts would not queue on one row lock; the key lookup
-- then summed them in a correlated subquery on every authenticated
-- request. Counts are now written in per-worker batches (auth_keys.c:
-- quota/100 requests, at most 16, or once a second, one transaction per
-- sweep), so a busy key's row sees a few hundred small upserts a second
-- at most, and the lookup joins the single row by primary key instead:
-- about 45 µs less MariaDB CPU per request on this machine
-- (docs/IDENTITY.md). The shard column stays
-- (always 0) so the primary key and the purge are unchanged.
INSERT INTO key_usage (key_id, day, shard, count)
  SELECT key_id, day, 0, SUM(count) FROM key_usage WHERE shard > 0
  GROUP BY key_id, day
  ON DUPLICATE KEY UPDATE count = key_usage.count + VALUES(count);
DELETE FROM key_usage WHERE shard > 0;
