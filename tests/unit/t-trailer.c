/*
 * t-trailer.c - approval trailers in commit messages (lib/trailer.h,
 * DESIGN section 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>

#include "diag.h"
#include "error.h"
#include "trailer.h"
#include "banned.h"

#define DIGEST "sha256:2ac8e82170cda81fdf79057e668232b72aa72e12140ef5dfbaee6b51686ac752"
#define ALICE "Alice Example <alice@example.com>"

static const char approval[] =
	"Approve CHG-0042: Upgrade PostgreSQL 14 to 16 on db-prod-01\n"
	"\n"
	"Reviewed the plan and the rollback.\n"
	"\n"
	"Change-Request: CHG-0042\n"
	"Change-Digest: " DIGEST "\n"
	"Approved-by: " ALICE "\n";

static int setup(void **state)
{
	(void)state;
	return git_libgit2_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return 0;
}

static void parse(struct chg_trailers *t, const char *message)
{
	assert_int_equal(chg_trailers_parse(t, message), 0);
}

static void assert_none(const struct chg_trailers *t)
{
	assert_int_equal(chg_trailers_any(t), 0);
	assert_null(t->change_request);
	assert_null(t->change_digest);
	assert_null(t->approved_by);
	assert_null(t->rejected_by);
	assert_int_equal(t->n_change_request, 0);
	assert_int_equal(t->n_change_digest, 0);
	assert_int_equal(t->n_approved_by, 0);
	assert_int_equal(t->n_rejected_by, 0);
}

/* Asserts that diagnostic `i` is an error on the message with this text. */
static void assert_diag(const struct chg_diag_list *diags, size_t i,
			const char *rule, const char *message)
{
	assert_true(i < diags->n);
	assert_string_equal(diags->items[i].path, "COMMIT_EDITMSG");
	assert_int_equal(diags->items[i].line, 0);
	assert_int_equal(diags->items[i].column, 0);
	assert_int_equal(diags->items[i].severity, CHG_SEV_ERROR);
	assert_string_equal(diags->items[i].rule, rule);
	assert_string_equal(diags->items[i].message, message);
}

/* Parses `message` and checks it; returns what the check returned. */
static int check(struct chg_diag_list *diags, const char *message)
{
	struct chg_trailers t;
	int n;

	parse(&t, message);
	n = chg_trailers_check(&t, "COMMIT_EDITMSG", diags);
	chg_trailers_release(&t);
	return n;
}

static void test_approval(void **state)
{
	struct chg_trailers t;

	(void)state;
	parse(&t, approval);
	assert_int_equal(chg_trailers_any(&t), 1);
	assert_string_equal(t.change_request, "CHG-0042");
	assert_string_equal(t.change_digest, DIGEST);
	assert_string_equal(t.approved_by, ALICE);
	assert_null(t.rejected_by);
	assert_int_equal(t.n_change_request, 1);
	assert_int_equal(t.n_change_digest, 1);
	assert_int_equal(t.n_approved_by, 1);
	assert_int_equal(t.n_rejected_by, 0);
	chg_trailers_release(&t);
	assert_none(&t);
	chg_trailers_release(&t);   /* released twice: still fine */
	chg_trailers_release(NULL);
}

static void test_rejection_and_other_trailers(void **state)
{
	struct chg_trailers t;

	(void)state;
	parse(&t, "Reject CHG-0042\n\n"
		  "Signed-off-by: Bob Ops <bob@example.com>\n"
		  "Change-Request: CHG-0042\n"
		  "Change-Digest: " DIGEST "\n"
		  "Rejected-by: Carol CAB <carol@example.com>\n"
		  "Co-authored-by: Dave <dave@example.com>\n");
	assert_string_equal(t.rejected_by, "Carol CAB <carol@example.com>");
	assert_int_equal(t.n_rejected_by, 1);
	assert_null(t.approved_by);
	assert_int_equal(t.n_approved_by, 0);
	assert_string_equal(t.change_request, "CHG-0042");
	chg_trailers_release(&t);
}

static void test_key_case(void **state)
{
	struct chg_trailers t;

	(void)state;
	parse(&t, "Approve\n\n"
		  "CHANGE-REQUEST: CHG-0042\n"
		  "change-digest: " DIGEST "\n"
		  "approved-BY: " ALICE "\n");
	assert_string_equal(t.change_request, "CHG-0042");
	assert_string_equal(t.change_digest, DIGEST);
	assert_string_equal(t.approved_by, ALICE);
	assert_int_equal(t.n_approved_by, 1);
	chg_trailers_release(&t);
}

