/* test_folded.c: folded/collapsed stacks text becomes stacks of one
 * function per frame (root first in the text, the count after the last
 * space); blank lines and '\r' are tolerated; a malformed line is
 * KILN_EINPUT naming the line, and nothing is added. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

typedef struct fstack {
    char names[256]; /* frames root first, joined by ';' */
    int64_t count;
} fstack;

/* Decode the block's rows back into folded lines (merged per stack). */
static size_t unfold(const tblock *b, fstack *out, size_t max)
{
    size_t n = 0;
    for (size_t pg = 0; pg < b->npages; pg++) {
        const kiln_page_rows *r = &b->rows[pg];
        for (uint32_t i = 0; i < r->n; i++) {
            const char *fr[32];
            size_t nf = 0;
            for (uint32_t node = r->stack[i]; node; node = b->stacks.parent[node]) {
                const kiln_location *l = &b->sym.locations[b->stacks.loc[node]];
                cr_assert(eq(u32, l->nlines, 1));
                cr_assert(eq(u32, l->mapping, 0));
                const kiln_function *f =
                    &b->sym.functions[b->sym.lines[l->line_off].function];
                cr_assert(eq(u32, f->name, f->system_name));
                cr_assert(eq(u32, f->filename, 0));
                fr[nf++] = strtab_get(&b->sym.strings, f->name);
            }
            cr_assert(lt(sz, n, max));
            fstack *s = &out[n++];
            s->names[0] = '\0';
            while (nf-- > 0) {
                strcat(s->names, fr[nf]);
                if (nf)
                    strcat(s->names, ";");
            }
            s->count = r->values[i];
        }
    }
    return n;
}

static int64_t count_of(const fstack *v, size_t n, const char *names)
{
    int64_t c = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].names, names) == 0) {
            cr_assert(eq(i64, c, -1), "stack %s twice", names);
            c = v[i].count;
        }
    return c;
}

static void build(const char *text, const kiln_folded_opts *fo, tblock *b,
                  kiln_buf *block)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    kiln_label lab[] = {{"service_name", "folded"}};
    int rc = kiln_writer_add_folded(w, text, strlen(text), lab, 1, fo);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    char id[27];
    memset(block, 0, sizeof *block);
    th_finish(w, block, id);
    th_block_open(b, block);
    kiln_writer_free(w);
}

Test(writer, folded_lines_become_stacks_and_merge)
{
    const char *text = "main;work;leaf 3\n"
                       "main;work 2\n"
                       "\n"
                       "main;work;leaf 4\n"
                       "main;other 1";
    tblock b;
    kiln_buf block;
    build(text, NULL, &b, &block);
    fstack v[16];
    size_t n = unfold(&b, v, 16);
    cr_assert(eq(sz, n, 3));
    cr_assert(eq(i64, count_of(v, n, "main;work;leaf"), 7));
    cr_assert(eq(i64, count_of(v, n, "main;work"), 2));
    cr_assert(eq(i64, count_of(v, n, "main;other"), 1));
    /* shared prefix: root + main + work + leaf + other */
    cr_assert(eq(sz, b.stacks.n, 5));
    cr_assert(eq(u64, b.meta.nfunctions, 4));
    const kiln_kind *k = &b.ser.kinds[0];
    cr_assert(eq(u32, k->ntypes, 1));
    cr_assert(eq(str, (char *)strtab_get(&b.ser.strings, k->types[0]),
                 "samples"));
    cr_assert(eq(str, (char *)strtab_get(&b.ser.strings, k->types[1]),
                 "count"));
    cr_assert(eq(i64, k->period, 0));
    th_block_free(&b);
    kiln_buf_free(&block);
}

Test(writer, folded_frames_may_hold_spaces_and_crlf)
{
    const char *text = "java.lang.Thread.run;Foo::bar(int, char) const 10\r\n"
                       "  \r\n"
                       "a b;c d  5\r\n";
    tblock b;
    kiln_buf block;
    build(text, NULL, &b, &block);
    fstack v[16];
    size_t n = unfold(&b, v, 16);
    cr_assert(eq(sz, n, 2));
    cr_assert(eq(i64,
                 count_of(v, n, "java.lang.Thread.run;Foo::bar(int, char) const"),
                 10));
    cr_assert(eq(i64, count_of(v, n, "a b;c d"), 5));
    th_block_free(&b);
    kiln_buf_free(&block);
}

