/* catalog.c: load XenCenter's updates.xml hotfix catalog into plain C structs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "csmaint.h"
#include "guidance.h"
#include "catalog.h"

/* What the parser callbacks learn while libxml2 runs; hung on the context's _private. */
struct parse_state {
	int doctype;		/* a DOCTYPE was seen, the parser was stopped */
	int doctype_line;
	int xml_error;		/* libxml2 reported an error: xml_msg holds the first */
	char xml_msg[512];
};

/* Everything a walk over the DOM needs to name the culprit in a message. */
struct loader {
	const char *name;
	struct catalog *cat;
	size_t patch_cap, version_cap;
};

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Trim blanks and lower-case a uuid in place; hand-edited feeds may carry either. */
static char *
uuid_norm(char *s)
{
	size_t n;
	char *p = s;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' ||
	    p[n - 1] == '\r'))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	lower(s);
	return s;
}

/* An attribute as our own heap string (never mix allocators), NULL when absent. */
static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* A uuid attribute, normalised; NULL when absent or blank. */
static char *
uuid_attr(xmlNode *n, const char *name)
{
	char *s = attr(n, name);

	if (s != NULL && *uuid_norm(s) == '\0') {
		free(s);
		s = NULL;
	}
	return s;
}

static int
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static void
push(char ***list, size_t *n, char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = s;
}

static void
free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/*
 * Collect the uuid of every <child> of every <wrapper> under a <patch>.  XenCenter reads
 * only the first wrapper and XO only single children (§1.2); the real layout is not
 * confirmed, so take them all, as ANAGO does.
 */
static int
read_refs(struct loader *l, xmlNode *wrapper, const char *child, char ***list, size_t *n)
{
	xmlNode *c;
	char *u;

	for (c = wrapper->children; c != NULL; c = c->next) {
		if (!is_el(c, child))
			continue;
		if ((u = uuid_attr(c, "uuid")) == NULL)
			return csm_err_set(CSM_EUSAGE, "%s:%ld: <%s> without uuid", l->name,
			    xmlGetLineNo(c), child);
		push(list, n, u);
	}
	return CSM_OK;
}

static void
patch_clear(struct catalog_patch *p)
{
	free(p->uuid);
	free(p->name_label);
	free(p->name_description);
	free(p->guidance_text);
	free(p->version);
	free(p->url);
	free(p->patch_url);
	free(p->timestamp);
	free_list(p->conflicts, p->nconflicts);
	free_list(p->requires, p->nrequires);
}

static int
read_patch(struct loader *l, xmlNode *n)
{
	struct catalog *cat = l->cat;
	struct catalog_patch *p;
	char *s;
	xmlNode *c;
	long long v;
	int rc;

	if (cat->npatches == l->patch_cap) {
		l->patch_cap = l->patch_cap ? 2 * l->patch_cap : 64;
		cat->patches = xrealloc(cat->patches, l->patch_cap * sizeof(*cat->patches));
	}
	p = &cat->patches[cat->npatches];
	memset(p, 0, sizeof(*p));
	p->line = xmlGetLineNo(n);
	p->index = cat->npatches;
	p->installation_size = -1;
	if ((p->uuid = uuid_attr(n, "uuid")) == NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s:%ld: <patch> without uuid", l->name, p->line);
		goto fail;
	}
	p->name_label = attr(n, "name-label");
	if (p->name_label == NULL || p->name_label[0] == '\0') {
		/* The name is how operators and hotfix files refer to a patch (§4 XC-cfuv). */
		rc = csm_err_set(CSM_EUSAGE, "%s:%ld: <patch> %s without name-label", l->name,
		    p->line, p->uuid);
		goto fail;
	}
	p->name_description = attr(n, "name-description");
	p->guidance_text = attr(n, "after-apply-guidance");
	p->guidance = guidance_parse(p->guidance_text);
	if ((s = attr(n, "guidance-mandatory")) != NULL) {
		lower(s);
		p->guidance_mandatory = strstr(s, "true") != NULL;
		free(s);
	}
	p->version = attr(n, "version");
	p->url = attr(n, "url");
	p->patch_url = attr(n, "patch-url");
	p->timestamp = attr(n, "timestamp");
	/* Informational only: a malformed size must not make the whole feed unusable. */
	if ((s = attr(n, "installation-size")) != NULL) {
		if (csm_strtonum(s, 0, INT64_MAX, &v) == CSM_OK)
			p->installation_size = v;
		csm_err_clear();
		free(s);
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (is_el(c, "conflictingpatches"))
			rc = read_refs(l, c, "conflictingpatch", &p->conflicts, &p->nconflicts);
		else if (is_el(c, "requiredpatches"))
			rc = read_refs(l, c, "requiredpatch", &p->requires, &p->nrequires);
		else
			continue;
		if (rc < 0)
			goto fail;
	}
	cat->npatches++;
	return CSM_OK;
fail:
	patch_clear(p);
	return rc;
}

