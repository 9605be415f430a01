/* series.c: the series section (spec/series.md): profile kinds (sample
 * types, period, ...), series (a kind and sorted label pairs) and postings
 * (label pair -> ascending series ids) so label matchers pick series
 * without reading samples. Strings are the section's own table. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

#define MAX_TABLE (1u << 26) /* series, kinds, postings; spec/series.md */
#define MAX_TOTAL (1u << 28) /* label pairs, posting entries */

/* Bytewise order of two table strings (shorter first on a common prefix). */
static int str_cmp(const kiln_strtab *t, uint32_t a, uint32_t b)
{
    uint32_t la = t->len[a], lb = t->len[b];
    int c;

    if (a == b)
        return 0;
    c = memcmp(strtab_get(t, a), strtab_get(t, b), la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

static void free_kind(kiln_kind *k)
{
    free(k->types);
    free(k->comments);
}

int seriestab_init(kiln_seriestab *t)
{
    memset(t, 0, sizeof *t);
    return strtab_init(&t->strings);
}

void seriestab_free(kiln_seriestab *t)
{
    if (!t)
        return;
    strtab_free(&t->strings);
    for (size_t i = 0; i < t->nkinds; i++)
        free_kind(&t->kinds[i]);
    free(t->kinds);
    free(t->series);
    free(t->labs);
    free(t->postings);
    free(t->post_ids);
    htab_free(&t->kind_index);
    htab_free(&t->series_index);
    memset(t, 0, sizeof *t);
}

/* ---- kinds ---- */

static uint64_t hash_kind(const kiln_kind *k)
{
    uint64_t h[8] = {k->ntypes, (uint64_t)k->period_type[0] << 32 | k->period_type[1],
                     (uint64_t)k->period, k->default_type,
                     (uint64_t)k->drop_frames << 32 | k->keep_frames,
                     k->doc_url, k->ncomments, 0};
    uint64_t x = hash64(h, sizeof h, 6);

    if (k->ntypes)
        x = hash64(k->types, 2 * (size_t)k->ntypes * sizeof *k->types, x);
    if (k->ncomments)
        x = hash64(k->comments, (size_t)k->ncomments * sizeof *k->comments, x);
    return x;
}

static bool kind_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_kind *a = &((const kiln_seriestab *)ctx)->kinds[id];
    const kiln_kind *b = key;

    return a->ntypes == b->ntypes && a->period_type[0] == b->period_type[0] &&
           a->period_type[1] == b->period_type[1] && a->period == b->period &&
           a->default_type == b->default_type &&
           a->drop_frames == b->drop_frames &&
           a->keep_frames == b->keep_frames && a->doc_url == b->doc_url &&
           a->ncomments == b->ncomments &&
           (a->ntypes == 0 ||
            memcmp(a->types, b->types, 2 * (size_t)a->ntypes * sizeof *a->types) == 0) &&
           (a->ncomments == 0 ||
            memcmp(a->comments, b->comments, (size_t)a->ncomments * sizeof *a->comments) == 0);
}

static int check_kind_ids(const kiln_kind *k, size_t nstr)
{
    if (k->period_type[0] >= nstr || k->period_type[1] >= nstr ||
        k->default_type >= nstr || k->drop_frames >= nstr ||
        k->keep_frames >= nstr || k->doc_url >= nstr)
        return -1;
    for (uint32_t i = 0; i < 2 * k->ntypes; i++)
        if (k->types[i] >= nstr)
            return -1;
    for (uint32_t i = 0; i < k->ncomments; i++)
        if (k->comments[i] >= nstr)
            return -1;
    return 0;
}

static int reindex_kinds(kiln_seriestab *t)
{
    uint32_t id;
    size_t slot;
    int rc;

    if (t->kind_index.cap != 0 || t->nkinds == 0) /* built and kept complete */
        return 0;
    for (size_t i = 0; i < t->nkinds; i++) {
        uint64_t h = hash_kind(&t->kinds[i]);
        rc = htab_find(&t->kind_index, h, kind_eq, t, &t->kinds[i], &id, &slot);
        if (rc < 0)
            return rc;
        if (rc == 0 && (rc = htab_insert(&t->kind_index, h, slot, (uint32_t)i)) < 0)
            return rc;
    }
    return 0;
}

int seriestab_kind(kiln_seriestab *t, const kiln_kind *k, uint32_t *id)
{
    uint64_t h;
    size_t slot;
    kiln_kind copy;
    int rc;

    if (k->ntypes > KILN_MAX_TYPES)
        return kiln_error_set(KILN_ELIMIT, "series: %u sample types (max %d)",
                              k->ntypes, KILN_MAX_TYPES);
    if (check_kind_ids(k, t->strings.n) < 0)
        return kiln_error_set(KILN_EINVAL, "series: kind string id out of range");
    if ((rc = reindex_kinds(t)) < 0)
        return rc;
    h = hash_kind(k);
    rc = htab_find(&t->kind_index, h, kind_eq, t, k, id, &slot);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (t->nkinds >= MAX_TABLE)
        return kiln_error_set(KILN_ELIMIT, "series: too many kinds");
    if (t->nkinds == t->capkinds) {
        size_t cap = t->capkinds ? t->capkinds * 2 : 8;
        kiln_kind *p = realloc(t->kinds, cap * sizeof *p);
        if (!p)
            return kiln_error_set(KILN_ENOMEM, "series: %zu kinds", cap);
        t->kinds = p;
        t->capkinds = cap;
    }
    copy = *k;
    copy.types = malloc((2 * (size_t)k->ntypes + 1) * sizeof *copy.types);
    copy.comments = malloc(((size_t)k->ncomments + 1) * sizeof *copy.comments);
    if (!copy.types || !copy.comments) {
        free_kind(&copy);
        return kiln_error_set(KILN_ENOMEM, "series: kind");
    }
    if (k->ntypes)
        memcpy(copy.types, k->types, 2 * (size_t)k->ntypes * sizeof *k->types);
    if (k->ncomments)
        memcpy(copy.comments, k->comments, (size_t)k->ncomments * sizeof *k->comments);
    t->kinds[t->nkinds] = copy;
    *id = (uint32_t)t->nkinds++;
    return htab_insert(&t->kind_index, h, slot, *id);
}

/* ---- series ---- */

typedef struct serkey {
    uint32_t kind, nlabs;
    const uint32_t *labs; /* 2*nlabs */
} serkey;

static uint64_t hash_series(const serkey *k)
{
    uint64_t x = hash64(&k->kind, sizeof k->kind, 7);

    if (k->nlabs)
        x = hash64(k->labs, 2 * (size_t)k->nlabs * sizeof *k->labs, x);
    return x;
}

static bool series_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_seriestab *t = ctx;
    const kiln_series *s = &t->series[id];
    const serkey *k = key;

    return s->kind == k->kind && s->nlabs == k->nlabs &&
           (k->nlabs == 0 ||
            memcmp(t->labs + 2 * (size_t)s->lab_off, k->labs,
                   2 * (size_t)k->nlabs * sizeof *k->labs) == 0);
}

