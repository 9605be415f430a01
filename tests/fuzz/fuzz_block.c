/* fuzz_block: proves that any bytes found in a bucket under a block's key
 * are refused with an error (open, verify) or read without a crash by
 * inspect, verify, range and trace queries and row export. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_store *s = fz_mem_store();
    /* a key whose name vouches for no time range, so every query opens it */
    const char *key = "default/blocks/01JC0000000000000000000000.kiln";

    fz_mem_put(s, key, data, size);
    fz_read_block(s, key);
    kiln_store_free(s);
    return 0;
}
