/* roundtrip_common.c: the TAP driver and difference report that both corpus
 * round trips use (roundtrip_common.h), so the command and the library are
 * judged by one piece of code. */
#include "roundtrip_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_list.h"
#include "util.h"

int rt_compare(const canon *a, const canon *b)
{
    size_t nd = canon_diff(a, b, NULL, 0);
    if (nd) {
        char why[256];
        if (canon_explain(a, b, why, sizeof why))
            printf("# %s\n", why);
        printf("# %zu canonical lines differ (- input only, + kiln only):\n",
               nd);
        /* diagnostics go to stdout as TAP comments */
        size_t i = 0, j = 0, shown = 0;
        while ((i < a->n || j < b->n) && shown < 12) {
            int c = i >= a->n   ? 1
                    : j >= b->n ? -1
                                : strcmp(a->lines[i], b->lines[j]);
            if (c == 0) {
                i++;
                j++;
                continue;
            }
            const char *l = c < 0 ? a->lines[i++] : b->lines[j++];
            printf("#   %c %.300s%s\n", c < 0 ? '-' : '+', l,
                   strlen(l) > 300 ? "..." : "");
            shown++;
        }
        return 1;
    }
    if (a->time_nanos != 0 && a->time_nanos != b->time_nanos) {
        printf("# time_nanos: input %" PRId64 ", kiln %" PRId64 "\n",
               a->time_nanos, b->time_nanos);
        return 1;
    }
    return 0;
}

int rt_main(int argc, char **argv, const char *what, const char *how,
            rt_check_fn check, void *ctx)
{
    char **files;
    size_t n;
    if (argc > 1) {
        files = argv + 1;
        n = (size_t)argc - 1;
    } else {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/pprof", e2e_env("KILN_CORPUS"));
        files = kt_list_dir(dir, &n);
        if (!files) {
            printf("Bail out! cannot open corpus %s\n", dir);
            return 1;
        }
        if (n < 50) {
            printf("Bail out! only %zu files in %s\n", n, dir);
            kt_free_list(files, n);
            return 1;
        }
    }
    printf("1..%zu\n", n);
    size_t nfail = 0;
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        char summary[256] = "";
        int f = check(ctx, files[i], summary, sizeof summary);
        nfail += (size_t)f;
        printf("%s %zu - %s %s%s%s\n", f ? "not ok" : "ok", i + 1, what,
               base, f ? "" : ": ", summary);
        fflush(stdout);
    }
    printf("# %zu of %zu profiles round-trip losslessly%s\n", n - nfail, n,
           how);
    if (argc <= 1)
        kt_free_list(files, n);
    /* meson reads the "not ok" lines; a status for runs by hand: */
    const char *strict = getenv("E2E_STRICT");
    return nfail && strict && strcmp(strict, "1") == 0 ? 1 : 0;
}
