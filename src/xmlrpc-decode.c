/* xmlrpc-decode.c: a streaming (SAX2) decoder of XML-RPC replies, safe on hostile input. */
#include <ctype.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include "csmaint.h"
#include "xmlrpc.h"
#include "xmlrpc-int.h"

/*
 * A SAX2 state machine, so no libxml2 tree is built: each element is checked against
 * its parent as it opens (allowed()), and values are built as they close.
 */

/* A <double>'s text, with '.' whatever the locale; 0 or -1. */
static int
parse_double(const char *s, size_t len, double *out)
{
	char tmp[128], *end;
	locale_t old;
	const char *e = s + len;
	double d;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (s == e || (size_t)(e - s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, (size_t)(e - s));
	tmp[e - s] = '\0';
	old = uselocale(xmlrpc_c_locale());
	d = strtod(tmp, &end);
	uselocale(old);
	if (*end != '\0')
		return -1;
	*out = d;
	return 0;
}

enum el {
	EL_ROOT,	/* before the document element */
	EL_METHODRESPONSE,
	EL_PARAMS,
	EL_PARAM,
	EL_FAULT,
	EL_VALUE,
	EL_STRING,
	EL_INT,		/* <i4>, <int>, <i8> */
	EL_BOOLEAN,
	EL_DOUBLE,
	EL_DATETIME,
	EL_NIL,
	EL_ARRAY,
	EL_DATA,
	EL_STRUCT,
	EL_MEMBER,
	EL_NAME,
	EL_UNKNOWN,
};

static const char *const el_names[] = {
	"(document)", "methodResponse", "params", "param", "fault", "value", "string",
	"int", "boolean", "double", "dateTime.iso8601", "nil", "array", "data", "struct",
	"member", "name", "?",
};

struct frame {
	enum el el;
	unsigned int nchild;		/* child elements seen */
	struct xmlrpc_value *v;		/* value: what it holds; member: its value */
	size_t name;			/* member: its name's offset in the struct's pool */
};

/* value, container, data|member per nesting level, plus the envelope and a leaf. */
#define MAX_FRAMES (3 * XMLRPC_MAX_DEPTH + 8)

struct dec {
	xmlParserCtxtPtr ctxt;
	enum el root;			/* EL_METHODRESPONSE or EL_VALUE */
	struct frame stack[MAX_FRAMES];
	int depth;			/* frames in use; stack[0] is EL_ROOT */
	int vdepth;			/* open <value>s */
	struct sbuf text;		/* character data of the current leaf */
	int failed;			/* a message is in the error slot */
	int xml_error;			/* libxml2 reported an error (message kept) */
	char xml_msg[512];
	int is_fault;
};

static enum el
el_of(const char *n)
{
	switch (n[0]) {
	case 'a':
		if (strcmp(n, "array") == 0)
			return EL_ARRAY;
		break;
	case 'b':
		if (strcmp(n, "boolean") == 0)
			return EL_BOOLEAN;
		break;
	case 'd':
		if (strcmp(n, "data") == 0)
			return EL_DATA;
		if (strcmp(n, "double") == 0)
			return EL_DOUBLE;
		if (strcmp(n, "dateTime.iso8601") == 0)
			return EL_DATETIME;
		break;
	case 'f':
		if (strcmp(n, "fault") == 0)
			return EL_FAULT;
		break;
	case 'i':
		if (strcmp(n, "i4") == 0 || strcmp(n, "int") == 0 || strcmp(n, "i8") == 0)
			return EL_INT;
		break;
	case 'm':
		if (strcmp(n, "member") == 0)
			return EL_MEMBER;
		if (strcmp(n, "methodResponse") == 0)
			return EL_METHODRESPONSE;
		break;
	case 'n':
		if (strcmp(n, "name") == 0)
			return EL_NAME;
		if (strcmp(n, "nil") == 0)
			return EL_NIL;
		break;
	case 'p':
		if (strcmp(n, "param") == 0)
			return EL_PARAM;
		if (strcmp(n, "params") == 0)
			return EL_PARAMS;
		break;
	case 's':
		if (strcmp(n, "string") == 0)
			return EL_STRING;
		if (strcmp(n, "struct") == 0)
			return EL_STRUCT;
		break;
	case 'v':
		if (strcmp(n, "value") == 0)
			return EL_VALUE;
		break;
	}
	return EL_UNKNOWN;
}

static int
line_of(struct dec *d)
{
	return xmlSAX2GetLineNumber(d->ctxt);
}

static void dec_fail(struct dec *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record the first failure and stop the parser: nothing after it matters. */
static void
dec_fail(struct dec *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (d->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	csm_err_set(CSM_EFAIL, "%s", msg);
	d->failed = 1;
	xmlStopParser(d->ctxt);
}

static int
blank(const char *s, size_t n)
{
	while (n-- > 0)
		if (!isspace((unsigned char)*s++))
			return 0;
	return 1;
}

/* Is element c allowed as child number nchild of element p? */
static int
allowed(struct dec *d, enum el p, unsigned int nchild, enum el c)
{
	switch (p) {
	case EL_ROOT:
		return c == d->root;
	case EL_METHODRESPONSE:
		return nchild == 0 && (c == EL_PARAMS || c == EL_FAULT);
	case EL_PARAMS:
		return nchild == 0 && c == EL_PARAM;
	case EL_PARAM:
	case EL_FAULT:
		return nchild == 0 && c == EL_VALUE;
	case EL_VALUE:
		return nchild == 0 && ((c >= EL_STRING && c <= EL_ARRAY) || c == EL_STRUCT);
	case EL_ARRAY:
		return nchild == 0 && c == EL_DATA;
	case EL_DATA:
		return c == EL_VALUE;
	case EL_STRUCT:
		return c == EL_MEMBER;
	case EL_MEMBER:
		return (nchild == 0 && c == EL_NAME) || (nchild == 1 && c == EL_VALUE);
	default:
		return 0;
	}
}

static void
sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	struct dec *d = ctx;
	const char *name = (const char *)localname;
	struct frame *p;
	enum el e;

	(void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_attributes;
	(void)nb_defaulted, (void)attributes;	/* attributes mean nothing in XML-RPC */

	if (d->failed)
		return;
	p = &d->stack[d->depth - 1];
	e = el_of(name);
	if (e == EL_UNKNOWN || prefix != NULL || !allowed(d, p->el, p->nchild, e)) {
		if (p->el == EL_ROOT)
			dec_fail(d, "unexpected document element <%.64s> at line %d, expected "
			    "<%s>", name, line_of(d), el_names[d->root]);
		else
			dec_fail(d, "unexpected element <%.64s> in <%s> at line %d", name,
			    el_names[p->el], line_of(d));
		return;
	}
	if (p->el == EL_VALUE && !blank(d->text.s, d->text.len)) {
		dec_fail(d, "text and <%s> mixed in <value> at line %d", name, line_of(d));
		return;
	}
	if (e == EL_VALUE && ++d->vdepth > XMLRPC_MAX_DEPTH) {
		dec_fail(d, "values nested deeper than %d at line %d", XMLRPC_MAX_DEPTH,
		    line_of(d));
		return;
	}
	if (d->depth >= MAX_FRAMES) {
		dec_fail(d, "elements nested too deep at line %d", line_of(d));
		return;
	}
	p->nchild++;
	if (e == EL_ARRAY)
		p->v = xmlrpc_array_new();
	else if (e == EL_STRUCT)
		p->v = xmlrpc_struct_new();
	d->stack[d->depth++] = (struct frame){ e, 0, NULL, 0 };
	d->text.len = 0;
	if (d->text.s != NULL)
		d->text.s[0] = '\0';
}

static void
sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct dec *d = ctx;
	struct frame *f;

	if (d->failed)
		return;
	f = &d->stack[d->depth - 1];
	switch (f->el) {
	case EL_VALUE:
		if (f->nchild > 0)
			goto check_blank;
		/* FALLTHROUGH */
	case EL_STRING:
	case EL_INT:
	case EL_BOOLEAN:
	case EL_DOUBLE:
	case EL_DATETIME:
	case EL_NAME:
		sbuf_add(&d->text, (const char *)ch, (size_t)len);
		return;
	default:
	check_blank:
		if (!blank((const char *)ch, (size_t)len))
			dec_fail(d, "unexpected text in <%s> at line %d", el_names[f->el],
			    line_of(d));
		return;
	}
}

static const char *
text_of(struct dec *d)
{
	return d->text.s != NULL ? d->text.s : "";
}

/* A finished <value> goes to whatever holds it. */
static void
deliver(struct dec *d, struct xmlrpc_value *v)
{
	struct frame *p = &d->stack[d->depth - 1];

	switch (p->el) {
	case EL_DATA:
		/* stack: … value(array) array data */
		xmlrpc_array_append(d->stack[d->depth - 3].v, v);
		break;
	default:		/* param, fault, member, or the document itself */
		p->v = v;
		break;
	}
}

static void
sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct dec *d = ctx;
	struct frame f, *p;
	struct xmlrpc_value *v = NULL;
	const char *t;
	int64_t i;
	double dbl;

	(void)localname, (void)prefix, (void)uri;	/* sax_start checked the name */
	if (d->failed)
		return;
	f = d->stack[--d->depth];
	p = &d->stack[d->depth - 1];
	t = text_of(d);
	switch (f.el) {
	case EL_VALUE:
		d->vdepth--;
		if (f.nchild == 0)
			v = xmlrpc_string_newn(t, d->text.len);
		else
			v = f.v;
		deliver(d, v);
		break;
	case EL_STRING:
		p->v = xmlrpc_string_newn(t, d->text.len);
		break;
	case EL_INT:
		if (xmlrpc_parse_int64(t, d->text.len, &i) < 0)
			goto bad_scalar;
		p->v = xmlrpc_int_new(i);
		break;
	case EL_BOOLEAN:
		while (*t && isspace((unsigned char)*t))
			t++;
		if (t[0] == '0' || t[0] == '1') {
			if (!blank(t + 1, strlen(t + 1)))
				goto bad_scalar;
			p->v = xmlrpc_bool_new(t[0] == '1');
		} else if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
			p->v = xmlrpc_bool_new(t[0] == 't' || t[0] == 'T');
		} else {
			goto bad_scalar;
		}
		break;
	case EL_DOUBLE:
		if (parse_double(t, d->text.len, &dbl) < 0)
			goto bad_scalar;
		p->v = xmlrpc_double_new(dbl);
		break;
	case EL_DATETIME:
		if ((p->v = xmlrpc_datetime_from_text(t, d->text.len)) == NULL)
			goto bad_scalar;
		break;
	case EL_NIL:
		p->v = xmlrpc_nil_new();
		break;
	case EL_NAME:
		/* stack: … value(struct) struct xmlrpc_member */
		p->name = xmlrpc_pool_add(d->stack[d->depth - 3].v->u.st, t, d->text.len);
		break;
	case EL_STRUCT:
		xmlrpc_struct_seal(p->v);
		break;
	case EL_MEMBER:
		if (f.nchild != 2) {
			d->stack[d->depth++] = f;	/* so the cleanup frees it */
			dec_fail(d, "<member> without a <value> at line %d", line_of(d));
			return;
		}
		/* stack: … value(struct) struct */
		xmlrpc_body_append(d->stack[d->depth - 2].v->u.st, f.name, f.v);
		break;
	case EL_PARAMS:
	case EL_PARAM:
	case EL_FAULT:
	case EL_METHODRESPONSE:
		if (f.nchild != 1) {
			d->stack[d->depth++] = f;
			dec_fail(d, "<%s> without its <%s> at line %d", el_names[f.el],
			    f.el == EL_PARAMS ? "param" : f.el == EL_METHODRESPONSE ?
			    "params" : "value", line_of(d));
			return;
		}
		if (f.el == EL_FAULT)
			d->is_fault = 1;
		p->v = f.v;	/* hand the single value up towards the document */
		break;
	default:		/* array, data: the value frame already holds it */
		break;
	}
	d->text.len = 0;
	return;
bad_scalar:
	d->stack[d->depth++] = f;
	dec_fail(d, "invalid <%s> value '%.40s' at line %d", el_names[f.el], text_of(d),
	    line_of(d));
}

