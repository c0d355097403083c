/*
 * mg_config: the one configuration source.
 *
 * Keys are lower_snake_case in config/mediagate.conf ("key = value", '#'
 * comments). For every key, the environment wins: MG_<KEY> (upper case), then
 * MG_<KEY>_FILE naming a file whose first line is the value (for secrets),
 * then the file, then the caller's default. The file is found at $MG_CONFIG,
 * else config/mediagate.conf relative to the working directory.
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#include <stdint.h>

/* Load the file (missing file is not an error). Returns 0 or -1 on a syntax error. */
int		 mg_cfg_load(const char *path);
/* The value for key, or def. The pointer stays valid for the process life. */
const char	*mg_cfg_str(const char *key, const char *def);
/* Integer value parsed strictly; def when unset; def also when malformed (logged). */
int64_t		 mg_cfg_int(const char *key, int64_t def);
/* Boolean: 1/true/yes/on → 1, 0/false/no/off → 0, else def. */
int		 mg_cfg_bool(const char *key, int def);

#endif
