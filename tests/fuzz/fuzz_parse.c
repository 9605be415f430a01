/* fuzz_parse: proves that any text typed as a series selector, a time or a
 * duration is accepted or refused with a message, never a crash or a hang
 * (the selector's regexes are compiled by the C library). */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    int64_t ns;

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    o.selector = s;
    if (kiln_result_new(&r, &o) == 0)
        kiln_result_free(r);
    o.selector = NULL;
    o.type = s;
    if (kiln_result_new(&r, &o) == 0)
        kiln_result_free(r);
    (void)cli_parse_time(s, 1795482000LL * 1000000000LL, &ns);
    (void)cli_parse_duration(s, &ns);
    free(s);
    return 0;
}
