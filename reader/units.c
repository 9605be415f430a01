/* units.c: sample values as people read them (1.96s, 12.30MB, 4.20k), the
 * way `go tool pprof` labels them, for the top table and the flame graph's
 * title and tooltips. Machine outputs (json, csv, pprof) never come here. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reader_internal.h"

typedef rd_unit_step unit_step;

/* Time in nanoseconds, pprof's labels. */
static const unit_step TIME[] = {
    {"ns", 1},        {"us", 1e3},         {"ms", 1e6},
    {"s", 1e9},       {"mins", 60e9},      {"hrs", 3600e9},
    {"days", 86400e9},
};
/* Bytes, powers of 1024 as pprof counts them. */
static const unit_step BYTES[] = {
    {"B", 1},
    {"kB", 1024.0},
    {"MB", 1024.0 * 1024},
    {"GB", 1024.0 * 1024 * 1024},
    {"TB", 1024.0 * 1024 * 1024 * 1024},
    {"PB", 1024.0 * 1024 * 1024 * 1024 * 1024},
};
/* Anything else is a count: SI prefixes. */
static const unit_step COUNT[] = {
    {"", 1},     {"k", 1e3},   {"M", 1e6},  {"G", 1e9},
    {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
};

const rd_unit_step *rd_unit_family(const char *unit, size_t *n,
                                   double *factor)
{
    static const struct {
        const char *name;
        int fam; /* 0 time, 1 bytes */
        double factor;
    } names[] = {
        {"nanoseconds", 0, 1},  {"nanosecond", 0, 1}, {"ns", 0, 1},
        {"microseconds", 0, 1e3}, {"us", 0, 1e3},
        {"milliseconds", 0, 1e6}, {"ms", 0, 1e6},
        {"seconds", 0, 1e9},    {"second", 0, 1e9},  {"s", 0, 1e9},
        {"bytes", 1, 1},        {"byte", 1, 1},      {"B", 1, 1},
        {"kilobytes", 1, 1024}, {"megabytes", 1, 1024.0 * 1024},
    };
    for (size_t i = 0; unit && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(unit, names[i].name) == 0) {
            *factor = names[i].factor;
            if (names[i].fam == 0) {
                *n = sizeof TIME / sizeof TIME[0];
                return TIME;
            }
            *n = sizeof BYTES / sizeof BYTES[0];
            return BYTES;
        }
    *factor = 1;
    *n = sizeof COUNT / sizeof COUNT[0];
    return COUNT;
}

size_t kiln_value_format(char out[KILN_VALUE_MAX], int64_t v,
                         const char *unit, int64_t ref)
{
    size_t n, k = 0;
    double factor;
    const unit_step *st = rd_unit_family(unit, &n, &factor);
    double r = (ref < 0 ? -(double)ref : (double)ref) * factor;
    int len;

    if (ref == 0)
        r = (v < 0 ? -(double)v : (double)v) * factor;
    if (v == 0)
        return (size_t)snprintf(out, KILN_VALUE_MAX, "0");
    /* The largest step at which |ref| is at least one. */
    while (k + 1 < n && r >= st[k + 1].size)
        k++;
    if (st == COUNT && k == 0) /* small counts stay exact integers */
        return (size_t)snprintf(out, KILN_VALUE_MAX, "%" PRId64, v);
    len = snprintf(out, KILN_VALUE_MAX, "%.2f", (double)v * factor /
                   st[k].size);
    if (len >= 3 && strcmp(out + len - 3, ".00") == 0)
        len -= 3;
    len += snprintf(out + len, KILN_VALUE_MAX - (size_t)len, "%s",
                    st[k].label);
    return (size_t)len;
}