static int reindex_series(kiln_seriestab *t)
{
    uint32_t id;
    size_t slot;
    int rc;

    if (t->series_index.cap != 0 || t->nseries == 0) /* built and kept complete */
        return 0;
    for (size_t i = 0; i < t->nseries; i++) {
        const kiln_series *s = &t->series[i];
        serkey k = {s->kind, s->nlabs, t->labs + 2 * (size_t)s->lab_off};
        uint64_t h = hash_series(&k);
        rc = htab_find(&t->series_index, h, series_eq, t, &k, &id, &slot);
        if (rc < 0)
            return rc;
        if (rc == 0 && (rc = htab_insert(&t->series_index, h, slot, (uint32_t)i)) < 0)
            return rc;
    }
    return 0;
}

/* Sort context for label pairs (C11 qsort has no context argument). */
static _Thread_local const kiln_strtab *sort_strings;

static int pair_cmp(const void *pa, const void *pb)
{
    const uint32_t *a = pa, *b = pb;
    int c = str_cmp(sort_strings, a[0], b[0]);

    return c ? c : str_cmp(sort_strings, a[1], b[1]);
}

int seriestab_series(kiln_seriestab *t, const kiln_label *labels,
                          size_t n, uint32_t kind, uint32_t *id)
{
    uint32_t *pairs = NULL;
    size_t slot;
    int rc;

    if (kind >= t->nkinds)
        return kiln_error_set(KILN_EINVAL, "series: kind %u out of range", kind);
    if (n > UINT32_MAX / 2)
        return kiln_error_set(KILN_ELIMIT, "series: %zu labels", n);
    pairs = malloc((2 * n + 1) * sizeof *pairs);
    if (!pairs)
        return kiln_error_set(KILN_ENOMEM, "series: %zu labels", n);
    for (size_t i = 0; i < n; i++) {
        if ((rc = strtab_intern(&t->strings, labels[i].name,
                                     strlen(labels[i].name), &pairs[2 * i])) < 0)
            goto out;
        if ((rc = strtab_intern(&t->strings, labels[i].value,
                                     strlen(labels[i].value), &pairs[2 * i + 1])) < 0)
            goto out;
    }
    sort_strings = &t->strings;
    qsort(pairs, n, 2 * sizeof *pairs, pair_cmp);
    for (size_t i = 1; i < n; i++) {
        if (pairs[2 * i] == pairs[2 * i - 2]) {
            rc = kiln_error_set(KILN_EINVAL, "series: label \"%s\" given twice",
                                strtab_get(&t->strings, pairs[2 * i]));
            goto out;
        }
    }
    if ((rc = reindex_series(t)) < 0)
        goto out;
    serkey k = {kind, (uint32_t)n, pairs};
    uint64_t h = hash_series(&k);
    rc = htab_find(&t->series_index, h, series_eq, t, &k, id, &slot);
    if (rc != 0) {
        rc = rc < 0 ? rc : 0;
        goto out;
    }
    if (t->nseries >= MAX_TABLE || t->nlabs / 2 + n > MAX_TOTAL) {
        rc = kiln_error_set(KILN_ELIMIT, "series: too many series or labels");
        goto out;
    }
    if (t->nseries == t->capseries) {
        size_t cap = t->capseries ? t->capseries * 2 : 64;
        kiln_series *p = realloc(t->series, cap * sizeof *p);
        if (!p) {
            rc = kiln_error_set(KILN_ENOMEM, "series: %zu series", cap);
            goto out;
        }
        t->series = p;
        t->capseries = cap;
    }
    if (t->nlabs + 2 * n > t->caplabs) {
        size_t cap = t->caplabs ? t->caplabs : 128;
        while (cap < t->nlabs + 2 * n)
            cap *= 2;
        uint32_t *p = realloc(t->labs, cap * sizeof *p);
        if (!p) {
            rc = kiln_error_set(KILN_ENOMEM, "series: %zu label ids", cap);
            goto out;
        }
        t->labs = p;
        t->caplabs = cap;
    }
    if (n)
        memcpy(t->labs + t->nlabs, pairs, 2 * n * sizeof *pairs);
    t->series[t->nseries].kind = kind;
    t->series[t->nseries].lab_off = (uint32_t)(t->nlabs / 2);
    t->series[t->nseries].nlabs = (uint32_t)n;
    t->nlabs += 2 * n;
    *id = (uint32_t)t->nseries++;
    rc = htab_insert(&t->series_index, h, slot, *id);
out:
    free(pairs);
    return rc;
}

