#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "cmd.h"
#include "error.h"
#include "init.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [--client NAME]... [--approver 'Name <email>' --key FILE]...\n"
	"          [--cab EMAIL,...] [--manager EMAIL,...] [--no-hooks | --hooks-path DIR] [-i]\n"
	"\n"
	"Sets up the change repository: .chg/policy.yaml with the clients and the\n"
	"approver groups, .chg/allowed_signers (SSH keys) and .chg/keys.asc (OpenPGP\n"
	"keys), a starter catalog and changes/, in one commit, the root of trust,\n"
	"whose id it prints; and core.hooksPath for chg's hooks.  A repository that\n"
	"has .chg/ is refused and left as it is.\n"
	"\n"
	"  --client NAME        a client of the policy (repeatable)\n"
	"  --approver IDENTITY  an approver, 'Name <email>' (repeatable) ...\n"
	"  --key FILE           ... and their public key: an SSH .pub file or an\n"
	"                       armored OpenPGP key\n"
	"  --cab EMAIL,...      approvers in the cab group (and the emergency group)\n"
	"  --manager EMAIL,...  approvers in the managers group\n"
	"  --no-hooks           leave core.hooksPath alone\n"
	"  --hooks-path DIR     the hooks directory (default: chg's own)\n"
	"  -i                   ask for all of these on the terminal\n";

struct list {
	char **items;
	size_t n;
};

static int list_add(struct list *l, const char *s, size_t len)
{
	char **items = realloc(l->items, (l->n + 1) * sizeof(*items));

	if (!items)
		return -1;
	l->items = items;
	if (!(l->items[l->n] = strndup(s, len)))
		return -1;
	l->n++;
	return 0;
}

/* Adds the comma-separated, non-empty items of `s`. */
static int list_add_split(struct list *l, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, ",");
		const char *p = s;

		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len && list_add(l, p, len) < 0)
			return -1;
		s += strcspn(s, ",");
		if (*s)
			s++;
	}
	return 0;
}

static void list_release(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
}

static int is_hooks_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	return snprintf(path, sizeof(path), "%s/pre-commit", dir) < (int)sizeof(path) &&
	       stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * chg's hooks: next to the binary as installed (BINDIR/../share/chg/hooks)
 * or in the checkout it was built in (build/../hooks).  Stores the
 * absolute path in `out`; returns 0, or -1 when there are none.
 */
static int find_hooks(char *out, size_t size)
{
	static const char *const rel[] = { "/../share/chg/hooks", "/../hooks" };
	char exe[PATH_MAX], dir[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return -1;
	*slash = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
		if (snprintf(dir, sizeof(dir), "%s%s", exe, rel[i]) >= (int)sizeof(dir))
			continue;
		if (is_hooks_dir(dir) && realpath(dir, out) && strlen(out) < size)
			return 0;
	}
	return -1;
}

/* Asks `question` on standard error; the answer without its newline in
 * `line` (NULL at the end of input). */
static char *ask(char **line, size_t *size, const char *question)
{
	ssize_t n;

	fprintf(stderr, "%s", question);
	fflush(stderr);
	if ((n = getline(line, size, stdin)) < 0)
		return NULL;
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	return *line;
}

/* -i: clients, approvers with keys, cab and managers from standard input. */
static int interactive(struct list *clients, struct list *ids, struct list *keys,
		       struct list *cab, struct list *managers)
{
	char *line = NULL;
	size_t size = 0;
	int error = -1;

	if (!ask(&line, &size, "clients (comma-separated, empty for none): ") ||
	    list_add_split(clients, line) < 0)
		goto done;
	for (;;) {
		if (!ask(&line, &size, "approver 'Name <email>' (empty when done): "))
			goto done;
		if (!*line)
			break;
		if (list_add(ids, line, strlen(line)) < 0 ||
		    !ask(&line, &size, "  their public key file: ") ||
		    list_add(keys, line, strlen(line)) < 0)
			goto done;
	}
	if (!ask(&line, &size, "CAB emails (comma-separated): ") ||
	    list_add_split(cab, line) < 0 ||
	    !ask(&line, &size, "manager emails (comma-separated): ") ||
	    list_add_split(managers, line) < 0)
		goto done;
	error = 0;
done:
	free(line);
	return error;
}

