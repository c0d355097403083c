/*
 * it_job: what integration tests of jobs check after a job ends: the
 * ledger rows of one job (one hold, one settle) and the bytes behind a
 * signed /files/ link.
 */
#ifndef IT_JOB_H
#define IT_JOB_H

#include <stddef.h>

#include "it.h"

struct it_money {
	int		holds, settles;
	long long	hold, settle_amount, settle_reserved;
	char		settle_type[16];	/* capture | release */
};

/* The ledger rows of job in ws's last 200 transactions. 0, or -1. */
int	it_job_money(const struct it_ws *ws, const char *job, struct it_money *m);
/*
 * GET a /files/ link (relative to it_base() or absolute): the HTTP status,
 * or -1. With body non-NULL, a NUL-terminated copy the caller frees.
 */
long	it_fetch(const char *url, char **body, size_t *len);

#endif