/* ---- postings ---- */

static int triple_cmp(const void *pa, const void *pb)
{
    const uint32_t *a = pa, *b = pb;
    int c = pair_cmp(a, b);

    if (c)
        return c;
    return a[2] < b[2] ? -1 : a[2] > b[2];
}

int seriestab_postings(kiln_seriestab *t)
{
    size_t npairs = t->nlabs / 2;
    uint32_t *tri = malloc((3 * npairs + 1) * sizeof *tri);
    int rc = 0;

    if (!tri)
        return kiln_error_set(KILN_ENOMEM, "series: postings of %zu pairs", npairs);
    size_t k = 0;
    for (size_t s = 0; s < t->nseries; s++) {
        const kiln_series *se = &t->series[s];
        for (uint32_t j = 0; j < se->nlabs; j++) {
            tri[3 * k] = t->labs[2 * ((size_t)se->lab_off + j)];
            tri[3 * k + 1] = t->labs[2 * ((size_t)se->lab_off + j) + 1];
            tri[3 * k + 2] = (uint32_t)s;
            k++;
        }
    }
    sort_strings = &t->strings;
    qsort(tri, k, 3 * sizeof *tri, triple_cmp);
    free(t->postings);
    free(t->post_ids);
    t->postings = malloc((k + 1) * sizeof *t->postings);
    t->post_ids = malloc((k + 1) * sizeof *t->post_ids);
    t->npostings = t->npost_ids = 0;
    if (!t->postings || !t->post_ids) {
        rc = kiln_error_set(KILN_ENOMEM, "series: postings");
        goto out;
    }
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || tri[3 * i] != tri[3 * i - 3] || tri[3 * i + 1] != tri[3 * i - 2]) {
            kiln_posting *p = &t->postings[t->npostings++];
            p->name = tri[3 * i];
            p->value = tri[3 * i + 1];
            p->off = (uint32_t)t->npost_ids;
            p->n = 0;
        }
        t->post_ids[t->npost_ids++] = tri[3 * i + 2];
        t->postings[t->npostings - 1].n++;
    }