static void
sax_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct dec *d = ctx;

	(void)name, (void)ext, (void)sys;
	dec_fail(d, "refusing a document with a DOCTYPE (line %d): XML-RPC has none, and "
	    "its entities could expand without bound", line_of(d));
}

static void
sax_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub, const xmlChar *sys,
    xmlChar *content)
{
	struct dec *d = ctx;

	(void)name, (void)type, (void)pub, (void)sys, (void)content;
	dec_fail(d, "refusing an entity declaration at line %d", line_of(d));
}

/* libxml2's own errors (not well-formed, bad encoding): keep the first one's text. */
static void
sax_error(void *ctx, xmlErrorPtr err)
{
	struct dec *d = ctx;
	size_t n;

	if (err == NULL || err->level < XML_ERR_ERROR || d->xml_error)
		return;
	d->xml_error = 1;
	snprintf(d->xml_msg, sizeof(d->xml_msg), "XML error at line %d: %s", err->line,
	    err->message ? err->message : "unknown");
	n = strlen(d->xml_msg);
	while (n > 0 && (d->xml_msg[n - 1] == '\n' || d->xml_msg[n - 1] == ' '))
		d->xml_msg[--n] = '\0';
}

/*
 * XML-RPC has no attributes, but libxml2 (2.9) checks an element's attributes for
 * duplicates pairwise while parsing its start tag, before any callback can refuse it: a
 * tag with 400,000 attributes (4 MB) costs minutes.  So count them first, in one pass
 * over the markup (comments, CDATA sections, processing instructions and quoted values
 * skipped), and refuse a tag with more than MAX_ATTRS.
 */