Test(writer, folded_options_set_type_unit_and_time)
{
    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
    fo.time_ns = 1700000000123456789LL;
    fo.duration_ns = 15000000000LL;
    fo.type = "cpu";
    fo.unit = "nanoseconds";
    tblock b;
    kiln_buf block;
    build("x;y 100\n", &fo, &b, &block);
    const kiln_kind *k = &b.ser.kinds[0];
    cr_assert(eq(str, (char *)strtab_get(&b.ser.strings, k->types[0]),
                 "cpu"));
    cr_assert(eq(str, (char *)strtab_get(&b.ser.strings, k->types[1]),
                 "nanoseconds"));
    cr_assert(eq(i64, b.rows[0].time[0], fo.time_ns));
    cr_assert(eq(i64, b.rows[0].duration[0], fo.duration_ns));
    cr_assert(eq(i64, b.meta.tmin, fo.time_ns));
    th_block_free(&b);
    kiln_buf_free(&block);
}

static void refuse(const char *text, const char *msg)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_add_folded(w, "a;b 1\n", 6, NULL, 0, NULL),
                 0));
    kiln_writer_stats before, after;
    kiln_writer_stats_get(w, &before);
    int rc = kiln_writer_add_folded(w, text, strlen(text), NULL, 0, NULL);
    cr_assert(eq(int, rc, KILN_EINPUT), "%s", kiln_error_last());
    cr_assert(strstr(kiln_error_last(), msg) != NULL, "\"%s\" lacks \"%s\"",
              kiln_error_last(), msg);
    kiln_writer_stats_get(w, &after);
    cr_assert(eq(int, memcmp(&before, &after, sizeof before), 0));
    kiln_writer_free(w);
}

Test(writer, malformed_folded_lines_are_named)
{
    refuse("a;b 1\nc;d 2\n\ne;f\n", "folded: line 4: no sample count");
    refuse("a;b 1\na;b x12\n", "folded: line 2: sample count \"x12\" is not "
                               "an integer");
    refuse("a;b 99999999999999999999\n", "line 1: sample count out of range");
    refuse("   7\n", "folded: line 1: no stack before the count");
    refuse("a;b -\n", "line 1: no sample count");
    refuse("\n\n", "empty input");
    refuse("", "empty input");
    /* two lines of the same stack that would merge into a wrapped, negative
     * row (and a total past int64): refused, naming the line */
    refuse("a;b 9223372036854775807\na;b 9223372036854775807\n",
           "folded: line 2: the counts sum past the int64 range");
    refuse("a;b 9223372036854775807\nc 1\n",
           "folded: line 2: the counts sum past the int64 range");
}

Test(writer, folded_lines_after_a_bad_one_add_nothing)
{
    /* the bad line comes last: the good lines before it are not added */
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    const char *text = "a;b 1\nc;d 2\nbad\n";
    cr_assert(eq(int, kiln_writer_add_folded(w, text, strlen(text), NULL, 0,
                                             NULL),
                 KILN_EINPUT));
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 0));
    cr_assert(eq(u64, st.rows, 0));
    cr_assert(eq(u64, st.stacks, 1));
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    cr_assert(eq(int, kiln_writer_finish(w, &block, id), KILN_ENOTFOUND));
    kiln_writer_free(w);
}

Test(writer, input_limits_are_refused_by_name)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    /* a stack deeper than KILN_MAX_STACK_DEPTH (16384 frames), and one at
     * the limit */
    char *deep = malloc(2 * 16385 + 8);
    cr_assert(deep != NULL);
    for (size_t n = 16385; n >= 16384; n--) {
        for (size_t i = 0; i < n; i++) {
            deep[2 * i] = 'f';
            deep[2 * i + 1] = i + 1 < n ? ';' : ' ';
        }
        strcpy(deep + 2 * n, "1\n");
        int rc = kiln_writer_add_folded(w, deep, strlen(deep), NULL, 0, NULL);
        if (n == 16385) {
            cr_assert(eq(int, rc, KILN_ELIMIT));
            cr_assert(strstr(kiln_error_last(), "line 1: 16385 frames (at "
                                                "most 16384)") != NULL,
                      "%s", kiln_error_last());
        } else {
            cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
        }
    }
    free(deep);
    /* more series labels than KILN_MAX_SERIES_LABELS (64) */
    kiln_label lab[65];
    char names[65][8];
    for (int i = 0; i < 65; i++) {
        snprintf(names[i], sizeof names[i], "l%d", i);
        lab[i].name = names[i];
        lab[i].value = "v";
    }
    cr_assert(eq(int, kiln_writer_add_folded(w, "a 1\n", 4, lab, 65, NULL),
                 KILN_ELIMIT));
    cr_assert(strstr(kiln_error_last(), "65 series labels (at most 64)") !=
              NULL, "%s", kiln_error_last());
    cr_assert(eq(int, kiln_writer_add_folded(w, "a 1\n", 4, lab, 64, NULL),
                 0), "%s", kiln_error_last());
    kiln_writer_free(w);
}