out:
    free(tri);
    return rc;
}

/* ---- encoding ---- */

int seriestab_encode(const kiln_seriestab *t, kiln_buf *out)
{
    size_t most = t->nseries;
    uint32_t *tmp = NULL;
    int rc;

    if (t->nlabs / 2 > most) most = t->nlabs / 2;
    if (t->npostings > most) most = t->npostings;
    if (t->npost_ids > most) most = t->npost_ids;
    tmp = malloc((most + 1) * sizeof *tmp);
    if (!tmp)
        return kiln_error_set(KILN_ENOMEM, "series: encode");
    if ((rc = strtab_encode(&t->strings, out)) < 0)
        goto out;

    if ((rc = put_uvarint(out, t->nkinds)) < 0)
        goto out;
    for (size_t i = 0; i < t->nkinds; i++) {
        const kiln_kind *k = &t->kinds[i];
        rc = put_uvarint(out, k->ntypes);
        for (uint32_t j = 0; rc == 0 && j < 2 * k->ntypes; j++)
            rc = put_uvarint(out, k->types[j]);
        if (rc == 0) rc = put_uvarint(out, k->period_type[0]);
        if (rc == 0) rc = put_uvarint(out, k->period_type[1]);
        if (rc == 0) rc = put_svarint(out, k->period);
        if (rc == 0) rc = put_uvarint(out, k->default_type);
        if (rc == 0) rc = put_uvarint(out, k->drop_frames);
        if (rc == 0) rc = put_uvarint(out, k->keep_frames);
        if (rc == 0) rc = put_uvarint(out, k->doc_url);
        if (rc == 0) rc = put_uvarint(out, k->ncomments);
        for (uint32_t j = 0; rc == 0 && j < k->ncomments; j++)
            rc = put_uvarint(out, k->comments[j]);
        if (rc < 0)
            goto out;
    }

    size_t ns = t->nseries, np = t->nlabs / 2;
    if ((rc = put_uvarint(out, ns)) < 0)
        goto out;
    for (size_t i = 0; i < ns; i++) tmp[i] = t->series[i].kind;
    if ((rc = col_encode_u32(out, tmp, ns, KILN_COL_PLAIN)) < 0) goto out;
    for (size_t i = 0; i < ns; i++) tmp[i] = t->series[i].nlabs;
    if ((rc = col_encode_u32(out, tmp, ns, KILN_COL_PLAIN)) < 0) goto out;
    /* Pairs in series order (lab_off is implied by the counts). */
    for (int half = 0; half < 2; half++) {
        size_t m = 0;
        for (size_t i = 0; i < ns; i++)
            for (uint32_t j = 0; j < t->series[i].nlabs; j++)
                tmp[m++] = t->labs[2 * ((size_t)t->series[i].lab_off + j) + half];
        if ((rc = col_encode_u32(out, tmp, m, KILN_COL_PLAIN)) < 0)
            goto out;
    }
    (void)np;

    size_t npo = t->npostings;
    if ((rc = put_uvarint(out, npo)) < 0)
        goto out;
    for (size_t i = 0; i < npo; i++) tmp[i] = t->postings[i].name;
    if ((rc = col_encode_u32(out, tmp, npo, KILN_COL_PLAIN)) < 0) goto out;
    for (size_t i = 0; i < npo; i++) tmp[i] = t->postings[i].value;
    if ((rc = col_encode_u32(out, tmp, npo, KILN_COL_PLAIN)) < 0) goto out;
    for (size_t i = 0; i < npo; i++) tmp[i] = t->postings[i].n;
    if ((rc = col_encode_u32(out, tmp, npo, KILN_COL_PLAIN)) < 0) goto out;
    /* Ids as gaps: the first id, then id - previous - 1. */
    size_t m = 0;
    for (size_t i = 0; i < npo; i++) {
        const kiln_posting *p = &t->postings[i];
        for (uint32_t j = 0; j < p->n; j++) {
            uint32_t v = t->post_ids[p->off + j];
            tmp[m++] = j == 0 ? v : v - t->post_ids[p->off + j - 1] - 1;
        }
    }
    rc = col_encode_u32(out, tmp, m, KILN_COL_PLAIN);
out:
    free(tmp);
    return rc;
}