static void
version_clear(struct catalog_version *v)
{
	free(v->value);
	free(v->name);
	free(v->build_number);
	free(v->patch_uuid);
	free_list(v->patches, v->npatches);
	free_list(v->minimal, v->nminimal);
}

static int
read_version(struct loader *l, xmlNode *n)
{
	struct catalog *cat = l->cat;
	struct catalog_version *v;
	xmlNode *c;
	int rc;

	if (cat->nversions == l->version_cap) {
		l->version_cap = l->version_cap ? 2 * l->version_cap : 16;
		cat->versions = xrealloc(cat->versions, l->version_cap * sizeof(*cat->versions));
	}
	v = &cat->versions[cat->nversions];
	memset(v, 0, sizeof(*v));
	v->line = xmlGetLineNo(n);
	v->value = attr(n, "value");
	if (v->value == NULL || v->value[0] == '\0') {
		rc = csm_err_set(CSM_EUSAGE, "%s:%ld: <version> without value", l->name, v->line);
		goto fail;
	}
	v->name = attr(n, "name");
	v->build_number = attr(n, "build-number");
	if (v->build_number != NULL && v->build_number[0] == '\0') {
		/* §2.1: an empty build-number means "match on the value". */
		free(v->build_number);
		v->build_number = NULL;
	}
	v->patch_uuid = uuid_attr(n, "patch-uuid");
	for (c = n->children; c != NULL; c = c->next) {
		if (is_el(c, "patch")) {
			char *u = uuid_attr(c, "uuid");

			if (u == NULL) {
				rc = csm_err_set(CSM_EUSAGE, "%s:%ld: <patch> in <version> %s "
				    "without uuid", l->name, xmlGetLineNo(c), v->value);
				goto fail;
			}
			push(&v->patches, &v->npatches, u);
		} else if (is_el(c, "minimalpatches")) {
			/* Several wrappers would be odd; concatenating them is the kind answer. */
			v->has_minimal = 1;
			if ((rc = read_refs(l, c, "patch", &v->minimal, &v->nminimal)) < 0)
				goto fail;
		}
	}
	cat->nversions++;
	return CSM_OK;
fail:
	version_clear(v);
	return rc;
}

static int
cmp_by_uuid(const void *a, const void *b)
{
	const struct catalog_patch *pa = *(struct catalog_patch *const *)a;
	const struct catalog_patch *pb = *(struct catalog_patch *const *)b;
	int c = strcmp(pa->uuid, pb->uuid);

	/* Ties in document order, so the lookup's leftmost match is the first patch. */
	if (c == 0)
		c = pa->index < pb->index ? -1 : pa->index > pb->index;
	return c;
}