static void test_values_trimmed(void **state)
{
	struct chg_trailers t;

	(void)state;
	parse(&t, "Approve\n\n"
		  "Change-Request :  CHG-0042 \t\n"
		  "Change-Digest:\t" DIGEST "  \n"
		  "Approved-by: " ALICE "\n");
	assert_string_equal(t.change_request, "CHG-0042");
	assert_string_equal(t.change_digest, DIGEST);
	chg_trailers_release(&t);

	/* a message with CRLF line ends */
	parse(&t, "Approve\r\n\r\n"
		  "Change-Request: CHG-0042\r\n"
		  "Approved-by: " ALICE "\r\n");
	assert_string_equal(t.change_request, "CHG-0042");
	assert_string_equal(t.approved_by, ALICE);
	chg_trailers_release(&t);
}

static void test_body_is_not_trailers(void **state)
{
	struct chg_trailers t;

	(void)state;
	/* trailer-like lines followed by a paragraph of prose */
	parse(&t, "Approve CHG-0042\n\n"
		  "Change-Request: CHG-0042\n"
		  "Approved-by: Mallory <mallory@example.com>\n"
		  "\n"
		  "This paragraph is the end of the message.\n");
	assert_none(&t);
	chg_trailers_release(&t);

	/* the last paragraph mixes trailers and prose */
	parse(&t, "Approve CHG-0042\n\n"
		  "Approved-by: Mallory <mallory@example.com>\n"
		  "looks good to me\n");
	assert_none(&t);
	chg_trailers_release(&t);

	/* the title is never a trailer */
	parse(&t, "Approved-by: Mallory <mallory@example.com>\n");
	assert_none(&t);
	chg_trailers_release(&t);

	/* no trailers at all */
	parse(&t, "Fix a typo\n\nNothing to approve here.\n");
	assert_none(&t);
	chg_trailers_release(&t);
	parse(&t, "");
	assert_none(&t);
	chg_trailers_release(&t);
}

static void test_patch_junk(void **state)
{
	struct chg_trailers t;

	(void)state;
	/*
	 * git-interpret-trailers(1) ends the message at a line starting with
	 * "---" and white space; what follows is not looked at.  Without
	 * that, the last paragraph would mix trailers and the "---" line and
	 * hold no trailers at all.
	 */
	parse(&t, "Approve CHG-0042\n\n"
		  "Change-Request: CHG-0042\n"
		  "Approved-by: " ALICE "\n"
		  "---\n"
		  "Rejected-by: Mallory <mallory@example.com>\n"
		  " changes/CHG-0042.yaml | 2 +-\n");
	assert_string_equal(t.change_request, "CHG-0042");
	assert_string_equal(t.approved_by, ALICE);
	assert_null(t.rejected_by);
	assert_int_equal(t.n_rejected_by, 0);
	chg_trailers_release(&t);

	/* without it, the paragraph after "---" would be the trailers */
	parse(&t, "Approve CHG-0042\n\n"
		  "Change-Request: CHG-0042\n"
		  "Approved-by: " ALICE "\n"
		  "--- \n"
		  "\n"
		  "Rejected-by: Mallory <mallory@example.com>\n");
	assert_string_equal(t.approved_by, ALICE);
	assert_null(t.rejected_by);
	chg_trailers_release(&t);
}

static void test_duplicates_counted(void **state)
{
	struct chg_trailers t;

	(void)state;
	parse(&t, "Approve\n\n"
		  "Change-Request: CHG-0042\n"
		  "Change-Digest: " DIGEST "\n"
		  "Approved-by: " ALICE "\n"
		  "approved-by: Carol CAB <carol@example.com>\n");
	assert_int_equal(t.n_approved_by, 2);
	assert_string_equal(t.approved_by, ALICE);   /* the first one */
	assert_int_equal(t.n_change_request, 1);
	chg_trailers_release(&t);
}

static void test_empty_value(void **state)
{
	struct chg_trailers t;

	(void)state;
	/* an empty value does not take the next line as its value */
	parse(&t, "Approve\n\n"
		  "Change-Request:\n"
		  "Approved-by: " ALICE "\n");
	assert_non_null(t.change_request);
	assert_string_equal(t.change_request, "");
	assert_int_equal(t.n_change_request, 1);
	chg_trailers_release(&t);

	parse(&t, "Approve\n\n"
		  "Approved-by: " ALICE "\n"
		  "Change-Request:  \n");
	assert_string_equal(t.change_request, "");
	assert_string_equal(t.approved_by, ALICE);
	chg_trailers_release(&t);
}

