/* roundtrip_api.c: the corpus round trip of roundtrip.c through the public
 * API alone (writer -> directory store -> kiln_query -> kiln_result_pprof),
 * so that a failure of the command can be told apart from one of the
 * library. TAP output, one test point per file; arguments replace the
 * corpus file list. With E2E_SAVE_DIR set, kiln's output for each file is
 * kept there as <name>.kiln.pb.gz. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/kiln.h>

#include "canon.h"
#include "util.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_one(const char *file, char *summary, size_t sumlen)
{
    char *tmp = e2e_tmpdir("api");
    int fail = 1;
    canon a = {0}, b = {0};
    char err[512];
    uint8_t *data = NULL;
    size_t len = 0;
    kiln_store *st = NULL;
    kiln_writer *w = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    char key[KILN_KEY_MAX];

    if (canon_load_file(&a, file, err, sizeof err) < 0) {
        printf("# reference reader refuses the input: %s\n", err);
        goto out;
    }
    if (canon_slurp(file, &data, &len) < 0) {
        printf("# cannot read %s\n", file);
        goto out;
    }
    int rc = kiln_store_open_dir(&st, tmp);
    if (rc == 0) {
        kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
        rc = kiln_writer_new(&w, &wo);
    }
    if (rc == 0)
        rc = kiln_writer_add_pprof(w, data, len, NULL, 0);
    if (rc == 0)
        rc = kiln_writer_flush(w, st, key);
    if (rc != 0) {
        printf("# write: %s: %s\n", kiln_strerror(rc), kiln_error_last());
        goto out;
    }
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    qo.keep_labels = 1;
    rc = kiln_query(&r, st, NULL, &qo);
    if (rc == 0)
        rc = kiln_result_pprof(r, &out);
    if (rc != 0) {
        printf("# query: %s: %s\n", kiln_strerror(rc), kiln_error_last());
        goto out;
    }
    const char *save = getenv("E2E_SAVE_DIR"); /* for debugging by hand */
    if (save && *save) {
        const char *base = strrchr(file, '/');
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.kiln.pb.gz", save,
                 base ? base + 1 : file);
        if (e2e_write_file(path, out.data, out.len) < 0)
            printf("# cannot save %s\n", path);
    }
    if (canon_load(&b, out.data, out.len, err, sizeof err) < 0) {
        printf("# kiln_result_pprof output is not a well-formed profile: %s\n",
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
    snprintf(summary, sumlen, "%zu samples -> %zu stacks, %zu bytes of block",
             a.nsamples, a.nmerged, (size_t)0);
    uint64_t bsize = 0;
    if (kiln_store_stat(st, key, &bsize) == 0)
        snprintf(summary, sumlen,
                 "%zu samples -> %zu stacks; %zu-byte input, %" PRIu64
                 "-byte block", a.nsamples, a.nmerged, len, bsize);
    fail = 0;
out:
    kiln_result_free(r);
    kiln_writer_free(w);
    kiln_store_free(st);
    kiln_buf_free(&out);
    free(data);
    canon_free(&a);
    canon_free(&b);
    e2e_rmtree(tmp);
    free(tmp);
    return fail;
}

int main(int argc, char **argv)
{
    char **files = NULL;
    size_t n = 0;
    if (argc > 1) {
        files = argv + 1;
        n = (size_t)argc - 1;
    } else {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/pprof", e2e_env("KILN_CORPUS"));
        DIR *d = opendir(dir);
        if (!d) {
            printf("Bail out! cannot open %s\n", dir);
            return 1;
        }
        struct dirent *e;
        size_t cap = 0;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                files = realloc(files, cap * sizeof *files);
            }
            size_t l = strlen(dir) + strlen(e->d_name) + 2;
            files[n] = malloc(l);
            snprintf(files[n], l, "%s/%s", dir, e->d_name);
            n++;
        }
        closedir(d);
        qsort(files, n, sizeof *files, cmp_name);
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
        int f = check_one(files[i], summary, sizeof summary);
        nfail += (size_t)f;
        printf("%s %zu - API round trip %s%s%s\n", f ? "not ok" : "ok", i + 1,
               base, f ? "" : ": ", summary);
        fflush(stdout);
    }
    printf("# %zu of %zu profiles round-trip losslessly through the API\n",
           n - nfail, n);
    if (argc <= 1) {
        for (size_t i = 0; i < n; i++)
            free(files[i]);
        free(files);
    }
    /* meson reads the "not ok" lines; a status for runs by hand: */
    const char *strict = getenv("E2E_STRICT");
    return nfail && strict && strcmp(strict, "1") == 0 ? 1 : 0;
}
