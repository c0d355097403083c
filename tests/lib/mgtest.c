#include <stdio.h>
#include <stdlib.h>

#include "mgtest.h"

void
mgt_suite(const char *name, int (*init)(void), int (*clean)(void),
    const struct mgt_case *cases)
{
	CU_pSuite s;

	if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS)
		exit(2);
	if ((s = CU_add_suite(name, init, clean)) == NULL)
		exit(2);
	for (; cases->name != NULL; cases++)
		if (CU_add_test(s, cases->name, cases->fn) == NULL)
			exit(2);
}

int
mgt_run(void)
{
	unsigned run, failed, tfail, sfail;

	if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	tfail = CU_get_number_of_tests_failed();
	sfail = CU_get_number_of_suites_failed();
	failed = tfail + sfail;
	printf("\nMGTEST %u %u\n", run - tfail, failed);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
