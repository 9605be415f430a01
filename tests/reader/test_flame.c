/* test_flame.c: the flame graph output and the diff of two results through
 * the public API (kiln/flame.h), and values in human units
 * (kiln_value_format) as go tool pprof labels them, over blocks written from
 * folded stacks with known values. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/flame.h>

#include "rutil.h"

#define T0 ((int64_t)1700000000 * 1000000000)
#define SEC ((int64_t)1000000000)

/* One block holding `text` (folded stacks, cpu nanoseconds) for each
 * version label v1, v2 given (NULL skips that version). */
static void write_versions(kiln_store *st, const char *v1, const char *v2,
                           const char *type, const char *unit)
{
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];
    const char *texts[2] = {v1, v2};
    const char *names[2] = {"v1", "v2"};

    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0), "%s", kiln_error_last());
    for (int i = 0; i < 2; i++) {
        if (!texts[i])
            continue;
        kiln_label lab[] = {{"version", names[i]}};
        kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
        fo.time_ns = T0;
        fo.duration_ns = 10 * SEC;
        fo.type = type;
        fo.unit = unit;
        cr_assert(eq(int, kiln_writer_add_folded(w, texts[i], strlen(texts[i]),
                                                 lab, 1, &fo), 0),
                  "%s", kiln_error_last());
    }
    cr_assert(eq(int, kiln_writer_flush(w, st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
}

static const char V1[] = "main;serve;parse 4000000000\n"
                         "main;serve;encode 3000000000\n"
                         "main;gc 3000000000\n";
static const char V2[] = "main;serve;parse 2000000000\n"
                         "main;serve;encode 6000000000\n"
                         "main;gc 3000000000\n";

static char *str(const kiln_buf *b)
{
    char *s = malloc(b->len + 1);
    cr_assert(s != NULL);
    memcpy(s, b->data, b->len);
    s[b->len] = '\0';
    return s;
}

Test(flame_units, time_bytes_and_counts_as_pprof_labels_them)
{
    char s[KILN_VALUE_MAX];
    struct {
        int64_t v, ref;
        const char *unit, *want;
    } cases[] = {
        {1960000000, 0, "nanoseconds", "1.96s"},
        {3070000000, 10000000, "nanoseconds", "3070ms"},
        {20000000, 10000000, "nanoseconds", "20ms"},
        {7272000000000, 0, "nanoseconds", "2.02hrs"},
        {90000000000, 0, "nanoseconds", "1.50mins"},
        {1500, 0, "nanoseconds", "1.50us"},
        {2, 0, "seconds", "2s"},
        {2621440, 0, "bytes", "2.50MB"},
        {3145728, 0, "bytes", "3MB"},
        {1049364, 1024, "bytes", "1024.77kB"},
        {999, 0, "count", "999"},
        {12345, 0, "count", "12.35k"},
        {-12345, 0, "samples", "-12.35k"},
        {4200000000, 0, "", "4.20G"},
        {0, 0, "nanoseconds", "0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = kiln_value_format(s, cases[i].v, cases[i].unit,
                                     cases[i].ref);
        cr_expect(eq(str, s, (char *)cases[i].want), "%lld %s",
                  (long long)cases[i].v, cases[i].unit);
        cr_expect(eq(sz, n, strlen(s)));
    }
}

Test(flame_svg, frames_carry_values_and_title_carries_units)
{
    ru_store s;
    kiln_buf b = KILN_BUF_INIT;
    kiln_flame_opts fo = KILN_FLAME_OPTS_INIT;

    ru_store_open(&s);
    write_versions(s.st, V1, NULL, "cpu", "nanoseconds");
    kiln_result *r = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                              NULL, 0);
    fo.title = "version <v1> & \"all\"";
    fo.min_frame = 0;
    cr_assert(eq(int, kiln_flame_svg(r, &fo, &b), 0), "%s", kiln_error_last());
    char *svg = str(&b);
    /* The root carries the total; every frame once, children by name. */
    cr_expect(strstr(svg, "\"total\":10000000000") != NULL);
    cr_expect(strstr(svg, "\"names\":[\"\",\"main\",\"gc\",\"serve\","
                          "\"encode\",\"parse\"]") != NULL, "%s", svg);
    cr_expect(strstr(svg, "\"f\":[0,0,10000000000,1,1,10000000000,2,2,"
                          "3000000000,3,2,7000000000,4,3,3000000000,5,3,"
                          "4000000000]") != NULL);
    cr_expect(strstr(svg, "version &lt;v1&gt; &amp; &quot;all&quot;") != NULL);
    cr_expect(strstr(svg, "cpu (nanoseconds)  |  total 10s") != NULL);
    free(svg);

    /* Frames below 35 % (3.5 s) merge into one "other" per parent: gc
     * under main, encode under serve; the subtitle says so. */
    kiln_buf_reset(&b);
    fo.min_frame = 0.35;
    cr_assert(eq(int, kiln_flame_svg(r, &fo, &b), 0), "%s", kiln_error_last());
    svg = str(&b);
    cr_expect(strstr(svg, "\"names\":[\"\",\"main\",\"serve\",\"parse\","
                          "\"other (1 frame below 35%)\"]") != NULL);
    cr_expect(strstr(svg, "\"f\":[0,0,10000000000,1,1,10000000000,2,2,"
                          "7000000000,3,3,4000000000,4,3,3000000000,4,2,"
                          "3000000000]") != NULL);
    cr_expect(strstr(svg, "2 frames below 35% merged into &quot;other&quot;: "
                          "6s, 60.00% of the total") != NULL);
    free(svg);
    kiln_result_free(r);
    kiln_buf_free(&b);
    ru_store_close(&s);
}

Test(flame_svg, bad_options_and_empty_results)
{
    kiln_result *r = NULL;
    kiln_buf b = KILN_BUF_INIT;
    kiln_flame_opts fo = KILN_FLAME_OPTS_INIT;

    cr_assert(eq(int, kiln_result_new(&r, NULL), 0));
    cr_assert(eq(int, kiln_flame_svg(r, NULL, &b), 0), "%s", kiln_error_last());
    char *svg = str(&b);
    cr_expect(strstr(svg, "no samples") != NULL);
    cr_expect(strstr(svg, "</svg>") != NULL);
    free(svg);
    fo.min_frame = 1.5;
    cr_expect(eq(int, kiln_flame_html(r, &fo, &b), KILN_EINVAL));
    cr_expect(strstr(kiln_error_last(), "min_frame") != NULL);
    fo.min_frame = 0;
    fo.version = 99;
    cr_expect(eq(int, kiln_flame_svg(r, &fo, &b), KILN_EINVAL));
    kiln_result_free(r);

    ru_store s;
    ru_store_open(&s);
    write_versions(s.st, V1, NULL, "cpu", "nanoseconds");
    r = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    fo = (kiln_flame_opts)KILN_FLAME_OPTS_INIT;
    fo.type = 1;
    cr_expect(eq(int, kiln_flame_svg(r, &fo, &b), KILN_EINVAL));
    cr_expect(strstr(kiln_error_last(), "sample type 1 of 1") != NULL);
    kiln_result_free(r);
    kiln_buf_free(&b);
    ru_store_close(&s);
}

Test(flame_diff, a_result_against_itself_changes_nothing)
{
    ru_store s;
    kiln_diff_entry *e = NULL;
    size_t n = 0;
    int64_t bt = 0, tt = 0;

    ru_store_open(&s);
    write_versions(s.st, V1, V2, "cpu", "nanoseconds");
    kiln_result *a = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                              "{version=\"v1\"}", NULL, 0);
    cr_assert(eq(int, kiln_diff_functions(a, 0, a, 0, &e, &n, &bt, &tt), 0),
              "%s", kiln_error_last());
    cr_expect(eq(sz, n, 5));
    cr_expect(eq(i64, bt, 10000000000));
    cr_expect(eq(i64, tt, 10000000000));
    for (size_t i = 0; i < n; i++) {
        cr_expect(e[i].d_flat == 0 && e[i].d_cum == 0, "%s", e[i].name);
        cr_expect(eq(i64, e[i].base_cum, e[i].target_cum));
    }
    free(e);
    kiln_result_free(a);
    ru_store_close(&s);
}