/* The <patches> and <serverversions> sections under the root, in that order (§1.1). */
static int
walk(struct loader *l, xmlNode *root)
{
	xmlNode *sec, *n;
	int rc, seen = 0;
	size_t i;

	/* Patches first: versions refer to them, and the index is built before use. */
	for (sec = root->children; sec != NULL; sec = sec->next) {
		if (!is_el(sec, "patches"))
			continue;
		seen = 1;
		for (n = sec->children; n != NULL; n = n->next)
			if (is_el(n, "patch") && (rc = read_patch(l, n)) < 0)
				return rc;
	}
	for (sec = root->children; sec != NULL; sec = sec->next) {
		if (!is_el(sec, "serverversions"))
			continue;
		seen = 1;
		for (n = sec->children; n != NULL; n = n->next)
			if (is_el(n, "version") && (rc = read_version(l, n)) < 0)
				return rc;
	}
	if (!seen)
		return csm_err_set(CSM_EUSAGE, "%s:%ld: <%s> has neither <patches> nor "
		    "<serverversions>: not an updates.xml catalog (expected <patchdata>)",
		    l->name, xmlGetLineNo(root), (const char *)root->name);
	l->cat->by_uuid = xcalloc(l->cat->npatches + 1, sizeof(*l->cat->by_uuid));
	for (i = 0; i < l->cat->npatches; i++)
		l->cat->by_uuid[i] = &l->cat->patches[i];
	qsort(l->cat->by_uuid, l->cat->npatches, sizeof(*l->cat->by_uuid), cmp_by_uuid);
	return CSM_OK;
}

/*
 * SAX hook for <!DOCTYPE ...>: stop before the internal subset is read, so neither
 * entity expansion nor an external DTD can happen.  libxml2 passes the parser context.
 */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;

	(void)name, (void)ext, (void)sys;
	st->doctype = 1;
	st->doctype_line = ctxt->input != NULL ? ctxt->input->line : 0;
	xmlStopParser(ctxt);
}

/* libxml2's own errors (not well-formed, bad encoding): keep the first one's text. */
static void
xml_error(void *ctx, xmlErrorPtr err)
{
	struct parse_state *st = ctx;
	size_t n;

	if (err == NULL || err->level < XML_ERR_ERROR || st->xml_error)
		return;
	st->xml_error = 1;
	snprintf(st->xml_msg, sizeof(st->xml_msg), "%d: %s", err->line,
	    err->message ? err->message : "unknown XML error");
	n = strlen(st->xml_msg);
	while (n > 0 && (st->xml_msg[n - 1] == '\n' || st->xml_msg[n - 1] == ' '))
		st->xml_msg[--n] = '\0';
}

int
catalog_load_mem(const char *buf, size_t len, const char *name, struct catalog **out)
{
	static int inited;
	struct parse_state st;
	struct loader l;
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNode *root;
	xmlStructuredErrorFunc old_serror;
	void *old_sctx;
	int rc;

	*out = NULL;
	if (name == NULL)
		name = "updates.xml";
	if (len > CATALOG_MAX_SIZE)
		return csm_err_set(CSM_EUSAGE, "%s: %zu bytes is over the %u MiB limit for a "
		    "catalog", name, len, CATALOG_MAX_SIZE >> 20);
	if (len == 0)
		return csm_err_set(CSM_EUSAGE, "%s: empty file, expected an updates.xml catalog",
		    name);
	if (!inited) {
		xmlInitParser();
		inited = 1;
	}
	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	l.name = name;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return csm_err_set(CSM_EFAIL, "%s: cannot create an XML parser", name);
	ctxt->_private = &st;
	ctxt->sax->internalSubset = refuse_doctype;
	/*
	 * Every libxml2 report goes to our collector, including those raised without a
	 * parser context (encoding conversion), instead of stderr.
	 */
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(&st, xml_error);
	/* Only NONET: no NOENT, no DTDLOAD, no HUGE; libxml2's default limits stay on. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);

	if (st.doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
		rc = csm_err_set(CSM_EUSAGE, "%s:%d: refusing a document with a DOCTYPE: the "
		    "catalog has none, and its entities could expand without bound", name,
		    st.doctype_line);
		goto out;
	}
	if (doc == NULL || st.xml_error || !ctxt->wellFormed) {
		rc = csm_err_set(CSM_EUSAGE, "%s:%s", name, st.xml_error ? st.xml_msg :
		    " not well-formed XML");
		goto out;
	}
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s: no root element", name);
		goto out;
	}
	l.cat = xcalloc(1, sizeof(*l.cat));
	l.cat->name = xstrdup(name);
	if ((rc = walk(&l, root)) < 0) {
		catalog_free(l.cat);
		goto out;
	}
	*out = l.cat;
	rc = CSM_OK;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int
catalog_load(const char *path, struct catalog **out)
{
	char *buf = NULL;
	size_t len = 0, cap = 1 << 16, n;
	FILE *fp;
	int rc;

	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return csm_err_set(errno == ENOENT ? CSM_ENOTFOUND : CSM_EUSAGE,
		    "cannot open catalog %s: %s", path, strerror(errno));
	/* Read with a bound rather than trusting st_size: the path may be a pipe. */
	buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap > CATALOG_MAX_SIZE) {
				rc = csm_err_set(CSM_EUSAGE, "%s: over the %u MiB limit for a "
				    "catalog", path, CATALOG_MAX_SIZE >> 20);
				goto out;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		rc = csm_err_set(CSM_EUSAGE, "cannot read catalog %s: %s", path, strerror(errno));
		goto out;
	}
	rc = catalog_load_mem(buf, len, path, out);
