/* fuzz_otlp: proves that any bytes offered as an OTLP profiles export
 * request (every layout kiln reads, raw or gzip'd) are refused cleanly or
 * become a block that opens, verifies and answers every query. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];

    if (kiln_writer_new(&w, NULL) != 0)
        return 0;
    if (kiln_writer_add_otlp(w, data, size, NULL, 0) == 0) {
        kiln_store *s = fz_mem_store();
        if (kiln_writer_flush(w, s, key) == 0)
            fz_read_block(s, key);
        kiln_store_free(s);
    }
    kiln_writer_free(w);
    return 0;
}
