/* tests/common/tmp_store.c: the scratch directory store of the store and
 * API tests (tmp_store.h), made and removed in one place. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmp_store.h"

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

kiln_store *tmp_store_open(char *dir, size_t cap, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    kiln_store *st = NULL;

    snprintf(dir, cap, "%s/kiln-test-%s-XXXXXX", tmp ? tmp : "/tmp", name);
    cr_assert(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
    cr_assert(kiln_store_open_dir(&st, dir) == 0, "%s", kiln_error_last());
    return st;
}

void tmp_store_close(kiln_store *st, const char *dir)
{
    kiln_store_free(st);
    if (dir[0] != '\0')
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
