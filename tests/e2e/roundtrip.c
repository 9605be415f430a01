/* roundtrip.c: every real profile of the corpus, ingested alone into a fresh
 * store with `kiln ingest` and read back with `kiln query --format pprof`,
 * is the same profile: compared through canon.h, an independent reader, line
 * by line (header, sample types, period, duration, every merged stack with
 * its labels and values, every symbol it refers to). TAP output, one test
 * point per file. Arguments, if any, replace the corpus file list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "roundtrip_common.h"
#include "util.h"

/* One file: 0 pass, 1 fail (reason printed as TAP diagnostics first). */
static int check_one(void *ctx, const char *file, char *summary,
                     size_t sumlen)
{
    const char *kiln = ctx;
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
    if (rt_compare(&a, &b))
        goto out;
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
    return rt_main(argc, argv, "lossless round trip", "", check_one,
                   (void *)e2e_env("KILN_BIN"));
}
