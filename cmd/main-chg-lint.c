#include "cmd.h"
#include "banned.h"

int main(int argc, char **argv)
{
	struct chg_cmd cmd = { "chg-lint", "." };

	chg_cmd_setup_libgit2();
	return cmd_lint(argc, argv, &cmd);
}
