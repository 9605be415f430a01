/* make_inputs.c: `e2e_make_input MODE ...`, for real_inputs.sh, writes what
 * real agents send and kiln's generator never makes: pprof corners made from
 * corpus profiles, the OTLP example in both layouts, an older-layout one. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "otlp_example.h"
#include "otlp_gen.h"
#include "otlp_util.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "e2e_make_input: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    exit(1);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        die("cannot write", path);
}

static Profile *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    kiln_buf raw = KILN_BUF_INIT, in = KILN_BUF_INIT;
    uint8_t chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kiln_buf_append(&raw, chunk, k) < 0)
            die("out of memory", NULL);
    fclose(f);
    const kiln_buf *b = &raw;
    if (is_gzip(raw.data, raw.len)) {
        if (gzip_inflate(raw.data, raw.len, (size_t)1 << 31, &in) < 0)
            die("bad gzip", path);
        b = &in;
    }
    Profile *p = perftools__profiles__profile__unpack(NULL, b->len, b->data);
    if (!p)
        die("not a pprof profile", path);
    kiln_buf_free(&raw);
    kiln_buf_free(&in);
    return p;
}

static void save(const Profile *p, const char *path)
{
    size_t n = perftools__profiles__profile__get_packed_size(p);
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        die("out of memory", NULL);
    perftools__profiles__profile__pack(p, b);
    write_file(path, b, n);
    free(b);
}

/* Position (1-based) of the entry with id `id` in a table of n ids; 0 when
 * absent (the reference is left as it was, and then means nothing). */
static uint64_t pos_of(const uint64_t *ids, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return i + 1;
    return 0;
}

/* Rewrite every reference into table `which` as a 1-based position and set
 * the table's ids to 0: the same profile as Pyroscope's .NET agent writes
 * it. Returns the table's size. */
