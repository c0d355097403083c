#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mg_util.h"
#include "db_migrate.h"

#define MAX_MIGRATIONS	256

static char *
slurp(const char *path)
{
	FILE *f;
	long n;
	char *buf;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is version v applied? */
static int
applied(struct db_conn *db, int64_t v)
{
	char sql[128];
	MYSQL_RES *res;
	int yes;

	snprintf(sql, sizeof(sql),
	    "SELECT 1 FROM schema_migrations WHERE version = %lld", (long long)v);
	if (mysql_query(db_mysql(db), sql) != 0 ||
	    (res = mysql_store_result(db_mysql(db))) == NULL)
		return -1;
	yes = mysql_num_rows(res) > 0;
	mysql_free_result(res);
	return yes;
}

int
db_migrate(struct db_conn *db, const char *dir, const char *grants,
    int *version)
{
	DIR *d;
	struct dirent *de;
	char *names[MAX_MIGRATIONS], path[1024], sql[512], *text;
	size_t n = 0, i, dig;
	int64_t v;
	int count = 0, rc = -1, a;

	*version = 0;
	if (db_raw(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,"
	    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
	    ") ENGINE=InnoDB") != DB_OK)
		return -1;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "migrate: cannot open %s\n", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < MAX_MIGRATIONS) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0 &&
		    de->d_name[0] >= '0' && de->d_name[0] <= '9')
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmpstr);
	for (i = 0; i < n; i++) {
		for (dig = 0; names[i][dig] >= '0' && names[i][dig] <= '9'; dig++)
			continue;
		{
			size_t z = 0;

			while (z + 1 < dig && names[i][z] == '0')
				z++;
			if (dig == 0 || mg_parse_i64(names[i] + z, dig - z, 1,
			    999999, &v) != 0) {
				fprintf(stderr, "migrate: bad name %s\n", names[i]);
				goto out;
			}
		}
		if ((a = applied(db, v)) < 0)
			goto out;
		if (a) {
			*version = (int)v;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((text = slurp(path)) == NULL) {
			fprintf(stderr, "migrate: cannot read %s\n", path);
			goto out;
		}
		if (db_raw(db, text) != DB_OK) {
			fprintf(stderr, "migrate: %s failed: %s\n", names[i],
			    mysql_error(db_mysql(db)));
			free(text);
			goto out;
		}
		free(text);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations "
		    "(version, name) VALUES (%lld, '%.200s')", (long long)v,
		    names[i]);
		if (db_raw(db, sql) != DB_OK)
			goto out;
		fprintf(stderr, "migrate: applied %s\n", names[i]);
		*version = (int)v;
		count++;
	}
	if (grants != NULL) {
		if ((text = slurp(grants)) == NULL) {
			fprintf(stderr, "migrate: cannot read %s\n", grants);
			goto out;
		}
		if (db_raw(db, text) != DB_OK) {
			fprintf(stderr, "migrate: grants failed: %s\n",
			    mysql_error(db_mysql(db)));
			free(text);
			goto out;
		}
		free(text);
	}
	rc = count;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
