/* fuzz_folded: proves that any text offered as folded stacks is refused
 * cleanly (naming the line) or becomes a block that opens, verifies and
 * answers every query. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_writer *w = NULL;
    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
    kiln_label lab[] = {{"service_name", "fuzz"}, {"host", "h"}};
    char key[KILN_KEY_MAX];

    fo.time_ns = 1795482000LL * 1000000000LL;
    fo.duration_ns = 10000000000LL;
    if (kiln_writer_new(&w, NULL) != 0)
        return 0;
    if (kiln_writer_add_folded(w, (const char *)data, size, lab, 2, &fo) ==
        0) {
        kiln_store *s = fz_mem_store();
        if (kiln_writer_flush(w, s, key) == 0)
            fz_read_block(s, key);
        kiln_store_free(s);
    }
    kiln_writer_free(w);
    return 0;
}
