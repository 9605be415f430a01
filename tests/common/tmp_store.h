/* tests/common/tmp_store.h: a directory store in a fresh temporary
 * directory, removed with everything in it when closed. Public API only,
 * so tests linking libkiln.so use it too. */
#ifndef KILN_TEST_TMP_STORE_H
#define KILN_TEST_TMP_STORE_H

#include <stddef.h>

#include <kiln/store.h>

/* Make $TMPDIR/kiln-test-NAME-XXXXXX (or under /tmp), put its path in dir
 * (cap bytes) and open a directory store there; fails the test otherwise. */
kiln_store *tmp_store_open(char *dir, size_t cap, const char *name);
/* Free st (NULL is fine) and remove dir with everything below it. */
void tmp_store_close(kiln_store *st, const char *dir);

#endif