/* ---- decoding ---- */

static int get_id(kiln_cur *c, size_t limit, const char *field, uint32_t *v)
{
    uint64_t x;
    int rc;

    if (limit == 0)
        return corrupt(c->what, cur_off(c), "reference into an empty table");
    if ((rc = get_count(c, limit - 1, field, &x)) < 0)
        return rc;
    *v = (uint32_t)x;
    return 0;
}

int seriestab_decode(kiln_seriestab *t, const void *p, size_t n)
{
    kiln_cur c;
    uint32_t *tmp = NULL;
    uint64_t cnt, off;
    size_t nstr;
    int rc;

    memset(t, 0, sizeof *t);
    cur_init(&c, p, n, "section series");
    if ((rc = strtab_decode(&t->strings, &c)) < 0)
        goto out;
    nstr = t->strings.n;

    /* kinds: each takes at least 10 bytes */
    if ((rc = get_count(&c, cur_left(&c) / 10, "kind count", &cnt)) < 0)
        goto out;
    t->kinds = calloc(cnt ? cnt : 1, sizeof *t->kinds);
    if (!t->kinds) {
        rc = kiln_error_set(KILN_ENOMEM, "series: kinds");
        goto out;
    }
    t->capkinds = cnt ? cnt : 1;
    for (uint64_t i = 0; i < cnt; i++) {
        kiln_kind *k = &t->kinds[i];
        uint64_t x;
        t->nkinds = (size_t)i + 1; /* so free releases this one */
        if ((rc = get_count(&c, KILN_MAX_TYPES, "sample type count", &x)) < 0)
            goto out;
        k->ntypes = (uint32_t)x;
        k->types = malloc((2 * (size_t)k->ntypes + 1) * sizeof *k->types);
        if (!k->types) {
            rc = kiln_error_set(KILN_ENOMEM, "series: kind");
            goto out;
        }
        for (uint32_t j = 0; j < 2 * k->ntypes; j++)
            if ((rc = get_id(&c, nstr, "sample type string", &k->types[j])) < 0)
                goto out;
        if ((rc = get_id(&c, nstr, "period type", &k->period_type[0])) < 0 ||
            (rc = get_id(&c, nstr, "period unit", &k->period_type[1])) < 0 ||
            (rc = get_svarint(&c, &k->period)) < 0 ||
            (rc = get_id(&c, nstr, "default type", &k->default_type)) < 0 ||
            (rc = get_id(&c, nstr, "drop frames", &k->drop_frames)) < 0 ||
            (rc = get_id(&c, nstr, "keep frames", &k->keep_frames)) < 0 ||
            (rc = get_id(&c, nstr, "doc url", &k->doc_url)) < 0)
            goto out;
        if ((rc = get_count(&c, cur_left(&c), "comment count", &x)) < 0)
            goto out;
        k->ncomments = (uint32_t)x;
        k->comments = malloc(((size_t)x + 1) * sizeof *k->comments);
        if (!k->comments) {
            rc = kiln_error_set(KILN_ENOMEM, "series: kind");
            goto out;
        }
        for (uint32_t j = 0; j < k->ncomments; j++)
            if ((rc = get_id(&c, nstr, "comment", &k->comments[j])) < 0)
                goto out;
    }

    /* series: distinct, so bounded by the bytes left */
    uint64_t maxs = (uint64_t)cur_left(&c) * 8 + 256;
    if ((rc = get_count(&c, maxs < MAX_TABLE ? maxs : MAX_TABLE,
                             "series count", &cnt)) < 0)
        goto out;
    size_t ns = (size_t)cnt;
    t->series = calloc(ns + 1, sizeof *t->series);
    tmp = malloc((ns + 1) * sizeof *tmp);
    if (!t->series || !tmp) {
        rc = kiln_error_set(KILN_ENOMEM, "series: %zu series", ns);
        goto out;
    }
    t->capseries = ns + 1;
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, tmp, ns)) < 0)
        goto out;
    for (size_t i = 0; i < ns; i++) {
        if (tmp[i] >= t->nkinds) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: series %zu has kind %u of %zu (column at offset %llu)",
                                c.what, i, tmp[i], t->nkinds, (unsigned long long)off);
            goto out;
        }
        t->series[i].kind = tmp[i];
    }
    if ((rc = col_decode_u32(&c, tmp, ns)) < 0)
        goto out;
    uint64_t total = 0;
    for (size_t i = 0; i < ns; i++) {
        t->series[i].lab_off = (uint32_t)total;
        t->series[i].nlabs = tmp[i];
        total += tmp[i];
        if (total > MAX_TOTAL) {
            rc = corrupt(c.what, off, "too many label pairs");
            goto out;
        }
    }
    t->nseries = ns;
    size_t np = (size_t)total;
    t->labs = malloc((2 * np + 1) * sizeof *t->labs);
    free(tmp);
    tmp = malloc((np + 1) * sizeof *tmp);
    if (!t->labs || !tmp) {
        rc = kiln_error_set(KILN_ENOMEM, "series: %zu label pairs", np);
        goto out;
    }
    t->caplabs = 2 * np + 1;
    for (int half = 0; half < 2; half++) {
        off = cur_off(&c);
        if ((rc = col_decode_u32(&c, tmp, np)) < 0)
            goto out;
        for (size_t i = 0; i < np; i++) {
            if (tmp[i] >= nstr) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: label string %u of %zu (column at offset %llu)",
                                    c.what, tmp[i], nstr, (unsigned long long)off);
                goto out;
            }
            t->labs[2 * i + half] = tmp[i];
        }
    }
    t->nlabs = 2 * np;
    for (size_t i = 0; i < ns; i++) {
        const uint32_t *l = t->labs + 2 * (size_t)t->series[i].lab_off;
        for (uint32_t j = 1; j < t->series[i].nlabs; j++) {
            if (str_cmp(&t->strings, l[2 * j - 2], l[2 * j]) >= 0) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: labels of series %zu not sorted and distinct",
                                    c.what, i);
                goto out;
            }
        }
    }

    /* postings */
    uint64_t maxp = (uint64_t)cur_left(&c) * 8 + 256;
    if ((rc = get_count(&c, maxp < MAX_TABLE ? maxp : MAX_TABLE,
                             "posting count", &cnt)) < 0)
        goto out;
    size_t npo = (size_t)cnt;
    t->postings = calloc(npo + 1, sizeof *t->postings);
    free(tmp);
    tmp = malloc((npo + 1) * sizeof *tmp);
    if (!t->postings || !tmp) {
        rc = kiln_error_set(KILN_ENOMEM, "series: %zu postings", npo);
        goto out;
    }
    for (int f = 0; f < 3; f++) {
        off = cur_off(&c);
        if ((rc = col_decode_u32(&c, tmp, npo)) < 0)
            goto out;
        for (size_t i = 0; i < npo; i++) {
            if (f < 2 && tmp[i] >= nstr) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: posting string %u of %zu (column at offset %llu)",
                                    c.what, tmp[i], nstr, (unsigned long long)off);
                goto out;
            }
            if (f == 0) t->postings[i].name = tmp[i];
            else if (f == 1) t->postings[i].value = tmp[i];
            else t->postings[i].n = tmp[i];
        }
    }
    total = 0;
    for (size_t i = 0; i < npo; i++) {
        t->postings[i].off = (uint32_t)total;
        total += t->postings[i].n;
        if (total > MAX_TOTAL || t->postings[i].n > ns) {
            rc = corrupt(c.what, off, "posting lists longer than possible");
            goto out;
        }
        if (i > 0) {
            const kiln_posting *a = &t->postings[i - 1], *b = &t->postings[i];
            int cmp = str_cmp(&t->strings, a->name, b->name);
            if (cmp == 0)
                cmp = str_cmp(&t->strings, a->value, b->value);
            if (cmp >= 0) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: postings %zu and %zu not in order",
                                    c.what, i - 1, i);
                goto out;
            }
        }
    }
    t->npostings = npo;
    size_t nids = (size_t)total;
    t->post_ids = malloc((nids + 1) * sizeof *t->post_ids);
    if (!t->post_ids) {
        rc = kiln_error_set(KILN_ENOMEM, "series: %zu posting ids", nids);
        goto out;
    }
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, t->post_ids, nids)) < 0)
        goto out;
    for (size_t i = 0; i < npo; i++) {
        const kiln_posting *po = &t->postings[i];
        uint64_t prev = 0;
        for (uint32_t j = 0; j < po->n; j++) {
            uint64_t v = t->post_ids[po->off + j];
            if (j > 0)
                v += prev + 1;
            if (v >= ns) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: posting %zu lists series %llu of %zu (column at offset %llu)",
                                    c.what, i, (unsigned long long)v, ns, (unsigned long long)off);
                goto out;
            }
            t->post_ids[po->off + j] = (uint32_t)v;
            prev = v;
        }
    }
    t->npost_ids = nids;
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    if (rc < 0)
        seriestab_free(t);
    return rc;
}

const char *series_label(const kiln_seriestab *t, uint32_t sid,
                              const char *name)
{
    if (sid >= t->nseries)
        return NULL;
    const kiln_series *s = &t->series[sid];
    size_t len = strlen(name);
    for (uint32_t j = 0; j < s->nlabs; j++) {
        uint32_t nid = t->labs[2 * ((size_t)s->lab_off + j)];
        if (t->strings.len[nid] == len &&
            memcmp(strtab_get(&t->strings, nid), name, len) == 0)
            return strtab_get(&t->strings, t->labs[2 * ((size_t)s->lab_off + j) + 1]);
    }
    return NULL;
}