#define MAX_ATTRS 64

static int
too_many_attributes(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *q;
	unsigned int n;
	char quote;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			p = q ? q + 3 : end;
			continue;
		}
		if ((size_t)(end - p) >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			q = memmem(p + 9, (size_t)(end - p - 9), "]]>", 3);
			p = q ? q + 3 : end;
			continue;
		}
		if ((size_t)(end - p) >= 2 && p[1] == '?') {
			q = memmem(p + 2, (size_t)(end - p - 2), "?>", 2);
			p = q ? q + 2 : end;
			continue;
		}
		for (n = 0, quote = 0, p++; p < end && (quote || *p != '>'); p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '=' && ++n > MAX_ATTRS) {
				csm_err_set(CSM_EFAIL, "XML-RPC reply has an element with more than "
				    "%d attributes (at byte %zu)", MAX_ATTRS, (size_t)(p - buf));
				return 1;
			}
		}
		if (p == end)
			break;
	}
	return 0;
}

/* Parse buf with root element root; on success the document's value is returned. */
static int
decode(const char *buf, size_t len, enum el root, struct xmlrpc_value **out, int *is_fault)
{
	static int inited;
	xmlSAXHandler sax, *oldsax;
	xmlStructuredErrorFunc old_serror;
	void *old_sctx;
	struct dec *d;
	int rc = CSM_EFAIL, i;

	*out = NULL;
	if (len > XMLRPC_MAX_DOC)
		return csm_err_set(CSM_EFAIL, "XML-RPC reply of %zu bytes is over the %u MiB "
		    "limit", len, XMLRPC_MAX_DOC >> 20);
	if (len == 0)
		return csm_err_set(CSM_EFAIL, "empty XML-RPC reply");
	if (too_many_attributes(buf, len))
		return CSM_EFAIL;
	if (!inited) {
		xmlInitParser();
		inited = 1;
	}
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.cdataBlock = sax_text;
	sax.internalSubset = sax_doctype;
	sax.externalSubset = sax_doctype;
	sax.entityDecl = sax_entity;
	sax.serror = sax_error;

	d = xcalloc(1, sizeof(*d));
	d->root = root;
	d->ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (d->ctxt == NULL) {
		rc = csm_err_set(CSM_EFAIL, "cannot create an XML parser");
		goto out;
	}
	/* No network, no DTD loading, no entity substitution: only the options below. */
	xmlCtxtUseOptions(d->ctxt, XML_PARSE_NONET);
	oldsax = d->ctxt->sax;
	d->ctxt->sax = &sax;
	d->ctxt->userData = d;
	d->stack[0] = (struct frame){ EL_ROOT, 0, NULL, 0 };
	d->depth = 1;
	/*
	 * Errors raised without a parser context (input encoding conversion) go to the
	 * global handler, which prints on stderr: collect them with the others instead.
	 */
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(d, sax_error);
	xmlParseDocument(d->ctxt);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	d->ctxt->sax = oldsax;

	if (d->failed)
		goto out;
	if (d->xml_error || !d->ctxt->wellFormed) {
		rc = csm_err_set(CSM_EFAIL, "%s", d->xml_error ? d->xml_msg :
		    "XML-RPC reply is not well-formed XML");
		goto out;
	}
	if (d->depth != 1 || d->stack[0].v == NULL) {
		rc = csm_err_set(CSM_EFAIL, "XML-RPC reply ends early");
		goto out;
	}
	*out = d->stack[0].v;
	d->stack[0].v = NULL;
	if (is_fault != NULL)
		*is_fault = d->is_fault;
	rc = CSM_OK;
out:
	for (i = 0; i < d->depth; i++) {
		xmlrpc_value_free(d->stack[i].v);
	}
	if (d->ctxt != NULL) {
		if (d->ctxt->myDoc != NULL)
			xmlFreeDoc(d->ctxt->myDoc);
		xmlFreeParserCtxt(d->ctxt);
	}
	free(d->text.s);
	free(d);
	return rc;
}

