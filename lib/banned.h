/*
 * banned.h - functions that must not be used in chg.
 *
 * Included last by every lib/ and cmd/ source file: a use of one of these is
 * a compile error.  They either cannot bound their output (strcpy, strcat,
 * sprintf, vsprintf) or keep hidden state (strtok).  Use struct chg_buf
 * (buf.h), snprintf or memcpy with an explicit length instead.
 * Modelled on git's banned.h.
 */
#ifndef CHG_BANNED_H
#define CHG_BANNED_H

#define CHG_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) CHG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CHG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CHG_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) CHG_BANNED(strncat)
#undef sprintf
#define sprintf(...) CHG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CHG_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) CHG_BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) CHG_BANNED(strtok_r)
#undef gets
#define gets(x) CHG_BANNED(gets)

#endif
