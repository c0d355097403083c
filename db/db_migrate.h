/*
 * db_migrate: apply db/migrations/NNN_name.sql in order, once each,
 * recording them in schema_migrations; then apply db/grants.sql.
 */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

struct db_conn;

/*
 * Apply pending migrations from dir (sorted by their numeric prefix) and
 * the grants file (may be NULL). Safe to run twice. Prints one line per
 * applied migration to stderr. Returns the number applied, or -1.
 */
int	db_migrate(struct db_conn *, const char *dir, const char *grants,
	    int *version);

#endif
