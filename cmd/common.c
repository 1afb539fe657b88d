#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "datetime.h"
#include "banned.h"

void chg_cmd_error(const struct chg_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int chg_cmd_now(int64_t *out, const struct chg_cmd *cmd, const char *text)
{
	const char *from = "--now";

	if (!text) {
		text = getenv("CHG_NOW");
		from = "CHG_NOW";
	}
	if (!text || !*text) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (chg_datetime_parse(out, text) < 0) {
		chg_cmd_error(cmd, "%s '%s' is not an RFC 3339 date-time such as 2026-12-05T22:00:00Z",
			      from, text);
		return -1;
	}
	return 0;
}
