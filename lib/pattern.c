#define PCRE2_CODE_UNIT_WIDTH 8
#include "pattern.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

struct chg_pattern {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *source;
};

int chg_pattern_compile(struct chg_pattern **out, const char *src, char *err,
			size_t errsize, size_t *erroffset)
{
	struct chg_pattern *re;
	int errcode;
	PCRE2_SIZE off = 0;

	*out = NULL;
	re = calloc(1, sizeof(*re));
	if (!re)
		return CHG_ENOMEM;
	re->source = strdup(src);
	if (!re->source)
		goto nomem;
	re->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
				 PCRE2_UTF | PCRE2_UCP, &errcode, &off, NULL);
	if (!re->code) {
		if (err && errsize) {
			err[0] = '\0';
			pcre2_get_error_message(errcode, (PCRE2_UCHAR *)err,
						errsize);
		}
		if (erroffset)
			*erroffset = off;
		chg_pattern_free(re);
		return CHG_EINVALID;
	}
	/* JIT is an optimisation: where it is unavailable, interpret. */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx)
		goto nomem;
	pcre2_set_match_limit(re->mctx, CHG_PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, CHG_PATTERN_DEPTH_LIMIT);
	*out = re;
	return 0;
nomem:
	chg_pattern_free(re);
	return CHG_ENOMEM;
}

int chg_pattern_match(const struct chg_pattern *re, const char *subject,
		      size_t len)
{
	pcre2_match_data *md;
	int rc;

	md = pcre2_match_data_create_from_pattern(re->code, NULL);
	if (!md)
		return CHG_ENOMEM;
	rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return CHG_ELIMIT;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return CHG_ENOMEM;
	return CHG_EINVALID;
}

const char *chg_pattern_source(const struct chg_pattern *re)
{
	return re->source;
}

void chg_pattern_free(struct chg_pattern *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re->source);
	free(re);
}