Test(flame_diff, a_grown_function_leads_the_table)
{
    ru_store s;
    kiln_diff_entry *e = NULL;
    size_t n = 0;
    kiln_buf b = KILN_BUF_INIT;
    kiln_flame_opts fo = KILN_FLAME_OPTS_INIT;

    ru_store_open(&s);
    write_versions(s.st, V1, V2, "cpu", "nanoseconds");
    kiln_result *a = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                              "{version=\"v1\"}", NULL, 0);
    kiln_result *c = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                              "{version=\"v2\"}", NULL, 0);
    cr_assert(eq(int, kiln_diff_functions(a, 0, c, 0, &e, &n, NULL, NULL), 0),
              "%s", kiln_error_last());
    cr_assert(eq(sz, n, 5));
    /* encode: 30 % of 10 s -> 6 of 11 s = 54.545 %: +24.55 points. */
    cr_expect(eq(str, (char *)e[0].name, "encode"));
    cr_expect(e[0].d_flat > 24.54 && e[0].d_flat < 24.55, "%f", e[0].d_flat);
    cr_expect(e[0].d_cum == e[0].d_flat);
    cr_expect(eq(str, (char *)e[1].name, "parse"));
    cr_expect(e[1].d_cum < -21.8 && e[1].d_cum > -21.9, "%f", e[1].d_cum);
    free(e);

    cr_assert(eq(int, kiln_diff_text(a, c, &fo, 2, &b), 0), "%s",
              kiln_error_last());
    char *t = str(&b);
    cr_expect(strstr(t, "Showing 2 of 5 functions") != NULL, "%s", t);
    cr_expect(strstr(t, "+24.55  encode\n") != NULL, "%s", t);
    free(t);
    kiln_buf_reset(&b);
    cr_assert(eq(int, kiln_flame_diff_svg(a, c, &fo, &b), 0), "%s",
              kiln_error_last());
    t = str(&b);
    /* Both sides' values per frame: encode 6 s in target, 3 s in base. */
    cr_expect(strstr(t, "\"s\":4,\"total\":11000000000,\"btotal\":10000000000")
              != NULL);
    cr_expect(strstr(t, ",6000000000,3000000000") != NULL);
    free(t);
    kiln_result_free(a);
    kiln_result_free(c);
    kiln_buf_free(&b);
    ru_store_close(&s);
}

Test(flame_diff, different_units_are_refused)
{
    ru_store s;
    kiln_diff_entry *e = NULL;
    size_t n = 0;
    kiln_buf b = KILN_BUF_INIT;

    ru_store_open(&s);
    write_versions(s.st, V1, NULL, "cpu", "nanoseconds");
    kiln_result *a = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                              NULL, 0);
    ru_store_close(&s);
    ru_store_open(&s);
    write_versions(s.st, NULL, V2, "alloc_space", "bytes");
    kiln_result *c = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                              NULL, 0);
    cr_expect(eq(int, kiln_diff_functions(a, 0, c, 0, &e, &n, NULL, NULL),
                 KILN_EINVAL));
    cr_expect(e == NULL && n == 0);
    cr_expect(strstr(kiln_error_last(), "differ") != NULL);
    cr_expect(eq(int, kiln_flame_diff_html(a, c, NULL, &b), KILN_EINVAL));
    kiln_result_free(a);
    kiln_result_free(c);
    kiln_buf_free(&b);
    ru_store_close(&s);
}