void
xmlrpc_fault_free(struct xmlrpc_fault *f)
{
	if (f == NULL)
		return;
	free(f->string);
	free(f);
}

int
xmlrpc_decode_response(const char *buf, size_t len, struct xmlrpc_value **result,
    struct xmlrpc_fault **fault)
{
	struct xmlrpc_value *v;
	const char *s = NULL;
	int64_t code;
	int rc, is_fault = 0;

	*result = NULL;
	*fault = NULL;
	if ((rc = decode(buf, len, EL_METHODRESPONSE, &v, &is_fault)) < 0)
		return rc;
	if (!is_fault) {
		*result = v;
		return CSM_OK;
	}
	if (xmlrpc_as_int64(xmlrpc_struct_get(v, "faultCode"), &code) < 0 ||
	    xmlrpc_as_string(xmlrpc_struct_get(v, "faultString"), &s) < 0) {
		xmlrpc_value_free(v);
		return csm_err_set(CSM_EFAIL, "XML-RPC <fault> without an int faultCode and a "
		    "string faultString");
	}
	*fault = xcalloc(1, sizeof(**fault));
	(*fault)->code = code;
	(*fault)->string = xstrdup(s);
	xmlrpc_value_free(v);
	return CSM_OK;
}

int
xmlrpc_decode_value(const char *buf, size_t len, struct xmlrpc_value **result)
{
	return decode(buf, len, EL_VALUE, result, NULL);
}

