/*
 * gen_files: where a job's outputs live on disk (the signed links that
 * serve them are gen_link.h).
 *
 * Layout: $MG_OUTPUTS_DIR/<workspace id>/<job id>/<file> (config key
 * outputs_dir, env MG_OUTPUTS_DIR; default var/outputs). Paths stored in
 * job_outputs are relative to outputs_dir ("<ws>/<job>/out.png").

 */
#ifndef GEN_FILES_H
#define GEN_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum gen_files_err {
	GEN_FILES_OK = 0,
	GEN_FILES_E_NAME,	/* an id or path component is not acceptable */
	GEN_FILES_E_TOOLONG,	/* a path or URL does not fit */
	GEN_FILES_E_IO,		/* mkdir / unlink / rmdir failed */
	GEN_FILES_E__MAX
};

const char	*gen_files_strerror(enum gen_files_err);

/* The outputs root (config outputs_dir), never NULL. */
const char	*gen_files_root(void);

/*
 * 1 when s is a safe id for a directory name: 1..64 chars of [0-9A-Za-z_-].
 */
int		 gen_files_id_ok(const char *s);

/*
 * 1 when rel is a safe relative path under the root: components of
 * [0-9A-Za-z._-], none empty, "." or "..", no leading '/', ≤ 400 chars.
 */
int		 gen_files_rel_ok(const char *rel);

/*
 * The job's directory "<root>/<ws>/<job>" into buf; with create, made
 * (mode 0755, parents too) and emptied of earlier attempts' files.
 */
enum gen_files_err gen_files_job_dir(const char *ws, const char *job,
		    int create, char *buf, size_t cap);

/* Path abs relative to the root ("<ws>/<job>/out.png") into buf. */
enum gen_files_err gen_files_rel(const char *abs, char *buf, size_t cap);

/*
 * Delete the job's directory and the files in it (no recursion into
 * sub-directories, symlinks removed, never followed). A missing directory
 * is GEN_FILES_OK.
 */
enum gen_files_err gen_files_remove_job(const char *ws, const char *job);

#endif