static void test_ident_good(void **state)
{
	static const struct {
		const char *ident, *name, *email;
	} good[] = {
		{ ALICE, "Alice Example", "alice@example.com" },
		{ "Bob <bob@localhost>", "Bob", "bob@localhost" },
		{ "J\xc3\xbcrgen M\xc3\xbcller <jm@example.de>",
		  "J\xc3\xbcrgen M\xc3\xbcller", "jm@example.de" },
		{ "Jean-Luc O'Neil, CAB <jl+cab@example.org>",
		  "Jean-Luc O'Neil, CAB", "jl+cab@example.org" },
		{ "  Carol   <Carol@Example.COM>", "Carol", "Carol@Example.COM" },
		{ "Dave<dave@example.com>", "Dave", "dave@example.com" },
	};
	char *name, *email;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		name = email = NULL;
		assert_int_equal(chg_ident_parse(&name, &email, good[i].ident), 0);
		assert_string_equal(name, good[i].name);
		assert_string_equal(email, good[i].email);
		free(name);
		free(email);
		assert_int_equal(chg_ident_parse(NULL, NULL, good[i].ident), 0);
		assert_int_equal(chg_ident_parse(&name, NULL, good[i].ident), 0);
		assert_string_equal(name, good[i].name);
		free(name);
		assert_int_equal(chg_ident_parse(NULL, &email, good[i].ident), 0);
		assert_string_equal(email, good[i].email);
		free(email);
	}
}

static void test_ident_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"Alice Example",                         /* no email */
		"alice@example.com",
		"Alice <>",                              /* empty email */
		"<alice@example.com>",                   /* empty name */
		"   <alice@example.com>",
		"Alice <alice@mail@example.com>",        /* two @ */
		"Alice <aliceexample.com>",              /* no @ */
		"Alice <@example.com>",                  /* nothing before @ */
		"Alice <alice@>",                        /* nothing after @ */
		"Alice <alice @example.com>",            /* white space */
		"Alice <alice@example.com >",
		"Alice <alice\t@example.com>",
		"Alice <alice@example.com> (CAB)",       /* text after '>' */
		"Alice <alice@example.com> ",
		"Alice <alice@example.com>>",
		"Alice <alice@example.com",              /* unclosed */
		"Al<ice <alice@example.com>",            /* '<' in name */
		"Al>ice <alice@example.com>",            /* '>' in name */
		"Alice\nMallory <alice@example.com>",    /* newline in name */
		"\nAlice <alice@example.com>",
		"Alice\n<alice@example.com>",
		"Alice <alice<x@example.com>",
	};
	char *name, *email;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		name = email = (char *)"unchanged";
		if (chg_ident_parse(&name, &email, bad[i]) != CHG_EINVALID)
			fail_msg("accepted '%s'", bad[i]);
		assert_null(name);
		assert_null(email);
		assert_int_equal(chg_ident_parse(NULL, NULL, bad[i]),
				 CHG_EINVALID);
	}
}

static void test_check_well_formed(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(check(&diags, approval), 0);
	assert_int_equal(check(&diags,
			       "Reject\n\n"
			       "Change-Request: CHG-0042\n"
			       "Change-Digest: " DIGEST "\n"
			       "Rejected-by: Carol CAB <carol@example.com>\n"),
			 0);
	/* no approval trailers: nothing to check */
	assert_int_equal(check(&diags,
			       "Fix a typo\n\n"
			       "Signed-off-by: Bob Ops <bob@example.com>\n"),
			 0);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
}

static void test_check_missing(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(check(&diags, "Approve\n\nApproved-by: " ALICE "\n"), 2);
	assert_int_equal(diags.n, 2);
	assert_diag(&diags, 0, "required-field", "missing Change-Request trailer");
	assert_diag(&diags, 1, "required-field", "missing Change-Digest trailer");
	chg_diag_list_release(&diags);

	assert_int_equal(check(&diags,
			       "Approve\n\n"
			       "Change-Request: CHG-0042\n"
			       "Change-Digest: " DIGEST "\n"),
			 1);
	assert_int_equal(diags.n, 1);
	assert_diag(&diags, 0, "required-field",
		    "missing Approved-by or Rejected-by trailer");
	chg_diag_list_release(&diags);
}

