/* xmlrpc-encode.c: XML-RPC values and calls as XML text, in the XenAPI encoding. */
#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "xmlrpc.h"
#include "xmlrpc-int.h"

/*
 * Append text XML-escaped.  XML 1.0 cannot carry most C0 controls at all (not even as
 * character references), and a server cannot parse invalid UTF-8, so both are refused
 * here rather than sent.  CR goes as &#13; because parsers turn a literal CR into LF.
 */
static int
add_text(struct sbuf *b, const char *s, size_t len, const char *what)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	const char *esc;
	unsigned int c, n, k;

	while (p < end) {
		c = *p;
		if (c >= 0x20 && c < 0x80 && c != '<' && c != '>' && c != '&') {
			p++;
			continue;
		}
		if (c < 0x80) {
			sbuf_add(b, (const char *)run, (size_t)(p - run));
			switch (c) {
			case '<': esc = "&lt;"; break;
			case '>': esc = "&gt;"; break;
			case '&': esc = "&amp;"; break;
			case '\r': esc = "&#13;"; break;
			case '\t': esc = "\t"; break;
			case '\n': esc = "\n"; break;
			default:
				return csm_err_set(CSM_EUSAGE, "%s contains the control character "
				    "0x%02x at byte %zu, which XML cannot carry", what, c,
				    (size_t)(p - (const unsigned char *)s));
			}
			sbuf_puts(b, esc);
			run = ++p;
			continue;
		}
		/* A UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF. */
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			goto bad;
		if ((size_t)(end - p) <= n)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				goto bad;
			c = (c << 6) | (p[k] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
			goto bad;
		p += n + 1;
	}
	sbuf_add(b, (const char *)run, (size_t)(p - run));
	return CSM_OK;
bad:
	return csm_err_set(CSM_EUSAGE, "%s is not valid UTF-8 text (byte %zu)", what,
	    (size_t)(p - (const unsigned char *)s));
}

static int
add_value(struct sbuf *b, const struct xmlrpc_value *v, const char *what, int depth)
{
	const char *name;
	char num[64];
	locale_t old;
	size_t i;
	int rc;

	if (depth > XMLRPC_MAX_DEPTH)
		return csm_err_set(CSM_EUSAGE, "%s nests deeper than %d values", what,
		    XMLRPC_MAX_DEPTH);
	switch (xmlrpc_type(v)) {
	case XMLRPC_NIL:
		sbuf_puts(b, "<value><nil/></value>");
		return CSM_OK;
	case XMLRPC_STRING:
		sbuf_puts(b, "<value>");
		if ((rc = add_text(b, v->text, v->len, what)) < 0)
			return rc;
		sbuf_puts(b, "</value>");
		return CSM_OK;
	case XMLRPC_INT:
		/* The 2010 server reads ints only from strings (NOTES §1.3). */
		snprintf(num, sizeof(num), "<value>%lld</value>", (long long)v->u.i);
		sbuf_puts(b, num);
		return CSM_OK;
	case XMLRPC_BOOL:
		sbuf_puts(b, v->u.b ? "<value><boolean>1</boolean></value>" :
		    "<value><boolean>0</boolean></value>");
		return CSM_OK;
	case XMLRPC_DOUBLE:
		old = uselocale(xmlrpc_c_locale());
		snprintf(num, sizeof(num), "<value><double>%.17g</double></value>", v->u.d);
		uselocale(old);
		sbuf_puts(b, num);
		return CSM_OK;
	case XMLRPC_DATETIME:
		sbuf_puts(b, "<value><dateTime.iso8601>");
		if ((rc = add_text(b, v->text, v->len, what)) < 0)
			return rc;
		sbuf_puts(b, "</dateTime.iso8601></value>");
		return CSM_OK;
	case XMLRPC_ARRAY:
		sbuf_puts(b, "<value><array><data>");
		for (i = 0; i < v->u.arr.n; i++)
			if ((rc = add_value(b, v->u.arr.items[i], what, depth + 1)) < 0)
				return rc;
		sbuf_puts(b, "</data></array></value>");
		return CSM_OK;
	case XMLRPC_STRUCT:
		sbuf_puts(b, "<value><struct>");
		for (i = 0; i < v->u.st->n; i++) {
			sbuf_puts(b, "<member><name>");
			name = xmlrpc_name_of(v->u.st, i);
			if ((rc = add_text(b, name, strlen(name), what)) < 0)
				return rc;
			sbuf_puts(b, "</name>");
			if ((rc = add_value(b, v->u.st->m[i].v, what, depth + 1)) < 0)
				return rc;
			sbuf_puts(b, "</member>");
		}
		sbuf_puts(b, "</struct></value>");
		return CSM_OK;
	}
	return csm_err_set(CSM_EUSAGE, "%s has an unknown type", what);
}

/* XenAPI method names are class.message or Async.class.message: keep anything else out. */
static int
valid_method(const char *m)
{
	const char *p;

	if (*m == '\0' || *m == '.')
		return 0;
	for (p = m; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return 0;
	return p[-1] != '.';
}

char *
xmlrpc_encode_call(const char *method, struct xmlrpc_value *const *params, size_t n)
{
	struct sbuf b = SBUF_INIT;
	char what[96];
	size_t i;

	if (method == NULL || !valid_method(method)) {
		csm_err_set(CSM_EUSAGE, "'%s' is not a XenAPI method name",
		    method ? method : "(null)");
		return NULL;
	}
	sbuf_puts(&b, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
	sbuf_puts(&b, method);
	sbuf_puts(&b, "</methodName><params>");
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "parameter %zu of %.32s", i + 1, method);
		sbuf_puts(&b, "<param>");
		if (add_value(&b, params[i], what, 1) < 0) {
			/* The body may hold a password: clear it before letting go. */
			csm_explicit_bzero(b.s, b.len);
			free(b.s);
			return NULL;
		}
		sbuf_puts(&b, "</param>");
	}
	sbuf_puts(&b, "</params></methodCall>\n");
	return sbuf_take(&b);
}

char *
xmlrpc_encode_value(const struct xmlrpc_value *v)
{
	struct sbuf b = SBUF_INIT;

	if (add_value(&b, v, "value", 1) < 0) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_take(&b);
}