out:
	free(buf);
	fclose(fp);
	return rc;
}

void
catalog_free(struct catalog *cat)
{
	size_t i;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->npatches; i++)
		patch_clear(&cat->patches[i]);
	for (i = 0; i < cat->nversions; i++)
		version_clear(&cat->versions[i]);
	free(cat->patches);
	free(cat->versions);
	free(cat->by_uuid);
	free(cat->name);
	free(cat);
}

const struct catalog_patch *
catalog_patch_by_uuid(const struct catalog *cat, const char *uuid)
{
	size_t lo = 0, hi, mid;
	int c;

	if (cat == NULL || uuid == NULL)
		return NULL;
	/* Leftmost match, so a duplicated uuid finds its first <patch>. */
	hi = cat->npatches;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcasecmp(cat->by_uuid[mid]->uuid, uuid);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cat->npatches && strcasecmp(cat->by_uuid[lo]->uuid, uuid) == 0)
		return cat->by_uuid[lo];
	return NULL;
}

const struct catalog_patch *
catalog_patch_by_name(const struct catalog *cat, const char *name)
{
	size_t i;

	if (cat == NULL || name == NULL)
		return NULL;
	for (i = 0; i < cat->npatches; i++)
		if (strcasecmp(cat->patches[i].name_label, name) == 0)
			return &cat->patches[i];
	return NULL;
}

/*
 * XenCenter keeps only the numeric dot-separated parts of a version value (§1.3), so
 * compare product_version against "5.6.100" taken out of, say, "5.6.100 OEM".
 */
static int
value_matches(const char *value, const char *product_version)
{
	const char *p = value, *q = product_version;
	size_t len;
	int first = 1;

	while (*p != '\0') {
		len = strcspn(p, ".");
		if (len > 0 && strspn(p, "0123456789") >= len) {
			if (!first) {
				if (*q != '.')
					return 0;
				q++;
			}
			if (strncmp(p, q, len) != 0)
				return 0;
			q += len;
			first = 0;
		}
		p += len;
		if (*p == '.')
			p++;
	}
	return !first && *q == '\0';
}

int
catalog_version_matches(const struct catalog_version *v, const char *product_version,
    const char *build_number)
{
	if (v->build_number != NULL)
		return build_number != NULL && strcmp(v->build_number, build_number) == 0;
	return product_version != NULL && value_matches(v->value, product_version);
}

const struct catalog_version *
catalog_version_for_host(const struct catalog *cat, const char *product_version,
    const char *build_number)
{
	size_t i;

	if (cat == NULL)
		return NULL;
	for (i = 0; i < cat->nversions; i++)
		if (catalog_version_matches(&cat->versions[i], product_version, build_number))
			return &cat->versions[i];
	return NULL;
}

int
catalog_version_lists(const struct catalog_version *v, const char *uuid, int in_minimal)
{
	char **list = in_minimal ? v->minimal : v->patches;
	size_t n = in_minimal ? v->nminimal : v->npatches, i;

	for (i = 0; i < n; i++)
		if (strcasecmp(list[i], uuid) == 0)
			return 1;
	return 0;
}