static void test_check_invalid(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(check(&diags,
			       "Approve\n\n"
			       "Change-Request: CHG-0042\n"
			       "Change-Digest: sha256:2AC8E82170CDA81FDF79057E668232B72AA72E12140EF5DFBAEE6B51686AC752\n"
			       "Approved-by: alice@example.com\n"),
			 2);
	assert_int_equal(diags.n, 2);
	assert_diag(&diags, 0, "invalid-value",
		    "invalid Change-Digest 'sha256:2AC8E82170CDA81FDF79057E668232B72AA72E12140EF5DFBAEE6B51686AC752', expected 'sha256:' and 64 lowercase hex digits");
	assert_diag(&diags, 1, "invalid-value",
		    "invalid Approved-by identity 'alice@example.com', expected 'Name <email>'");
	chg_diag_list_release(&diags);

	assert_int_equal(check(&diags,
			       "Reject\n\n"
			       "Change-Request: CHG-0042\n"
			       "Change-Digest: " DIGEST "\n"
			       "Rejected-by: Carol <carol@example.com> (CAB)\n"),
			 1);
	assert_diag(&diags, 0, "invalid-value",
		    "invalid Rejected-by identity 'Carol <carol@example.com> (CAB)', expected 'Name <email>'");
	chg_diag_list_release(&diags);

	assert_int_equal(check(&diags,
			       "Approve\n\n"
			       "Change-Digest: " DIGEST "\n"
			       "Approved-by: " ALICE "\n"
			       "Change-Request:\n"),
			 1);
	assert_diag(&diags, 0, "invalid-value", "empty Change-Request trailer");
	chg_diag_list_release(&diags);
}

static void test_check_repeated(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(check(&diags,
			       "Approve\n\n"
			       "Change-Request: CHG-0042\n"
			       "Change-Request: CHG-0043\n"
			       "Change-Digest: " DIGEST "\n"
			       "Change-Digest: " DIGEST "\n"
			       "Change-Digest: " DIGEST "\n"
			       "Approved-by: " ALICE "\n"
			       "Approved-by: " ALICE "\n"),
			 3);
	assert_diag(&diags, 0, "invalid-value",
		    "trailer Change-Request occurs 2 times, expected once");
	assert_diag(&diags, 1, "invalid-value",
		    "trailer Change-Digest occurs 3 times, expected once");
	assert_diag(&diags, 2, "invalid-value",
		    "trailer Approved-by occurs 2 times, expected once");
	chg_diag_list_release(&diags);

	assert_int_equal(check(&diags,
			       "Approve\n\n"
			       "Change-Request: CHG-0042\n"
			       "Change-Digest: " DIGEST "\n"
			       "Approved-by: " ALICE "\n"
			       "Rejected-by: Carol CAB <carol@example.com>\n"),
			 1);
	assert_diag(&diags, 0, "invalid-value",
		    "both Approved-by and Rejected-by trailers, expected one of them");
	chg_diag_list_release(&diags);
}

static void test_check_appends(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(chg_diag_add(&diags, "other", 1, 1, CHG_SEV_WARNING,
				      "unknown-field", "before"), 0);
	/* the return value counts only what this check added */
	assert_int_equal(check(&diags, "Approve\n\nChange-Request: CHG-0042\n"), 2);
	assert_int_equal(diags.n, 3);
	assert_string_equal(diags.items[0].message, "before");
	assert_diag(&diags, 1, "required-field", "missing Change-Digest trailer");
	assert_diag(&diags, 2, "required-field",
		    "missing Approved-by or Rejected-by trailer");
	chg_diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_approval),
		cmocka_unit_test(test_rejection_and_other_trailers),
		cmocka_unit_test(test_key_case),
		cmocka_unit_test(test_values_trimmed),
		cmocka_unit_test(test_body_is_not_trailers),
		cmocka_unit_test(test_patch_junk),
		cmocka_unit_test(test_duplicates_counted),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_ident_good),
		cmocka_unit_test(test_ident_bad),
		cmocka_unit_test(test_check_well_formed),
		cmocka_unit_test(test_check_missing),
		cmocka_unit_test(test_check_invalid),
		cmocka_unit_test(test_check_repeated),
		cmocka_unit_test(test_check_appends),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
