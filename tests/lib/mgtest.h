/*
 * mgtest: the common runner for CUnit suites (unit and integration).
 *
 * A test program registers suites with CUnit and ends main() with
 * `return mgt_run();`, which runs them verbosely, prints CUnit's summary and
 * one machine-readable line "MGTEST <passed> <failed>" that tests/run.sh sums.
 */
#ifndef MGTEST_H
#define MGTEST_H

#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>

struct mgt_case {
	const char	*name;
	void		(*fn)(void);
};

/* Register a suite of cases (NULL-terminated by name). Exits on CUnit error. */
void	mgt_suite(const char *name, int (*init)(void), int (*clean)(void),
	    const struct mgt_case *cases);
/* Run all registered suites; returns 0 when all passed, else 1. */
int	mgt_run(void);

#endif
