/* canon_main.c: `e2e_canon [--check] FILE...` prints the canonical lines of
 * each pprof file (canon.h), or with --check only says whether each is a
 * well-formed profile (exit 0) or not (exit 1, reason on stderr). The shell
 * tests use it as the oracle for what is valid input. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "canon.h"

int main(int argc, char **argv)
{
    int check = 0, rc = 0, first = 1;
    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        check = 1;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: e2e_canon [--check] FILE...\n");
        return 2;
    }
    for (int i = first; i < argc; i++) {
        canon c;
        char err[512];
        if (canon_load_file(&c, argv[i], err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], err);
            rc = 1;
            continue;
        }
        if (!check) {
            printf("T time_nanos %" PRId64 "\n", c.time_nanos);
            for (size_t j = 0; j < c.n; j++)
                printf("%s\n", c.lines[j]);
        }
        canon_free(&c);
    }
    return rc;
}
