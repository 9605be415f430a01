/* out_json.c: a result as one JSON object (types, stacks with values, top
 * lists), for scripts and dashboards. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_internal.h"

static int json_sym(kiln_buf *b, const kiln_result *r, uint32_t id)
{
    return rd_json_str(b, strtab_get(&r->sym.strings, id),
                       r->sym.strings.len[id]);
}

int kiln_result_json(const kiln_result *r, kiln_buf *out)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    uint32_t *path = NULL;
    kiln_top_entry *e = NULL;
    size_t nt = r->ntypes, n;
    bool first = true;
    int rc;

    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    path = malloc((r->stk.n ? r->stk.n : 1) * sizeof *path);
    if (!path) {
        rc = nomem();
        goto out;
    }
    if ((rc = rd_bprintf(out, "{\"types\":[")) < 0)
        goto out;
    for (size_t t = 0; t < nt; t++) {
        if ((rc = rd_bprintf(out, "%s{\"type\":", t ? "," : "")) < 0 ||
            (rc = json_sym(out, r, r->types[2 * t])) < 0 ||
            (rc = rd_bprintf(out, ",\"unit\":")) < 0 ||
            (rc = json_sym(out, r, r->types[2 * t + 1])) < 0 ||
            (rc = rd_bprintf(out, "}")) < 0)
            goto out;
    }
    if ((rc = rd_bprintf(out, "],\"time_ns\":%" PRId64 ",\"duration_ns\":%"
                      PRId64 ",\"period\":%" PRId64 ",\"period_type\":{"
                      "\"type\":", r->sel.stats.rows ? r->sel.stats.tmin : 0,
                      r->sel.stats.rows ? r->tend - r->sel.stats.tmin : 0,
                      r->period)) < 0 ||
        (rc = json_sym(out, r, r->period_type[0])) < 0 ||
        (rc = rd_bprintf(out, ",\"unit\":")) < 0 ||
        (rc = json_sym(out, r, r->period_type[1])) < 0 ||
        (rc = rd_bprintf(out, "},\"stats\":{\"blocks_total\":%" PRIu64
                      ",\"blocks_read\":%" PRIu64 ",\"pages_total\":%" PRIu64
                      ",\"pages_read\":%" PRIu64 ",\"rows\":%" PRIu64
                      "},\"stacks\":[", r->sel.stats.blocks_total,
                      r->sel.stats.blocks_read, r->sel.stats.pages_total,
                      r->sel.stats.pages_read, r->sel.stats.rows)) < 0)
        goto out;
    for (uint32_t nd = 0; nd < r->stk.n; nd++) {
        const int64_t *v = vals + (size_t)nd * nt;
        size_t t;
        for (t = 0; t < nt && !v[t]; t++)
            ;
        if (t == nt)
            continue;
        if ((rc = rd_bprintf(out, "%s{\"frames\":[", first ? "" : ",")) < 0 ||
            (rc = out_put_stack(r, nd, out, path, true)) < 0 ||
            (rc = rd_bprintf(out, "],\"values\":[")) < 0)
            goto out;
        first = false;
        for (t = 0; t < nt; t++)
            if ((rc = rd_bprintf(out, "%s%" PRId64, t ? "," : "", v[t])) < 0)
                goto out;
        if ((rc = rd_bprintf(out, "]}")) < 0)
            goto out;
    }
    if ((rc = rd_bprintf(out, "],\"top\":[")) < 0)
        goto out;
    for (size_t t = 0; t < nt; t++) {
        if ((rc = kiln_result_top(r, t, &e, &n)) < 0 ||
            (rc = rd_bprintf(out, "%s[", t ? "," : "")) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            if ((rc = rd_bprintf(out, "%s{\"name\":", i ? "," : "")) < 0 ||
                (rc = rd_json_str(out, e[i].name, strlen(e[i].name))) < 0 ||
                (rc = rd_bprintf(out, ",\"flat\":%" PRId64 ",\"cum\":%" PRId64
                              "}", e[i].flat, e[i].cum)) < 0)
                goto out;
        }
        free(e);
        e = NULL;
        if ((rc = rd_bprintf(out, "]")) < 0)
            goto out;
    }
    rc = rd_bprintf(out, "]}\n");
out:
    free(e);
    free(tmp);
    free(path);
    return api_return(rc);
}
