/*
 * sbuf.h: a growing string, the one csmaint uses wherever it builds text of a length
 * not known in advance.
 *
 *	struct sbuf b = SBUF_INIT;
 *	sbuf_printf(&b, "host=%s\n", host);
 *	char *text = sbuf_take(&b);	(the caller's; b is empty again)
 *
 * The text is always NUL-terminated; allocation failure aborts as everywhere in
 * csmaint.  sbuf_free() releases what was not taken; sbuf_free of an empty one is a
 * no-op.
 */
#ifndef CSM_SBUF_H
#define CSM_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};
#define SBUF_INIT { NULL, 0, 0 }

void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text ("" when nothing was added), the caller's to free(). */
char *sbuf_take(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif
