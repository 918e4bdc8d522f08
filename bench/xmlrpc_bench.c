/* xmlrpc_bench.c: time csmaint's XenAPI reply decoder against libxml2's bare parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "csmaint.h"
#include "xapi.h"
#include "xmlrpc.h"

/*
 * Freeing a big tree leaves glibc's fast bins full, and the next large allocation pays
 * for consolidating them: settle the heap outside the timed regions so no contender is
 * billed for the one before it.
 */
static void
settle(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
noop_start(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn,
    const xmlChar **ns, int na, int nd, const xmlChar **a)
{
	(void)ctx, (void)l, (void)p, (void)u, (void)nn, (void)ns, (void)na, (void)nd, (void)a;
}

static void
noop_end(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u)
{
	(void)ctx, (void)l, (void)p, (void)u;
}

static void
noop_text(void *ctx, const xmlChar *s, int n)
{
	(void)ctx, (void)s, (void)n;
}

/* libxml2's tokenizer alone (SAX2, empty callbacks): the floor for any libxml2 decoder. */
static double
sax_floor(const char *buf, size_t len)
{
	xmlSAXHandler sax, *old;
	xmlParserCtxtPtr ctxt;
	double t0 = csm_now();

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = noop_start;
	sax.endElementNs = noop_end;
	sax.characters = noop_text;
	ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
	old = ctxt->sax;
	ctxt->sax = &sax;
	xmlParseDocument(ctxt);
	ctxt->sax = old;
	xmlFreeParserCtxt(ctxt);
	return csm_now() - t0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		perror(path);
		exit(2);
	}
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Usage: xmlrpc_bench FILE RUNS.  Prints "csmaint", "libxml2" and "sax" medians in ms. */
int
main(int argc, char **argv)
{
	struct xmlrpc_value *v;
	char **errv;
	size_t len, nerr;
	double t0, *ours, *bare, *saxt;
	int runs, i;
	xmlDocPtr doc;
	char *buf;

	if (argc != 3) {
		fprintf(stderr, "usage: xmlrpc_bench FILE RUNS\n");
		return 2;
	}
	buf = slurp(argv[1], &len);
	runs = atoi(argv[2]) > 0 ? atoi(argv[2]) : 5;
	ours = xcalloc((size_t)runs, sizeof(*ours));
	bare = xcalloc((size_t)runs, sizeof(*bare));
	saxt = xcalloc((size_t)runs, sizeof(*saxt));
	xmlInitParser();
	for (i = 0; i < runs; i++) {
		/* Alternate so neither side always runs on a warm cache. */
		t0 = csm_now();
		if (xapi_decode_reply(buf, len, &v, &errv, &nerr) != CSM_OK || v == NULL) {
			fprintf(stderr, "decode failed: %s\n", csm_err_msg());
			return 1;
		}
		ours[i] = csm_now() - t0;
		if (i == 0)
			fprintf(stderr, "decoded %zu records\n", xmlrpc_len(v));
		xmlrpc_value_free(v);
		settle();

		t0 = csm_now();
		doc = xmlReadMemory(buf, (int)len, "reply.xml", NULL, XML_PARSE_NONET);
		bare[i] = csm_now() - t0;
		if (doc == NULL) {
			fprintf(stderr, "xmlReadMemory failed\n");
			return 1;
		}
		xmlFreeDoc(doc);
		settle();
		saxt[i] = sax_floor(buf, len);
		settle();
	}
	printf("csmaint %.1f\nlibxml2 %.1f\nsax %.1f\n", median(ours, runs) * 1e3,
	    median(bare, runs) * 1e3, median(saxt, runs) * 1e3);
	free(saxt);
	free(ours);
	free(bare);
	free(buf);
	return 0;
}
