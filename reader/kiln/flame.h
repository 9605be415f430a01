/* kiln/flame.h: flame graphs of query results, as a self-contained SVG or
 * HTML page (inline style and script, nothing fetched), differential flame
 * graphs of two results, and the functions whose share changed most, for
 * a backend that serves them or a CI gate that refuses a regression. */
#ifndef KILN_FLAME_H
#define KILN_FLAME_H

#include <kiln/common.h>
#include <kiln/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_flame_opts {
    unsigned version;      /* KILN_FLAME_OPTS_VERSION */
    size_t type;           /* sample type drawn (index, kiln_result_type) */
    size_t base_type;      /* diff: the base result's sample type */
    double min_frame;      /* frames whose value is below this fraction of
                            * the total (either side's, in a diff) merge
                            * into one "other" frame per parent; 0 keeps
                            * every frame; default 0.0005 (0.05 %) */
    int icicle;            /* 1: root at the top, callees below it */
    const char *title;     /* what was selected, e.g. a selector or "trace
                            * 4bf9..." (NULL: "all samples"); in a diff,
                            * the target side */
    const char *base_title; /* diff: the base side (NULL: "base") */
    int64_t from, to;      /* time range for the title, ns; KILN_TIME_MIN /
                            * KILN_TIME_MAX: the matched samples' range */
    int64_t base_from, base_to; /* diff: the base side's range */
    unsigned width;        /* pixels, 0 = 1200 (at least 200) */
    size_t table_rows;     /* html: rows of the functions table, 0 = 1000 */
} kiln_flame_opts;

#define KILN_FLAME_OPTS_VERSION 1
#define KILN_FLAME_OPTS_INIT                                               \
    {KILN_FLAME_OPTS_VERSION, 0, 0, 0.0005, 0, NULL, NULL, KILN_TIME_MIN, \
     KILN_TIME_MAX, KILN_TIME_MIN, KILN_TIME_MAX, 0, 0}

/* The flame graph of sample type o->type of r, appended to out (o NULL:
 * the defaults). One frame per function name on a path from the root
 * (inlined frames expanded, frames named as kiln_result_folded names
 * them), children sorted by name; each frame carries its cumulative value
 * and the root carries the total: the sum of every stack's value, so the
 * frames' self values (value minus their children's) add up to it exactly.
 * Frames below o->min_frame merge per parent into one frame named "other
 * (N frames below P%)", and the subtitle says how many frames and how much
 * value merged. The drawing, tooltips (name, value, share of the total,
 * self value, in kiln_value_format's units), click to zoom (the clicked
 * frame spans the width; "Reset zoom" goes back), search by regular
 * expression (matching frames marked, their share of the total shown) and
 * per-package colours are the page's own inline script; window.kf
 * {search(re) -> share, zoom(i), reset(), clear()} drives it too.
 *
 * svg: one SVG document; html: a page with the same graph and a sortable
 * table of the top functions (flat and cumulative, kiln_result_top's
 * order, o->table_rows rows).
 *
 * 0, or KILN_EINVAL (type out of range, a bad option, with the message
 * set), KILN_ENOMEM. On failure out may hold part of the page. An empty
 * result draws an empty graph saying "No samples". */
KILN_API int kiln_flame_svg(const kiln_result *r, const kiln_flame_opts *o,
                            kiln_buf *out);
KILN_API int kiln_flame_html(const kiln_result *r, const kiln_flame_opts *o,
                             kiln_buf *out);

/* Differential flame graph: the frames of both results (type
 * o->base_type of base, o->type of target), drawn with the target's
 * values; every frame carries both sides' values, and is coloured by the
 * change of its share of its side's total (target share - base share):
 * red grew, blue shrank, grey unchanged (exactly equal shares). The html
 * page adds the table of kiln_diff_functions. The types must have the same
 * unit (KILN_EINVAL otherwise). */
KILN_API int kiln_flame_diff_svg(const kiln_result *base,
                                 const kiln_result *target,
                                 const kiln_flame_opts *o, kiln_buf *out);
KILN_API int kiln_flame_diff_html(const kiln_result *base,
                                  const kiln_result *target,
                                  const kiln_flame_opts *o, kiln_buf *out);

typedef struct kiln_diff_entry {
    const char *name;      /* function (borrowed from the array's block) */
    int64_t base_flat, base_cum;     /* values, as kiln_result_top counts */
    int64_t target_flat, target_cum;
    double d_flat, d_cum;  /* change of share of the side's total,
                            * percentage points: target - base */
} kiln_diff_entry;

/* Every function of either side with its values and the change of its
 * flat and cumulative shares (each side's total: the sum of its stacks'
 * values; a side totalling 0 has every share 0). Ordered by the larger of
 * |d_flat| and |d_cum|, then name. *out is one malloc'd block holding the
 * names too (free(*out)); *n entries; *base_total and *target_total the
 * totals (either may be NULL). 0, KILN_EINVAL (type out of range, units
 * differ), KILN_ENOMEM; *out NULL and *n 0 on failure. */
KILN_API int kiln_diff_functions(const kiln_result *base, size_t base_type,
                                 const kiln_result *target, size_t target_type,
                                 kiln_diff_entry **out, size_t *n,
                                 int64_t *base_total, int64_t *target_total);

/* kiln_diff_functions as a text table of its first `limit` rows (0 = all):
 * totals of both sides, then per function the base and target shares and
 * their change, flat and cumulative. */
KILN_API int kiln_diff_text(const kiln_result *base, const kiln_result *target,
                            const kiln_flame_opts *o, size_t limit,
                            kiln_buf *out);

#ifdef __cplusplus
}
#endif

#endif
