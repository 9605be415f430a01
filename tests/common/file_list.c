/* file_list.c: the sorted file list of a directory for corpus-driven tests
 * (tests/common/file_list.h), one copy for the reader and e2e tests. */
#include "file_list.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **kt_list_dir(const char *dir, size_t *n)
{
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *e;
    int ok = 0;

    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nv = realloc(v, ncap * sizeof *nv);
            if (!nv)
                goto out;
            v = nv;
            cap = ncap;
        }
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        if (!(v[cnt] = malloc(l)))
            goto out;
        snprintf(v[cnt], l, "%s/%s", dir, e->d_name);
        cnt++;
    }
    /* an empty directory gives an empty list, not the NULL of failure */
    if (!v && !(v = malloc(sizeof *v)))
        goto out;
    qsort(v, cnt, sizeof *v, cmp_name);
    *n = cnt;
    ok = 1;
out:
    closedir(d);
    if (!ok) {
        kt_free_list(v, cnt);
        v = NULL;
    }
    return v;
}

void kt_free_list(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
