/* roundtrip_api.c: the corpus round trip of roundtrip.c through the public
 * API alone (writer -> directory store -> kiln_query -> kiln_result_pprof),
 * so that a failure of the command can be told apart from one of the
 * library. TAP output, one test point per file; arguments replace the
 * corpus file list. With E2E_SAVE_DIR set, kiln's output for each file is
 * kept there as <name>.kiln.pb.gz. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/kiln.h>

#include "canon.h"
#include "roundtrip_common.h"
#include "util.h"

static int check_one(void *ctx, const char *file, char *summary,
                     size_t sumlen)
{
    (void)ctx;
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
    if (rt_compare(&a, &b))
        goto out;
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
    return rt_main(argc, argv, "API round trip", " through the API",
                   check_one, NULL);
}
