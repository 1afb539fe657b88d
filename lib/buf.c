#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

char chg_buf__empty[1];

void chg_buf_init(struct chg_buf *b)
{
	b->ptr = chg_buf__empty;
	b->len = 0;
	b->alloc = 0;
}

void chg_buf_release(struct chg_buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		free(b->ptr);
	chg_buf_init(b);
}

int chg_buf_grow(struct chg_buf *b, size_t extra)
{
	size_t want, n;
	char *p;

	if (extra > (size_t)-1 / 2 - b->len - 1)
		return CHG_ENOMEM;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < want)
		n *= 2;
	p = b->alloc ? realloc(b->ptr, n) : malloc(n);
	if (!p)
		return CHG_ENOMEM;
	if (!b->alloc)
		p[0] = '\0';
	b->ptr = p;
	b->alloc = n;
	return 0;
}

int chg_buf_put(struct chg_buf *b, const void *data, size_t len)
{
	if (chg_buf_grow(b, len) < 0)
		return CHG_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int chg_buf_puts(struct chg_buf *b, const char *s)
{
	return chg_buf_put(b, s, strlen(s));
}

int chg_buf_putc(struct chg_buf *b, char c)
{
	return chg_buf_put(b, &c, 1);
}

int chg_buf_vprintf(struct chg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->ptr + b->len, b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return CHG_ERROR;
	if ((size_t)n + 1 > (b->alloc ? b->alloc - b->len : 0)) {
		if (chg_buf_grow(b, (size_t)n) < 0)
			return CHG_ENOMEM;
		va_copy(cp, ap);
		n = vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, cp);
		va_end(cp);
		if (n < 0)
			return CHG_ERROR;
	}
	b->len += (size_t)n;
	return 0;
}

int chg_buf_printf(struct chg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = chg_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return error;
}

void chg_buf_clear(struct chg_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->ptr[0] = '\0';
}

char *chg_buf_detach(struct chg_buf *b)
{
	char *p;

	if (!b->alloc) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
		return p;
	}
	p = b->ptr;
	chg_buf_init(b);
	return p;
}
