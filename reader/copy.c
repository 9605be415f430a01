/* copy.c: one block from a store to another, byte for byte, written with
 * conditional create and read back before it counts as copied: what
 * `kiln cp` does per block, and what tiering to another store will do. */
#include <inttypes.h>
#include <string.h>

#include "block_internal.h"

int kiln_block_copy(kiln_store *src, kiln_store *dst, const char *key,
                    int *existed)
{
    kiln_buf a = KILN_BUF_INIT, b = KILN_BUF_INIT;
    kiln_block *blk = NULL;
    uint64_t size = 0, dsize = 0;
    int rc;

    *existed = 0;
    if ((rc = kiln_store_stat(src, key, &size)) < 0 ||
        (rc = kiln_store_get_range(src, key, 0, size, &a)) < 0)
        goto out;
    rc = kiln_store_put_if_absent(dst, key, a.data, a.len);
    if (rc == KILN_EEXIST) {
        *existed = 1;
        rc = 0;
    }
    if (rc < 0)
        goto out;
    /* Read it back: the same bytes, and a sound block. */
    if ((rc = kiln_store_stat(dst, key, &dsize)) < 0)
        goto out;
    if (dsize != size) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: the destination holds %"
                            PRIu64 " bytes, the source %" PRIu64, key, dsize,
                            size);
        goto out;
    }
    if ((rc = kiln_store_get_range(dst, key, 0, dsize, &b)) < 0)
        goto out;
    if (b.len != a.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: the destination's bytes "
                            "differ from the source's", key);
        goto out;
    }
    if ((rc = kiln_block_open(&blk, dst, key)) < 0 ||
        (rc = kiln_block_verify(blk)) < 0)
        goto out;
out:
    kiln_block_free(blk);
    kiln_buf_free(&a);
    kiln_buf_free(&b);
    return api_return(rc);
}
