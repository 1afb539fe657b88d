/*
 * buf.h - a growable byte buffer (after git's strbuf).
 *
 * Invariant: after chg_buf_init, `ptr` is never NULL and ptr[len] == '\0',
 * so the content can always be used as a C string (it may also contain NUL
 * bytes; `len` is authoritative).  The buffer owns `ptr`; chg_buf_detach
 * hands it to the caller.  On allocation failure the functions return
 * CHG_ENOMEM and leave the content as it was.
 *
 *	struct chg_buf b = CHG_BUF_INIT;
 *	chg_buf_puts(&b, "sha256:");
 *	chg_buf_printf(&b, "%02x", byte);
 *	use(b.ptr, b.len);
 *	chg_buf_release(&b);
 */
#ifndef CHG_BUF_H
#define CHG_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct chg_buf {
	char *ptr;    /* content, NUL-terminated */
	size_t len;   /* bytes used, not counting the terminating NUL */
	size_t alloc; /* bytes allocated; 0 while ptr points at a static "" */
};

extern char chg_buf__empty[];
#define CHG_BUF_INIT { chg_buf__empty, 0, 0 }

/* Sets up `b` as an empty buffer.  Never fails. */
void chg_buf_init(struct chg_buf *b);
/* Frees what `b` holds and leaves it empty and reusable.  NULL-safe. */
void chg_buf_release(struct chg_buf *b);
/* Makes room for `extra` more bytes (plus the NUL).  0 or CHG_ENOMEM. */
int chg_buf_grow(struct chg_buf *b, size_t extra);
/* Appends `len` bytes from `data`.  0 or CHG_ENOMEM. */
int chg_buf_put(struct chg_buf *b, const void *data, size_t len);
/* Appends a NUL-terminated string.  0 or CHG_ENOMEM. */
int chg_buf_puts(struct chg_buf *b, const char *s);
/* Appends one byte.  0 or CHG_ENOMEM. */
int chg_buf_putc(struct chg_buf *b, char c);
/* Appends printf-formatted text.  0 or CHG_ENOMEM. */
int chg_buf_printf(struct chg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As chg_buf_printf with a va_list. */
int chg_buf_vprintf(struct chg_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its allocation. */
void chg_buf_clear(struct chg_buf *b);
/*
 * Returns the content as a heap string the caller must free(), and leaves
 * `b` empty.  Returns NULL only on allocation failure (for an empty buffer
 * that was never grown, a fresh "" is allocated).
 */
char *chg_buf_detach(struct chg_buf *b);

#endif
