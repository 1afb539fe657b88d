#include "cmd.h"
#include "banned.h"

int main(int argc, char **argv)
{
	struct chg_cmd cmd = { "chg-lint", "." };

	return cmd_lint(argc, argv, &cmd);
}
