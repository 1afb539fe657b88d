/*
 * templates.h - files compiled into the binaries from templates/ (see
 * .ci/embed.sh): the built-in policy and the change request templates.
 * Each is a NUL-terminated byte array with its length (not counting the
 * NUL).  Read-only, static storage.
 */
#ifndef CHG_TEMPLATES_H
#define CHG_TEMPLATES_H

#include <stddef.h>

extern const char chg_template_policy[];
extern const size_t chg_template_policy_len;
extern const char chg_template_standard[];
extern const size_t chg_template_standard_len;
extern const char chg_template_normal[];
extern const size_t chg_template_normal_len;
extern const char chg_template_emergency[];
extern const size_t chg_template_emergency_len;

#endif
