#include "error.h"

#include "banned.h"

const char *chg_error_str(int code)
{
	switch (code) {
	case CHG_OK: return "success";
	case CHG_ENOMEM: return "out of memory";
	case CHG_ENOTFOUND: return "not found";
	case CHG_EINVALID: return "invalid input";
	case CHG_EIO: return "input/output error";
	case CHG_EGIT: return "git error";
	case CHG_ELIMIT: return "limit exceeded";
	default: return "error";
	}
}
