/* fuzz_pprof: proves that any bytes offered as a pprof profile (raw or
 * gzip'd) are refused cleanly or become a block that opens, verifies and
 * answers every query. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "fuzz"}};

    if (kiln_writer_new(&w, NULL) != 0)
        return 0;
    if (kiln_writer_add_pprof(w, data, size, lab, 1) == 0)
        fz_flush_and_read(w);
    kiln_writer_free(w);
    return 0;
}
