/* xml.c: the XML of S3 answers (listings, errors, multipart uploads) read
 * through libxml2, a parser fuzzed for twenty years, instead of a scanner of
 * our own: an endpoint is as untrusted as any other input. */
#include "s3_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* An S3 answer this big is not one (a listing page of 1000 keys of 1 KiB
 * each is about 1.5 MB). */
#define XML_MAX_ANSWER ((size_t)64 << 20)

struct s3_xml {
    xmlDocPtr doc;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_parser(void)
{
    xmlInitParser(); /* once, before threads share the parser */
}

int s3_xml_parse(s3_xml **out, const void *doc, size_t len, const char *what)
{
    s3_xml *x;
    xmlDocPtr d;

    *out = NULL;
    if (len > XML_MAX_ANSWER || len > INT_MAX)
        return kiln_error_set(KILN_ECORRUPT, "%s: a %zu-byte XML answer "
                              "(more than %zu MiB)", what, len,
                              XML_MAX_ANSWER >> 20);
    pthread_once(&init_once, init_parser);
    /* No network, no error output of libxml2's own, no entity
     * substitution (XML_PARSE_NOENT is not given), no DTD loading. */
    d = xmlReadMemory(doc, (int)len, NULL, NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                          XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (d == NULL) {
        const xmlError *e = xmlGetLastError();
        return kiln_error_set(KILN_ECORRUPT, "%s: malformed XML answer%s%s",
                              what, e && e->message ? ": " : "",
                              e && e->message ? e->message : "");
    }
    if (d->intSubset != NULL || d->extSubset != NULL ||
        xmlDocGetRootElement(d) == NULL) {
        int dtd = xmlDocGetRootElement(d) != NULL;
        xmlFreeDoc(d);
        return kiln_error_set(KILN_ECORRUPT, "%s: XML answer with %s", what,
                              dtd ? "a DTD (refused)" : "no root element");
    }
    x = malloc(sizeof *x);
    if (x == NULL) {
        xmlFreeDoc(d);
        return kiln_error_set(KILN_ENOMEM, "%s: out of memory", what);
    }
    x->doc = d;
    *out = x;
    return 0;
}

void s3_xml_free(s3_xml *x)
{
    if (x == NULL)
        return;
    xmlFreeDoc(x->doc);
    free(x);
}

const char *s3_xml_root_name(const s3_xml *x)
{
    return (const char *)xmlDocGetRootElement(x->doc)->name;
}

const s3_xml_node *s3_xml_child(const s3_xml *x, const s3_xml_node *parent,
                                const s3_xml_node *prev, const char *tag)
{
    xmlNodePtr n;

    if (prev != NULL)
        n = ((xmlNodePtr)prev)->next;
    else if (parent != NULL)
        n = ((xmlNodePtr)parent)->children;
    else
        n = xmlDocGetRootElement(x->doc)->children;
    for (; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            strcmp((const char *)n->name, tag) == 0)
            return (const s3_xml_node *)n;
    return NULL;
}

char *s3_xml_text(const s3_xml *x, const s3_xml_node *parent, const char *tag)
{
    const s3_xml_node *n = s3_xml_child(x, parent, NULL, tag);
    xmlChar *c;
    char *s;

    if (n == NULL)
        return NULL;
    /* Text and character references only: with no DTD there are no
     * entities of the document's own to expand. */
    c = xmlNodeGetContent((xmlNodePtr)n);
    if (c == NULL)
        return strdup("");
    s = strdup((const char *)c);
    xmlFree(c);
    return s;
}

char *s3_xml_get(const char *doc, size_t len, const char *tag)
{
    s3_xml *x = NULL;
    char *s;

    if (doc == NULL || len == 0 || s3_xml_parse(&x, doc, len, "s3") != 0) {
        kiln_error_clear(); /* callers fall back to the HTTP status */
        return NULL;
    }
    s = s3_xml_text(x, NULL, tag);
    s3_xml_free(x);
    return s;
}
