/* fuzz_s3_xml: proves that any answer body an S3 endpoint sends (listing,
 * error, multipart) is parsed or refused by libxml2 without a crash, and
 * that reading keys, sizes and tokens out of it is safe. */
#include "fuzz_common.h"

#include <stdlib.h>

#include "s3_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s3_xml *x = NULL;
    if (s3_xml_parse(&x, data, size, "fuzz") == 0) {
        (void)s3_xml_root_name(x);
        for (const s3_xml_node *n = s3_xml_child(x, NULL, NULL, "Contents");
             n != NULL; n = s3_xml_child(x, NULL, n, "Contents")) {
            free(s3_xml_text(x, n, "Key"));
            free(s3_xml_text(x, n, "Size"));
        }
        free(s3_xml_text(x, NULL, "NextContinuationToken"));
        s3_xml_free(x);
    }
    free(s3_xml_get((const char *)data, size, "Code"));
    return 0;
}
