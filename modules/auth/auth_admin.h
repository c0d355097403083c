/*
 * auth_admin: the identity commands of mgctl (people, OAuth clients,
 * signing keys). Each returns a new JSON object describing what it made
 * (the caller prints and releases it), or NULL with a message in err.
 *
 *   mgctl user create --email E --password-file F [--workspace WS …] [--role owner|member]
 *     (--workspace may be repeated: a membership in each, with the role)
 *   mgctl oauth-client create --name N --redirect-uri U [--redirect-uri U2 …]
 *                     [--scopes generate,read,admin] [--confidential]
 *   mgctl signing-key rotate
 *   mgctl oauth purge        (expired codes, access-token records, sessions)
 */
#ifndef AUTH_ADMIN_H
#define AUTH_ADMIN_H

#include <stddef.h>

#include <json-c/json.h>

struct db_conn;

json_object	*auth_admin_user_create(struct db_conn *, int argc, char **argv,
		    char *err, size_t errcap);
json_object	*auth_admin_client_create(struct db_conn *, int argc,
		    char **argv, char *err, size_t errcap);
json_object	*auth_admin_key_rotate(char *err, size_t errcap);
json_object	*auth_admin_purge(struct db_conn *, int argc, char **argv,
		    char *err, size_t errcap);

#endif
