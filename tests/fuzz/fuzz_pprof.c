/* fuzz_pprof: proves that any bytes offered as a pprof profile (raw or
 * gzip'd) are refused cleanly or become a block that opens, verifies and
 * answers every query. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "fuzz"}};
    char key[KILN_KEY_MAX];

    if (kiln_writer_new(&w, NULL) != 0)
        return 0;
    if (kiln_writer_add_pprof(w, data, size, lab, 1) == 0) {
        kiln_store *s = fz_mem_store();
        if (kiln_writer_flush(w, s, key) == 0)
            fz_read_block(s, key);
        kiln_store_free(s);
    }
    kiln_writer_free(w);
    return 0;
}
