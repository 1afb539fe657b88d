#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "format.h"
#include "new.h"
#include "node.h"
#include "workspace.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [--client C] [--title T] [--system S]... TYPE\n"
	"\n"
	"Writes a new change request of TYPE (standard, normal or emergency) from\n"
	"its template, with the next id that no branch, remote-tracking branch,\n"
	"the index or the working tree has taken, and prints its path.\n"
	"\n"
	"  --client C   the client field (and the directory changes/C/)\n"
	"  --title T    the title field\n"
	"  --system S   a system of the systems list (repeatable)\n";

static void list_types(FILE *f)
{
	size_t i;

	fprintf(f, "the types are:");
	for (i = 0; chg_new_types[i]; i++)
		fprintf(f, " %s", chg_new_types[i]);
	fprintf(f, "\n");
}

int cmd_new(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "client", required_argument, NULL, 'c' },
		{ "title", required_argument, NULL, 't' },
		{ "system", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_new_options opts = CHG_NEW_OPTIONS_INIT;
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	struct chg_buf path = CHG_BUF_INIT, id = CHG_BUF_INIT;
	const char **systems = NULL;
	const char *tmpl;
	size_t tmpl_len;
	int c, rc, status = CHG_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opts.client = optarg; break;
		case 't': opts.title = optarg; break;
		case 's': {
			const char **s = realloc(systems, (opts.nsystems + 1) * sizeof(*s));

			if (!s) {
				chg_cmd_error(cmd, "out of memory");
				status = CHG_EXIT_FAILURE;
				goto cleanup;
			}
			systems = s;
			systems[opts.nsystems++] = optarg;
			break;
		}
		case 'h':
			printf(usage_text, cmd->name);
			goto cleanup;
		default:
			fprintf(stderr, usage_text, cmd->name);
			status = CHG_EXIT_USAGE;
			goto cleanup;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, usage_text, cmd->name);
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}
	opts.type = argv[optind];
	opts.systems = systems;
	if (chg_new_template(&tmpl, &tmpl_len, opts.type) < 0) {
		chg_cmd_error(cmd, "no template for the type '%s'", opts.type);
		list_types(stderr);
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}

	wopts.dir = cmd->dir;
	rc = chg_workspace_open(&ws, &diags, &err, &wopts);
	if (rc == CHG_EINVALID && diags.n) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (rc == 0 && opts.client && ws->policy->clients &&
	    ws->policy->clients->n &&
	    !chg_node_seq_has(ws->policy->clients, opts.client)) {
		size_t i;

		chg_cmd_error(cmd, "'%s' is not one of the policy's clients", opts.client);
		fprintf(stderr, "the clients are:");
		for (i = 0; i < ws->policy->clients->n; i++) {
			const char *name = chg_node_str(ws->policy->clients->items[i]);

			if (name)
				fprintf(stderr, " %s", name);
		}
		fprintf(stderr, "\n");
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}
	if (rc == 0)
		rc = chg_new_create(&path, &id, &err, ws, &opts);
	if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	printf("%s\n", path.ptr);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = CHG_EXIT_FAILURE;
cleanup:
	chg_workspace_free(ws);
	free(systems);
	chg_buf_release(&id);
	chg_buf_release(&path);
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
