/*
 * error.h - return codes shared by every libchg function.
 *
 * Functions return int: 0 on success, a negative CHG_E* code on failure.
 * Lower-level codes are passed up unchanged.  Findings about the user's files
 * are not errors: they are diagnostics (diag.h), and the function that finds
 * them still returns 0.
 *
 *	int error;
 *	if ((error = chg_policy_load(&policy, repo, &diags)) < 0)
 *		goto cleanup;
 */
#ifndef CHG_ERROR_H
#define CHG_ERROR_H

enum chg_error {
	CHG_OK = 0,
	CHG_ERROR = -1,     /* generic failure */
	CHG_ENOMEM = -2,    /* allocation failed */
	CHG_ENOTFOUND = -3, /* the object, file or key does not exist */
	CHG_EINVALID = -4,  /* the input is invalid; diagnostics say why */
	CHG_EIO = -5,       /* reading or writing a file failed (errno is set) */
	CHG_EGIT = -6,      /* libgit2 failed; git_error_last() says why */
	CHG_ELIMIT = -7     /* a size, depth or count limit was exceeded */
};

/*
 * Returns a static, lowercase English description of `code`
 * ("out of memory", "not found", ...).  Never NULL.
 */
const char *chg_error_str(int code);

#endif