int cmd_init(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "client", required_argument, NULL, 'c' },
		{ "approver", required_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ "cab", required_argument, NULL, 'b' },
		{ "manager", required_argument, NULL, 'm' },
		{ "no-hooks", no_argument, NULL, 'n' },
		{ "hooks-path", required_argument, NULL, 'p' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct list clients = { NULL, 0 }, ids = { NULL, 0 }, keys = { NULL, 0 };
	struct list cab = { NULL, 0 }, managers = { NULL, 0 };
	struct chg_init_options opts = CHG_INIT_OPTIONS_INIT;
	struct chg_init_approver *approvers = NULL;
	struct chg_buf err = CHG_BUF_INIT;
	char hooks[PATH_MAX], hex[GIT_OID_HEXSZ + 1];
	const char *hooks_path = NULL;
	int c, rc, no_hooks = 0, ask_all = 0, status = CHG_EXIT_OK;
	git_oid root;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ih", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': rc = list_add(&clients, optarg, strlen(optarg)); break;
		case 'a':
			if (keys.n < ids.n) {
				chg_cmd_error(cmd, "--approver '%s' has no --key", ids.items[ids.n - 1]);
				status = CHG_EXIT_USAGE;
				goto cleanup;
			}
			rc = list_add(&ids, optarg, strlen(optarg));
			break;
		case 'k':
			if (keys.n >= ids.n) {
				chg_cmd_error(cmd, "--key '%s' comes without an --approver before it", optarg);
				status = CHG_EXIT_USAGE;
				goto cleanup;
			}
			rc = list_add(&keys, optarg, strlen(optarg));
			break;
		case 'b': rc = list_add_split(&cab, optarg); break;
		case 'm': rc = list_add_split(&managers, optarg); break;
		case 'n': no_hooks = 1; rc = 0; break;
		case 'p': hooks_path = optarg; rc = 0; break;
		case 'i': ask_all = 1; rc = 0; break;
		case 'h':
			printf(usage_text, cmd->name);
			goto cleanup;
		default:
			fprintf(stderr, usage_text, cmd->name);
			status = CHG_EXIT_USAGE;
			goto cleanup;
		}
		if (rc < 0) {
			chg_cmd_error(cmd, "out of memory");
			status = CHG_EXIT_FAILURE;
			goto cleanup;
		}
	}
	if (optind != argc) {
		fprintf(stderr, usage_text, cmd->name);
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}
	if (ask_all && interactive(&clients, &ids, &keys, &cab, &managers) < 0) {
		chg_cmd_error(cmd, "no answer; nothing was changed");
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}
	if (keys.n < ids.n) {
		chg_cmd_error(cmd, "--approver '%s' has no --key", ids.items[ids.n - 1]);
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}
	if (no_hooks && hooks_path) {
		chg_cmd_error(cmd, "--no-hooks and --hooks-path cannot be used together");
		status = CHG_EXIT_USAGE;
		goto cleanup;
	}
	if (!no_hooks && !hooks_path) {
		if (find_hooks(hooks, sizeof(hooks)) < 0) {
			chg_cmd_error(cmd, "cannot find chg's hooks; give --hooks-path DIR or --no-hooks");
			status = CHG_EXIT_FAILURE;
			goto cleanup;
		}
		hooks_path = hooks;
	}
	if (ids.n && !(approvers = calloc(ids.n, sizeof(*approvers)))) {
		chg_cmd_error(cmd, "out of memory");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	for (i = 0; i < ids.n; i++) {
		approvers[i].identity = ids.items[i];
		approvers[i].key_file = keys.items[i];
	}
	opts.dir = cmd->dir;
	opts.clients = (const char *const *)clients.items;
	opts.nclients = clients.n;
	opts.approvers = approvers;
	opts.napprovers = ids.n;
	opts.cab = (const char *const *)cab.items;
	opts.ncab = cab.n;
	opts.managers = (const char *const *)managers.items;
	opts.nmanagers = managers.n;
	opts.hooks_path = no_hooks ? NULL : hooks_path;

	rc = chg_init(&root, &err, &opts);
	if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	git_oid_tostr(hex, sizeof(hex), &root);
	printf("%s\n", hex);
	printf("Initialized the change repository; its root of trust is the commit above.\n"
		"Pin it on the server (in the repository that receives pushes):\n"
		"    git config chg.trustRoot %s\n"
		"and in CI:\n"
		"    CHG_TRUST_ROOT=%s\n", hex, hex);
	if (opts.hooks_path)
		printf("core.hooksPath is %s\n", opts.hooks_path);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = CHG_EXIT_FAILURE;
cleanup:
	free(approvers);
	list_release(&managers);
	list_release(&cab);
	list_release(&keys);
	list_release(&ids);
	list_release(&clients);
	chg_buf_release(&err);
	return status;
}
