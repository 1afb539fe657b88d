/*
 * common.h - what the libFuzzer harnesses of tests/fuzz/ share: run the
 * checks chg-lint runs on change requests (lib/lint.c, without git), and
 * split one input into the parts of a scenario.
 *
 * A harness must never find a crash, a leak, a hang or a sanitizer report
 * whatever bytes it is given; every finding about the input is a
 * diagnostic.  Built and run by `make fuzz` (tests/fuzz/run.sh).
 */
#ifndef CHG_FUZZ_COMMON_H
#define CHG_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "change.h"
#include "check.h"
#include "diag.h"
#include "emit.h"
#include "error.h"
#include "format.h"
#include "policy.h"
#include "waiver.h"
#include "banned.h"

/* The line that separates the parts of an input (see split()). */
#define FUZZ_SEPARATOR "\n#%%\n"

/* 2026-11-20T12:00:00Z, the clock of the time rules */
#define FUZZ_NOW INT64_C(1795176000)

#define FUZZ_MAX_PARTS 4

struct part {
	const char *p;
	size_t len;
};

/* The first `n`-byte `needle` in `len` bytes at `s`, or NULL. */
static const char *find(const char *s, size_t len, const char *needle,
			size_t n)
{
	size_t i;

	for (i = 0; len >= n && i <= len - n; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, n))
			return s + i;
	return NULL;
}

/*
 * Splits `len` bytes at `data` at each FUZZ_SEPARATOR into at most `max`
 * parts (the last holds the rest).  Returns the number of parts (>= 1).
 */
static size_t split(struct part *out, size_t max, const uint8_t *data,
		    size_t len)
{
	const char *s = (const char *)data, *end = s + len, *sep;
	size_t n = 0, seplen = strlen(FUZZ_SEPARATOR);

	while (n + 1 < max &&
	       (sep = find(s, (size_t)(end - s), FUZZ_SEPARATOR, seplen))) {
		out[n].p = s;
		out[n++].len = (size_t)(sep - s);
		s = sep + seplen;
	}
	out[n].p = s;
	out[n++].len = (size_t)(end - s);
	return n;
}

/* Aborts on CHG_ENOMEM or another failure no input may cause. */
static void must(int rc)
{
	if (rc < 0 && rc != CHG_EINVALID)
		__builtin_trap();
}

/*
 * Loads the change requests `parts[0..n)` as changes/CHG-000<i>.yaml and
 * runs what chg-lint runs on them without history: the checks of each,
 * the checks of the set, the waivers (as with a policy that has no
 * approvals), and the output of the diagnostics and of the trees.
 */
static void run_checks(const struct chg_policy *policy,
		       const struct chg_catalog *catalog,
		       const struct part *parts, size_t n)
{
	struct chg_change_set set = CHG_CHANGE_SET_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_check_context ctx;
	struct chg_buf out = CHG_BUF_INIT;
	char path[32];
	size_t i, nwaivable;

	for (i = 0; i < n; i++) {
		memcpy(path, "changes/CHG-0000.yaml", 22);
		path[15] = (char)('1' + i);
		must(chg_change_set_add(&set, path, parts[i].p, parts[i].len,
					policy, &diags));
	}
	ctx.policy = policy;
	ctx.changes = &set;
	ctx.catalog = catalog;
	ctx.now = FUZZ_NOW;
	for (i = 0; i < set.n; i++)
		must(chg_check_change(&ctx, &set.items[i], &diags));
	must(chg_check_set(&ctx, &diags));
	nwaivable = diags.n;
	for (i = 0; i < set.n; i++)
		if (set.items[i].root && chg_waiver_any(&set.items[i]))
			must(chg_waiver_apply(policy, &set.items[i], NULL,
					      nwaivable, &diags));
	chg_diag_list_sort(&diags);
	must(chg_format_text(&out, &diags));
	chg_buf_clear(&out);
	must(chg_format_json(&out, &diags));
	for (i = 0; i < set.n; i++) {
		chg_buf_clear(&out);
		if (set.items[i].root)
			must(chg_emit_yaml(&out, set.items[i].root));
	}
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
	chg_change_set_release(&set);
}

#endif