static size_t ids_zero(Profile *p, const char *which)
{
    size_t n;
    uint64_t *ids;
    if (strcmp(which, "function") == 0) {
        n = p->n_function;
        ids = calloc(n + 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = p->function[i]->id;
        for (size_t i = 0; i < p->n_location; i++)
            for (size_t j = 0; j < p->location[i]->n_line; j++) {
                Perftools__Profiles__Line *l = p->location[i]->line[j];
                if (l->function_id)
                    l->function_id = pos_of(ids, n, l->function_id);
            }
        for (size_t i = 0; i < n; i++)
            p->function[i]->id = 0;
    } else if (strcmp(which, "location") == 0) {
        n = p->n_location;
        ids = calloc(n + 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = p->location[i]->id;
        for (size_t i = 0; i < p->n_sample; i++)
            for (size_t j = 0; j < p->sample[i]->n_location_id; j++)
                p->sample[i]->location_id[j] =
                    pos_of(ids, n, p->sample[i]->location_id[j]);
        for (size_t i = 0; i < n; i++)
            p->location[i]->id = 0;
    } else if (strcmp(which, "mapping") == 0) {
        n = p->n_mapping;
        ids = calloc(n + 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = p->mapping[i]->id;
        for (size_t i = 0; i < p->n_location; i++)
            if (p->location[i]->mapping_id)
                p->location[i]->mapping_id =
                    pos_of(ids, n, p->location[i]->mapping_id);
        for (size_t i = 0; i < n; i++)
            p->mapping[i]->id = 0;
    } else {
        die("unknown table (function, location, mapping)", which);
        return 0;
    }
    free(ids);
    return n;
}

/* ---- OTLP ------------------------------------------------------------------ */

/* The hand-built profile of otlp_example.h in both layouts. */
static void otlp_pair(const char *v19, const char *v111)
{
    static otlp_example x;
    otlp_example_init(&x);
    kiln_buf b = KILN_BUF_INIT;
    if (otlp_pack(&x.req, KILN_OTLP_V1_9, &b) < 0)
        die("pack v1.9", kiln_error_last());
    write_file(v19, b.data, b.len);
    if (otlp_pack(&x.req, KILN_OTLP_V1_11, &b) < 0)
        die("pack v1.11", kiln_error_last());
    write_file(v111, b.data, b.len);
    kiln_buf_free(&b);
}

static void put_field(kiln_buf *b, uint32_t num, int wt)
{
    put_uvarint(b, (uint64_t)num << 3 | (unsigned)wt);
}

static void put_msg(kiln_buf *b, uint32_t num, const kiln_buf *m)
{
    put_field(b, num, KILN_PB_LEN);
    put_blob(b, m->data, m->len);
}

/* A request as opentelemetry-proto v1.4.0-v1.6.0 laid it out: a Profile
 * with its own sample_type (1), samples (2) and mapping_table (3), and no
 * dictionary. */
static void otlp_older(const char *path)
{
    kiln_buf vt = KILN_BUF_INIT, smp = KILN_BUF_INIT, map = KILN_BUF_INIT,
             prof = KILN_BUF_INIT, scope = KILN_BUF_INIT, res = KILN_BUF_INIT,
             req = KILN_BUF_INIT;
    put_field(&vt, 1, KILN_PB_VARINT);
    put_uvarint(&vt, 1);
    put_field(&smp, 1, KILN_PB_VARINT); /* locations_start_index */
    put_uvarint(&smp, 0);
    put_field(&map, 1, KILN_PB_VARINT); /* memory_start */
    put_uvarint(&map, 0x400000);
    put_msg(&prof, 1, &vt);
    put_msg(&prof, 2, &smp);
    put_msg(&prof, 3, &map);
    put_msg(&scope, 2, &prof);
    put_msg(&res, 2, &scope);
    put_msg(&req, 1, &res);
    write_file(path, req.data, req.len);
    kiln_buf *all[] = {&vt, &smp, &map, &prof, &scope, &res, &req};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        kiln_buf_free(all[i]);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "otlp-pair") == 0 && argc == 4) {
        otlp_pair(argv[2], argv[3]);
        return 0;
    }
    if (strcmp(mode, "otlp-older") == 0 && argc == 3) {
        otlp_older(argv[2]);
        return 0;
    }
    if (strcmp(mode, "ids-zero") == 0 && argc == 5) {
        Profile *p = load(argv[3]);
        int rc = 3; /* the table is empty: nothing to test */
        if (ids_zero(p, argv[2]) > 0) {
            save(p, argv[4]);
            rc = 0;
        }
        perftools__profiles__profile__free_unpacked(p, NULL);
        return rc;
    }
    if (strcmp(mode, "nofunc-lines") == 0 && argc == 4) {
        /* every third line (and at least the first) loses its function */
        Profile *p = load(argv[2]);
        size_t k = 0, changed = 0;
        for (size_t i = 0; i < p->n_location; i++)
            for (size_t j = 0; j < p->location[i]->n_line; j++, k++)
                if (k % 3 == 0 && p->location[i]->line[j]->function_id) {
                    p->location[i]->line[j]->function_id = 0;
                    changed++;
                }
        if (changed > 0)
            save(p, argv[3]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return changed > 0 ? 0 : 3;
    }
    if (strcmp(mode, "bad-position") == 0 && argc == 4) {
        /* function ids all 0, and one line naming position n + 1 */
        Profile *p = load(argv[2]);
        size_t n = ids_zero(p, "function");
        for (size_t i = 0; i < p->n_location; i++)
            if (p->location[i]->n_line) {
                p->location[i]->line[0]->function_id = n + 1;
                printf("location %zu line 0 function id %zu\n", i, n + 1);
                break;
            }
        save(p, argv[3]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return 0;
    }
    if (strcmp(mode, "bad-mixed") == 0 && argc == 4) {
        /* one location id left at 0 among others: it cannot be referred
         * to, and the samples that did refer to it name a missing id */
        Profile *p = load(argv[2]);
        if (p->n_location < 2) {
            perftools__profiles__profile__free_unpacked(p, NULL);
            return 3;
        }
        printf("location id %" PRIu64 "\n", p->location[0]->id);
        p->location[0]->id = 0;
        save(p, argv[3]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return 0;
    }
    fprintf(stderr, "usage: e2e_make_input otlp-pair V19 V111 | otlp-older OUT |\n"
                    "  ids-zero function|location|mapping IN OUT |\n"
                    "  nofunc-lines IN OUT | bad-position IN OUT | bad-mixed IN OUT\n");
    return 2;
}
