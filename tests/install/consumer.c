/* tests/install/consumer.c: a program outside the kiln tree, built against
 * the installed kiln.pc alone: writes a block from a real CPU profile through
 * the public API, queries it back and checks the values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/kiln.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "consumer: %s: %s: %s\n", what, kiln_strerror(rc),
            kiln_error_last());
    return 1;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0
        && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n);
        if (data != NULL && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return data;
}

/* Values `go tool pprof -raw` reports for the profile (an independent
 * reader): samples/count and cpu/nanoseconds per function. */
typedef struct expect {
    const char *name;
    int64_t flat[2]; /* samples, cpu ns */
    int64_t cum[2];
} expect;

static const expect want[] = {
    {"main.pprofBusySort", {19, 190000000}, {19, 190000000}},
    {"main.pprofBusyCompute", {2, 20000000}, {2, 20000000}},
    {"main.generateCPU", {0, 0}, {21, 210000000}},
    {"main.main", {0, 0}, {21, 210000000}},
    {"runtime.main", {0, 0}, {21, 210000000}},
};

static int check_type(const kiln_result *r, size_t t, int col)
{
    kiln_top_entry *top = NULL;
    size_t n = 0, i, j;
    int bad = 0, rc;

    rc = kiln_result_top(r, t, &top, &n);
    if (rc < 0)
        return fail("kiln_result_top", rc);
    if (n != sizeof want / sizeof want[0]) {
        fprintf(stderr, "consumer: type %zu: %zu functions, want %zu\n", t, n,
                sizeof want / sizeof want[0]);
        bad = 1;
    }
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        for (j = 0; j < n && strcmp(top[j].name, want[i].name) != 0; j++)
            ;
        if (j == n) {
            fprintf(stderr, "consumer: %s missing\n", want[i].name);
            bad = 1;
        } else if (top[j].flat != want[i].flat[col]
                   || top[j].cum != want[i].cum[col]) {
            fprintf(stderr, "consumer: %s: flat %lld cum %lld, want %lld "
                    "%lld\n", want[i].name, (long long)top[j].flat,
                    (long long)top[j].cum, (long long)want[i].flat[col],
                    (long long)want[i].cum[col]);
            bad = 1;
        }
    }
    /* Highest flat first. */
    if (n > 0 && strcmp(top[0].name, "main.pprofBusySort") != 0) {
        fprintf(stderr, "consumer: top entry is %s\n", top[0].name);
        bad = 1;
    }
    free(top);
    return bad;
}

int main(int argc, char **argv)
{
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    kiln_label labels[] = {{"service_name", "consumer"}, {"host", "h1"}};
    kiln_store *st = NULL;
    kiln_writer *w = NULL;
    kiln_result *r = NULL;
    kiln_block *b = NULL;
    char key[KILN_KEY_MAX];
    unsigned char *data = NULL;
    size_t len = 0, t, checked = 0;
    int rc, status = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: consumer PROFILE STORE_DIR\n");
        return 2;
    }
    printf("kiln %s\n", KILN_VERSION_STRING);
    data = read_file(argv[1], &len);
    if (data == NULL) {
        fprintf(stderr, "consumer: cannot read %s\n", argv[1]);
        goto out;
    }
    if ((rc = kiln_store_open_dir(&st, argv[2])) < 0) {
        status = fail("kiln_store_open_dir", rc);
        goto out;
    }
    wo.tenant = "install";
    if ((rc = kiln_writer_new(&w, &wo)) < 0) {
        status = fail("kiln_writer_new", rc);
        goto out;
    }
    rc = kiln_writer_add_pprof(w, data, len, labels, 2);
    if (rc < 0) {
        status = fail("kiln_writer_add_pprof", rc);
        goto out;
    }
    if ((rc = kiln_writer_flush(w, st, key)) < 0) {
        status = fail("kiln_writer_flush", rc);
        goto out;
    }
    printf("wrote %s\n", key);
    if ((rc = kiln_block_open(&b, st, key)) < 0
        || (rc = kiln_block_verify(b)) < 0) {
        status = fail("kiln_block_open/verify", rc);
        goto out;
    }
    qo.selector = "{service_name=\"consumer\"}";
    if ((rc = kiln_query(&r, st, "install", &qo)) < 0) {
        status = fail("kiln_query", rc);
        goto out;
    }
    status = 0;
    for (t = 0; t < kiln_result_ntypes(r); t++) {
        const char *type, *unit;
        kiln_result_type(r, t, &type, &unit);
        if (strcmp(type, "samples") == 0 && strcmp(unit, "count") == 0) {
            status |= check_type(r, t, 0);
            checked++;
        } else if (strcmp(type, "cpu") == 0
                   && strcmp(unit, "nanoseconds") == 0) {
            status |= check_type(r, t, 1);
            checked++;
        }
    }
    if (checked != 2 || kiln_result_ntypes(r) != 2) {
        fprintf(stderr, "consumer: %zu sample types, want samples/count and "
                "cpu/nanoseconds\n", kiln_result_ntypes(r));
        status = 1;
    }
    if (status == 0)
        printf("ok: query matches go tool pprof\n");
out:
    kiln_result_free(r);
    kiln_block_free(b);
    kiln_writer_free(w);
    kiln_store_free(st);
    free(data);
    return status;
}
