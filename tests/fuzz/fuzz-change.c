/*
 * fuzz-change.c - libFuzzer harness: bytes as change requests under the
 * built-in policy.
 *
 * The input is up to FUZZ_MAX_PARTS change requests separated by
 * FUZZ_SEPARATOR lines (so that duplicate ids, dependencies and cycles
 * between files are reached), loaded and checked as chg-lint does.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct chg_policy *policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chg_catalog catalog = CHG_CATALOG_INIT;
	struct part parts[FUZZ_MAX_PARTS];
	size_t n;

	if (!policy) {
		struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

		/* loaded once and kept: the built-in policy must load */
		if (chg_policy_load(&policy, NULL, 0, NULL, &diags) < 0)
			__builtin_trap();
		chg_diag_list_release(&diags);
	}
	n = split(parts, FUZZ_MAX_PARTS, data, size);
	run_checks(policy, &catalog, parts, n);
	return 0;
}
