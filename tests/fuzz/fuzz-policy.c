/*
 * fuzz-policy.c - libFuzzer harness: bytes as a repository policy, a
 * change request and a standard-change catalog entry.
 *
 * The input is split at FUZZ_SEPARATOR lines: the policy (merged over the
 * built-in one as .chg/policy.yaml is), then a change request, then
 * optionally a catalog entry (.chg/catalog/password-reset.yaml).  When the
 * policy loads, the change request is checked under it as chg-lint does.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_catalog catalog = CHG_CATALOG_INIT;
	struct chg_policy *policy = NULL;
	struct part parts[3];
	size_t n;
	int rc;

	n = split(parts, 3, data, size);
	rc = chg_policy_load(&policy, parts[0].p, parts[0].len,
			     ".chg/policy.yaml", &diags);
	must(rc);
	/* an invalid policy says why, and there is no policy then */
	if ((rc == 0) != (policy != NULL) || (rc < 0 && !diags.n))
		__builtin_trap();
	if (n > 2)
		must(chg_catalog_add(&catalog, ".chg/catalog/password-reset.yaml",
				     parts[2].p, parts[2].len, &diags));
	if (policy && n > 1)
		run_checks(policy, &catalog, &parts[1], 1);
	chg_catalog_release(&catalog);
	chg_policy_free(policy);
	chg_diag_list_release(&diags);
	return 0;
}
