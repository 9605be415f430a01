/* tests/common/file_list.h: the sorted list of files in a directory, which
 * the corpus-driven tests of several modules (tests/reader, tests/e2e) walk.
 * Plain C, no Criterion and no libkiln, so the independent e2e programs can
 * use it too. */
#ifndef KILN_TEST_FILE_LIST_H
#define KILN_TEST_FILE_LIST_H

#include <stddef.h>

/* "dir/name" for every entry of dir not starting with '.', malloc'd and
 * sorted by strcmp, count in *n. NULL (and *n = 0) if dir cannot be opened
 * or memory runs out. */
char **kt_list_dir(const char *dir, size_t *n);
/* Free a list from kt_list_dir (NULL is fine). */
void kt_free_list(char **v, size_t n);

#endif
