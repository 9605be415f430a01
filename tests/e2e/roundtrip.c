/* roundtrip.c: every real profile of the corpus, ingested alone into a fresh
 * store with `kiln ingest` and read back with `kiln query --format pprof`,
 * is the same profile: compared through canon.h, an independent reader, line
 * by line (header, sample types, period, duration, every merged stack with
 * its labels and values, every symbol it refers to). TAP output, one test
 * point per file. Arguments, if any, replace the corpus file list. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "util.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **corpus_files(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("Bail out! cannot open corpus %s\n", dir);
        exit(1);
    }
    char **v = NULL;
    size_t k = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (k == cap) {
            cap = cap ? cap * 2 : 64;
            v = realloc(v, cap * sizeof *v);
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        v[k] = malloc(len);
        snprintf(v[k], len, "%s/%s", dir, e->d_name);
        k++;
    }
    closedir(d);
    qsort(v, k, sizeof *v, cmp_name);
    *n = k;
    return v;
}

/* One file: 0 pass, 1 fail (reason printed as TAP diagnostics first). */
static int check_one(const char *kiln, const char *file, char *summary,
                     size_t sumlen)
{
    char *tmp = e2e_tmpdir("rt");
    char store[4096], out[4096], msg[8192];
    snprintf(store, sizeof store, "%s/store", tmp);
    snprintf(out, sizeof out, "%s/out.pb.gz", tmp);
    int fail = 1;
    canon a = {0}, b = {0};
    char err[512];

    if (canon_load_file(&a, file, err, sizeof err) < 0) {
        printf("# reference reader refuses the input: %s\n", err);
        goto out;
    }
    char *ing[] = {(char *)kiln, "ingest", "--store", store, (char *)file,
                   NULL};
    int rc = e2e_run(ing, NULL, msg, sizeof msg);
    if (rc != 0) {
        printf("# kiln ingest exit %d: %.600s\n", rc, msg);
        goto out;
    }
    char *q[] = {(char *)kiln, "query", "--store", store, "--format",
                 "pprof", "-o", out, NULL};
    rc = e2e_run(q, NULL, msg, sizeof msg);
    if (rc != 0) {
        printf("# kiln query --format pprof exit %d: %.600s\n", rc, msg);
        goto out;
    }
    if (canon_load_file(&b, out, err, sizeof err) < 0) {
        printf("# kiln's pprof output is not a well-formed profile: %s\n",
               err);
        goto out;
    }
    size_t nd = canon_diff(&a, &b, NULL, 0);
    if (nd) {
        char why[256];
        if (canon_explain(&a, &b, why, sizeof why))
            printf("# %s\n", why);
        printf("# %zu canonical lines differ (- input only, + kiln only):\n",
               nd);
        fflush(stdout);
        /* diagnostics go to stdout as TAP comments */
        size_t i = 0, j = 0, shown = 0;
        while ((i < a.n || j < b.n) && shown < 12) {
            int c = i >= a.n ? 1 : j >= b.n ? -1
                                            : strcmp(a.lines[i], b.lines[j]);
            if (c == 0) {
                i++;
                j++;
                continue;
            }
            const char *l = c < 0 ? a.lines[i++] : b.lines[j++];
            printf("#   %c %.300s%s\n", c < 0 ? '-' : '+', l,
                   strlen(l) > 300 ? "..." : "");
            shown++;
        }
        goto out;
    }
    if (a.time_nanos != 0 && a.time_nanos != b.time_nanos) {
        printf("# time_nanos: input %" PRId64 ", kiln %" PRId64 "\n",
               a.time_nanos, b.time_nanos);
        goto out;
    }
    snprintf(summary, sumlen,
             "%zu samples -> %zu stacks, %zu functions, %zu labels",
             a.nsamples, a.nmerged, a.nfunctions, a.nlabels);
    fail = 0;
out:
    canon_free(&a);
    canon_free(&b);
    e2e_rmtree(tmp);
    free(tmp);
    return fail;
}

int main(int argc, char **argv)
{
    const char *kiln = e2e_env("KILN_BIN");
    char **files;
    size_t n;
    if (argc > 1) {
        files = argv + 1;
        n = (size_t)argc - 1;
    } else {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/pprof", e2e_env("KILN_CORPUS"));
        files = corpus_files(dir, &n);
        if (n < 50) {
            printf("Bail out! only %zu files in %s\n", n, dir);
            return 1;
        }
    }
    printf("1..%zu\n", n);
    size_t nfail = 0;
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        char summary[256] = "";
        int f = check_one(kiln, files[i], summary, sizeof summary);
        nfail += (size_t)f;
        printf("%s %zu - lossless round trip %s%s%s\n", f ? "not ok" : "ok",
               i + 1, base, f ? "" : ": ", summary);
        fflush(stdout);
    }
    printf("# %zu of %zu profiles round-trip losslessly\n", n - nfail, n);
    if (argc <= 1) {
        for (size_t i = 0; i < n; i++)
            free(files[i]);
        free(files);
    }
    /* meson reads the "not ok" lines; a status for runs by hand: */
    const char *strict = getenv("E2E_STRICT");
    return nfail && strict && strcmp(strict, "1") == 0 ? 1 : 0;
}
